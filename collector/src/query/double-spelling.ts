/**
 * Spells a double exactly as String(v) does (the shortest decimal that reads back as v; of several, the
 * closest; of two equally close, the even one), with no string built, for the values /render writes most:
 * fractions between 1e-6 and 1e15. A gauge or a timer's percentile is usually a 15–17 digit double, String()
 * spends ~0.2 µs on each, and 24 h of 100 series writes hundreds of thousands of them.
 *
 * How: for n = 15, 16, 17 significant digits, abs · 10^k (k = n − 1 − e) is computed exactly as a sum of
 * two doubles (Dekker's product; 10^k is exact for k ≤ 22), which gives the nearest n-digit integer m and
 * exactly how far it lies from abs · 10^k. m reads back as abs when that distance is under half an ulp of
 * abs, scaled by 10^k (also exact). The first n whose nearest candidate reads back is the shortest: at 15
 * digits or fewer at most one decimal lies within half an ulp, and 17 always do. Where the answer hangs on
 * an exact half ulp, or abs is a power of two (its ulp differs below and above), the caller uses String().
 */

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Veltkamp's splitter for doubles, 2^27 + 1. */
const SPLIT = 134217729;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word in u32: 1 on little-endian machines. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * The working values, in a typed array: a double kept in a module-level `let` is boxed on every write,
 * which made the garbage collector the largest cost.
 */
const W = new Float64Array(6);
/** The exact product a·b = W[HI] + W[LO] (Dekker's TwoProduct), set by product(). */
const HI = 0;
const LO = 1;
/** nearest()'s integer W[BASE] + W[OFFSET] and its exact distance W[DS] + W[DT]. */
const BASE = 2;
const OFFSET = 3;
const DS = 4;
const DT = 5;

function product(a: number, b: number): void {
  const p = a * b;
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  W[HI] = p;
  W[LO] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * The integer nearest to hi + lo (an exact half goes to the even neighbour, as String() breaks ties), kept
 * as base + offset because past 2^53 it may not be a double, and the exact distance from it, as ds + dt.
 */
function nearest(): void {
  const hi = W[HI] as number;
  const lo = W[LO] as number;
  const base = Math.round(hi);
  // TwoSum(hi − base, lo): s + t is exactly hi + lo − base. |lo| ≤ 8 below 10^17, so s is small.
  const a = hi - base;
  const s = a + lo;
  const bb = s - a;
  const t = a - (s - bb) + (lo - bb);
  let offset = Math.round(s);
  // s − offset is in [−0.5, 0.5); only at −0.5 can t tip the choice.
  if (s - offset === -0.5) {
    // base + offset may be past 2^53, where it has no exact double: take its parity in parts.
    if (t < 0 || (t === 0 && ((base % 2) + offset) % 2 !== 0)) offset--;
  }
  W[BASE] = base;
  W[OFFSET] = offset;
  W[DS] = s - offset;
  W[DT] = t;
}

/** Whether |ds + dt| < h: 1 yes, 0 no, -1 exactly equal (the caller gives up). */
function within(h: number): number {
  const ds = W[DS] as number;
  const d = ds < 0 ? -ds : ds;
  const t = ds < 0 ? -(W[DT] as number) : (W[DT] as number);
  if (d < h) return 1;
  if (d > h) return 0;
  if (t < 0) return 1;
  if (t > 0) return 0;
  return -1;
}

/** The digits of the integer base + offset (at most 17), least significant first, set by digitsOf(). */
const DIGITS = new Uint8Array(20);
let digitCount = 0;

function digitsOf(b: number, off: number): void {
  // b < 10^17 splits exactly into high · 10^8 + low: b / 10^8 never rounds across an integer here, and
  // high · 10^8 < 2^53 · 2^8 is exact.
  let high = Math.floor(b / 1e8);
  let low = b - high * 1e8 + off;
  if (low >= 1e8) {
    low -= 1e8;
    high++;
  } else if (low < 0) {
    low += 1e8;
    high--;
  }
  let n = 0;
  let x = low | 0;
  if (high > 0) {
    for (let i = 0; i < 8; i++) {
      const q = (x / 10) | 0;
      DIGITS[n++] = x - q * 10;
      x = q;
    }
    x = high | 0;
  }
  do {
    const q = (x / 10) | 0;
    DIGITS[n++] = x - q * 10;
    x = q;
  } while (x > 0);
  digitCount = n;
}

/**
 * Writes v's spelling at `pos` and returns the position after it, or -1 (nothing written) when v is out of
 * range or the answer can't be told; the caller then writes String(v). v must be finite and not an integer.
 */
export function spellDouble(v: number, out: Uint8Array, pos: number): number {
  const abs = v < 0 ? -v : v;
  if (!(abs >= 1e-6 && abs < 1e15)) return -1;
  f64[0] = abs;
  const high = u32[HIGH] as number;
  if ((high & 0xfffff) === 0 && u32[1 - HIGH] === 0) return -1;
  // abs is in [2^E, 2^(E+1)); half an ulp of it is 2^(E − 53), built from its bits (no pow()).
  const E = ((high >>> 20) & 0x7ff) - 1023;
  u32[HIGH] = (E - 53 + 1023) << 20;
  u32[1 - HIGH] = 0;
  const halfUlp = f64[0] as number;

  // e: abs = d.ddd… · 10^e. E · log10(2) is e or one below it; the exact abs · 10^(14−e) must have 15 digits.
  let e = Math.floor(E * 0.3010299956639812);
  for (let tries = 0; ; tries++) {
    if (tries > 2 || e < -8 || e > 14) return -1;
    product(abs, POW10[14 - e] as number);
    const hi = W[HI] as number;
    if (hi < 1e14 || (hi === 1e14 && (W[LO] as number) < 0)) e--;
    else if (hi > 1e15 || (hi === 1e15 && (W[LO] as number) >= 0)) e++;
    else break;
  }
  for (let n = 15; n <= 17; n++) {
    const k = n - 1 - e;
    if (n > 15) product(abs, POW10[k] as number);
    nearest();
    const reads = within(halfUlp * (POW10[k] as number));
    if (reads === -1) return -1;
    if (reads === 1) {
      digitsOf(W[BASE] as number, W[OFFSET] as number);
      return write(v < 0, k, out, pos);
    }
  }
  // 17 digits always read back; reaching here means the arithmetic above is wrong, so don't guess.
  return -1;
}

/** Writes ±DIGITS · 10^−k in plain decimal notation, without trailing zeros: `0.00125`, `57.3`. */
function write(negative: boolean, k: number, out: Uint8Array, pos: number): number {
  let first = 0;
  let frac = k;
  while (frac > 0 && first < digitCount - 1 && DIGITS[first] === 0) {
    first++;
    frac--;
  }
  let p = pos;
  if (negative) out[p++] = 0x2d;
  const intDigits = digitCount - k;
  if (intDigits <= 0) {
    out[p++] = 0x30;
    out[p++] = 0x2e;
    for (let z = intDigits; z < 0; z++) out[p++] = 0x30;
    for (let i = digitCount - 1; i >= first; i--) out[p++] = 0x30 + (DIGITS[i] as number);
    return p;
  }
  for (let i = digitCount - 1; i >= k; i--) out[p++] = 0x30 + (DIGITS[i] as number);
  if (frac > 0) {
    out[p++] = 0x2e;
    for (let i = k - 1; i >= first; i--) out[p++] = 0x30 + (DIGITS[i] as number);
  }
  return p;
}
