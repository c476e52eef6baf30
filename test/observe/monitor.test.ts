import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import v8 from 'node:v8';
import { gcFunction } from '../../src/memory/gc.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';
import { GcObserver } from '../../src/observe/gc-observer.js';
import { MemoryMonitor, type MemoryMonitorOptions } from '../../src/observe/monitor.js';
import { readCgroupLimit } from '../../src/observe/system.js';
import { ToolStatsTable } from '../../src/observe/tool-stats.js';
import type { Alert } from '../../src/observe/types.js';

const MB = 1024 * 1024;

/** A monitor over fake readers and a fake clock: rss is whatever `state.rss` says. */
function fake(options: MemoryMonitorOptions = {}) {
  const state = { t: 1_700_000_000_000, rss: 100 * MB };
  const warnings: string[] = [];
  const alerts: Alert[] = [];
  const monitor = new MemoryMonitor({
    now: () => state.t,
    budgetBytes: 1000 * MB,
    readers: {
      memoryUsage: () => ({
        rss: state.rss,
        heapUsed: 40 * MB,
        heapTotal: 60 * MB,
        external: 2 * MB,
        arrayBuffers: MB,
      }),
      heapLimit: () => 4096 * MB,
      heapSpaces: (into) => {
        into.old_space = 30 * MB;
        into.new_space = MB;
      },
      systemMemory: () => ({ total: 16384 * MB, free: 8192 * MB }),
      cgroupLimit: () => 2048 * MB,
    },
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  monitor.onAlert((a) => alerts.push(a));
  const step = (ms = 1000) => {
    state.t += ms;
    return monitor.sample();
  };
  return { monitor, state, warnings, alerts, step };
}

describe('MemoryMonitor: samples', () => {
  it('reads the process, the machine, the cgroup and the components into one sample', () => {
    const { monitor, state } = fake();
    monitor.registerComponent('catalog', () => 5 * MB);
    monitor.registerComponent('spill', () => ({ bytes: 7 * MB, details: { onDisk: 99 } }));
    const s = monitor.sample();
    assert.equal(s.t, state.t);
    assert.equal(s.rss, 100 * MB);
    assert.equal(s.heapUsed, 40 * MB);
    assert.equal(s.heapLimit, 4096 * MB);
    assert.deepEqual(s.heapSpaces, { old_space: 30 * MB, new_space: MB });
    assert.equal(s.systemTotal, 16384 * MB);
    assert.equal(s.cgroupLimit, 2048 * MB);
    assert.equal(s.budgetBytes, 1000 * MB);
    assert.deepEqual(s.components, { catalog: 5 * MB, spill: 7 * MB });
    assert.deepEqual(monitor.componentDetails(), { spill: { onDisk: 99 } });
    assert.deepEqual(Object.keys(s.gc.byKind), ['minor', 'major', 'incremental', 'weakcb']);
    assert.equal(monitor.latest(), s);
  });

  it('takes its budget from the limiter, else the heap limit', () => {
    const limiter = new MemoryLimiter({ budgetBytes: 300 * MB, readUsage: () => 0 });
    assert.equal(new MemoryMonitor({ limiter }).budgetBytes, 300 * MB);
    assert.equal(new MemoryMonitor().budgetBytes, v8.getHeapStatistics().heap_size_limit);
    assert.equal(new MemoryMonitor().alerts.metric, 'heap', 'against the heap limit, the heap is measured');
    assert.equal(new MemoryMonitor({ budgetBytes: MB }).alerts.metric, 'rss');
  });

  it('rejects a duplicate component, unregisters, and reports a failing provider once per failure streak', () => {
    const { monitor, warnings } = fake();
    let broken = true;
    const off = monitor.registerComponent('cache', () => {
      if (broken) throw new Error('cache closed');
      return 3;
    });
    assert.throws(() => monitor.registerComponent('cache', () => 1), /"cache" is already registered/);
    monitor.registerComponent('bad', () => Number.NaN);
    assert.deepEqual(monitor.sample().components, {});
    assert.deepEqual(monitor.sample().components, {});
    assert.equal(warnings.filter((w) => w.includes('"cache"')).length, 1);
    assert.match(warnings.find((w) => w.includes('"bad"')) ?? '', /reported NaN bytes/);
    broken = false;
    assert.deepEqual(monitor.sample().components, { cache: 3 });
    off();
    off();
    assert.deepEqual(monitor.sample().components, {});
    monitor.registerComponent('cache', () => 4); // the name is free again
  });

  it('serves history by seconds and downsampled to maxPoints', () => {
    const { monitor, step } = fake({ historySeconds: 100 });
    for (let i = 0; i < 150; i++) step();
    assert.equal(monitor.history(3600).length, 100, 'the ring holds 100 s at 1 Hz');
    assert.equal(monitor.history(10).length, 10);
    assert.equal(monitor.history(100, 20).length, 20);
    assert.throws(() => monitor.history(0), /seconds must be positive/);
    assert.throws(
      () => new MemoryMonitor({ historySeconds: 86_400, sampleIntervalMs: 1 }),
      /86400000 samples, over maxHistorySamples/,
    );
  });

  it('calls sample listeners after the alerts are evaluated, and survives one that throws', () => {
    const { monitor, state, warnings } = fake();
    const seen: number[] = [];
    monitor.onSample(() => {
      throw new Error('listener broke');
    });
    const off = monitor.onSample(() => seen.push(monitor.activeAlerts().length));
    state.rss = 800 * MB;
    monitor.sample();
    off();
    monitor.sample();
    assert.deepEqual(seen, [1]);
    assert.ok(warnings.some((w) => w.includes('listener broke')));
  });
});

describe('MemoryMonitor: alerts', () => {
  it('raises a memory alert once while memory stays high, and resolves it', () => {
    const { state, step, alerts } = fake();
    state.rss = 800 * MB;
    for (let i = 0; i < 5; i++) step();
    state.rss = 100 * MB;
    step();
    assert.deepEqual(
      alerts.map((a) => [a.id, a.severity, a.resolvedAt !== undefined]),
      [
        ['memory', 'warning', false],
        ['memory', 'warning', true],
      ],
    );
  });

  it('raises pool exhaustion, reports bytes held, and resolves after the quiet time', () => {
    const { monitor, step, alerts } = fake({ alertQuietMs: 5000 });
    const pool = { exhaustions: 3, bytesHeld: 4096 };
    monitor.watchPool('buffers', () => pool);
    assert.throws(() => monitor.registerComponent('pool:buffers', () => 1), /already registered/);
    assert.equal(step().components['pool:buffers'], 4096);
    assert.equal(alerts.length, 0, 'exhaustions before watching do not count');
    pool.exhaustions = 5;
    step();
    assert.equal(monitor.activeAlerts()[0]?.id, 'pool:buffers');
    assert.match(
      monitor.activeAlerts()[0]?.message ?? '',
      /exhausted 2 time\(s\) since the last sample \(5 in all\)/,
    );
    for (let i = 0; i < 4; i++) step();
    assert.equal(monitor.activeAlerts().length, 1);
    step();
    assert.equal(monitor.activeAlerts().length, 0);
    assert.equal(monitor.alertHistory()[0]?.id, 'pool:buffers');
  });

  it('raises an open breaker as critical, also one that opened and closed between samples', () => {
    const { monitor, step } = fake({ alertQuietMs: 0 });
    const breaker = { state: 'closed', opens: 0 };
    const off = monitor.watchBreaker('upstream', () => breaker);
    step();
    breaker.state = 'open';
    breaker.opens = 1;
    step();
    assert.equal(monitor.activeAlerts()[0]?.severity, 'critical');
    breaker.state = 'half-open';
    step();
    assert.equal(monitor.activeAlerts().length, 1, 'half-open is not closed yet');
    breaker.state = 'closed';
    step();
    assert.equal(monitor.activeAlerts().length, 0);
    breaker.opens = 2; // opened and closed again within the interval
    step();
    assert.match(monitor.activeAlerts()[0]?.message ?? '', /opened since the last sample/);
    off();
    assert.equal(monitor.activeAlerts().length, 0, 'unwatching resolves');
  });

  it('raises and resolves conditions by id for the leak detector', () => {
    const { monitor, alerts } = fake();
    const details = {
      severity: 'warning' as const,
      message: 'heap grew 40 MB in 10 min',
      value: 40 * MB,
      threshold: 0,
    };
    monitor.reportCondition('leak', 'leak', true, details);
    monitor.reportCondition('leak', 'leak', true, details);
    monitor.reportCondition('leak', 'leak', false, { ...details, message: 'heap stable' });
    assert.deepEqual(
      alerts.map((a) => [a.kind, a.message]),
      [
        ['leak', 'heap grew 40 MB in 10 min'],
        ['leak', 'heap stable'],
      ],
    );
  });

  it("follows the limiter's levels while started", () => {
    let used = 0;
    const limiter = new MemoryLimiter({ budgetBytes: 100 * MB, readUsage: () => used, gcTrigger: 'never' });
    const { monitor } = fake({ limiter, sampleIntervalMs: 3_600_000 });
    monitor.start();
    try {
      used = 80 * MB;
      limiter.measure();
      assert.equal(monitor.activeAlerts().find((a) => a.id === 'limiter')?.severity, 'warning');
      used = 90 * MB;
      limiter.measure();
      assert.equal(monitor.activeAlerts().find((a) => a.id === 'limiter')?.severity, 'critical');
      used = 10 * MB;
      limiter.measure();
      assert.equal(
        monitor.activeAlerts().find((a) => a.id === 'limiter'),
        undefined,
      );
    } finally {
      monitor.stop();
    }
    used = 90 * MB;
    limiter.measure();
    assert.equal(monitor.activeAlerts().length, 0, 'not listening once stopped');
    limiter.close();
  });
});

describe('tool statistics', () => {
  it('counts calls, errors and bytes, and takes percentiles over the window', () => {
    const tools = new ToolStatsTable({ window: 100 });
    for (let i = 1; i <= 200; i++) {
      tools.record({
        tool: 'search',
        ms: i,
        ok: i % 10 !== 0,
        bytesOut: 10,
        memoryDeltaBytes: i <= 150 ? 0 : 1000,
      });
    }
    tools.record({ tool: 'list', ms: 5, ok: true });
    const stats = tools.snapshot();
    const search = stats.search;
    assert.ok(search);
    assert.equal(search.calls, 200);
    assert.equal(search.errors, 20);
    assert.equal(search.bytesOut, 2000);
    // The window holds calls 101..200.
    assert.equal(search.p50Ms, 150);
    assert.equal(search.p95Ms, 195);
    assert.equal(search.p99Ms, 199);
    assert.equal(search.meanMemoryDeltaBytes, 500);
    assert.deepEqual(stats.list, {
      calls: 1,
      errors: 0,
      p50Ms: 5,
      p95Ms: 5,
      p99Ms: 5,
      bytesOut: 0,
      meanMemoryDeltaBytes: 0,
      callsPerSecond: 0,
    });
  });

  it('gives calls per second over the last sample interval', () => {
    const { monitor, step } = fake();
    step();
    for (let i = 0; i < 30; i++) monitor.recordToolCall({ tool: 't', ms: 1, ok: true });
    step(2000);
    assert.equal(monitor.toolStats().t?.callsPerSecond, 15);
    step();
    assert.equal(monitor.toolStats().t?.callsPerSecond, 0);
  });

  it('caps the number of tool names', () => {
    const tools = new ToolStatsTable({ maxTools: 3 });
    for (const tool of ['a', 'b', 'c', 'd', 'a']) tools.record({ tool, ms: 1, ok: true });
    assert.deepEqual(
      Object.entries(tools.snapshot()).map(([name, s]) => [name, s.calls]),
      [
        ['a', 2],
        ['b', 1],
        ['(other)', 2],
      ],
    );
  });
});

describe('real process readings', () => {
  it('measures this process, and sees a real GC and a blocked event loop while started', async () => {
    const monitor = new MemoryMonitor({ sampleIntervalMs: 3_600_000, eventLoopResolutionMs: 10 });
    monitor.start();
    monitor.start();
    try {
      const s0 = monitor.latest();
      assert.ok(s0 && s0.rss > 0 && s0.heapUsed > 0 && s0.systemTotal > 0);
      assert.ok((s0.heapSpaces.old_space ?? 0) > 0);
      // The histogram's first tick only starts its clock: let it tick before blocking.
      await new Promise((resolve) => setTimeout(resolve, 50));
      (gcFunction() as () => void)();
      const until = Date.now() + 1000;
      while (Date.now() < until) {} // block the loop for a second
      // GC entries and the delay histogram's tick arrive on later turns of the loop.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const s = monitor.sample();
      assert.ok((s.gc.byKind.major?.count ?? 0) >= 1, JSON.stringify(s.gc));
      assert.ok(s.eventLoop.p99Ms >= 500, `p99 ${s.eventLoop.p99Ms} ms after a 1 s block`);
      assert.ok(s.eventLoop.utilization > 0.5, `utilization ${s.eventLoop.utilization}`);
    } finally {
      monitor.stop();
      monitor.stop();
    }
    assert.equal(monitor.running, false);
  });

  it('gives two monitors their own GC counts', async () => {
    const a = new GcObserver();
    const b = new GcObserver();
    a.start();
    b.start();
    try {
      (gcFunction() as () => void)();
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(a.take().count >= 1);
      assert.equal(a.take().count, 0, 'take() resets');
      assert.ok(b.take().count >= 1, 'b saw the same collection');
    } finally {
      a.stop();
      b.stop();
    }
    b.record('minor', 2.5);
    assert.deepEqual(b.take().byKind.minor, { count: 1, pauseMs: 2.5 });
  });
});

describe('cgroup limit', () => {
  const root = mkdtempSync(join(tmpdir(), 'headroom-cgroup-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('reads cgroup v2 as the smallest limit from the process cgroup up', () => {
    file('v2/memory.max', 'max\n');
    file('v2/app/memory.max', `${512 * MB}\n`);
    file('v2/app/worker/memory.max', 'max\n');
    assert.equal(readCgroupLimit({ root: join(root, 'v2'), selfCgroup: '0::/app/worker\n' }), 512 * MB);
    assert.equal(
      readCgroupLimit({ root: join(root, 'v2'), selfCgroup: '0::/\n' }),
      undefined,
      '"max" is no limit',
    );
  });

  it('reads cgroup v1, where the largest number means no limit', () => {
    const self = '5:cpu:/\n4:memory:/job\n0::/\n';
    file('v1/memory/memory.limit_in_bytes', '9223372036854771712\n');
    assert.equal(readCgroupLimit({ root: join(root, 'v1'), selfCgroup: self }), undefined);
    file('v1/memory/job/memory.limit_in_bytes', `${256 * MB}\n`);
    assert.equal(readCgroupLimit({ root: join(root, 'v1'), selfCgroup: self }), 256 * MB);
  });

  it('is undefined when nothing can be read', () => {
    assert.equal(readCgroupLimit({ root: join(root, 'none'), selfCgroup: '' }), undefined);
  });
});
