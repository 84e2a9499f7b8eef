import fc from 'fast-check';

/**
 * Shared fast-check settings for the fuzz suite. Runs are bounded so `npm test` stays fast, and the seed is
 * fixed so a run is reproducible on any machine. To fuzz harder or elsewhere:
 *
 *   TRENDLINE_FUZZ_RUNS=100000 TRENDLINE_FUZZ_SEED=random npx vitest run test/fuzz
 *
 * A failure prints its seed and counterexample path; replay it with TRENDLINE_FUZZ_SEED=<seed>.
 */
export const FUZZ_SEED_DEFAULT = 20_261_203;

function seed(): number {
  const raw = process.env.TRENDLINE_FUZZ_SEED;
  if (raw === undefined || raw === '') return FUZZ_SEED_DEFAULT;
  if (raw === 'random') return (Math.random() * 2 ** 31) | 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`TRENDLINE_FUZZ_SEED must be an integer or "random", got ${raw}`);
  return n;
}

/** Runs per property: `base` by default, scaled by TRENDLINE_FUZZ_RUNS (which sets the pure-parser count). */
export function fuzzParams(base: number): fc.Parameters<unknown> {
  const env = Number(process.env.TRENDLINE_FUZZ_RUNS);
  const numRuns = Number.isInteger(env) && env > 0 ? Math.max(1, Math.round((env * base) / 2000)) : base;
  return { seed: seed(), numRuns, endOnFailure: true };
}

/** Strings built from a grammar's own tokens mixed with arbitrary unicode, so inputs get past the first check. */
export function tokenSoup(tokens: readonly string[], maxParts = 24): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...tokens) },
        { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
        { weight: 1, arbitrary: fc.integer().map(String) },
        { weight: 1, arbitrary: fc.double().map(String) },
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''));
}

/** Any string: ASCII-heavy, full unicode (lone surrogates included), or grammar soup. */
export function hostileString(tokens: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '\uffff'), maxLength: 20 }),
    tokenSoup(tokens),
  );
}

/** Calls f twice; both runs must agree (value or error) and any error must be `allowed`. */
export function runTwice<T>(f: () => T, allowed: ReadonlyArray<new (...args: never[]) => Error>): T | string {
  const once = (): { ok: true; value: T } | { ok: false; error: string } => {
    try {
      return { ok: true, value: f() };
    } catch (err) {
      if (!allowed.some((E) => err instanceof E)) throw err;
      const message = (err as Error).message;
      if (message.includes('\n')) throw new Error(`error message is not one line: ${JSON.stringify(message)}`);
      return { ok: false, error: `${(err as Error).name}: ${message}` };
    }
  };
  const a = once();
  const b = once();
  if (JSON.stringify(a, replacer) !== JSON.stringify(b, replacer)) {
    throw new Error(`not deterministic: ${JSON.stringify(a, replacer)} vs ${JSON.stringify(b, replacer)}`);
  }
  return a.ok ? a.value : a.error;
}

/** JSON that tells -0, NaN and ±Infinity apart, so determinism checks see them. */
export function replacer(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return `#${v}`;
  if (typeof v === 'number' && Object.is(v, -0)) return '#-0';
  return v;
}
