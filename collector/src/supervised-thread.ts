import type { TransferListItem, Worker } from 'node:worker_threads';
import { RestartPolicy, type RestartPolicyOptions, restartPolicyFromEnv } from './restart-policy.js';
import { type Answered, startWorker, WorkerRpc } from './worker-rpc.js';

/**
 * A worker thread that is started again when it dies (an uncaught exception, out of memory, an exit), with
 * the back-off of restart-policy.ts. While it is down every request fails at once (WorkerRpc), so callers
 * hold or refuse their work instead of waiting; what they held goes to the new thread when it is up.
 */

/** `given-up`: it kept dying and is left down (restart-policy.ts); /health answers 503 until the collector restarts. */
export type ThreadState = 'up' | 'restarting' | 'given-up' | 'stopped';

export interface ThreadHealth {
  state: ThreadState;
  /** Times the thread was started again after dying. */
  restarts: number;
  /** Why it last died (or last failed to start). */
  lastError: string | null;
  /** Deaths (and failed starts) in a row as of the last one (a stable run between two starts the count over). */
  deathsInARow: number;
  /** Epoch ms when it went down, while it is down. */
  downSince: number | null;
}

export type ThreadEvent =
  /** It died; `retryInMs` null means the policy gave up and it stays down. */
  | { type: 'died'; reason: string; retryInMs: number | null }
  | { type: 'restartFailed'; reason: string; retryInMs: number | null }
  | { type: 'restarted'; downMs: number };

/** One line for /health and the log when the policy gave up on a thread: which, why, and what to do. */
export function givenUpReason(name: string, t: ThreadHealth): string {
  return (
    `${name} thread given up after ${t.deathsInARow} deaths in a row (last: ${t.lastError}): ` +
    'not restarted again; restart the collector'
  );
}

/** What the collector watches of any supervised thread, whatever it speaks. */
export interface Supervised {
  readonly health: ThreadHealth;
  onEvent(listener: (e: ThreadEvent) => void): void;
}

export class SupervisedThread<Reply extends Answered, Ready extends { type: 'ready' }> implements Supervised {
  private rpc: WorkerRpc<Reply>;
  private readonly policy: RestartPolicy;
  private timer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private readonly listeners: Array<(e: ThreadEvent, ready: Ready | null) => void> = [];
  readonly health: ThreadHealth = { state: 'up', restarts: 0, lastError: null, deathsInARow: 0, downSince: null };

  private constructor(
    readonly name: string,
    private readonly spawn: () => Worker,
    first: Worker,
    readonly ready: Ready,
    policy: RestartPolicyOptions,
  ) {
    this.policy = new RestartPolicy(policy, Date.now());
    this.rpc = this.watch(first);
  }

  /** Starts the thread; rejects with its one-line reason when it cannot start (nothing is restarted then). */
  static async start<Reply extends Answered, Ready extends { type: 'ready' }>(
    name: string,
    spawn: () => Worker,
    policy: RestartPolicyOptions = restartPolicyFromEnv(process.env),
  ): Promise<SupervisedThread<Reply, Ready>> {
    const worker = spawn();
    const ready = await startWorker<Ready>(worker);
    return new SupervisedThread<Reply, Ready>(name, spawn, worker, ready, policy);
  }

  /** The current thread is running (false while it is being restarted). */
  get alive(): boolean {
    return this.rpc.alive;
  }

  get worker(): Worker {
    return this.rpc.worker;
  }

  /** Told of every death and restart (`ready` is the new thread's first message on a restart). */
  onEvent(listener: (e: ThreadEvent, ready: Ready | null) => void): void {
    this.listeners.push(listener);
  }

  request(make: (id: number) => unknown, transfer: readonly TransferListItem[] = []): Promise<Reply> {
    return this.rpc.request(make, transfer);
  }

  tell(message: unknown): void {
    this.rpc.tell(message);
  }

  /** No more restarts from now on; waits for a restart in progress. The caller ends the current thread. */
  async stop(): Promise<void> {
    this.health.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.starting;
  }

  private watch(worker: Worker): WorkerRpc<Reply> {
    const rpc = new WorkerRpc<Reply>(worker, this.name);
    let reason: string | null = null;
    worker.on('error', (err) => {
      reason = err.message;
    });
    worker.once('exit', (code) => {
      if (this.health.state === 'stopped') return;
      this.down(reason ?? `exited with code ${code}`, 'died', true);
    });
    return rpc;
  }

  private down(reason: string, type: 'died' | 'restartFailed', wasUp: boolean): void {
    const now = Date.now();
    this.health.lastError = reason;
    this.health.downSince ??= now;
    const retryInMs = this.policy.crashed(now, wasUp);
    this.health.deathsInARow = this.policy.inARow;
    this.health.state = retryInMs === null ? 'given-up' : 'restarting';
    this.emit({ type, reason, retryInMs }, null);
    if (retryInMs !== null) this.timer = setTimeout(() => this.restart(), retryInMs);
  }

  private restart(): void {
    this.timer = null;
    const worker = this.spawn();
    this.starting = startWorker<Ready>(worker).then(
      (ready) => {
        this.starting = null;
        if (this.health.state === 'stopped') {
          void worker.terminate();
          return;
        }
        this.rpc = this.watch(worker);
        this.policy.started(Date.now());
        const downMs = Date.now() - (this.health.downSince ?? Date.now());
        this.health.restarts++;
        this.health.state = 'up';
        this.health.downSince = null;
        this.emit({ type: 'restarted', downMs }, ready);
      },
      (err: Error) => {
        this.starting = null;
        if (this.health.state !== 'stopped') this.down(err.message, 'restartFailed', false);
      },
    );
  }

  private emit(e: ThreadEvent, ready: Ready | null): void {
    for (const l of this.listeners) l(e, ready);
  }
}
