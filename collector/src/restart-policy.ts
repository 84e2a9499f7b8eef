/**
 * When to start a dead thread again (pure: the caller passes the clock). Each crash waits twice as long as
 * the one before, from `firstDelayMs` up to `maxDelayMs`, so a thread that dies at once on every start does
 * not spin. A thread that stayed up for `stableMs` is healthy again and starts over at the first delay.
 * After `maxConsecutive` crashes with no stable run between them the policy gives up: something is wrong
 * that restarting will not fix, and the operator (or the process manager, through /health's 503) must act.
 */

export interface RestartPolicyOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  stableMs: number;
  maxConsecutive: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  stableMs: 60_000,
  maxConsecutive: 10,
};

export class RestartPolicy {
  /** Crashes since the thread last ran for `stableMs`. */
  private consecutive = 0;
  private upSince: number;

  constructor(
    private readonly options: RestartPolicyOptions,
    now: number,
  ) {
    this.upSince = now;
  }

  /** The thread is running (again) from `now`. */
  started(now: number): void {
    this.upSince = now;
  }

  /** The thread died (or failed to start) at `now`: the delay before the next start, or null to give up. */
  crashed(now: number, wasUp: boolean): number | null {
    if (wasUp && now - this.upSince >= this.options.stableMs) this.consecutive = 0;
    this.consecutive++;
    if (this.consecutive > this.options.maxConsecutive) return null;
    const { firstDelayMs, maxDelayMs } = this.options;
    return Math.min(maxDelayMs, firstDelayMs * 2 ** (this.consecutive - 1));
  }
}
