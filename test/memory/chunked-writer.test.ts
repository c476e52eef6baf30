import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { AbortedError, BudgetExceededError, PoolExhaustedError } from '../../src/errors.js';
import { ChunkedWriter } from '../../src/memory/chunked-writer.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';
import { BufferPool } from '../../src/memory/pools.js';

interface SinkOptions {
  highWaterMark?: number;
  /** Milliseconds before the write callback; the bytes are copied only then. */
  delayMs?: number;
  fail?: (chunkIndex: number) => Error | undefined;
}

/** A Writable that keeps a copy of every chunk, taken when it calls back, as a socket would send it. */
function sink(options: SinkOptions = {}) {
  const chunks: Buffer[] = [];
  let maxBuffered = 0;
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
      const finish = () => {
        const error = options.fail?.(chunks.length);
        if (error) return callback(error);
        chunks.push(Buffer.from(chunk));
        callback();
      };
      if (options.delayMs === undefined) finish();
      else setTimeout(finish, options.delayMs);
    },
  });
  return {
    stream,
    chunks,
    bytes: () => Buffer.concat(chunks),
    maxBuffered: () => maxBuffered,
  };
}

/** Deterministic pseudo-random sizes, so a failure can be reproduced. */
function random(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

function overBudget(): MemoryLimiter {
  return new MemoryLimiter({
    budgetBytes: 1000,
    readUsage: () => 5000,
    collectGarbage: () => {},
    sampleIntervalMs: 0,
  });
}

describe('ChunkedWriter', () => {
  it('keeps the order of mixed small and large writes of strings and bytes', async () => {
    const out = sink();
    const pool = new BufferPool({ bufferSize: 256, maxBuffers: 4 });
    const writer = new ChunkedWriter(out.stream, { pool });
    const next = random(42);
    const expected: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const size = next(4) === 0 ? 256 + next(600) : 1 + next(200);
      if (i % 2 === 0) {
        const text = String.fromCharCode(97 + (i % 26)).repeat(size);
        expected.push(Buffer.from(text));
        await writer.write(text);
      } else {
        const bytes = Buffer.alloc(size, i % 256);
        expected.push(bytes);
        await writer.write(bytes);
      }
    }
    await writer.end();
    assert.deepEqual(out.bytes(), Buffer.concat(expected));
    const stats = writer.stats();
    assert.equal(stats.bytesWritten, Buffer.concat(expected).length);
    assert.ok(stats.directWrites > 0 && stats.coalescedWrites > 0 && stats.flushes > 0);
    assert.equal(stats.directWrites + stats.coalescedWrites, 400);
    assert.ok(
      out.chunks.every((chunk) => chunk.length <= 256 || expected.some((e) => e.equals(chunk))),
      'only direct writes exceed the chunk size',
    );
  });

  it('keeps order when the caller does not await each write', async () => {
    const out = sink({ highWaterMark: 1, delayMs: 1 });
    const writer = new ChunkedWriter(out.stream, { chunkSize: 8 });
    const parts = ['ab', 'cdefghijkl', 'm', Buffer.from('nopqrstuvwxyz'), 'é', '0123456789'];
    await Promise.all([...parts.map((part) => writer.write(part)), writer.end()]);
    assert.equal(out.bytes().toString(), parts.join(''));
  });

  it('sends whole characters in every chunk when multi-byte strings straddle the buffer end', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream, { chunkSize: 64 });
    const next = random(7);
    const pieces = ['€', '😀', 'é', 'a', '中文', '👩‍👩‍👧'];
    let all = '';
    for (let i = 0; i < 2000; i++) {
      const text = (pieces[next(pieces.length)] ?? '').repeat(1 + next(12));
      all += text;
      await writer.write(text);
    }
    await writer.end();
    assert.equal(out.bytes().toString('utf8'), all);
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const chunk of out.chunks)
      assert.doesNotThrow(() => strict.decode(chunk), 'a chunk ends inside a character');
    assert.ok(out.chunks.length > 100);
  });

  it('writes a string of chunkSize bytes or more straight through, even when it has fewer UTF-16 units', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream, { chunkSize: 30 });
    await writer.write('ab');
    await writer.write('€'.repeat(10)); // 10 units, 30 bytes
    await writer.end();
    assert.deepEqual(
      out.chunks.map((chunk) => chunk.toString()),
      ['ab', '€'.repeat(10)],
    );
    assert.equal(writer.stats().directWrites, 1);
  });

  it('does not resolve a write before the stream drains', async () => {
    const out = sink({ highWaterMark: 1, delayMs: 20 });
    const writer = new ChunkedWriter(out.stream, { chunkSize: 16 });
    let resolved = false;
    const pending = writer.write(Buffer.alloc(32, 1)).then(() => {
      resolved = true;
      assert.equal(out.stream.writableNeedDrain, false, 'resolved while the stream still wanted a drain');
    });
    await delay(5);
    assert.equal(resolved, false);
    await pending;
    assert.equal(writer.stats().drains, 1);
  });

  it('holds at most one coalescing buffer plus what the stream holds, however fast the producer', async () => {
    const out = sink({ highWaterMark: 1, delayMs: 1 });
    // Room for eight, but waiting for each drain means one buffer in the stream and one filling.
    const pool = new BufferPool({ bufferSize: 64, maxBuffers: 8 });
    const writer = new ChunkedWriter(out.stream, { pool });
    const next = random(3);
    let expected = '';
    for (let i = 0; i < 300; i++) {
      const text = 'x€'.repeat(1 + next(20));
      expected += text;
      await writer.write(text);
      assert.equal(out.stream.writableNeedDrain, false);
      if (i % 50 === 49)
        await writer.write(Buffer.alloc(100, 0x41)).then(() => (expected += 'A'.repeat(100)));
    }
    await writer.end();
    assert.equal(out.bytes().toString(), expected);
    assert.ok(pool.stats().highWater <= 2, `${pool.stats().highWater} buffers in use at once`);
    assert.equal(pool.stats().exhaustions, 0);
    assert.ok(out.maxBuffered() <= 100, `the stream buffered ${out.maxBuffered()} bytes`);
    assert.ok(writer.stats().drains > 10);
  });

  it('returns each pooled buffer only after the stream has called back', async () => {
    const out = sink({ highWaterMark: 1024 * 1024, delayMs: 10 });
    const pool = new BufferPool({ bufferSize: 32, maxBuffers: 8 });
    const writer = new ChunkedWriter(out.stream, { pool });
    const first = 'a'.repeat(20);
    const second = 'b'.repeat(20);
    await writer.write(first);
    await writer.write(second); // fills the buffer, which goes to the stream; the stream has room
    assert.equal(pool.stats().inUse, 2, 'the stream still holds the first buffer, the writer has the second');
    assert.equal(pool.stats().hits, 0);
    await writer.end();
    assert.equal(
      out.bytes().toString(),
      first + second,
      'no buffer was overwritten while the stream held it',
    );
    assert.deepEqual([pool.stats().inUse, pool.stats().free], [0, 2]);
  });

  it('reuses pooled buffers across flushes', async () => {
    const out = sink();
    const pool = new BufferPool({ bufferSize: 100, maxBuffers: 4 });
    const writer = new ChunkedWriter(out.stream, { pool });
    for (let i = 0; i < 1000; i++) await writer.write('0123456789');
    await writer.end();
    assert.equal(writer.stats().flushes, 100);
    assert.ok(pool.stats().misses <= 4, `allocated ${pool.stats().misses} buffers for 100 flushes`);
    assert.ok(pool.stats().hits >= 96);
    assert.equal(pool.stats().inUse, 0);
  });

  it('waits for its own buffers to come back when the stream holds the whole pool', async () => {
    // A high-water mark far above the pool: the stream never asks for a drain, so only the pool bounds memory.
    const out = sink({ highWaterMark: 1024 * 1024, delayMs: 2 });
    const pool = new BufferPool({ bufferSize: 16, maxBuffers: 3 });
    const writer = new ChunkedWriter(out.stream, { pool });
    let expected = '';
    for (let i = 0; i < 100; i++) {
      const text = `line ${i}\n`;
      expected += text;
      await writer.write(text);
    }
    await writer.end();
    assert.equal(out.bytes().toString(), expected);
    assert.equal(pool.stats().highWater, 3);
    assert.ok(pool.stats().exhaustions > 0, 'the writer ran into the limit and waited');
    assert.equal(writer.stats().drains, 0);
  });

  it('an abort ends a wait for a pooled buffer that never comes back', async () => {
    const stream = new Writable({ highWaterMark: 1024, write() {} }); // never calls back
    const pool = new BufferPool({ bufferSize: 4, maxBuffers: 1 });
    const controller = new AbortController();
    const writer = new ChunkedWriter(stream, { pool, signal: controller.signal });
    await writer.write('abc');
    const pending = writer.write('de'); // 'd' fills the only buffer, which goes to the stream; 'e' must wait
    await delay(1);
    assert.equal(pool.stats().exhaustions, 1);
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(pending, AbortedError);
  });

  it('flush() hands over what is buffered', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream, { chunkSize: 1024 });
    await writer.write('hello');
    assert.equal(out.chunks.length, 0);
    await writer.flush();
    assert.deepEqual(out.chunks.map(String), ['hello']);
    await writer.flush();
    assert.equal(writer.stats().flushes, 1, 'nothing to flush the second time');
    await writer.end();
  });

  it('rejects with BudgetExceededError naming the bytes written when the limiter is over budget', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream, { chunkSize: 16, limiter: overBudget() });
    await writer.write('small'); // only buffered: no check yet
    await assert.rejects(writer.write(Buffer.alloc(16)), (error: unknown) => {
      assert.ok(error instanceof BudgetExceededError);
      assert.match(error.message, /memory budget exceeded while writing output \(5 bytes written\)/);
      return true;
    });
    assert.equal(out.bytes().toString(), 'small', 'the check stopped the large write');
  });

  it('rejects with AbortedError once the signal fires, and drops the buffered bytes', async () => {
    const out = sink();
    const controller = new AbortController();
    const pool = new BufferPool({ bufferSize: 64 });
    const writer = new ChunkedWriter(out.stream, { pool, signal: controller.signal });
    await writer.write('kept back');
    controller.abort(new Error('client went away'));
    await assert.rejects(writer.write('more'), (error: unknown) => {
      assert.ok(error instanceof AbortedError);
      assert.match(error.message, /writing output was cancelled after 0 bytes/);
      assert.equal((error.cause as Error).message, 'client went away');
      return true;
    });
    await assert.rejects(writer.end(), AbortedError);
    assert.equal(pool.stats().inUse, 0, 'the coalescing buffer went back to the pool');
  });

  it('an abort ends a wait for a drain that never comes', async () => {
    const stream = new Writable({ highWaterMark: 1, write() {} }); // never calls back
    const controller = new AbortController();
    const writer = new ChunkedWriter(stream, { chunkSize: 4, signal: controller.signal });
    const pending = writer.write('12345678');
    setTimeout(() => controller.abort(), 5);
    await assert.rejects(pending, AbortedError);
  });

  it('rejects write() after end() with a clear error', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream);
    await writer.write('done');
    const ended = writer.end();
    assert.equal(writer.end(), ended, 'end() twice is the same promise');
    await assert.rejects(writer.write('late'), {
      code: 'ERR_STREAM_WRITE_AFTER_END',
      message: /write\(\) was called after end\(\)/,
    });
    await ended;
    assert.equal(out.bytes().toString(), 'done');
  });

  it('rejects the pending write and every later one when the stream fails', async () => {
    const failure = new Error('disk full');
    const out = sink({ highWaterMark: 1, delayMs: 2, fail: (index) => (index === 1 ? failure : undefined) });
    const pool = new BufferPool({ bufferSize: 8 });
    const writer = new ChunkedWriter(out.stream, { pool });
    await writer.write('12345678'); // chunk 0 goes through
    await assert.rejects(writer.write('abcdefgh'), failure); // chunk 1 fails while the write waits for a drain
    await assert.rejects(writer.write('x'), failure);
    await assert.rejects(writer.end(), failure);
    assert.equal(pool.stats().inUse, 0);
  });

  it('a stream failure after the write resolved rejects the next write', async () => {
    const failure = new Error('EPIPE');
    const out = sink({ delayMs: 1, fail: () => failure });
    const writer = new ChunkedWriter(out.stream, { chunkSize: 4 });
    await writer.write('abcd'); // the stream has room, so this resolves before the callback fails
    await delay(10);
    await assert.rejects(writer.write('e'), failure);
  });

  it('rejects when the stream closes before end()', async () => {
    const out = sink();
    const writer = new ChunkedWriter(out.stream);
    out.stream.destroy();
    await delay(1);
    await assert.rejects(writer.write('x'), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
      message: /closed before end/,
    });
  });

  it('propagates pool exhaustion when the pool is shared and empty', async () => {
    const pool = new BufferPool({ bufferSize: 8, maxBuffers: 1 });
    const held = pool.acquire();
    const writer = new ChunkedWriter(sink().stream, { pool });
    await assert.rejects(writer.write('x'), PoolExhaustedError);
    pool.release(held);
    await writer.write('y');
    await writer.end();
  });

  it('validates its options and what it is given', async () => {
    const { stream } = sink();
    assert.throws(() => new ChunkedWriter(stream, { chunkSize: 0 }), RangeError);
    assert.throws(
      () => new ChunkedWriter(stream, { chunkSize: 128, pool: new BufferPool({ bufferSize: 64 }) }),
      {
        name: 'RangeError',
        message: /bufferSize >= chunkSize/,
      },
    );
    assert.equal(new ChunkedWriter(stream, { pool: new BufferPool({ bufferSize: 100 }) }).chunkSize, 100);
    const writer = new ChunkedWriter(stream);
    await assert.rejects(writer.write(42 as unknown as string), { name: 'TypeError', message: /got number/ });
    await writer.write(''); // nothing to do, and the writer still works
    await writer.end();
  });
});
