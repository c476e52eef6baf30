import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { PoolExhaustedError } from '../../src/errors.js';
import { BufferPool, ObjectPool } from '../../src/memory/pools.js';

describe('BufferPool', () => {
  it('counts misses for new buffers and hits for reused ones', () => {
    const pool = new BufferPool({ bufferSize: 1024, maxBuffers: 4 });
    const a = pool.acquire();
    const b = pool.acquire();
    assert.equal(a.length, 1024);
    assert.notEqual(a, b);
    pool.release(a);
    const again = pool.acquire();
    assert.equal(again, a, 'the most recently released buffer is reused');
    assert.deepEqual(pool.stats(), {
      hits: 1,
      misses: 2,
      inUse: 2,
      free: 0,
      highWater: 2,
      exhaustions: 0,
      created: 2,
      bytesHeld: 2048,
    });
  });

  it('allocates buffers of their own, not slices of the shared pool', () => {
    const pool = new BufferPool({ bufferSize: 100 });
    const buf = pool.acquire();
    assert.equal(buf.byteOffset, 0);
    assert.equal(buf.buffer.byteLength, 100);
  });

  it('keeps the high-water mark of buffers in use and bytes held', () => {
    const pool = new BufferPool({ bufferSize: 10, maxBuffers: 8 });
    const held = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const buf of held) pool.release(buf);
    pool.acquire();
    const stats = pool.stats();
    assert.equal(stats.highWater, 3);
    assert.equal(stats.inUse, 1);
    assert.equal(stats.free, 2);
    assert.equal(stats.bytesHeld, 30);
  });

  it('throws PoolExhaustedError naming the pool, the limit and the fix when all buffers are in use', () => {
    const pool = new BufferPool({ bufferSize: 1024, maxBuffers: 2, name: 'output' });
    pool.acquire();
    pool.acquire();
    assert.throws(
      () => pool.acquire(),
      (error: unknown) => {
        assert.ok(error instanceof PoolExhaustedError);
        assert.equal(error.code, 'HR_POOL_EXHAUSTED');
        assert.match(error.message, /buffer pool 'output' is exhausted/);
        assert.match(error.message, /all 2 buffers of 1 KiB/);
        assert.match(error.message, /maxBuffers 2/);
        assert.match(error.message, /release\(\)/);
        return true;
      },
    );
    assert.equal(pool.stats().exhaustions, 1);
  });

  it('tryAcquire returns undefined when exhausted and still counts it', () => {
    const pool = new BufferPool({ bufferSize: 8, maxBuffers: 1 });
    const buf = pool.tryAcquire();
    assert.ok(buf);
    assert.equal(pool.tryAcquire(), undefined);
    assert.equal(pool.stats().exhaustions, 1);
    pool.release(buf);
    assert.equal(pool.tryAcquire(), buf);
  });

  it('rejects a buffer it did not create, including a slice of its own', () => {
    const pool = new BufferPool({ bufferSize: 16 });
    const other = new BufferPool({ bufferSize: 16 });
    const mine = pool.acquire();
    assert.throws(() => pool.release(Buffer.alloc(16)), { name: 'TypeError', message: /did not create/ });
    assert.throws(() => pool.release(other.acquire()), TypeError);
    assert.throws(() => pool.release(mine.subarray(0, 8)), {
      name: 'TypeError',
      message: /not a copy or a slice/,
    });
    assert.equal(pool.stats().inUse, 1, 'a rejected release changes nothing');
  });

  it('rejects a buffer released twice', () => {
    const pool = new BufferPool({ bufferSize: 16 });
    const buf = pool.acquire();
    pool.release(buf);
    assert.throws(() => pool.release(buf), { name: 'RangeError', message: /released twice/ });
    assert.deepEqual([pool.stats().inUse, pool.stats().free], [0, 1]);
  });

  it('trim drops free buffers down to keep, the longest unused first', () => {
    const pool = new BufferPool({ bufferSize: 4, maxBuffers: 8 });
    const [a, b, c] = [pool.acquire(), pool.acquire(), pool.acquire()];
    pool.release(a);
    pool.release(b);
    pool.release(c);
    assert.equal(pool.trim(1), 2);
    assert.equal(pool.stats().free, 1);
    assert.equal(pool.stats().bytesHeld, 4);
    assert.equal(pool.acquire(), c, 'the most recently used one is kept');
    assert.equal(pool.trim(), 0);
    assert.throws(() => pool.trim(-1), RangeError);
    assert.throws(() => pool.trim(1.5), RangeError);
  });

  it('a trimmed buffer released again is reported as a double release', () => {
    const pool = new BufferPool({ bufferSize: 4 });
    const buf = pool.acquire();
    pool.release(buf);
    pool.trim();
    assert.throws(() => pool.release(buf), RangeError);
  });

  it('clear drops free buffers and resets the counters, and buffers in use can still come back', () => {
    const pool = new BufferPool({ bufferSize: 4 });
    const kept = pool.acquire();
    pool.release(pool.acquire());
    pool.clear();
    assert.deepEqual(pool.stats(), {
      hits: 0,
      misses: 0,
      inUse: 1,
      free: 0,
      highWater: 1,
      exhaustions: 0,
      created: 0,
      bytesHeld: 4,
    });
    pool.release(kept);
    assert.equal(pool.stats().free, 1);
  });

  it('validates its options', () => {
    assert.throws(() => new BufferPool({ bufferSize: 0 }), {
      name: 'RangeError',
      message: /pooling\.bufferSize/,
    });
    assert.throws(() => new BufferPool({ bufferSize: 1.5 }), RangeError);
    assert.throws(() => new BufferPool({ maxBuffers: 0 }), { name: 'RangeError', message: /maxBuffers/ });
  });
});

describe('pool cleanup', () => {
  it('trimIdle drops only the free buffers unused since the previous call', () => {
    const pool = new BufferPool({ bufferSize: 4, maxBuffers: 8 });
    const bufs = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const buf of bufs) pool.release(buf);
    pool.trimIdle(); // starts the first interval: nothing was free before
    assert.equal(pool.stats().free, 3);
    pool.release(pool.acquire()); // one buffer is busy during this interval
    assert.equal(pool.trimIdle(), 2);
    assert.equal(pool.stats().free, 1);
    assert.equal(pool.trimIdle(), 1, 'unused for a whole interval, the last one goes too');
    assert.equal(pool.stats().free, 0);
  });

  it('startCleanup trims idle items on a timer, and close() stops it', async () => {
    const pool = new ObjectPool({ create: () => ({}), name: 'timed' });
    const objs = [pool.acquire(), pool.acquire()];
    for (const obj of objs) pool.release(obj);
    pool.startCleanup(10);
    await delay(40);
    assert.equal(pool.stats().free, 0);
    pool.close();
    pool.release(pool.acquire());
    await delay(40);
    assert.equal(pool.stats().free, 1, 'no trimming after close()');
  });

  it('the cleanup timer does not keep the process alive', () => {
    // Never closed on purpose: if the timer were ref'd, this test file would not exit.
    new BufferPool({ bufferSize: 4 }).startCleanup(1000);
  });

  it('startCleanup rejects an interval that is not positive', () => {
    const pool = new BufferPool();
    assert.throws(() => pool.startCleanup(0), { name: 'RangeError', message: /pooling\.cleanupInterval/ });
    assert.throws(() => pool.startCleanup(Number.NaN), RangeError);
  });
});

describe('ObjectPool', () => {
  interface Row {
    id: number;
    tags: string[];
  }
  const rows = (maxSize?: number) =>
    new ObjectPool<Row>({
      name: 'rows',
      create: () => ({ id: 0, tags: [] }),
      reset: (row) => {
        row.id = 0;
        row.tags.length = 0;
      },
      ...(maxSize === undefined ? {} : { maxSize }),
    });

  it('reuses released objects after resetting them', () => {
    const pool = rows();
    const row = pool.acquire();
    row.id = 7;
    row.tags.push('a');
    pool.release(row);
    const again = pool.acquire();
    assert.equal(again, row);
    assert.deepEqual(again, { id: 0, tags: [] });
    assert.deepEqual(pool.stats(), {
      hits: 1,
      misses: 1,
      inUse: 1,
      free: 0,
      highWater: 1,
      exhaustions: 0,
      created: 1,
    });
  });

  it('throws PoolExhaustedError naming the setting to raise', () => {
    const pool = rows(2);
    pool.acquire();
    pool.acquire();
    assert.throws(
      () => pool.acquire(),
      (error: unknown) => {
        assert.ok(error instanceof PoolExhaustedError);
        assert.match(
          error.message,
          /object pool 'rows' is exhausted: all 2 objects are in use \(maxSize 2\)/,
        );
        assert.match(error.message, /pooling\.maxPoolSize \(HEADROOM_POOLING_MAX_POOL_SIZE\)/);
        return true;
      },
    );
    assert.equal(pool.tryAcquire(), undefined);
    assert.equal(pool.stats().exhaustions, 2);
  });

  it('rejects foreign objects and double releases', () => {
    const pool = rows();
    assert.throws(() => pool.release({ id: 1, tags: [] }), {
      name: 'TypeError',
      message: /object pool 'rows'/,
    });
    const row = pool.acquire();
    pool.release(row);
    assert.throws(() => pool.release(row), { name: 'RangeError', message: /released twice/ });
  });

  it('drops an object whose reset throws', () => {
    const pool = new ObjectPool<{ ok: boolean }>({
      create: () => ({ ok: true }),
      reset: () => {
        throw new Error('cannot reset');
      },
    });
    const obj = pool.acquire();
    assert.throws(() => pool.release(obj), /cannot reset/);
    assert.deepEqual([pool.stats().inUse, pool.stats().free], [0, 0]);
    assert.throws(() => pool.release(obj), RangeError);
  });

  it('trims and clears like the buffer pool', () => {
    const pool = rows();
    const all = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const row of all) pool.release(row);
    assert.equal(pool.trim(2), 1);
    pool.clear();
    assert.equal(pool.stats().free, 0);
  });

  it('validates its options and what create() returns', () => {
    assert.throws(() => new ObjectPool({ create: () => ({}), maxSize: 0 }), {
      name: 'RangeError',
      message: /pooling\.maxPoolSize/,
    });
    assert.throws(() => new ObjectPool({} as never), {
      name: 'TypeError',
      message: /create must be a function/,
    });
    const bad = new ObjectPool({ create: () => null as unknown as object });
    assert.throws(() => bad.acquire(), {
      name: 'TypeError',
      message: /create\(\) must return an object, got null/,
    });
    assert.equal(bad.stats().created, 0);
    assert.equal(bad.stats().inUse, 0);
  });
});
