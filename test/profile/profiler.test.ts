import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { HeadroomError } from '../../src/errors.js';
import { gcFunction, heapLimitBytes } from '../../src/memory/gc.js';
import { MemoryProfiler } from '../../src/profile/profiler.js';
import { DEFAULT_THRESHOLDS, recommend, resolveThresholds } from '../../src/profile/recommend.js';
import type { ProfileReport } from '../../src/profile/report.js';

const MB = 1024 * 1024;
const T = { timeout: 10_000 };

/** Retains `mb` arrays of 1 MiB each (131072 small integers) in `into`: the test's one allocation site. */
function allocateRetainedArraysForProfilerTest(into: number[][], mb: number): number {
  for (let i = 0; i < mb; i++) into.push(new Array<number>(131_072).fill(i));
  return into.length;
}

/** Short-lived garbage: many small objects, none kept. */
function churnShortLivedGarbageForProfilerTest(rounds: number): number {
  let sum = 0;
  for (let i = 0; i < rounds; i++) {
    const item = { i, pair: [i, i + 1], label: `item ${i}` };
    sum += item.pair.length + item.label.length;
  }
  return sum;
}

/** A report with every figure at rest, for the pure recommendation rules. */
function quiet(overrides: Partial<ProfileReport> = {}): ProfileReport {
  return {
    name: 'quiet',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 100,
    heapBefore: 10 * MB,
    heapAfter: 10 * MB,
    heapPeak: 12 * MB,
    heapCollected: true,
    rssBefore: 50 * MB,
    rssAfter: 50 * MB,
    rssPeak: 52 * MB,
    peakSamples: 10,
    heapLimit: 1000 * MB,
    gc: { count: 1, pauseMs: 1, byKind: { minor: { count: 1, pauseMs: 1 } } },
    allocations: { status: 'sampled', sampledBytes: 2 * MB, sites: [] },
    ...overrides,
  };
}

describe('MemoryProfiler.profile', () => {
  it('measures a workload that retains ~50 MB: heap after and peak, and its allocation site', T, async () => {
    // Half of what the run retains, as a share of this machine's heap limit.
    const retainedGrowthOfLimit = (20 * MB) / heapLimitBytes();
    const profiler = new MemoryProfiler({ thresholds: { retainedGrowthOfLimit } });
    let kept: number[][] = [];
    const value = await profiler.profile('retain-50mb', () =>
      allocateRetainedArraysForProfilerTest(kept, 50),
    );
    assert.equal(value, 50, 'profile returns what the function returned');

    const [report] = profiler.getMemoryReport().reports;
    assert.ok(report);
    assert.equal(report.name, 'retain-50mb');
    assert.equal(report.heapCollected, true);
    assert.ok(
      report.heapAfter - report.heapBefore >= 40 * MB,
      `retained ${report.heapAfter - report.heapBefore}`,
    );
    assert.ok(report.heapPeak - report.heapBefore >= 40 * MB, `peak ${report.heapPeak - report.heapBefore}`);
    assert.ok(report.heapPeak >= report.heapAfter);
    assert.ok(report.rssPeak >= report.rssBefore);
    assert.ok(report.durationMs > 0);

    assert.equal(report.allocations.status, 'sampled');
    assert.ok(report.allocations.sampledBytes >= 40 * MB, `sampled ${report.allocations.sampledBytes}`);
    const [top] = report.allocations.sites;
    assert.ok(top);
    assert.equal(top.functionName, 'allocateRetainedArraysForProfilerTest');
    assert.match(top.url, /profiler\.test\.ts$/);
    // Mapped through tsx's source map to the line of this file where the function is declared.
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    assert.equal(
      top.line,
      source.findIndex((l) => l.includes('function allocateRetainedArraysForProfilerTest')) + 1,
    );
    assert.equal(top.location, `${top.url}:${top.line}:${top.column}`);
    assert.ok(top.share > 0.9, `share ${top.share}`);
    assert.ok(top.stack.length >= 1 && top.stack.length <= 5, top.stack.join(' <- '));

    const ids = profiler.getMemoryReport().recommendations.map((r) => r.id);
    assert.ok(ids.includes('retained-growth'), ids.join());
    assert.ok(ids.includes('dominant-site'), ids.join());
    const retained = profiler.getMemoryReport().recommendations.find((r) => r.id === 'retained-growth');
    assert.equal(retained?.evidence.report, 'retain-50mb');
    assert.equal(retained?.evidence.figure, 'retainedGrowthOfLimit');
    assert.equal(retained?.evidence.threshold, retainedGrowthOfLimit);
    assert.ok((retained?.evidence.value ?? 0) > retainedGrowthOfLimit);
    assert.match(retained?.message ?? '', /retained memory; check caches/);
    const dominant = profiler.getMemoryReport().recommendations.find((r) => r.id === 'dominant-site');
    assert.match(dominant?.message ?? '', /allocateRetainedArraysForProfilerTest/);
    kept = [];
    assert.equal(kept.length, 0);
  });

  it('counts the collections a garbage-heavy workload causes, and recommends on GC share', T, async () => {
    const gc = gcFunction();
    assert.ok(gc, 'V8 exposes gc');
    const profiler = new MemoryProfiler();
    const churn = await profiler.profile('churn', async () => {
      let sum = 0;
      for (let round = 0; round < 20; round++) {
        sum += churnShortLivedGarbageForProfilerTest(50_000);
        await sleep(1);
      }
      return sum;
    });
    assert.ok(churn > 0);
    const forced = await profiler.profile('forced-gc', () => {
      // Many live objects make each full collection cost a few milliseconds.
      const live = Array.from({ length: 300_000 }, (_, i) => ({ i }));
      for (let i = 0; i < 20; i++) gc();
      return live.length;
    });
    assert.equal(forced, 300_000);

    const memory = profiler.getMemoryReport();
    const [churnReport, forcedReport] = memory.reports;
    assert.ok(churnReport && forcedReport);
    assert.ok(churnReport.gc.count >= 1, JSON.stringify(churnReport.gc));
    assert.ok((churnReport.gc.byKind.minor?.count ?? 0) >= 1, JSON.stringify(churnReport.gc));
    // Collections are counted by kind, and the kinds add up.
    const kinds = Object.values(forcedReport.gc.byKind);
    assert.equal(
      kinds.reduce((n, k) => n + k.count, 0),
      forcedReport.gc.count,
    );
    assert.ok((forcedReport.gc.byKind.major?.count ?? 0) >= 20, JSON.stringify(forcedReport.gc));
    assert.ok(forcedReport.gc.pauseMs > 0);

    const gcShare = memory.recommendations.find(
      (r) => r.id === 'gc-share' && r.evidence.report === 'forced-gc',
    );
    assert.ok(gcShare, JSON.stringify(memory.recommendations));
    assert.equal(gcShare.severity, 'warning');
    assert.equal(gcShare.evidence.figure, 'gcShare');
    assert.equal(gcShare.evidence.threshold, DEFAULT_THRESHOLDS.gcShare);
    assert.ok(
      Math.abs(gcShare.evidence.value - forcedReport.gc.pauseMs / forcedReport.durationMs) < 1e-9,
      'the evidence is the report figure',
    );
    assert.match(gcShare.message, /raise the memory budget .* or lower concurrency/);
  });

  it('makes no recommendation for a trivial workload', T, async () => {
    const profiler = new MemoryProfiler();
    await profiler.profile('trivial-sync', () => 1 + 1);
    await profiler.profile('trivial-async', async () => {
      await sleep(20);
      return [1, 2, 3].map((n) => n * 2);
    });
    const memory = profiler.getMemoryReport();
    assert.equal(memory.reports.length, 2);
    assert.deepEqual(memory.recommendations, []);
    const asyncReport = memory.reports[1];
    assert.ok(asyncReport && asyncReport.peakSamples >= 1, 'the timer sampled while the run awaited');
  });

  it('catches a transient peak that a yielding workload releases before it ends', T, async () => {
    const profiler = new MemoryProfiler({
      thresholds: { transientPeakOfLimit: (30 * MB) / heapLimitBytes() },
    });
    await profiler.profile('transient', async () => {
      let held: number[][] = [];
      allocateRetainedArraysForProfilerTest(held, 60);
      await sleep(60);
      held = [];
      return held.length;
    });
    const [report] = profiler.getMemoryReport().reports;
    assert.ok(report);
    assert.ok(report.peakSamples >= 1);
    assert.ok(
      report.heapPeak - report.heapAfter >= 40 * MB,
      `transient ${report.heapPeak - report.heapAfter}`,
    );
    assert.ok(report.heapAfter - report.heapBefore < 10 * MB, 'released before the end');
    const ids = profiler.getMemoryReport().recommendations.map((r) => r.id);
    assert.ok(ids.includes('transient-peak'), ids.join());
    assert.ok(!ids.includes('retained-growth'), ids.join());
  });

  it('records a thrown or rejected error and rethrows it unchanged', T, async () => {
    const profiler = new MemoryProfiler({ allocationSampling: false });
    const syncError = new HeadroomError('HR_TEST', 'sync failure');
    await assert.rejects(
      profiler.profile('throws', () => {
        throw syncError;
      }),
      (error) => error === syncError,
    );
    const asyncError = new TypeError('async failure');
    await assert.rejects(
      profiler.profile('rejects', async () => {
        await sleep(1);
        throw asyncError;
      }),
      (error) => error === asyncError,
    );
    await assert.rejects(
      profiler.profile('throws-string', () => Promise.reject('plain')),
      (error) => error === 'plain',
    );
    const reports = profiler.getMemoryReport().reports;
    assert.deepEqual(
      reports.map((r) => [r.name, r.error]),
      [
        ['throws', { name: 'HeadroomError', message: 'sync failure', code: 'HR_TEST' }],
        ['rejects', { name: 'TypeError', message: 'async failure' }],
        ['throws-string', { name: 'Error', message: 'plain' }],
      ],
    );
    for (const r of reports) assert.ok(r.durationMs >= 0 && r.heapBefore > 0);
  });

  it('skips allocation sampling when asked, and says so', T, async () => {
    const profiler = new MemoryProfiler();
    await profiler.profile('unsampled', () => churnShortLivedGarbageForProfilerTest(1000), {
      allocationSampling: false,
    });
    const [report] = profiler.getMemoryReport().reports;
    assert.equal(report?.allocations.status, 'skipped');
    assert.match(report?.allocations.reason ?? '', /turned off/);
    assert.deepEqual(report?.allocations.sites, []);
  });
});

describe('MemoryProfiler.start (scope)', () => {
  it('measures what happens between start and stop; stop twice gives the same report', T, async () => {
    const profiler = new MemoryProfiler();
    const scope = profiler.start('scoped');
    let kept: number[][] = [];
    allocateRetainedArraysForProfilerTest(kept, 45);
    const report = await scope.stop();
    assert.equal(await scope.stop(), report);
    assert.equal(report.name, 'scoped');
    assert.ok(report.heapAfter - report.heapBefore >= 40 * MB);
    assert.equal(report.allocations.sites[0]?.functionName, 'allocateRetainedArraysForProfilerTest');
    assert.equal(profiler.getMemoryReport().reports.length, 1, 'recorded once');
    kept = [];
    assert.equal(kept.length, 0);
  });

  it('stops on `await using`, and `fail` records an error', T, async () => {
    const profiler = new MemoryProfiler({ allocationSampling: false });
    {
      await using _scope = profiler.start('disposed');
      churnShortLivedGarbageForProfilerTest(1000);
    }
    const failing = profiler.start('failed-scope');
    await failing.fail(new RangeError('bad input'));
    const reports = profiler.getMemoryReport().reports;
    assert.deepEqual(
      reports.map((r) => r.name),
      ['disposed', 'failed-scope'],
    );
    assert.deepEqual(reports[1]?.error, { name: 'RangeError', message: 'bad input' });
  });
});

describe('overlapping runs and the process-wide sampler', () => {
  it(
    'runs of one profiler share the sampler; each keeps its own samples and names the other',
    T,
    async () => {
      const profiler = new MemoryProfiler();
      const first = profiler.start('first');
      let a: number[][] = [];
      allocateRetainedArraysForProfilerTest(a, 20);
      const second = profiler.start('second');
      let b: number[][] = [];
      allocateRetainedArraysForProfilerTest(b, 10);
      const firstReport = await first.stop();
      const secondReport = await second.stop();
      assert.equal(firstReport.allocations.status, 'sampled');
      assert.equal(secondReport.allocations.status, 'sampled');
      assert.deepEqual(firstReport.allocations.overlappedWith, ['second']);
      assert.deepEqual(secondReport.allocations.overlappedWith, ['first']);
      // The second run began after the first's 20 MB: only its own 10 MB are its samples.
      assert.ok(firstReport.allocations.sampledBytes >= 25 * MB, `${firstReport.allocations.sampledBytes}`);
      assert.ok(secondReport.allocations.sampledBytes >= 8 * MB, `${secondReport.allocations.sampledBytes}`);
      assert.ok(secondReport.allocations.sampledBytes < 16 * MB, `${secondReport.allocations.sampledBytes}`);
      a = [];
      b = [];
      assert.equal(a.length + b.length, 0);

      // With the sampler free again, a new run samples.
      await profiler.profile('after', () => churnShortLivedGarbageForProfilerTest(1000));
      assert.equal(profiler.getMemoryReport().reports[2]?.allocations.status, 'sampled');
    },
  );

  it("another profiler's run is not sampled while one is, and says why", T, async () => {
    const one = new MemoryProfiler();
    const other = new MemoryProfiler();
    const outer = one.start('outer');
    await other.profile('inner', () => churnShortLivedGarbageForProfilerTest(1000));
    const outerReport = await outer.stop();
    assert.equal(outerReport.allocations.status, 'sampled');
    const [inner] = other.getMemoryReport().reports;
    assert.equal(inner?.allocations.status, 'skipped');
    assert.match(inner?.allocations.reason ?? '', /already running for another inspector session/);
    // The outer run's sampling was not disturbed, and afterwards the other profiler samples.
    await other.profile('later', () => churnShortLivedGarbageForProfilerTest(1000));
    assert.equal(other.getMemoryReport().reports[1]?.allocations.status, 'sampled');
  });
});

describe('getMemoryReport', () => {
  it('survives a JSON round trip', T, async () => {
    const profiler = new MemoryProfiler({ thresholds: { gcMinPauseMs: 0, gcShare: 0.0001 } });
    await profiler.profile('json', async () => {
      churnShortLivedGarbageForProfilerTest(200_000);
      await sleep(15);
    });
    await assert.rejects(profiler.profile('json-error', () => Promise.reject(new Error('x'))));
    const memory = profiler.getMemoryReport();
    assert.deepEqual(JSON.parse(JSON.stringify(memory)), memory);
    assert.ok(!Number.isNaN(Date.parse(memory.generatedAt)));
    assert.equal(memory.process.pid, process.pid);
    assert.ok(memory.process.heapLimit > 0 && memory.process.rss > 0);
    assert.equal(memory.reports.length, 2);
  });

  it('keeps at most maxReports, dropping the oldest', T, async () => {
    const profiler = new MemoryProfiler({ maxReports: 3, allocationSampling: false, collectGarbage: false });
    for (let i = 0; i < 5; i++) await profiler.profile(`run-${i}`, () => i);
    const memory = profiler.getMemoryReport();
    assert.deepEqual(
      memory.reports.map((r) => r.name),
      ['run-2', 'run-3', 'run-4'],
    );
    assert.equal(memory.droppedReports, 2);
    assert.equal(memory.reports[0]?.heapCollected, false);
    profiler.clear();
    assert.equal(profiler.getMemoryReport().reports.length, 0);
  });

  it('returns copies: changing a returned report changes no later recommendation', T, async () => {
    const profiler = new MemoryProfiler({ allocationSampling: false });
    await profiler.profile('copy', () => 0);
    const memory = profiler.getMemoryReport();
    const [report] = memory.reports;
    assert.ok(report);
    report.heapPeak = report.heapLimit;
    assert.deepEqual(profiler.getMemoryReport().recommendations, []);
  });
});

describe('options', () => {
  it('rejects limits and thresholds out of range with the name of the setting', () => {
    assert.throws(
      () => new MemoryProfiler({ maxReports: 0 }),
      /maxReports must be a positive integer, got 0/,
    );
    assert.throws(
      () => new MemoryProfiler({ peakIntervalMs: 0.5 }),
      /peakIntervalMs must be an integer of at least 1/,
    );
    assert.throws(() => new MemoryProfiler({ samplingIntervalBytes: -1 }), /samplingIntervalBytes/);
    assert.throws(() => new MemoryProfiler({ topSites: 0 }), /topSites/);
    assert.throws(
      () => new MemoryProfiler({ thresholds: { gcShare: 1.5 } }),
      /gcShare must be a share above 0/,
    );
    assert.throws(() => new MemoryProfiler({ thresholds: { gcMinPauseMs: -1 } }), /gcMinPauseMs/);
    assert.throws(
      () => new MemoryProfiler({ thresholds: { gcShar: 0.2 } as never }),
      /unknown threshold "gcShar"; known: gcShare/,
    );
    const profiler = new MemoryProfiler();
    assert.throws(() => profiler.start(''), /non-empty name/);
    assert.throws(() => profiler.start('x', { stackDepth: -1 }), /stackDepth/);
    assert.throws(() => profiler.start('x', { maxReports: 2 } as never), /unknown option "maxReports"/);
    assert.throws(
      () => profiler.start('x', { collectGarbage: 'yes' } as never),
      /collectGarbage must be true or false/,
    );
  });
});

describe('recommend (the rules on given figures)', () => {
  const t = resolveThresholds();

  it('says nothing when no figure crosses its threshold', () => {
    assert.deepEqual(recommend([quiet()], t), []);
  });

  it('flags a heap peak near the limit as critical, first', () => {
    const recs = recommend(
      [
        quiet({ name: 'slow', durationMs: 100, gc: { count: 5, pauseMs: 40, byKind: {} } }),
        quiet({ heapPeak: 900 * MB }),
      ],
      t,
    );
    assert.deepEqual(
      recs.map((r) => [r.id, r.severity, r.evidence.report]),
      [
        ['near-heap-limit', 'critical', 'quiet'],
        // Within a severity, in the order the runs were recorded.
        ['gc-share', 'warning', 'slow'],
        ['transient-peak', 'warning', 'quiet'],
      ],
    );
    assert.equal(recs[0]?.evidence.value, 0.9);
    assert.equal(recs[0]?.evidence.threshold, 0.85);
  });

  it('does not call growth retained unless both ends were read after a full collection', () => {
    const grown = { heapAfter: 200 * MB, heapPeak: 200 * MB };
    assert.deepEqual(
      recommend([quiet({ ...grown, heapCollected: true })], t).map((r) => r.id),
      ['retained-growth'],
    );
    assert.deepEqual(recommend([quiet({ ...grown, heapCollected: false })], t), []);
  });

  it('ignores GC share on runs with little GC time, and a dominant site on few sampled bytes', () => {
    const site = {
      functionName: 'f',
      url: 'file:///f.js',
      line: 1,
      column: 1,
      location: 'file:///f.js:1:1',
      bytes: MB,
      share: 1,
      samples: 3,
      stack: [],
    };
    const recs = recommend(
      [
        quiet({ durationMs: 2, gc: { count: 1, pauseMs: 1, byKind: {} } }),
        quiet({ allocations: { status: 'sampled', sampledBytes: MB, sites: [site] } }),
      ],
      t,
    );
    assert.deepEqual(recs, []);
  });

  it('gives one recommendation per rule and name, citing the worst run and counting the runs', () => {
    const slow = (pauseMs: number, startedAt: string) =>
      quiet({ name: 'slow', startedAt, gc: { count: 3, pauseMs, byKind: {} } });
    const recs = recommend(
      [
        slow(20, '2026-01-01T00:00:01.000Z'),
        slow(50, '2026-01-01T00:00:02.000Z'),
        slow(30, '2026-01-01T00:00:03.000Z'),
      ],
      t,
    );
    assert.equal(recs.length, 1);
    assert.equal(recs[0]?.runs, 3);
    assert.equal(recs[0]?.evidence.value, 0.5);
    assert.equal(recs[0]?.evidence.startedAt, '2026-01-01T00:00:02.000Z');
  });
});
