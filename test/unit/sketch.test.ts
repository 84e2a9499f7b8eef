import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QuantileSketch, RELATIVE_ACCURACY } from '../../collector/src/aggregate/sketch.js';

/** Floating-point slack on top of the sketch's stated bound (a value exactly on a bin edge is off by exactly α). */
const EPS = 1e-9;
const ALPHA = RELATIVE_ACCURACY + EPS;
/** A representative within α of v has a square within (1+α)²-1 of v². */
const ALPHA_SQUARED = (1 + RELATIVE_ACCURACY) ** 2 - 1 + EPS;

/** mulberry32: a small seeded PRNG, so every run sees the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box–Muller standard normal. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Latency-like data: median `median` ms, log-space spread `sigma`. */
function logNormal(n: number, median: number, sigma: number, seed: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => median * Math.exp(sigma * normal(rand)));
}

/** Log-uniform over [lo, hi]: every decade equally populated. */
function logUniform(n: number, lo: number, hi: number, seed: number): number[] {
  const rand = prng(seed);
  const span = Math.log(hi / lo);
  return Array.from({ length: n }, () => lo * Math.exp(span * rand()));
}

function sketchOf(values: readonly number[]): QuantileSketch {
  const s = new QuantileSketch();
  for (const v of values) s.add(v);
  return s;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** etsy's rank rule for a positive percentile: k = round(p/100 * n), value = values[k-1]. */
function etsyRank(p: number, n: number): number {
  return Math.round((p / 100) * n);
}

function relErr(actual: number, expected: number): number {
  if (expected === 0) return Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}

function expectWithin(actual: number, expected: number, bound: number, what: string): void {
  expect(relErr(actual, expected), `${what}: got ${actual}, exact ${expected}`).toBeLessThanOrEqual(bound);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const PERCENTILES = [50, 90, 99, 99.9];

const DATASETS: Array<[string, number[]]> = [
  ['uniform 0..1000', uniform(20_000, 0.5, 1000, 1)],
  ['log-normal (median 50ms, sigma 1)', logNormal(20_000, 50, 1, 2)],
  ['constant 42', new Array(5000).fill(42)],
  ['wide range 1e-3..1e6', logUniform(20_000, 1e-3, 1e6, 3)],
];

describe('QuantileSketch accuracy against exact etsy percentiles', () => {
  it('states a 1% relative accuracy', () => {
    expect(RELATIVE_ACCURACY).toBe(0.01);
  });

  for (const [name, data] of DATASETS) {
    it(`p50/p90/p99/p99.9 are within 1% for ${name}`, () => {
      const values = sorted(data);
      const s = sketchOf(data);
      expect(s.count).toBe(values.length);
      for (const p of PERCENTILES) {
        const k = etsyRank(p, values.length);
        expectWithin(s.valueAtRank(k), values[k - 1] as number, ALPHA, `${name} p${p}`);
      }
    });
  }

  it('is within 1% at every rank, not only the usual percentiles', () => {
    const values = sorted(logNormal(3000, 120, 1.5, 4));
    const s = sketchOf(values);
    for (let rank = 1; rank <= values.length; rank++) {
      expectWithin(s.valueAtRank(rank), values[rank - 1] as number, ALPHA, `rank ${rank}`);
    }
  });

  it('gives min and max within 1% at ranks 1 and n', () => {
    const values = sorted(logUniform(1000, 0.01, 50_000, 5));
    const s = sketchOf(values);
    expectWithin(s.valueAtRank(1), values[0] as number, ALPHA, 'min');
    expectWithin(s.valueAtRank(values.length), values[values.length - 1] as number, ALPHA, 'max');
  });

  it('clamps ranks outside 1..count and returns NaN when empty', () => {
    const s = sketchOf([10, 20, 30]);
    expect(s.valueAtRank(0)).toBe(s.valueAtRank(1));
    expect(s.valueAtRank(-5)).toBe(s.valueAtRank(1));
    expect(s.valueAtRank(99)).toBe(s.valueAtRank(3));
    expectWithin(s.valueAtRank(99), 30, ALPHA, 'clamped top');
    expect(new QuantileSketch().valueAtRank(1)).toBeNaN();
    expect(new QuantileSketch().count).toBe(0);
  });
});

describe('QuantileSketch zero and non-indexable values', () => {
  it('counts zeros in the zero bin and ranks them first', () => {
    const s = sketchOf([0, 10, 0, 20, 0]);
    expect(s.count).toBe(5);
    expect(s.zeroCount).toBe(3);
    expect(s.valueAtRank(1)).toBe(0);
    expect(s.valueAtRank(3)).toBe(0);
    expectWithin(s.valueAtRank(4), 10, ALPHA, 'rank 4');
    expectWithin(s.valueAtRank(5), 20, ALPHA, 'rank 5');
  });

  it('treats values below 1e-9 as zero', () => {
    const s = sketchOf([1e-12, 5e-10]);
    expect(s.zeroCount).toBe(2);
    expect(s.valueAtRank(2)).toBe(0);
  });

  it('ignores negative values and NaN (callers validate)', () => {
    const s = sketchOf([-1, Number.NaN, 5]);
    expect(s.count).toBe(1);
    expect(s.zeroCount).toBe(0);
    expectWithin(s.valueAtRank(1), 5, ALPHA, 'only sample');
  });

  it('an all-zero sketch answers 0 at every rank and round-trips', () => {
    const s = sketchOf([0, 0, 0, 0]);
    expect(s.valueAtRank(4)).toBe(0);
    expect(s.partialSums(4, true)).toEqual({ sum: 0, sumSquares: 0 });
    const back = QuantileSketch.decode(s.encode());
    expect(back.count).toBe(4);
    expect(back.zeroCount).toBe(4);
  });
});

describe('QuantileSketch merge', () => {
  const all = logNormal(30_000, 80, 1.2, 6);
  const whole = sketchOf(all);

  function split(values: readonly number[], parts: number, seed: number): number[][] {
    const rand = prng(seed);
    const out: number[][] = Array.from({ length: parts }, () => []);
    for (const v of values) out[Math.floor(rand() * parts)]?.push(v);
    return out;
  }

  it('merging N part-sketches equals one sketch of all samples (quantiles and encoding)', () => {
    const parts = split(all, 9, 7).map(sketchOf);
    const merged = new QuantileSketch();
    for (const p of parts) merged.merge(p);
    expect(merged.count).toBe(whole.count);
    expect(bytesEqual(merged.encode(), whole.encode())).toBe(true);
    for (let rank = 1; rank <= all.length; rank += 97) {
      expect(merged.valueAtRank(rank)).toBe(whole.valueAtRank(rank));
    }
    for (const p of PERCENTILES) {
      const k = etsyRank(p, all.length);
      expect(merged.valueAtRank(k)).toBe(whole.valueAtRank(k));
    }
  });

  it('is independent of merge order and of merging into a non-empty sketch', () => {
    const parts = split(all, 5, 8);
    const a = sketchOf(parts[0] as number[]);
    for (const p of parts.slice(1)) a.merge(sketchOf(p));
    const b = sketchOf(parts[4] as number[]);
    for (const p of parts.slice(0, 4).reverse()) b.merge(sketchOf(p));
    expect(bytesEqual(a.encode(), whole.encode())).toBe(true);
    expect(bytesEqual(b.encode(), whole.encode())).toBe(true);
  });

  it('merges zero counts and empty sketches', () => {
    const a = sketchOf([0, 0, 5]);
    a.merge(new QuantileSketch());
    a.merge(sketchOf([0, 7]));
    expect(a.count).toBe(5);
    expect(a.zeroCount).toBe(3);
    expect(bytesEqual(a.encode(), sketchOf([0, 0, 5, 0, 7]).encode())).toBe(true);
    const empty = new QuantileSketch();
    empty.merge(new QuantileSketch());
    expect(empty.count).toBe(0);
  });

  it('merging decoded sketches equals merging the originals', () => {
    const parts = split(all, 4, 9).map(sketchOf);
    const merged = new QuantileSketch();
    for (const p of parts) merged.merge(QuantileSketch.decode(p.encode()));
    expect(bytesEqual(merged.encode(), whole.encode())).toBe(true);
  });
});

describe('QuantileSketch encode/decode', () => {
  it('round-trips to an identical sketch', () => {
    for (const [name, data] of DATASETS) {
      const s = sketchOf([...data, 0, 0]);
      const bytes = s.encode();
      const back = QuantileSketch.decode(bytes);
      expect(back.count, name).toBe(s.count);
      expect(back.zeroCount, name).toBe(s.zeroCount);
      expect(bytesEqual(back.encode(), bytes), name).toBe(true);
      for (let rank = 1; rank <= s.count; rank += 101) expect(back.valueAtRank(rank)).toBe(s.valueAtRank(rank));
    }
  });

  it('round-trips sparse bins (several runs with gaps) and large counts', () => {
    const s = new QuantileSketch();
    for (const v of [0.002, 0.002, 3, 3.5, 1e4, 2e6]) s.add(v);
    for (let i = 0; i < 100_000; i++) s.add(42);
    const back = QuantileSketch.decode(s.encode());
    expect(back.count).toBe(100_006);
    expect(bytesEqual(back.encode(), s.encode())).toBe(true);
    for (let rank = 1; rank <= 6; rank++) expect(back.valueAtRank(rank)).toBe(s.valueAtRank(rank));
    expect(back.valueAtRank(100_006)).toBe(s.valueAtRank(100_006));
  });

  it('encodes an empty sketch in 3 bytes and decodes it back to empty', () => {
    const bytes = new QuantileSketch().encode();
    expect([...bytes]).toEqual([2, 0, 0]);
    const back = QuantileSketch.decode(bytes);
    expect(back.count).toBe(0);
    expect(back.valueAtRank(1)).toBeNaN();
  });

  it('keeps a realistic interval (1,000 log-normal samples) under the Whisper budget of the etsy series', () => {
    // Whisper spends 12 bytes per point; a timer with the default 4 percentiles is 9 + 4*5 = 29 etsy series.
    const whisperBudget = 29 * 12;
    const sizes: Record<string, number> = {};
    for (const sigma of [0.5, 1, 2]) sizes[`sigma ${sigma}`] = sketchOf(logNormal(1000, 50, sigma, 10)).encode().length;
    console.info(`[sketch] encoded bytes for 1,000 log-normal samples (median 50ms): ${JSON.stringify(sizes)}`);
    expect(sizes['sigma 0.5']).toBeLessThan(200);
    expect(sizes['sigma 1']).toBeLessThan(whisperBudget);
    // Even a very wide distribution (p99/p50 ≈ 100) stays within a few hundred bytes.
    expect(sizes['sigma 2']).toBeLessThan(700);
  });

  it('stays small for a single sample and for constant data', () => {
    expect(sketchOf([12]).encode().length).toBeLessThanOrEqual(8);
    expect(sketchOf(new Array(10_000).fill(12)).encode().length).toBeLessThanOrEqual(10);
  });
});

describe('QuantileSketch with few samples (kept as keys before bins are allocated)', () => {
  it('encodes, ranks and sums exactly as the binned sketch, below, at and past the switch', () => {
    for (const n of [1, 2, 5, 31, 32, 33, 80]) {
      const values = [...logNormal(n, 40, 1.5, n), 0, 0.5, 0.5];
      const few = sketchOf(values);
      // fromBins goes through bins from the first sample.
      const { keys, counts } = sketchOf(values).toBins();
      const binned = QuantileSketch.fromBins(keys, counts);
      expect(bytesEqual(few.encode(), binned.encode()), `n=${n}`).toBe(true);
      expect(few.count).toBe(values.length);
      for (let r = 1; r <= few.count; r++) expect(few.valueAtRank(r)).toBe(binned.valueAtRank(r));
      expect(few.partialSums(3, true)).toEqual(binned.partialSums(3, true));
    }
  });

  it('merges both ways with binned sketches', () => {
    const a = logNormal(6, 20, 1, 7);
    const b = logNormal(500, 20, 1, 8);
    const all = sketchOf([...a, ...b]).encode();
    const intoFew = sketchOf(a);
    intoFew.merge(sketchOf(b));
    const intoBinned = sketchOf(b);
    intoBinned.merge(sketchOf(a));
    expect(bytesEqual(intoFew.encode(), all)).toBe(true);
    expect(bytesEqual(intoBinned.encode(), all)).toBe(true);
  });
});

describe('QuantileSketch.encodeAll', () => {
  it('encodes each sketch as encode() does, as views of one buffer, nulls kept', () => {
    const sketches = [sketchOf([3]), null, sketchOf(logNormal(1000, 50, 1, 9)), new QuantileSketch(), null];
    const views = QuantileSketch.encodeAll(sketches);
    expect(views.map((v) => v === null)).toEqual([false, true, false, false, true]);
    const buffers = new Set(views.filter((v) => v !== null).map((v) => v.buffer));
    expect(buffers.size).toBe(1);
    views.forEach((v, i) => {
      const s = sketches[i];
      if (s !== null && v !== null) expect(bytesEqual(v, s.encode())).toBe(true);
    });
    expect(QuantileSketch.encodeAll([])).toEqual([]);
  });
});

describe('QuantileSketch MAX_BINS collapse', () => {
  it('keeps the count and the high quantiles when the range exceeds the bin budget', () => {
    // 1e-8 .. 1e30 spans ~4300 keys at α=1%, more than the 2048-bin cap: the lowest bins collapse.
    const values = [1e-8, 1e-6, 1e-3, 1, 1e3, 1e6, 1e10, 1e20, 1e25, 1e30];
    const s = new QuantileSketch();
    expect(() => {
      for (const v of values) s.add(v);
    }).not.toThrow();
    expect(s.count).toBe(values.length);
    // The top 2048 bins span e^40.6 ≈ 17 decades below the max: 1e20, 1e25 and 1e30 keep full accuracy.
    for (let rank = 8; rank <= values.length; rank++) {
      expectWithin(s.valueAtRank(rank), values[rank - 1] as number, ALPHA, `rank ${rank}`);
    }
    // Collapsed values are over-estimated, never dropped: ranks still come out in order.
    for (let rank = 2; rank <= values.length; rank++) {
      expect(s.valueAtRank(rank)).toBeGreaterThanOrEqual(s.valueAtRank(rank - 1));
    }
  });

  it('bounds the encoding and survives encode/decode/merge after collapsing', () => {
    const s = new QuantileSketch();
    for (let i = 0; i <= 6180; i++) s.add(10 ** (-9 + i * 0.05));
    const n = s.count;
    expect(n).toBe(6181);
    const bytes = s.encode();
    // At most 2048 occupied bins (1 byte each) plus a small header.
    expect(bytes.length).toBeLessThan(2100);
    const back = QuantileSketch.decode(bytes);
    expect(back.count).toBe(n);
    back.merge(s);
    expect(back.count).toBe(2 * n);
    expectWithin(back.valueAtRank(2 * n), 1e300, ALPHA, 'max after collapse');
  });

  it('collapses when a new low key arrives below a full range', () => {
    const s = new QuantileSketch();
    s.add(1e30);
    s.add(1e6);
    s.add(1e-8);
    expect(s.count).toBe(3);
    expectWithin(s.valueAtRank(3), 1e30, ALPHA, 'max');
  });
});

describe('QuantileSketch.partialSums', () => {
  const data = logNormal(10_000, 50, 1, 11);
  const values = sorted(data);
  const s = sketchOf(data);
  const exactSums = (k: number, fromTop: boolean) => {
    const part = fromTop ? values.slice(values.length - k) : values.slice(0, k);
    return { sum: part.reduce((a, v) => a + v, 0), sumSquares: part.reduce((a, v) => a + v * v, 0) };
  };

  for (const k of [1, 10, 500, 5000, 9000, 9990, 10_000]) {
    for (const fromTop of [false, true]) {
      it(`k=${k} ${fromTop ? 'largest' : 'smallest'}: sum within 1%, sum of squares within (1+α)²-1`, () => {
        const got = s.partialSums(k, fromTop);
        const exact = exactSums(k, fromTop);
        expectWithin(got.sum, exact.sum, ALPHA, 'sum');
        expectWithin(got.sumSquares, exact.sumSquares, ALPHA_SQUARED, 'sumSquares');
      });
    }
  }

  it('sum of squares is within 1% on realistic data (the 2% bound is the worst case)', () => {
    for (const k of [100, 5000, 9900]) {
      expectWithin(s.partialSums(k, false).sumSquares, exactSums(k, false).sumSquares, ALPHA, `k=${k}`);
    }
  });

  it('clamps k to 0..count', () => {
    expect(s.partialSums(0, false)).toEqual({ sum: 0, sumSquares: 0 });
    expect(s.partialSums(-3, true)).toEqual({ sum: 0, sumSquares: 0 });
    expect(s.partialSums(50_000, false)).toEqual(s.partialSums(10_000, false));
    const all = s.partialSums(10_000, false);
    expectWithin(s.partialSums(50_000, true).sum, all.sum, 1e-12, 'k past count from the top');
  });

  it('counts zeros as the smallest samples', () => {
    const z = sketchOf([0, 0, 10, 20]);
    expect(z.partialSums(2, false)).toEqual({ sum: 0, sumSquares: 0 });
    expectWithin(z.partialSums(3, false).sum, 10, ALPHA, 'two zeros and 10');
    expectWithin(z.partialSums(2, true).sum, 30, ALPHA, 'top two');
    expectWithin(z.partialSums(4, true).sum, 30, ALPHA, 'top four include the zeros');
    expectWithin(z.partialSums(4, true).sumSquares, 500, ALPHA_SQUARED, 'top four squares');
  });
});

describe('QuantileSketch.decode of bad bytes', () => {
  function decodeError(bytes: number[]): Error {
    try {
      QuantileSketch.decode(new Uint8Array(bytes));
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      return e as Error;
    }
    throw new Error(`decode([${bytes.join(',')}]) did not throw`);
  }

  /** LEB128 unsigned varint, as the sketch writes it. */
  function varint(v: bigint): number[] {
    const out: number[] = [];
    let x = v;
    while (x >= 128n) {
      out.push(Number(x % 128n) | 0x80);
      x /= 128n;
    }
    out.push(Number(x));
    return out;
  }

  it('throws on every truncation of a valid encoding', () => {
    const s = sketchOf([...logNormal(200, 50, 1, 12), 0, 1e5]);
    const bytes = [...s.encode()];
    for (let len = 0; len < bytes.length; len++) {
      expect(decodeError(bytes.slice(0, len)).message).toMatch(/truncated|corrupt/);
    }
  });

  it('throws on an unknown version', () => {
    expect(decodeError([3, 0, 0]).message).toMatch(/version 3/);
    expect(decodeError([0]).message).toMatch(/version 0/);
  });

  it('throws on an over-long varint instead of reading forever', () => {
    expect(decodeError([1, ...new Array(12).fill(0xff), 0]).message).toMatch(/corrupt/);
  });

  it('throws (not hangs) when a run claims more counts than there are bytes', () => {
    expect(decodeError([1, 0, 1, 0, ...varint(1_000_000n), 1, 1]).message).toMatch(/truncated|out of range/);
    expect(decodeError([1, 0, ...varint(2n ** 40n), 0, 1]).message).toMatch(/truncated/);
  });

  it('never throws a non-Error or hangs on random short garbage', () => {
    const rand = prng(13);
    for (let i = 0; i < 5000; i++) {
      // Short inputs keep keys far below 2^53 (see the next test for what happens above it).
      const bytes = [1, ...Array.from({ length: 1 + Math.floor(rand() * 7) }, () => Math.floor(rand() * 256))];
      let sketch: QuantileSketch | null = null;
      try {
        sketch = QuantileSketch.decode(new Uint8Array(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
      if (sketch) {
        expect(() => sketch.encode()).not.toThrow();
        expect(Number.isNaN(sketch.valueAtRank(1)) && sketch.count > 0).toBe(false);
      }
    }
  });

  /**
   * Runs decode → encode → valueAtRank in a child process, so an infinite loop fails the test instead of
   * hanging the test worker.
   */
  function decodeInChild(bytes: number[]): { outcome: string; timedOut: boolean } {
    const sketchPath = fileURLToPath(new URL('../../collector/src/aggregate/sketch.ts', import.meta.url));
    const code = `
      const { QuantileSketch } = await import(${JSON.stringify(sketchPath)});
      try {
        const s = QuantileSketch.decode(new Uint8Array(${JSON.stringify(bytes)}));
        s.encode();
        s.valueAtRank(1);
        console.log('decoded');
      } catch (e) {
        console.log(e instanceof Error ? 'threw Error' : 'threw non-Error');
      }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 5_000,
    });
    return { outcome: r.stdout.trim(), timedOut: r.signal !== null };
  }

  it('rejects bin keys no real value can produce (|key| ≥ 2^53) instead of hanging', () => {
    // A real key is ceil(log_γ v): about -1040 .. 35,900 for doubles ≥ 1e-9. Keys past 2^53 make `k++` a
    // no-op, so the bin loops in extend()/encode() never end.
    const twoRuns = [1, 0, 2, ...varint(2n ** 62n), 1, 1, ...varint(512n), 1, 1];
    const oneRun = [1, 0, 1, ...varint(2n ** 62n), 2, 1, 1];
    // The harness itself: a plain truncation reports the Error promptly.
    expect(decodeInChild([1, 0])).toEqual({ outcome: 'threw Error', timedOut: false });
    for (const bytes of [twoRuns, oneRun]) {
      const r = decodeInChild(bytes);
      expect(r.timedOut, 'decode/encode hung on a corrupt key').toBe(false);
      expect(r.outcome).toBe('threw Error');
    }
  }, 30_000);
});

describe('QuantileSketch.clear', () => {
  it('leaves a sketch that behaves as a new one, from few samples or from bins', () => {
    for (const samples of [3, 100]) {
      const used = new QuantileSketch();
      for (let i = 1; i <= samples; i++) used.add(i * 1.7);
      used.add(0);
      used.clear();
      expect(used.count).toBe(0);
      const fresh = new QuantileSketch();
      for (const v of [0, 2.5, 40, 41, 900]) {
        used.add(v);
        fresh.add(v);
      }
      expect([...used.encode()]).toEqual([...fresh.encode()]);
      expect(used.valueAtRank(3)).toBe(fresh.valueAtRank(3));
    }
  });
});
