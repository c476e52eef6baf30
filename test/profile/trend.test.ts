import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareLineAndStep,
  fitTrend,
  mannKendall,
  median,
  normalCdf,
  theilSen,
} from '../../src/profile/trend.js';
import { noise } from './noise.js';

const close = (actual: number, expected: number, tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('theilSen', () => {
  it('fits an exact line', () => {
    const xs = range(10);
    const fit = theilSen(
      xs,
      xs.map((x) => 2 * x + 5),
    );
    assert.equal(fit.slope, 2);
    assert.equal(fit.intercept, 5);
    assert.equal(fit.pairs, 45);
    assert.equal(fit.sampled, false);
    assert.equal(fit.positiveShare, 1);
  });

  it('ignores one wild point that least squares follows', () => {
    // Slopes: six pairs of 1 among the first four points, and 25, 33, 49, 97 to the last:
    // sorted, the 5th and 6th of ten are both 1. Residuals y - x: 0, 0, 0, 0, 96 -> median 0.
    const fit = theilSen([0, 1, 2, 3, 4], [0, 1, 2, 3, 100]);
    assert.equal(fit.slope, 1);
    assert.equal(fit.intercept, 0);
    assert.equal(fit.positiveShare, 1);
  });

  it('takes the mean of the middle two slopes for an even count', () => {
    // Slopes 1, 1, 10/3, 1, 4.5, 8 -> sorted 1, 1, 1, 3.33, 4.5, 8 -> (1 + 10/3) / 2.
    close(theilSen([0, 1, 2, 3], [0, 1, 2, 10]).slope, (1 + 10 / 3) / 2);
  });

  it('counts falling and flat pairs', () => {
    const fit = theilSen([0, 1, 2], [5, 5, 3]);
    // Pairs: (0,1) flat, (0,2) -1, (1,2) -2.
    assert.equal(fit.slope, -1);
    close(fit.positiveShare, 0);
    close(fit.negativeShare, 2 / 3);
  });

  it('skips pairs with the same x', () => {
    const fit = theilSen([0, 0, 1], [0, 10, 1]);
    // Pairs (0,2): 1, (1,2): -9; (0,1) has no slope.
    assert.equal(fit.pairs, 2);
    assert.equal(fit.slope, -4);
  });

  it('samples pairs systematically above maxPairs, the same way every time', () => {
    const next = noise(7);
    const xs = range(1000);
    const ys = xs.map((x) => 3 * x + 50 * next());
    const a = theilSen(xs, ys);
    const b = theilSen(xs, ys);
    assert.equal(a.sampled, true);
    assert.ok(a.pairs <= 20_000 && a.pairs > 19_000, `pairs ${a.pairs}`);
    assert.deepEqual(a, b);
    const all = theilSen(xs, ys, { maxPairs: 1_000_000 });
    assert.equal(all.pairs, 499_500);
    close(a.slope, all.slope, 0.05);
    close(a.slope, 3, 0.2);
  });

  it('stays fast on long series', () => {
    const xs = range(200_000);
    const started = performance.now();
    const fit = theilSen(
      xs,
      xs.map((x) => x * 0.5),
    );
    assert.equal(fit.slope, 0.5);
    assert.ok(performance.now() - started < 2000, 'took over 2 s');
  });

  it('refuses input it cannot fit', () => {
    assert.throws(() => theilSen([1, 2], [1]), /same length, got 2 and 1/);
    assert.throws(() => theilSen([1], [1]), /at least 2 points, got 1/);
    assert.throws(() => theilSen([1, Number.NaN], [1, 2]), /point 1 is not a pair of finite numbers/);
    assert.throws(() => theilSen([3, 3, 3], [1, 2, 3]), /every x is the same \(3\)/);
    assert.throws(
      () => theilSen([1, 2], [1, 2], { maxPairs: 0 }),
      /maxPairs must be a positive integer, got 0/,
    );
  });
});

describe('mannKendall', () => {
  it('matches the hand computation for a strict rise', () => {
    // S = 10 (all pairs concordant); Var = 5*4*15/18 = 16.667; z = (10-1)/sqrt(16.667) = 2.2045.
    const r = mannKendall(range(5), [1, 2, 3, 4, 5]);
    assert.equal(r.s, 10);
    close(r.variance, 50 / 3);
    close(r.z, 9 / Math.sqrt(50 / 3));
    close(r.tau, 1);
    close(r.pIncreasing, 0.013746, 1e-5);
    close(r.pValue, 0.027493, 1e-5);
    close(r.pDecreasing, 1 - 0.013746, 1e-5);
  });

  it('corrects the variance for ties in y', () => {
    // Pairs: +,+,+,0,+,+ -> S = 5; Var = (4*3*13 - 2*1*9) / 18 = 7.667; tau-b = 5 / sqrt(6 * 5).
    const r = mannKendall(range(4), [1, 2, 2, 3]);
    assert.equal(r.s, 5);
    close(r.variance, 138 / 18);
    close(r.z, 4 / Math.sqrt(138 / 18));
    close(r.tau, 5 / Math.sqrt(30));
  });

  it('does not compare points with the same x, and corrects for those ties', () => {
    const r = mannKendall([0, 0, 1, 2], [1, 2, 3, 4]);
    assert.equal(r.s, 5);
    close(r.variance, 138 / 18);
  });

  it('sorts by x first', () => {
    assert.equal(mannKendall([4, 3, 2, 1, 0], [5, 4, 3, 2, 1]).s, 10);
  });

  it('sees a fall as a fall, and nothing in a constant series', () => {
    const down = mannKendall(range(5), [5, 4, 3, 2, 1]);
    assert.equal(down.s, -10);
    close(down.pDecreasing, 0.013746, 1e-5);
    const flat = mannKendall(range(6), [7, 7, 7, 7, 7, 7]);
    assert.equal(flat.s, 0);
    assert.equal(flat.z, 0);
    assert.equal(flat.pValue, 1);
    assert.equal(flat.tau, 0);
  });

  it('counts S in O(n log n): equal to the pairwise sum on a noisy series', () => {
    const next = noise(3);
    const xs = range(400);
    const ys = xs.map((x) => Math.round(x / 40 + 3 * next()));
    let s = 0;
    for (let i = 0; i < xs.length; i++)
      for (let j = i + 1; j < xs.length; j++) s += Math.sign((ys[j] as number) - (ys[i] as number));
    assert.equal(mannKendall(xs, ys).s, s);
  });
});

describe('compareLineAndStep', () => {
  it('matches the hand computation for an exact step', () => {
    // Line: sxx = 17.5, sxy = 45, syy = 150 -> SSE = 150 - 45^2/17.5; step at 3: SSE 0.
    const r = compareLineAndStep(range(6), [0, 0, 0, 10, 10, 10]);
    close(r.lineSse, 150 - 45 ** 2 / 17.5);
    close(r.stepSse, 0);
    assert.equal(r.split, 3);
    close(r.linearity, 0);
  });

  it('prefers the line for a ramp and for a staircase of three steps', () => {
    close(compareLineAndStep(range(30), range(30)).linearity, 1);
    const stairs = range(30).map((i) => 5 * Math.floor(i / 10));
    assert.ok(compareLineAndStep(range(30), stairs).linearity > 0.6);
  });

  it('is undecided on a constant series', () => {
    assert.equal(compareLineAndStep(range(5), [4, 4, 4, 4, 4]).linearity, 0.5);
  });

  it('keeps its precision on epoch seconds and heap-sized values', () => {
    const xs = range(30).map((i) => 1_700_000_000 + i * 10);
    const ys = range(30).map((i) => 500_000_000 + i * 100_000);
    close(compareLineAndStep(xs, ys).linearity, 1, 1e-6);
  });
});

describe('fitTrend, normalCdf, median', () => {
  it('puts the three together', () => {
    const fit = fitTrend(range(10), range(10));
    assert.equal(fit.n, 10);
    assert.equal(fit.slope, 1);
    assert.equal(fit.mannKendall.s, 45);
    close(fit.step.linearity, 1);
  });

  it('computes the normal CDF', () => {
    close(normalCdf(0), 0.5, 1e-7);
    close(normalCdf(1.959964), 0.975, 1e-6);
    close(normalCdf(-1), 0.158655, 1e-6);
    close(normalCdf(-6), 9.8659e-10, 1e-12);
  });

  it('takes medians without changing the input', () => {
    const values = [5, 1, 3];
    assert.equal(median(values), 3);
    assert.deepEqual(values, [5, 1, 3]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no values/);
  });
});
