/**
 * Spells a double exactly as String(v) does (the shortest decimal that reads back as v; of several, the
 * closest; of two equally close, the even one), with no string built, for the values /render writes most:
 * fractions between 1e-6 and 1e15. A gauge or a timer's percentile is usually a 15–17 digit double; String()
 * spends ~0.2 µs on each, and 24 h of 100 series writes hundreds of thousands of them.
 *
 * How: X = abs · 10^k, scaled to 17 integer digits (k = 16 − e), is computed exactly as a sum of two doubles
 * (Dekker's product; 10^k is exact for k ≤ 22), and so is its distance from the nearest integer m. A
 * spelling of n digits is a multiple of 10^(17−n) near X, and it reads back as abs when it lies within half
 * an ulp of abs, which scaled by 10^k is H (also exact). The nearest multiple of 100 (15 digits) is tried,
 * then of 10 (16), then m itself (17 digits always read back). At 15 digits or fewer at most one decimal
 * lies within half an ulp (ulp < 2.3 · 10^(e−15)), so trailing zeros stripped from the 15-digit candidate give
 * the shorter ones. Where the answer hangs on an exact half ulp, or abs is a power of two (its ulp differs
 * below and above), the caller uses String().
 */

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Veltkamp's splitter for doubles, 2^27 + 1. */
const SPLIT = 134217729;
/** Distances are compared with H in doubles; closer than this to H, the caller decides instead. */
const UNSURE = 1e-9;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word in u32: 1 on little-endian machines. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** '00', '01', …, '99' as ASCII: ASCII_PAIRS[2d] is d's tens digit, ASCII_PAIRS[2d + 1] its units. */
export const ASCII_PAIRS = Uint8Array.from(
  { length: 200 },
  (_, i) => 0x30 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10),
);

/**
 * Writes the spelling of v = values[i] at `pos` and returns the position after it, or -1 (nothing written)
 * when v is out of range or the answer can't be told; the caller then writes String(v). v must be finite
 * and not an integer. (v is passed in its array: a double passed on its own to a function too large to be
 * inlined is boxed, one allocation per value.)
 */
export function spellDouble(values: Float64Array, i: number, out: Uint8Array, pos: number): number {
  const v = values[i] as number;
  const abs = v < 0 ? -v : v;
  if (!(abs >= 1e-6 && abs < 1e15)) return -1;
  f64[0] = abs;
  const bits = u32[HIGH] as number;
  if ((bits & 0xfffff) === 0 && u32[1 - HIGH] === 0) return -1;
  // abs is in [2^E, 2^(E+1)); half an ulp of it is 2^(E − 53), built from its bits (no pow()).
  const E = ((bits >>> 20) & 0x7ff) - 1023;
  u32[HIGH] = (E - 53 + 1023) << 20;
  u32[1 - HIGH] = 0;
  const halfUlp = f64[0] as number;

  // e: abs = d.ddd… · 10^e. E · log10(2) is e or one below; X = abs · 10^(16−e) must have 17 digits.
  let e = Math.floor(E * 0.3010299956639812);
  let hi = 0;
  let lo = 0;
  for (let tries = 0; ; tries++) {
    if (tries > 2 || e < -6 || e > 16) return -1;
    // Dekker's TwoProduct: hi + lo is exactly abs · 10^(16−e).
    const b = POW10[16 - e] as number;
    hi = abs * b;
    let c = SPLIT * abs;
    const ah = c - (c - abs);
    const al = abs - ah;
    c = SPLIT * b;
    const bh = c - (c - b);
    const bl = b - bh;
    lo = ah * bh - hi + ah * bl + al * bh + al * bl;
    if (hi < 1e16 || (hi === 1e16 && lo < 0)) e--;
    else if (hi > 1e17 || (hi === 1e17 && lo >= 0)) e++;
    else break;
  }
  const k = 16 - e;
  const H = halfUlp * (POW10[k] as number);

  // m = base + offset is the integer nearest X (an exact half to the even one); d = ds + dt is X − m,
  // exactly (TwoSum). Past 2^53 m may have no double, so it is carried in parts.
  const base = Math.round(hi);
  const a = hi - base;
  const s = a + lo;
  const bb = s - a;
  const dt = a - (s - bb) + (lo - bb);
  let offset = Math.round(s);
  if (s - offset === -0.5 && (dt < 0 || (dt === 0 && ((base % 2) + offset) % 2 !== 0))) offset--;
  const ds = s - offset;
  // m = high · 10^8 + low: base / 10^8 never rounds across an integer below 10^17, and high · 10^8 is exact.
  let high = Math.floor(base / 1e8);
  let low = base - high * 1e8 + offset;
  if (low >= 1e8) {
    low -= 1e8;
    high++;
  } else if (low < 0) {
    low += 1e8;
    high--;
  }

  // 15 digits, then 16 (integer arithmetic: low < 10^8, and a double's % is a call to fmod).
  const lowInt = low | 0;
  const r100 = lowInt % 100;
  const sign = ds > 0 || (ds === 0 && dt > 0) ? 1 : ds === 0 && dt === 0 ? 0 : -1;
  const at15 = readsBack(lowInt, r100, 100, sign, ds, H);
  if (at15 === UNKNOWN) return -1;
  if (at15 !== NO) return write(v < 0, high | 0, at15, k, out, pos);
  const at16 = readsBack(lowInt, r100 % 10, 10, sign, ds, H);
  if (at16 === UNKNOWN) return -1;
  if (at16 !== NO) return write(v < 0, high | 0, at16, k, out, pos);
  return write(v < 0, high | 0, lowInt, k, out, pos);
}

const NO = -1;
const UNKNOWN = -2;

/**
 * Of the two multiples of `unit` around m (low its last 8 digits, r = low mod unit), the one nearest X,
 * given the sign of X − m; returns its last 8 digits (10^8 when it carries) if it reads back, else NO, or
 * UNKNOWN when its distance is too close to H to tell in doubles.
 */
function readsBack(low: number, r: number, unit: number, sign: number, ds: number, H: number): number {
  const half = unit >> 1;
  // Down is m − r, at distance r + d from X; up is m − r + unit, at unit − r − d. On an exact tie the
  // even one, as String() picks it.
  let up = r > half || (r === half && sign > 0);
  if (r === half && sign === 0) up = (((low - r) / unit) & 1) === 1;
  const distance = up ? unit - r - ds : r + ds;
  if (distance < H - UNSURE) return low - r + (up ? unit : 0);
  return distance <= H + UNSURE ? UNKNOWN : NO;
}

/**
 * Writes ±(high · 10^8 + low) · 10^−k in plain decimal notation, without trailing zeros: `0.00125`,
 * `57.3`, `506`. low may be 10^8 (a carry into high).
 */
function write(negative: boolean, hi8: number, lo8: number, k: number, out: Uint8Array, pos: number): number {
  let high = hi8;
  let low = lo8;
  if (low >= 1e8) {
    low -= 1e8;
    high++;
  }
  // m = high · 10^8 + low has 17 digits, or 18 where rounding carried it to 10^17.
  const n = high >= 1e9 ? 18 : 17;
  const intDigits = n - k;
  let p = pos;
  if (negative) out[p++] = 0x2d;
  if (intDigits <= 0) {
    out[p++] = 0x30;
    out[p++] = 0x2e;
    for (let z = intDigits; z < 0; z++) out[p++] = 0x30;
    writeDigits(high, low, n, out, p);
    p += n;
  } else {
    // The digits go one place right, then the integer digits move back over the gap and the point follows.
    writeDigits(high, low, n, out, p + 1);
    for (let i = p; i < p + intDigits; i++) out[i] = out[i + 1] as number;
    out[p + intDigits] = 0x2e;
    p += n + 1;
  }
  while (out[p - 1] === 0x30) p--;
  if (out[p - 1] === 0x2e) p--;
  return p;
}

/** The n digits of high · 10^8 + low (high < 2^31) at out[p…p + n), two per division, from the right. */
function writeDigits(high: number, low: number, n: number, out: Uint8Array, p: number): void {
  let q = p + n;
  let x = low;
  for (let i = 0; i < 4; i++) {
    const y = (x / 100) | 0;
    const d = (x - y * 100) << 1;
    out[--q] = ASCII_PAIRS[d + 1] as number;
    out[--q] = ASCII_PAIRS[d] as number;
    x = y;
  }
  x = high;
  while (q > p + 1) {
    const y = (x / 100) | 0;
    const d = (x - y * 100) << 1;
    out[--q] = ASCII_PAIRS[d + 1] as number;
    out[--q] = ASCII_PAIRS[d] as number;
    x = y;
  }
  if (q > p) out[--q] = 0x30 + x;
}
