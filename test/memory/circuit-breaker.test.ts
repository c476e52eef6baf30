import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitOpenError } from '../../src/errors.js';
import { MemoryCircuitBreaker } from '../../src/memory/circuit-breaker.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';

const fail = () => {
  throw new Error('upstream refused');
};

async function failTimes(breaker: MemoryCircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) await assert.rejects(breaker.execute(fail), /upstream refused/);
}

describe('MemoryCircuitBreaker', () => {
  it('stays closed while calls succeed and returns their results', async () => {
    const breaker = new MemoryCircuitBreaker({ name: 'api' });
    assert.equal(await breaker.execute(() => 42), 42);
    assert.equal(await breaker.execute(async () => 'x'), 'x');
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.stats().successes, 2);
  });

  it('opens after N consecutive failures and then rejects at once without running the call', async () => {
    const breaker = new MemoryCircuitBreaker({ name: 'api', failureThreshold: 3, resetTimeoutMs: 60_000 });
    await failTimes(breaker, 3);
    assert.equal(breaker.state, 'open');
    let ran = false;
    await assert.rejects(
      breaker.execute(() => {
        ran = true;
      }),
      (error: unknown) => {
        assert.ok(error instanceof CircuitOpenError);
        assert.equal(error.code, 'HR_CIRCUIT_OPEN');
        assert.equal(error.circuit, 'api');
        assert.ok(error.retryAfterMs > 59_000);
        assert.match(error.message, /circuit 'api' is open/);
        assert.match(error.message, /upstream refused/);
        return true;
      },
    );
    assert.equal(ran, false);
    assert.equal(breaker.stats().rejections, 1);
  });

  it('a success resets the consecutive count', async () => {
    const breaker = new MemoryCircuitBreaker({ failureThreshold: 3 });
    await failTimes(breaker, 2);
    await breaker.execute(() => 1);
    await failTimes(breaker, 2);
    assert.equal(breaker.state, 'closed');
  });

  it('lets one trial call through after the reset timeout: success closes, failure reopens', async () => {
    const breaker = new MemoryCircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 20 });
    await failTimes(breaker, 1);
    assert.equal(breaker.state, 'open');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await failTimes(breaker, 1);
    assert.equal(breaker.state, 'open', 'a failed trial reopens');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(await breaker.execute(() => 'ok'), 'ok');
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.stats().opens, 2);
  });

  it('opens at once on memory pressure at or above its level, without running the call', async () => {
    const gauge = { used: 10 };
    const limiter = new MemoryLimiter({
      budgetBytes: 100,
      sampleEvery: 1,
      sampleIntervalMs: 0,
      gcTrigger: 'never',
      readUsage: () => gauge.used,
    });
    const breaker = new MemoryCircuitBreaker({
      name: 'spec',
      limiter,
      pressureLevel: 'HIGH',
      resetTimeoutMs: 20,
    });
    assert.equal(await breaker.execute(() => 1), 1);
    gauge.used = 80;
    let ran = false;
    await assert.rejects(
      breaker.execute(() => {
        ran = true;
      }),
      /memory pressure HIGH/,
    );
    assert.equal(ran, false);
    assert.equal(breaker.state, 'open', 'one memory trip opens the circuit');
    await assert.rejects(
      breaker.execute(() => 1),
      (error: unknown) => {
        assert.ok(error instanceof CircuitOpenError);
        assert.match(error.message, /memory pressure HIGH \(80 B of a 100 B budget\)/);
        return true;
      },
    );
    gauge.used = 10;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(await breaker.execute(() => 2), 2, 'pressure gone: the trial call closes it');
    assert.equal(breaker.state, 'closed');
  });

  it('validates its options', () => {
    assert.throws(
      () => new MemoryCircuitBreaker({ failureThreshold: 0 }),
      /failureThreshold must be an integer >= 1/,
    );
    assert.throws(() => new MemoryCircuitBreaker({ resetTimeoutMs: -1 }), /resetTimeoutMs must be >= 0/);
  });
});
