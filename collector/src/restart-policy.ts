/**
 * When to start a dead thread again (pure: the caller passes the clock). Each crash waits twice as long as
 * the one before, from `firstDelayMs` up to `maxDelayMs`, so a thread that dies at once on every start does
 * not spin. A thread that stayed up for `stableMs` is healthy again and starts over at the first delay.
 * The thread is restarted `maxConsecutive` times in a row with no stable run between them; when it dies once
 * more the policy gives up: something is wrong that restarting will not fix, and the operator (or the process
 * manager, through /health's 503) must act.
 */

export interface RestartPolicyOptions {
  firstDelayMs: number;
  maxDelayMs: number;
  stableMs: number;
  /** Restarts in a row (no stable run between them); the next death is given up on. */
  maxConsecutive: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  firstDelayMs: 500,
  maxDelayMs: 30_000,
  stableMs: 60_000,
  maxConsecutive: 10,
};

/**
 * TEST ONLY: `TRENDLINE_TEST_RESTART_POLICY=firstDelayMs=20,maxDelayMs=100` replaces those fields of the
 * default policy, so a test can drive a thread to the give-up in seconds instead of minutes
 * (test/integration/thread-give-up.test.ts). Honoured only with TRENDLINE_TEST_HOOKS=1, which production never
 * sets (without it the variable is ignored). Each field must be a whole number of ms (a count for
 * maxConsecutive), at least 1; a bad value throws with one line, which stops the collector at start.
 */
export function restartPolicyFromEnv(env: Readonly<Record<string, string | undefined>>): RestartPolicyOptions {
  const spec = env.TRENDLINE_TEST_RESTART_POLICY;
  if (env.TRENDLINE_TEST_HOOKS !== '1' || spec === undefined || spec === '') return DEFAULT_RESTART_POLICY;
  const out = { ...DEFAULT_RESTART_POLICY };
  const bad = (why: string) => new Error(`TRENDLINE_TEST_RESTART_POLICY ${JSON.stringify(spec)}: ${why}`);
  for (const part of spec.split(',')) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    if (!Object.hasOwn(out, key) || value === undefined || extra !== undefined) {
      throw bad(`expected key=value pairs of ${Object.keys(out).join(', ')}`);
    }
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n))
      throw bad(`${key} must be a whole number, at least 1`);
    out[key as keyof RestartPolicyOptions] = n;
  }
  if (out.firstDelayMs > out.maxDelayMs) throw bad('firstDelayMs must not exceed maxDelayMs');
  return out;
}

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

  /** Deaths (and failed starts) in a row, with no stable run between them. */
  get inARow(): number {
    return this.consecutive;
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
