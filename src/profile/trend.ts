/**
 * Robust trend statistics for a series of (x, y) points, such as heap sizes over time:
 * - the Theil–Sen line (the median of the pairwise slopes, and the median intercept): a few wild
 *   points, such as one sample taken mid-burst, do not move it the way they move least squares;
 * - the Mann–Kendall test of a monotone trend (S, its variance with ties, z and p-values);
 * - a comparison of a straight line with the best single step, which tells a ramp (growth all along)
 *   from a level that jumped once and stayed.
 * Pure functions over plain arrays; nothing is kept between calls.
 */

/** The Theil–Sen line and how one-sided the pairwise slopes are. */
export interface TheilSenFit {
  /** Median of the pairwise slopes (y units per x unit). */
  slope: number;
  /** Median of y - slope * x. */
  intercept: number;
  /** Pairs the slope was taken over (all pairs with distinct x, or a systematic sample of them). */
  pairs: number;
  /** Whether `pairs` is a sample of all the pairs (more than `maxPairs` of them). */
  sampled: boolean;
  /** Share of those pairs whose slope is positive / negative, 0..1 (the rest are flat). */
  positiveShare: number;
  negativeShare: number;
}

export interface MannKendallResult {
  /** Concordant minus discordant pairs: positive when y tends to grow with x. */
  s: number;
  /** Variance of S under the null hypothesis of no trend, corrected for ties in x and y. */
  variance: number;
  /** Normal score of S, with the usual continuity correction of 1. */
  z: number;
  /** Kendall's tau-b, -1..1. */
  tau: number;
  /** Two-sided p-value of "no monotone trend". */
  pValue: number;
  /** One-sided p-values: small when y grows (pIncreasing) or shrinks (pDecreasing) with x. */
  pIncreasing: number;
  pDecreasing: number;
}

/** Sums of squared residuals of a least-squares line and of the best least-squares single step. */
export interface StepComparison {
  lineSse: number;
  stepSse: number;
  /** Points before the best step (the step lies between index split - 1 and split, in x order). */
  split: number;
  /**
   * stepSse / (stepSse + lineSse), 0..1: above 0.5 a straight line explains the points better than
   * any single step, 1 for points exactly on a line, 0 for an exact step; 0.5 when y never changes.
   */
  linearity: number;
}

export interface TrendFit extends TheilSenFit {
  n: number;
  mannKendall: MannKendallResult;
  step: StepComparison;
}

export interface TrendOptions {
  /** Most pairs the Theil–Sen slope is computed over; above it, a systematic sample; default 20,000. */
  maxPairs?: number;
}

/** All pairs up to 200 points (19,900 pairs); beyond, a fixed-size sample keeps the cost flat. */
export const DEFAULT_MAX_PAIRS = 20_000;

/** Theil–Sen, Mann–Kendall and the line-versus-step comparison together. */
export function fitTrend(xs: ArrayLike<number>, ys: ArrayLike<number>, options: TrendOptions = {}): TrendFit {
  const line = theilSen(xs, ys, options);
  return { n: xs.length, ...line, mannKendall: mannKendall(xs, ys), step: compareLineAndStep(xs, ys) };
}

/**
 * The Theil–Sen estimator. With more than `maxPairs` pairs (about 200 points at the default), the
 * slopes are taken over evenly spaced pairs in the (i, j) order of all pairs, so the cost stays
 * O(maxPairs log maxPairs) whatever n is, and the result is the same on every run.
 */
export function theilSen(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  options: TrendOptions = {},
): TheilSenFit {
  const n = checkSeries(xs, ys, 'theilSen');
  const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (!(Number.isSafeInteger(maxPairs) && maxPairs >= 1))
    throw new RangeError(`theilSen: maxPairs must be a positive integer, got ${maxPairs}`);
  const total = (n * (n - 1)) / 2;
  const sampled = total > maxPairs;
  const wanted = sampled ? maxPairs : total;
  const slopes = new Float64Array(wanted);
  let count = 0;
  let positive = 0;
  let negative = 0;
  // Walk the pairs in order (0,1), (0,2), ... (0,n-1), (1,2), ...; keep every pair, or the pair at
  // each multiple of total / maxPairs.
  const step = total / wanted;
  let next = 0;
  let k = 0;
  let taken = 0;
  for (let i = 0; i < n - 1 && taken < wanted; i++) {
    const rowEnd = k + (n - 1 - i);
    while (taken < wanted && Math.floor(next) < rowEnd) {
      const j = i + 1 + (Math.floor(next) - k);
      const dx = (xs[j] as number) - (xs[i] as number);
      taken++;
      next = taken * step;
      if (dx === 0) continue;
      const slope = ((ys[j] as number) - (ys[i] as number)) / dx;
      slopes[count++] = slope;
      if (slope > 0) positive++;
      else if (slope < 0) negative++;
    }
    k = rowEnd;
  }
  if (count === 0)
    throw new RangeError(`theilSen: every x is the same (${xs[0]}), so no slope can be fitted`);
  const used = slopes.subarray(0, count);
  const slope = medianInPlace(used);
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = (ys[i] as number) - slope * (xs[i] as number);
  return {
    slope,
    intercept: medianInPlace(residuals),
    pairs: count,
    sampled,
    positiveShare: positive / count,
    negativeShare: negative / count,
  };
}

/**
 * The Mann–Kendall trend test of y against x: S = sum over pairs of sign(dx) * sign(dy), in
 * O(n log n) with a Fenwick tree over the ranks of y. The variance is Kendall's, with ties in both
 * x and y, so a heap that reads the same twice, or two samples stamped the same millisecond, are
 * counted honestly rather than as growth.
 */
export function mannKendall(xs: ArrayLike<number>, ys: ArrayLike<number>): MannKendallResult {
  const n = checkSeries(xs, ys, 'mannKendall');
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (xs[a] as number) - (xs[b] as number) || a - b,
  );
  // Dense ranks of y, 1-based, for the tree.
  const byY = Array.from({ length: n }, (_, i) => i).sort((a, b) => (ys[a] as number) - (ys[b] as number));
  const rank = new Int32Array(n);
  let ranks = 0;
  for (let i = 0; i < n; i++) {
    const index = byY[i] as number;
    if (i === 0 || (ys[index] as number) !== (ys[byY[i - 1] as number] as number)) ranks++;
    rank[index] = ranks;
  }
  const tree = new Int32Array(ranks + 1);
  const countAtMost = (r: number): number => {
    let sum = 0;
    for (let i = r; i > 0; i -= i & -i) sum += tree[i] as number;
    return sum;
  };
  let s = 0;
  let inserted = 0;
  // Points with the same x are compared with the earlier x values only, never with each other.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const x = xs[order[start] as number] as number;
    while (end < n && (xs[order[end] as number] as number) === x) end++;
    for (let p = start; p < end; p++) {
      const r = rank[order[p] as number] as number;
      const below = countAtMost(r - 1);
      const above = inserted - countAtMost(r);
      s += below - above;
    }
    for (let p = start; p < end; p++) {
      for (let i = rank[order[p] as number] as number; i <= ranks; i += i & -i)
        tree[i] = (tree[i] as number) + 1;
      inserted++;
    }
    start = end;
  }
  const tx = tieSums(xs);
  const ty = tieSums(ys);
  const n0 = n * (n - 1);
  let variance = (n0 * (2 * n + 5) - tx.v - ty.v) / 18;
  if (n > 2) variance += (tx.t3 * ty.t3) / (9 * n0 * (n - 2));
  variance += (tx.t2 * ty.t2) / (2 * n0);
  const z = variance > 0 ? (s > 0 ? s - 1 : s < 0 ? s + 1 : 0) / Math.sqrt(variance) : 0;
  const pairs = n0 / 2;
  const denominator = Math.sqrt((pairs - tx.t2 / 2) * (pairs - ty.t2 / 2));
  return {
    s,
    variance,
    z,
    tau: denominator > 0 ? s / denominator : 0,
    pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))),
    pIncreasing: normalCdf(-z),
    pDecreasing: normalCdf(z),
  };
}

/**
 * Least-squares line against the best least-squares single step (a level before index `split` and
 * another from it on, in x order), both two-parameter models, in O(n log n). Growth that goes on
 * all along fits the line; a level that jumped once fits the step.
 */
export function compareLineAndStep(xs: ArrayLike<number>, ys: ArrayLike<number>): StepComparison {
  const n = checkSeries(xs, ys, 'compareLineAndStep');
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (xs[a] as number) - (xs[b] as number) || a - b,
  );
  const x = Float64Array.from(order, (i) => xs[i] as number);
  const y = Float64Array.from(order, (i) => ys[i] as number);
  // Centred sums, so large epoch-millisecond x values and large byte counts keep their precision.
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const lineSse = Math.max(0, sxx > 0 ? syy - (sxy * sxy) / sxx : syy);
  // Best split: the one that removes the most of syy, which is n_l * n_r / n * (mean_l - mean_r)^2.
  let stepSse = syy;
  let split = 0;
  let leftSum = 0;
  for (let k = 1; k < n; k++) {
    leftSum += (y[k - 1] as number) - my;
    // A step cannot fall between two points with the same x.
    if ((x[k] as number) === (x[k - 1] as number)) continue;
    const explained = (leftSum * leftSum * n) / (k * (n - k));
    if (syy - explained < stepSse) {
      stepSse = Math.max(0, syy - explained);
      split = k;
    }
  }
  const linearity = lineSse + stepSse > 0 ? stepSse / (stepSse + lineSse) : 0.5;
  return { lineSse, stepSse, split, linearity };
}

/** The standard normal CDF, from the complementary error function (relative error below 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Median of the values (the mean of the middle two for an even count); the input is not changed. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('median: no values');
  return medianInPlace(Float64Array.from(values as ArrayLike<number>));
}

function medianInPlace(values: Float64Array): number {
  values.sort();
  const mid = values.length >> 1;
  return values.length % 2
    ? (values[mid] as number)
    : ((values[mid - 1] as number) + (values[mid] as number)) / 2;
}

/** Numerical Recipes' erfcc: a Chebyshev fit, fractional error below 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Over groups of equal values of size t: sum t(t-1)(2t+5), sum t(t-1)(t-2), sum t(t-1). */
function tieSums(values: ArrayLike<number>): { v: number; t3: number; t2: number } {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let v = 0;
  let t3 = 0;
  let t2 = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) {
      v += t * (t - 1) * (2 * t + 5);
      t3 += t * (t - 1) * (t - 2);
      t2 += t * (t - 1);
    }
    i = j;
  }
  return { v, t3, t2 };
}

function checkSeries(xs: ArrayLike<number>, ys: ArrayLike<number>, what: string): number {
  if (xs.length !== ys.length)
    throw new RangeError(`${what}: x and y must have the same length, got ${xs.length} and ${ys.length}`);
  if (xs.length < 2) throw new RangeError(`${what}: needs at least 2 points, got ${xs.length}`);
  for (let i = 0; i < xs.length; i++)
    if (!(Number.isFinite(xs[i]) && Number.isFinite(ys[i])))
      throw new RangeError(`${what}: point ${i} is not a pair of finite numbers (${xs[i]}, ${ys[i]})`);
  return xs.length;
}
