import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, BatchError, BudgetExceededError } from '../../src/errors.js';
import { processInBatches } from '../../src/memory/batches.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function* numbers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function* slowNumbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    yield i;
  }
}

/** Usage is under budget for the first `okSamples` samples, then over. */
function limiterOverAfter(okSamples: number): MemoryLimiter {
  let samples = 0;
  return new MemoryLimiter({
    budgetBytes: 1000,
    readUsage: () => (samples++ < okSamples ? 10 : 5000),
    collectGarbage: () => {},
    sampleEvery: 1,
    sampleIntervalMs: 0,
  });
}

describe('processInBatches', () => {
  it('slices an array into batches, the last one shorter', async () => {
    const seen: [number[], number][] = [];
    const summary = await processInBatches(range(7), 3, (batch, index) => {
      seen.push([batch, index]);
    });
    assert.deepEqual(seen, [
      [[0, 1, 2], 0],
      [[3, 4, 5], 1],
      [[6], 2],
    ]);
    assert.deepEqual(summary, { batches: 3, items: 7 });
  });

  it('accumulates a sync iterable without awaiting its items', async () => {
    const pending = Promise.resolve('not awaited');
    const seen: unknown[][] = [];
    const summary = await processInBatches(new Set<unknown>([1, pending, 3, 4]), 2, (batch) => {
      seen.push(batch);
    });
    assert.deepEqual(seen, [
      [1, pending],
      [3, 4],
    ]);
    assert.equal(seen[0]?.[1], pending);
    assert.deepEqual(summary, { batches: 2, items: 4 });
  });

  it('runs a generator one batch at a time, never reading ahead', async () => {
    let produced = 0;
    function* counted(): Generator<number> {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }
    const summary = await processInBatches(counted(), 4, async (batch, index) => {
      assert.equal(produced, Math.min(10, (index + 1) * 4), 'only the current batch has been read');
      await new Promise((resolve) => setImmediate(resolve));
      return batch.length;
    });
    assert.deepEqual(summary, { batches: 3, items: 10 });
  });

  it('accepts async generators and awaits each batch before the next', async () => {
    let running = 0;
    const sizes: number[] = [];
    const summary = await processInBatches(slowNumbers(25), 10, async (batch) => {
      running++;
      assert.equal(running, 1, 'batches run one at a time');
      await new Promise((resolve) => setTimeout(resolve, 1));
      sizes.push(batch.length);
      running--;
    });
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.deepEqual(summary, { batches: 3, items: 25 });
  });

  it('does nothing for an empty input', async () => {
    let calls = 0;
    assert.deepEqual(await processInBatches([], 5, () => calls++), { batches: 0, items: 0 });
    assert.deepEqual(await processInBatches(slowNumbers(0), 5, () => calls++), { batches: 0, items: 0 });
    assert.equal(calls, 0);
  });

  it('wraps an error from fn in a BatchError naming the batch and its items', async () => {
    const original = new Error('database unavailable');
    await assert.rejects(
      processInBatches(range(450), 100, (_batch, index) => {
        if (index === 3) throw original;
      }),
      (error: unknown) => {
        assert.ok(error instanceof BatchError);
        assert.equal(error.message, 'batch 3 (items 300-399) failed: database unavailable');
        assert.equal(error.batchIndex, 3);
        assert.equal(error.code, 'HR_BATCH_FAILED');
        assert.equal(error.cause, original);
        return true;
      },
    );
  });

  it('names the short last batch and wraps rejections and non-Error throws too', async () => {
    await assert.rejects(
      processInBatches(numbers(450), 100, async (_batch, index) => {
        if (index === 4) throw 'plain string';
      }),
      { name: 'BatchError', message: 'batch 4 (items 400-449) failed: plain string' },
    );
  });

  it('stops the source when a batch fails', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<number> {
      try {
        yield* slowNumbers(100);
      } finally {
        closed = true;
      }
    }
    await assert.rejects(
      processInBatches(source(), 10, () => {
        throw new Error('stop');
      }),
      BatchError,
    );
    assert.equal(closed, true);
  });

  it('rejects with BudgetExceededError naming the batch when the limiter is over budget', async () => {
    const done: number[] = [];
    await assert.rejects(
      processInBatches(range(50), 10, (_batch, index) => done.push(index), { limiter: limiterOverAfter(2) }),
      (error: unknown) => {
        assert.ok(error instanceof BudgetExceededError);
        assert.match(error.message, /^memory budget exceeded before batch 2 \(items 20-29\):/);
        return true;
      },
    );
    assert.deepEqual(done, [0, 1]);
  });

  it('checks the limiter before the first batch too', async () => {
    await assert.rejects(
      processInBatches(numbers(5), 10, () => assert.fail('must not run'), { limiter: limiterOverAfter(0) }),
      { name: 'BudgetExceededError', message: /before batch 0 \(items 0-4\)/ },
    );
  });

  it('stops between batches with AbortedError when the signal fires', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    await assert.rejects(
      processInBatches(
        slowNumbers(100),
        10,
        (_batch, index) => {
          done.push(index);
          if (index === 1) controller.abort(new Error('user cancelled'));
        },
        { signal: controller.signal },
      ),
      (error: unknown) => {
        assert.ok(error instanceof AbortedError);
        assert.equal(
          error.message,
          'processInBatches was cancelled before batch 2 (items 20-29), after 2 batches (20 items)',
        );
        assert.equal((error.cause as Error).message, 'user cancelled');
        return true;
      },
    );
    assert.deepEqual(done, [0, 1]);
  });

  it('runs nothing when the signal has already fired', async () => {
    await assert.rejects(
      processInBatches(range(3), 2, () => assert.fail('must not run'), { signal: AbortSignal.abort() }),
      AbortedError,
    );
  });

  it('rejects a batch size that is not a positive integer, and input that is not iterable', async () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        processInBatches([1], size, () => {}),
        {
          name: 'RangeError',
          message: `processInBatches: batchSize must be a positive integer, got ${size}`,
        },
      );
    }
    await assert.rejects(
      processInBatches(42 as unknown as number[], 1, () => {}),
      {
        name: 'TypeError',
        message: /items must be an array, an iterable or an async iterable, got number/,
      },
    );
  });
});
