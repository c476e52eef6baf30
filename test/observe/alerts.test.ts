import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertManager, type AlertManagerOptions } from '../../src/observe/alerts.js';
import type { Alert, MemorySample } from '../../src/observe/types.js';

const MB = 1024 * 1024;
const BUDGET = 1000 * MB;

let clock = 0;
/** A sample one second after the previous one, rss at `percent` of a 1000 MB budget. */
function sample(percent: number, overrides: Partial<MemorySample> = {}): MemorySample {
  clock += 1000;
  return {
    t: clock,
    rss: (percent / 100) * BUDGET,
    heapUsed: 10 * MB,
    heapTotal: 20 * MB,
    external: MB,
    arrayBuffers: 0,
    heapLimit: 4096 * MB,
    heapSpaces: {},
    systemTotal: 16384 * MB,
    systemFree: 8192 * MB,
    budgetBytes: BUDGET,
    gc: { count: 0, pauseMs: 0, byKind: {} },
    eventLoop: { p50Ms: 0, p99Ms: 0, utilization: 0 },
    components: {},
    ...overrides,
  };
}

function manager(options: AlertManagerOptions = {}) {
  const seen: Alert[] = [];
  const log: string[] = [];
  const alerts = new AlertManager(options, { now: () => clock, onWarning: (m) => log.push(m) });
  alerts.onAlert((a) => seen.push(a));
  return { alerts, seen, log };
}

describe('AlertManager: memory against the budget', () => {
  it('raises once, escalates, steps down and resolves with hysteresis, notifying each change', () => {
    const { alerts, seen, log } = manager();
    const path: Array<[percent: number, expected: string]> = [
      [50, 'none'],
      [76, 'warning'], // raised
      [78, 'warning'],
      [80, 'warning'], // no new notification while it lasts
      [86, 'critical'], // escalated
      [84, 'critical'], // 84 >= 85 - 5: held
      [81, 'critical'],
      [79, 'warning'], // below 80: steps down
      [72, 'warning'], // 72 >= 75 - 5: held
      [70, 'warning'],
      [69, 'none'], // resolved
      [74, 'none'], // below 75: not raised again
    ];
    for (const [percent, expected] of path) {
      alerts.evaluate(sample(percent));
      const active = alerts.active();
      assert.equal(active[0]?.severity ?? 'none', expected, `at ${percent}%`);
    }
    assert.deepEqual(
      seen.map((a) => `${a.severity}${a.resolvedAt ? ' resolved' : ''}`),
      ['warning', 'critical', 'warning', 'warning resolved'],
    );
    assert.equal(log.length, 4);
    assert.match(
      log[0] ?? '',
      /alert warning \[memory\]: memory in use \(rss\) 760 MiB is 76% of the 1000 MiB budget/,
    );
    assert.match(log[3] ?? '', /alert resolved \[memory\] after 9 s: memory back to 69%/);
    const [resolved] = alerts.history();
    assert.equal(resolved?.id, 'memory');
    assert.equal(resolved?.kind, 'memory');
    assert.equal(resolved?.resolvedAt, clock - 1000);
    assert.equal(resolved?.startedAt, (resolved?.resolvedAt ?? 0) - 9000);
    assert.equal(alerts.active().length, 0);
  });

  it('goes straight to critical, and reports the threshold in bytes', () => {
    const { alerts, seen } = manager({ warningPercent: 60, criticalPercent: 90 });
    alerts.evaluate(sample(95));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.severity, 'critical');
    assert.equal(seen[0]?.threshold, 0.9 * BUDGET);
    assert.equal(seen[0]?.value, 0.95 * BUDGET);
  });

  it("measures heap + external with metric 'heap'", () => {
    const { alerts } = manager({ metric: 'heap' });
    alerts.evaluate(sample(99, { heapUsed: 700 * MB, external: 10 * MB }));
    assert.equal(alerts.active().length, 0, 'rss is not looked at');
    alerts.evaluate(sample(0, { heapUsed: 700 * MB, external: 60 * MB }));
    assert.equal(alerts.active()[0]?.severity, 'warning');
  });

  it('returns copies: changing what it gave out changes nothing', () => {
    const { alerts, seen } = manager();
    alerts.evaluate(sample(80));
    const [a] = alerts.active();
    assert.ok(a && seen[0]);
    a.severity = 'critical';
    seen[0].message = 'changed';
    assert.equal(alerts.active()[0]?.severity, 'warning');
    assert.notEqual(alerts.active()[0]?.message, 'changed');
  });
});

describe('AlertManager: components and GC', () => {
  it('warns per component threshold and resolves below it by the hysteresis, or when the component goes', () => {
    const { alerts, seen } = manager({ componentThresholds: { cache: 100 * MB } });
    alerts.evaluate(sample(10, { components: { cache: 99 * MB, other: 900 * MB } }));
    assert.equal(alerts.active().length, 0);
    alerts.evaluate(sample(10, { components: { cache: 100 * MB } }));
    assert.equal(alerts.active()[0]?.id, 'component:cache');
    assert.equal(alerts.active()[0]?.kind, 'component');
    alerts.evaluate(sample(10, { components: { cache: 96 * MB } }));
    assert.equal(alerts.active().length, 1, '96 MB is within 5% of the threshold: held');
    alerts.evaluate(sample(10, { components: { cache: 94 * MB } }));
    assert.equal(alerts.active().length, 0);
    alerts.evaluate(sample(10, { components: { cache: 120 * MB } }));
    alerts.evaluate(sample(10, { components: {} }));
    assert.equal(alerts.active().length, 0, 'an unregistered component resolves its alert');
    assert.equal(seen.length, 4);
  });

  it('warns on the share of time in GC over the window, and resolves once it falls', () => {
    const { alerts } = manager({ gcShareWarning: 0.1, gcWindow: 5 });
    const gc = (pauseMs: number) => sample(10, { gc: { count: 1, pauseMs, byKind: {} } });
    alerts.evaluate(gc(0)); // the first sample has no interval
    for (let i = 0; i < 4; i++) alerts.evaluate(gc(20));
    assert.equal(alerts.active().length, 0, '2% of time');
    alerts.evaluate(gc(480)); // 560 ms of 5 s = 11.2%
    const [a] = alerts.active();
    assert.equal(a?.id, 'gc');
    assert.ok(Math.abs((a?.value ?? 0) - 0.112) < 1e-9);
    assert.equal(a?.threshold, 0.1);
    assert.match(a?.message ?? '', /11\.2% of time in pauses/);
    for (let i = 0; i < 4; i++) alerts.evaluate(gc(0));
    assert.equal(
      alerts.active().length,
      1,
      '9.6% with the long pause still in the window: within the hysteresis',
    );
    alerts.evaluate(gc(0));
    assert.equal(alerts.active().length, 0);
  });

  it('warns on the collection rate', () => {
    const { alerts } = manager({ gcRateWarning: 50, gcWindow: 2 });
    alerts.evaluate(sample(10));
    alerts.evaluate(sample(10, { gc: { count: 60, pauseMs: 1, byKind: {} } }));
    assert.equal(alerts.active()[0]?.value, 60);
    assert.equal(alerts.active()[0]?.threshold, 50);
    alerts.evaluate(sample(10, { gc: { count: 45, pauseMs: 1, byKind: {} } }));
    assert.equal(alerts.active().length, 1, '52.5/s over the window');
    alerts.evaluate(sample(10, { gc: { count: 30, pauseMs: 1, byKind: {} } }));
    assert.equal(alerts.active().length, 0, '37.5/s');
  });
});

describe('AlertManager: raised by id', () => {
  it('raises, updates silently, escalates and resolves; history is bounded, oldest dropped', () => {
    const { alerts, seen } = manager({ maxHistory: 2 });
    const details = { severity: 'warning' as const, message: 'heap grows', value: 1, threshold: 0 };
    alerts.raise('leak', 'leak', details);
    alerts.raise('leak', 'leak', { ...details, value: 2 });
    assert.equal(seen.length, 1);
    assert.equal(alerts.active()[0]?.value, 2);
    alerts.raise('leak', 'leak', { ...details, severity: 'critical', value: 3 });
    assert.equal(seen.length, 2);
    assert.equal(alerts.resolve('leak'), true);
    assert.equal(alerts.resolve('leak'), false, 'twice is harmless');
    assert.equal(seen.length, 3);
    for (const id of ['a', 'b', 'c']) {
      alerts.raise(id, 'pool', details);
      alerts.resolve(id);
    }
    assert.deepEqual(
      alerts.history().map((a) => a.id),
      ['b', 'c'],
    );
  });

  it('keeps notifying the other listeners when one throws, and says so', () => {
    const { alerts, seen, log } = manager();
    alerts.onAlert(() => {
      throw new Error('boom');
    });
    const after: Alert[] = [];
    const off = alerts.onAlert((a) => after.push(a));
    alerts.raise('x', 'leak', { severity: 'warning', message: 'm', value: 1, threshold: 0 });
    assert.equal(seen.length, 1);
    assert.equal(after.length, 1);
    assert.ok(log.some((m) => /listener threw on \[x\].*boom/.test(m)));
    off();
    alerts.resolve('x');
    assert.equal(after.length, 1);
  });

  it('refuses options that cannot work, naming them', () => {
    assert.throws(
      () => new AlertManager({ warningPercent: 90, criticalPercent: 80 }),
      /warningPercent < criticalPercent/,
    );
    assert.throws(() => new AlertManager({ hysteresisPercent: 80 }), /hysteresisPercent/);
    assert.throws(() => new AlertManager({ gcShareWarning: 2 }), /gcShareWarning/);
    assert.throws(() => new AlertManager({ gcWindow: 0 }), /gcWindow/);
    assert.throws(() => new AlertManager({ componentThresholds: { x: -1 } }), /componentThresholds\.x/);
  });
});
