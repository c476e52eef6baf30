import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleHistory } from '../../src/observe/history.js';
import type { MemorySample } from '../../src/observe/types.js';

const MB = 1024 * 1024;

/** A sample at second `i` whose figures are derived from `i`, so aggregates can be computed by hand. */
function sample(i: number, overrides: Partial<MemorySample> = {}): MemorySample {
  return {
    t: 1_000_000 + i * 1000,
    rss: (100 + i) * MB,
    heapUsed: (50 + (i % 7)) * MB,
    heapTotal: 80 * MB,
    external: 2 * MB,
    arrayBuffers: MB,
    heapLimit: 4096 * MB,
    heapSpaces: { old_space: (30 + i) * MB, new_space: 4 * MB },
    systemTotal: 16384 * MB,
    systemFree: (8000 - i) * MB,
    cgroupLimit: undefined,
    budgetBytes: 512 * MB,
    gc: {
      count: i % 3,
      pauseMs: (i % 3) * 1.5,
      byKind: {
        minor: { count: i % 3, pauseMs: (i % 3) * 1.5 },
        major: { count: 0, pauseMs: 0 },
      },
    },
    eventLoop: { p50Ms: i % 4, p99Ms: 10 + (i % 5), utilization: (i % 10) / 10 },
    components: { catalog: i * 1000 },
    ...overrides,
  };
}

describe('SampleHistory', () => {
  it('keeps the last `capacity` samples, oldest first, and reads them back exactly', () => {
    const h = new SampleHistory({ capacity: 5 });
    for (let i = 0; i < 12; i++) h.push(sample(i));
    assert.equal(h.size, 5);
    const all = h.window(0);
    assert.deepEqual(
      all.map((s) => s.t),
      [7, 8, 9, 10, 11].map((i) => 1_000_000 + i * 1000),
    );
    assert.deepEqual(all[4], sample(11));
  });

  it('returns only the samples after `afterT`', () => {
    const h = new SampleHistory({ capacity: 100 });
    for (let i = 0; i < 50; i++) h.push(sample(i));
    const last10 = h.window(1_000_000 + 39 * 1000);
    assert.equal(last10.length, 10);
    assert.equal(last10[0]?.t, 1_040_000);
    assert.deepEqual(h.window(1_000_000 + 60 * 1000), []);
    assert.deepEqual(new SampleHistory({ capacity: 3 }).window(0), []);
  });

  it('downsamples: max of memory, min of free memory, sums of GC, mean of p50 and utilization, last t', () => {
    const h = new SampleHistory({ capacity: 100 });
    const raw: MemorySample[] = [];
    for (let i = 0; i < 100; i++) {
      raw.push(sample(i));
      h.push(sample(i));
    }
    const points = h.window(0, 10);
    assert.equal(points.length, 10);
    const first = points[0];
    assert.ok(first);
    const bucket = raw.slice(0, 10);
    assert.equal(first.t, bucket[9]?.t);
    assert.equal(first.rss, Math.max(...bucket.map((s) => s.rss)));
    assert.equal(first.heapUsed, Math.max(...bucket.map((s) => s.heapUsed)));
    assert.equal(first.heapSpaces.old_space, Math.max(...bucket.map((s) => s.heapSpaces.old_space ?? 0)));
    assert.equal(first.components.catalog, 9000);
    assert.equal(first.systemFree, Math.min(...bucket.map((s) => s.systemFree)));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.equal(first.eventLoop.p50Ms, mean(bucket.map((s) => s.eventLoop.p50Ms)));
    assert.equal(first.eventLoop.p99Ms, 14);
    assert.ok(
      Math.abs(first.eventLoop.utilization - mean(bucket.map((s) => s.eventLoop.utilization))) < 1e-12,
    );
    // GC totals are the same at any resolution.
    const total = (xs: MemorySample[]) => xs.reduce((a, s) => a + s.gc.count, 0);
    assert.equal(total(points), total(raw));
    assert.equal(
      points.reduce((a, s) => a + (s.gc.byKind.minor?.pauseMs ?? 0), 0),
      raw.reduce((a, s) => a + (s.gc.byKind.minor?.pauseMs ?? 0), 0),
    );
    assert.equal(first.gc.byKind.major?.count, 0);
  });

  it('never returns more than maxPoints, and a partial last bucket', () => {
    const h = new SampleHistory({ capacity: 1000 });
    for (let i = 0; i < 997; i++) h.push(sample(i));
    for (const max of [1, 2, 7, 100, 996, 997, 5000]) {
      const points = h.window(0, max);
      assert.ok(points.length <= max, `${points.length} points for maxPoints ${max}`);
      assert.equal(points.at(-1)?.t, sample(996).t, 'the newest sample ends the last bucket');
    }
    assert.equal(h.window(0, 1)[0]?.rss, sample(996).rss);
    assert.throws(() => h.window(0, 0), /maxPoints must be at least 1/);
  });

  it('keeps components that come and go, absent where they were absent', () => {
    const h = new SampleHistory({ capacity: 10 });
    h.push(sample(0, { components: { a: 1 } }));
    h.push(sample(1, { components: { a: 2, b: 5 } }));
    h.push(sample(2, { components: { b: 7 }, cgroupLimit: 1024 * MB }));
    const [s0, s1, s2] = h.window(0);
    assert.deepEqual(s0?.components, { a: 1 });
    assert.deepEqual(s1?.components, { a: 2, b: 5 });
    assert.deepEqual(s2?.components, { b: 7 });
    assert.equal(s0?.cgroupLimit, undefined);
    assert.equal(s2?.cgroupLimit, 1024 * MB);
    // Merged into one bucket: each series its own max over the samples that had it.
    assert.deepEqual(h.window(0, 1)[0]?.components, { a: 2, b: 7 });
  });

  it('bounds the named series and says so once', () => {
    const warnings: string[] = [];
    const h = new SampleHistory({ capacity: 4, maxKeys: 8, onWarning: (m) => warnings.push(m) });
    const components: Record<string, number> = {};
    for (let i = 0; i < 10; i++) components[`c${i}`] = i;
    h.push(sample(0, { components }));
    h.push(sample(1, { components }));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /more than 8 named series/);
    // heap spaces (2) and GC kinds (2 x 2) took 6 keys, so two components fit.
    assert.deepEqual(Object.keys(h.window(0)[1]?.components ?? {}), ['c0', 'c1']);
  });

  it('holds an hour at 1 Hz in well under 1.5 MB of columns', () => {
    const h = new SampleHistory({ capacity: 3600 });
    for (let i = 0; i < 3600; i++) h.push(sample(i, { components: { a: 1, b: 2, c: 3, d: 4, e: 5 } }));
    assert.ok(h.byteSize() < 1.5 * MB, `${h.byteSize()} bytes`);
    assert.equal(h.window(0, 300).length, 300);
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new SampleHistory({ capacity: 0 }), /capacity must be a positive integer, got 0/);
    assert.throws(() => new SampleHistory({ capacity: 1.5 }), /got 1.5/);
  });
});
