/**
 * The two-sided Mann–Whitney U test (Wilcoxon rank-sum), computed as
 * `scipy.stats.mannwhitneyu(x, y, alternative='two-sided', use_continuity=True, method='auto')` does:
 *
 * - U is x's statistic: the number of pairs (x_i, y_j) with x_i > y_j, a tie counting one half.
 * - Exact p-value (the null distribution of U counted exactly) when there are no ties and one sample has at
 *   most 8 values; otherwise the normal approximation with the tie correction of the variance and a 0.5
 *   continuity correction.
 * - p = 2 · P(U ≥ max(U_x, U_y)) under the null, clipped to 1.
 *
 * Pure: no I/O, no clock.
 */

export interface MannWhitneyResult {
  n1: number;
  n2: number;
  /** U of the first sample. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'normal';
  /** The standardised statistic of the normal approximation; null when exact, or when every value ties. */
  z: number | null;
  /**
   * Rank-biserial correlation 2U/(n1·n2) − 1, in [−1, 1]: +1 when every x exceeds every y, −1 when every y
   * exceeds every x, 0 when neither sample tends to be larger.
   */
  effect: number;
}

/** scipy's rule for `method='auto'`: exact below this size of the smaller sample, when nothing ties. */
export const EXACT_MAX_N = 8;

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('Mann-Whitney U needs at least one value in each sample');
  for (const v of [...x, ...y]) {
    if (!Number.isFinite(v)) throw new RangeError(`Mann-Whitney U needs finite values, got ${v}`);
  }
  const { rankSumX, ties } = rankSum(x, y);
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  const effect = (2 * u1) / (n1 * n2) - 1;
  const tied = ties.some((t) => t > 1);

  if (!tied && (n1 <= EXACT_MAX_N || n2 <= EXACT_MAX_N)) {
    return { n1, n2, u: u1, p: Math.min(1, 2 * exactUpperTail(u, n1, n2)), method: 'exact', z: null, effect };
  }
  const n = n1 + n2;
  const tieTerm = ties.reduce((acc, t) => acc + (t * t * t - t), 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { n1, n2, u: u1, p: 1, method: 'normal', z: null, effect };
  const z = (u - (n1 * n2) / 2 - 0.5) / sigma;
  return { n1, n2, u: u1, p: Math.min(1, 2 * normalSf(z)), method: 'normal', z, effect };
}

/** The sum of x's ranks in the pooled sample (tied values share their average rank), and the tie group sizes. */
function rankSum(x: readonly number[], y: readonly number[]): { rankSumX: number; ties: number[] } {
  const pooled = [...x.map((v) => ({ v, fromX: true })), ...y.map((v) => ({ v, fromX: false }))];
  pooled.sort((a, b) => a.v - b.v);
  let rankSumX = 0;
  const ties: number[] = [];
  for (let i = 0; i < pooled.length; ) {
    let j = i + 1;
    while (j < pooled.length && pooled[j].v === pooled[i].v) j++;
    // Ranks i+1 … j share their average.
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (pooled[k].fromX) rankSumX += rank;
    ties.push(j - i);
    i = j;
  }
  return { rankSumX, ties };
}

/**
 * P(U ≥ u) under the null for samples of sizes n1 and n2, counted exactly: the number of arrangements giving
 * each U is the coefficient of q^U in the Gaussian binomial [n1+n2 choose m]_q = ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i)
 * with m = min(n1, n2), n = max(n1, n2). By symmetry P(U ≥ u) = P(U ≤ n1·n2 − u), so only the coefficients up
 * to n1·n2 − u are needed. BigInt keeps the counts exact however large they grow.
 */
function exactUpperTail(u: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  // U takes half-integer values only with ties, which the exact path never sees.
  const k = n1 * n2 - Math.round(u);
  if (k < 0) return 0;
  const c: bigint[] = new Array(k + 1).fill(0n);
  c[0] = 1n;
  for (let i = 1; i <= m; i++) {
    const up = n + i;
    for (let d = k; d >= up; d--) c[d] -= c[d - up]; // × (1 − q^{n+i})
    for (let d = i; d <= k; d++) c[d] += c[d - i]; // ÷ (1 − q^i), an exact division of the polynomial
  }
  let below = 0n;
  for (const v of c) below += v;
  return Number(below) / Number(binomial(n1 + n2, m));
}

function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * The complementary error function to near double precision without tables of constants. Below 1 (where
 * erfc ≥ 0.157, so 1 − erf stays accurate) the series erf(x) = 2/√π · e^{−x²} · Σ (2x²)^k x / (1·3·…·(2k+1)),
 * whose terms are all positive; above it the continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) by Lentz's method, which keeps tiny tails accurate.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 1) {
    let term = x;
    let sum = x;
    const twoX2 = 2 * x * x;
    for (let k = 1; k < 500 && term > sum * 1e-17; k++) {
      term *= twoX2 / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0; // e^{−x²} underflows
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 1000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
