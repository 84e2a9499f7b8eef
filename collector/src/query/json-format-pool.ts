import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BufferPool } from '../buffer-pool.js';
import { WORKER_RESOURCE_LIMITS } from '../thread-limits.js';
import { startWorker, WorkerRpc } from '../worker-rpc.js';
import type { FormatRequest, Formatted } from './json-format-thread.js';
import {
  formatJsonObjects,
  type JsonBody,
  type JsonObjects,
  type JsonSeries,
  jsonBody,
  jsonObjectsBytes,
  jsonParts,
  prepareJson,
  type RenderOptions,
} from './render-format.js';
import type { TimeSeries } from './series.js';

export interface JsonFormatPoolOptions {
  /** Formatting threads besides the caller's; 0 formats everything on the caller's thread. */
  threads?: number;
  /** Bodies with fewer points are formatted on the caller's thread: a thread's round trip costs ~1 ms. */
  minPoints?: number;
  /**
   * Threads unused this long are stopped, and the kept buffers dropped, so a collector nobody graphs at
   * full resolution keeps no isolate and no large buffers.
   */
  idleMs?: number;
}

/** A body whose bytes may be in the pool's buffers: release() gives them back once it has been sent. */
export interface PooledBody extends JsonBody {
  release(): void;
}

/** Free buffers kept between bodies: a raw 24 h render of 100 series writes ~30 MB of room. */
const KEPT_BYTES = 64 << 20;

/**
 * /render's JSON bodies, large ones formatted across threads. Spelling numbers is most of a raw 24 h render
 * (20 MB for 100 series, ~45 ms on one thread here), and it splits cleanly: each thread writes its share of
 * the series' objects into a buffer kept for reuse and shared with it (buffer-pool.ts), and the caller joins
 * the bytes in order. The threads start at the first large body (which is formatted here meanwhile) and stop
 * when idle. A thread that fails or dies costs only speed: its share is formatted here.
 */
export class JsonFormatPool {
  private readonly threads: number;
  private readonly minPoints: number;
  private readonly idleMs: number;
  private readonly buffers = new BufferPool(KEPT_BYTES);
  private workers: Array<WorkerRpc<Formatted>> = [];
  private starting: Promise<void> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: JsonFormatPoolOptions = {}) {
    this.threads = opts.threads ?? Math.min(3, Math.max(1, availableParallelism() - 1));
    this.minPoints = opts.minPoints ?? 100_000;
    this.idleMs = opts.idleMs ?? 60_000;
  }

  /** The threads now running (tests watch it). */
  get running(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  /** Bytes of free buffers kept for the next large body (tests watch it). */
  get keptBytes(): number {
    return this.buffers.held;
  }

  async format(series: readonly TimeSeries[], opts: RenderOptions): Promise<PooledBody> {
    const folded = prepareJson(series, opts);
    if (folded === null) return { pieces: [Buffer.from('[]')], length: 2, release: () => {} };
    const noNullPoints = opts.noNullPoints === true;
    const points = folded.reduce((n, s) => n + s.values.length, 0);
    const workers = points < this.minPoints ? [] : this.ready();
    // Small bodies, and a large one while the threads start, take fresh buffers: the pool's are sized for
    // shares of large bodies.
    if (workers.length === 0) {
      return { ...jsonBody(folded.length, [formatJsonObjects(folded, noNullPoints)]), release: () => {} };
    }

    const parts = jsonParts(folded, workers.length + 1);
    const here = (share: readonly TimeSeries[]) =>
      formatJsonObjects(share, noNullPoints, Buffer.from(this.buffers.take(jsonObjectsBytes(share))));
    const asked = workers.map((w, k) => this.ask(w, parts[k + 1] as TimeSeries[], noNullPoints));
    // The caller's thread takes the first share while the others work.
    const mine = here(parts[0] as TimeSeries[]);
    const theirs = await Promise.all(asked.map((p, k) => p.catch(() => here(parts[k + 1] as TimeSeries[]))));
    const written = [mine, ...theirs];
    let released = false;
    return {
      ...jsonBody(folded.length, written),
      release: () => {
        // Once only: a second release could hand back a buffer another body has taken since.
        if (released) return;
        released = true;
        // A body sent after the threads were stopped as idle (a slow client) leaves its buffers to the collector.
        if (this.workers.length === 0) return;
        for (const part of written) this.buffers.give(part.bytes.buffer);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    await this.stop();
  }

  /**
   * A share formatted by thread w, into one of the pool's buffers. Its values go in another, copied out of
   * the series (they may be views into buffers the caller keeps).
   */
  private async ask(
    w: WorkerRpc<Formatted>,
    share: readonly TimeSeries[],
    noNullPoints: boolean,
  ): Promise<JsonObjects> {
    const points = share.reduce((n, s) => n + s.values.length, 0);
    const values = this.buffers.take(points * Float64Array.BYTES_PER_ELEMENT);
    const all = new Float64Array(values, 0, points);
    let at = 0;
    const series: JsonSeries[] = share.map((s) => {
      const view = all.subarray(at, at + s.values.length);
      view.set(s.values);
      at += s.values.length;
      return { name: s.name, tags: s.tags, start: s.start, step: s.step, values: view };
    });
    const buffer = this.buffers.take(jsonObjectsBytes(series));
    const done = await w.request((id): FormatRequest => ({ type: 'format', id, series, noNullPoints, buffer }), []);
    this.buffers.give(values);
    // Bytes in the shared buffer are viewed through this thread's handle on it, the one release() gives back.
    const { bytes, ends } = done;
    if (!(bytes.buffer instanceof SharedArrayBuffer)) return { bytes, ends };
    return { bytes: new Uint8Array(buffer, bytes.byteOffset, bytes.byteLength), ends };
  }

  /** The threads ready now; starts them (for the next body) if there are none. */
  private ready(): Array<WorkerRpc<Formatted>> {
    if (this.closed) return [];
    this.workers = this.workers.filter((w) => w.alive);
    if (this.workers.length === 0 && this.starting === null) this.starting = this.start();
    this.touch();
    return this.workers;
  }

  private async start(): Promise<void> {
    try {
      const settled = await Promise.allSettled(
        Array.from({ length: this.threads }, async () => {
          const worker = new Worker(new URL('./json-format-thread.js', import.meta.url), {
            resourceLimits: WORKER_RESOURCE_LIMITS,
          });
          worker.unref();
          const rpc = new WorkerRpc<Formatted>(worker, 'JSON formatting thread');
          await startWorker(worker);
          return rpc;
        }),
      );
      // Threads that failed to start leave their share to the caller's thread; the next large body tries again.
      const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (this.closed) await Promise.all(started.map((w) => w.worker.terminate()));
      else this.workers = started;
    } finally {
      this.starting = null;
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stop(), this.idleMs);
    this.idleTimer.unref();
  }

  private async stop(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    this.buffers.clear();
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
