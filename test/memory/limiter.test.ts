import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { BudgetExceededError } from '../../src/errors.js';
import { type LevelChange, MemoryLimiter } from '../../src/memory/limiter.js';

const MB = 1024 * 1024;

/** A limiter over a fake gauge, so tests set "memory in use" exactly. */
function gauge(initial: number, options: ConstructorParameters<typeof MemoryLimiter>[0] = {}) {
  const state = { used: initial, gcRuns: 0, freedByGc: 0 };
  const limiter = new MemoryLimiter({
    budgetBytes: 100 * MB,
    sampleEvery: 1,
    sampleIntervalMs: 0,
    gcMinIntervalMs: 0,
    readUsage: () => state.used,
    collectGarbage: () => {
      state.gcRuns++;
      state.used -= state.freedByGc;
    },
    ...options,
  });
  return { limiter, state };
}

describe('MemoryLimiter', () => {
  it('defaults its budget to the V8 heap limit and measures real memory', () => {
    const limiter = new MemoryLimiter();
    assert.equal(limiter.budgetBytes, v8.getHeapStatistics().heap_size_limit);
    assert.equal(limiter.check(), true);
    assert.ok(limiter.usedBytes > 1 * MB, 'rss of a live process is over 1 MB');
    limiter.close();
  });

  it('passes while under budget and fails over budget when a GC does not help', () => {
    const { limiter, state } = gauge(50 * MB);
    assert.equal(limiter.check(), true);
    state.used = 120 * MB;
    assert.equal(limiter.check(), false);
    assert.equal(state.gcRuns, 1, 'a collection is tried before saying no');
  });

  it('collects garbage over budget and passes when the collection frees enough', () => {
    const { limiter, state } = gauge(120 * MB);
    state.freedByGc = 40 * MB;
    assert.equal(limiter.check(), true);
    assert.equal(state.gcRuns, 1);
    assert.equal(limiter.usedBytes, 80 * MB);
  });

  it('samples only every N calls', () => {
    let reads = 0;
    const limiter = new MemoryLimiter({
      budgetBytes: 100 * MB,
      sampleEvery: 10,
      sampleIntervalMs: 0,
      readUsage: () => {
        reads++;
        return MB;
      },
    });
    for (let i = 0; i < 100; i++) limiter.check();
    assert.equal(reads, 10);
    assert.equal(limiter.stats().checks, 100);
  });

  it('samples again after the interval even without enough calls', async () => {
    let reads = 0;
    const limiter = new MemoryLimiter({
      budgetBytes: 100 * MB,
      sampleEvery: 1_000_000,
      sampleIntervalMs: 5,
      readUsage: () => {
        reads++;
        return MB;
      },
    });
    limiter.check();
    limiter.check();
    assert.equal(reads, 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    limiter.check();
    assert.equal(reads, 2);
    limiter.close();
  });

  it('reports pressure levels with thresholds and steps down only past the hysteresis', () => {
    const { limiter, state } = gauge(10 * MB);
    const changes: LevelChange[] = [];
    limiter.on('level', (change) => changes.push(change));
    const levelAt = (mb: number) => {
      state.used = mb * MB;
      limiter.check();
      return limiter.level;
    };
    assert.equal(levelAt(10), 'LOW');
    assert.equal(levelAt(61), 'MODERATE');
    assert.equal(levelAt(76), 'HIGH');
    assert.equal(levelAt(86), 'CRITICAL');
    assert.equal(levelAt(96), 'EMERGENCY');
    assert.equal(levelAt(94), 'EMERGENCY', 'within 2% below the threshold the level holds');
    assert.equal(levelAt(92), 'CRITICAL');
    assert.equal(levelAt(5), 'LOW');
    assert.deepEqual(
      changes.map((c) => c.to),
      ['MODERATE', 'HIGH', 'CRITICAL', 'EMERGENCY', 'CRITICAL', 'LOW'],
    );
  });

  it('accepts custom thresholds and rejects ones that do not rise', () => {
    const { limiter, state } = gauge(55 * MB, { thresholds: { moderate: 0.5 } });
    limiter.check();
    assert.equal(limiter.level, 'MODERATE');
    state.used = 0;
    assert.throws(() => new MemoryLimiter({ budgetBytes: MB, thresholds: { high: 0.9 } }), /rise strictly/);
    assert.throws(() => new MemoryLimiter({ budgetBytes: 0 }), /budgetBytes must be positive/);
  });

  it('collects from CRITICAL on with the critical trigger, and never with never', () => {
    const critical = gauge(90 * MB, { gcTrigger: 'critical' });
    critical.limiter.check();
    assert.equal(critical.state.gcRuns, 1);
    const never = gauge(150 * MB, { gcTrigger: 'never' });
    assert.equal(never.limiter.check(), false);
    assert.equal(never.state.gcRuns, 0);
  });

  it('does not collect more often than the minimum interval', () => {
    const { limiter, state } = gauge(150 * MB, { gcMinIntervalMs: 60_000 });
    limiter.check();
    limiter.check();
    limiter.check();
    assert.equal(state.gcRuns, 1);
  });

  it('ensure() throws a BudgetExceededError that names the context and the fix', () => {
    const { limiter } = gauge(150 * MB);
    assert.throws(
      () => limiter.ensure('while loading spec.json'),
      (error: unknown) => {
        assert.ok(error instanceof BudgetExceededError);
        assert.equal(error.code, 'HR_BUDGET_EXCEEDED');
        assert.match(error.message, /while loading spec\.json/);
        assert.match(error.message, /150 MiB in use/);
        assert.match(error.message, /100 MiB budget/);
        assert.match(error.message, /--memory-budget/);
        return true;
      },
    );
  });

  it('admits work of known size against budget minus reservations', () => {
    const { limiter } = gauge(50 * MB);
    const a = limiter.admit(30 * MB, 'response A');
    assert.equal(limiter.reservedBytes, 30 * MB);
    assert.equal(limiter.tryAdmit(30 * MB), undefined, '50 used + 30 reserved + 30 > 100');
    assert.throws(() => limiter.admit(30 * MB, 'response B'), /cannot admit response B of 30 MiB/);
    a.release();
    a.release();
    assert.equal(limiter.reservedBytes, 0, 'release is idempotent');
    const b = limiter.admit(30 * MB);
    assert.equal(b.bytes, 30 * MB);
    assert.equal(limiter.stats().rejections, 1);
  });

  it('collects for an admission only when that could make room, and not more often than allowed', () => {
    // 50 in use and 30 reserved: another 30 fits only if what is in use shrinks, so a GC may help,
    // but only once a minute here.
    const { limiter, state } = gauge(50 * MB, { gcMinIntervalMs: 60_000 });
    const held = limiter.admit(30 * MB);
    for (let ask = 0; ask < 20; ask++) assert.equal(limiter.tryAdmit(30 * MB), undefined);
    assert.equal(state.gcRuns, 1, 'twenty asks in a row, one collection');
    // Reservations alone over the budget: no collection could help, so none is run.
    const { limiter: full, state: fullState } = gauge(10 * MB);
    const all = full.admit(80 * MB);
    assert.equal(full.tryAdmit(30 * MB), undefined);
    assert.equal(fullState.gcRuns, 0);
    // One that can fit after a collection still gets in.
    const { limiter: freed, state: freedState } = gauge(90 * MB);
    freedState.freedByGc = 60 * MB;
    assert.ok(freed.tryAdmit(30 * MB));
    assert.equal(freedState.gcRuns, 1);
    held.release();
    all.release();
  });

  it('runs a real garbage collection without --expose-gc', () => {
    const limiter = new MemoryLimiter({
      budgetBytes: 1,
      metric: 'heap',
      gcMinIntervalMs: 0,
      sampleIntervalMs: 0,
    });
    const runs: number[] = [];
    limiter.on('gc', (run) => runs.push(run.durationMs));
    limiter.check();
    assert.equal(runs.length, 1);
    assert.ok(limiter.stats().gcRuns === 1);
  });
});
