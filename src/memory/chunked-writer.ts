/**
 * ChunkedWriter: large outputs written as a few big chunks instead of many small writes. Each
 * stream.write costs a callback, a queue entry and often a syscall, so small writes are copied into
 * one coalescing buffer that goes out when full; writes of a chunk or more go straight through.
 * It waits for 'drain' whenever the stream says so, so memory stays at one coalescing buffer plus
 * the stream's own buffer however fast the producer is, as long as the producer awaits write().
 * With a pool, when every pooled buffer is with the stream it also waits for one to come back, so
 * the pool's size is a hard bound (a corked stream, which never calls back, then stalls the writer).
 */
import { AbortedError } from '../errors.js';
import type { MemoryLimiter } from './limiter.js';
import { BufferPool } from './pools.js';

/** What the writer needs of a stream; a Node `Writable` (a socket, a file, stdout) has it. */
export interface WritableLike {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  end(callback: (error?: Error | null) => void): unknown;
}

export interface ChunkedWriterOptions {
  /** Writes of this many bytes or more skip the coalescing buffer; 64 KiB by default (or the pool's size). */
  chunkSize?: number;
  /**
   * Where coalescing buffers come from; each goes back once the stream is done with it. By default
   * the writer keeps a small pool of its own, which `npm run bench` shows takes ~10% off the time and
   * some GC pause against a fresh buffer per flush; `false` allocates a fresh buffer per flush.
   */
  pool?: BufferPool | false;
  /** Checked after every chunk handed to the stream. */
  limiter?: MemoryLimiter;
  signal?: AbortSignal;
}

export interface ChunkedWriterStats {
  /** Bytes handed to the stream (bytes still in the coalescing buffer are not counted). */
  bytesWritten: number;
  directWrites: number;
  flushes: number;
  coalescedWrites: number;
  drains: number;
}

/** Something to wait for that a failure or an abort can cut short. */
interface Wait {
  promise: Promise<void>;
  wake: () => void;
}

function newWait(): Wait {
  let wake = (): void => {};
  const promise = new Promise<void>((resolve) => {
    wake = resolve;
  });
  return { promise, wake };
}

const encoder = new TextEncoder();

export class ChunkedWriter {
  readonly chunkSize: number;
  private readonly stream: WritableLike;
  private readonly pool: BufferPool | undefined;
  private readonly limiter: MemoryLimiter | undefined;
  private readonly signal: AbortSignal | undefined;

  private buf: Buffer | undefined;
  private pos = 0;
  // Operations run one at a time, in call order, even when the caller does not await each one.
  private queue: Promise<void> = Promise.resolve();
  private drain: Wait | undefined;
  // Pooled buffers the stream has not called back for yet, and a wait for the next one to return.
  private pooledInFlight = 0;
  private bufferBack: Wait | undefined;
  private failure: Error | undefined;
  private rejectEnd: ((error: Error) => void) | undefined;
  private ended: Promise<void> | undefined;
  private finished = false;
  private counts: ChunkedWriterStats = {
    bytesWritten: 0,
    directWrites: 0,
    flushes: 0,
    coalescedWrites: 0,
    drains: 0,
  };

  constructor(stream: WritableLike, options: ChunkedWriterOptions = {}) {
    const given = options.pool || undefined;
    const chunkSize = options.chunkSize ?? given?.bufferSize ?? 64 * 1024;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(`ChunkedWriter: chunkSize must be a positive integer of bytes, got ${chunkSize}`);
    }
    const pool =
      options.pool === false
        ? undefined
        : (given ?? new BufferPool({ bufferSize: chunkSize, maxBuffers: 4, name: 'chunked-writer' }));
    if (pool && pool.bufferSize < chunkSize) {
      throw new RangeError(
        `ChunkedWriter: the pool '${pool.name}' holds buffers of ${pool.bufferSize} bytes, smaller than ` +
          `chunkSize ${chunkSize}. Use a pool with bufferSize >= chunkSize, or lower chunkSize.`,
      );
    }
    this.stream = stream;
    this.chunkSize = chunkSize;
    this.pool = pool;
    this.limiter = options.limiter;
    this.signal = options.signal;
    stream.once('error', (error) => this.fail(toError(error)));
    stream.once('close', () => {
      if (this.finished) return;
      this.fail(
        codedError(
          'ERR_STREAM_PREMATURE_CLOSE',
          `ChunkedWriter: the output stream closed before end() finished, after ${this.counts.bytesWritten} ` +
            'bytes were written. The reader went away or something destroyed the stream.',
        ),
      );
    });
  }

  /**
   * Writes `data` after everything written before it. Resolves once the data is copied or handed
   * to the stream and the stream has room again. Do not change a Uint8Array after passing it here:
   * large ones go to the stream as they are.
   */
  write(data: string | Uint8Array): Promise<void> {
    if (this.ended) {
      return Promise.reject(
        codedError(
          'ERR_STREAM_WRITE_AFTER_END',
          'ChunkedWriter: write() was called after end(). Make every write() before calling end().',
        ),
      );
    }
    return this.enqueue(() => this.writeNow(data));
  }

  /** Hands whatever is in the coalescing buffer to the stream. */
  flush(): Promise<void> {
    return this.enqueue(async () => {
      await this.ready();
      await this.flushNow();
    });
  }

  /** Flushes, ends the stream, and resolves once the stream has finished. Calling it again is harmless. */
  end(): Promise<void> {
    this.ended ??= this.enqueue(async () => {
      await this.ready();
      await this.flushNow();
      await new Promise<void>((resolve, reject) => {
        this.rejectEnd = reject;
        this.stream.end((error) => {
          if (error) return reject(error);
          this.finished = true;
          resolve();
        });
      });
    });
    return this.ended;
  }

  stats(): ChunkedWriterStats {
    return { ...this.counts };
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op, op);
    this.queue = run;
    return run;
  }

  private async writeNow(data: string | Uint8Array): Promise<void> {
    // Awaiting only when there is something to wait for keeps small writes cheap.
    if (this.drain) await this.ready();
    else this.check();
    if (typeof data === 'string') return this.writeString(data);
    if (data instanceof Uint8Array) return this.writeBytes(data);
    throw new TypeError(`ChunkedWriter: write() takes a string or a Uint8Array, got ${describe(data)}`);
  }

  private async writeString(text: string): Promise<void> {
    if (text.length === 0) return;
    // A string of chunkSize UTF-16 units has at least chunkSize bytes, so it needs no counting.
    const bytes = text.length >= this.chunkSize ? this.chunkSize : Buffer.byteLength(text, 'utf8');
    if (bytes >= this.chunkSize) return this.writeDirect(Buffer.from(text, 'utf8'));
    this.counts.coalescedWrites++;
    const buf = this.buf ?? this.tryTake() ?? (await this.takeReturned());
    if (bytes <= this.chunkSize - this.pos) {
      this.pos += buf.write(text, this.pos, 'utf8');
      if (this.pos === this.chunkSize) await this.flushNow();
      return;
    }
    // It straddles the end: the whole characters that fit stay here, so no chunk ends mid-character.
    const { read, written } = encoder.encodeInto(text, buf.subarray(this.pos, this.chunkSize));
    this.pos += written;
    await this.flushNow();
    // Fewer than chunkSize bytes are left, so they fit in the next buffer.
    const next = this.tryTake() ?? (await this.takeReturned());
    this.pos = next.write(text.slice(read), 0, 'utf8');
  }

  private async writeBytes(data: Uint8Array): Promise<void> {
    const length = data.byteLength;
    if (length === 0) return;
    if (length >= this.chunkSize) return this.writeDirect(data);
    this.counts.coalescedWrites++;
    let from = 0;
    while (from < length) {
      const buf = this.buf ?? this.tryTake() ?? (await this.takeReturned());
      const count = Math.min(length - from, this.chunkSize - this.pos);
      buf.set(count === length ? data : data.subarray(from, from + count), this.pos);
      this.pos += count;
      from += count;
      if (this.pos === this.chunkSize) await this.flushNow();
    }
  }

  private async writeDirect(data: Uint8Array): Promise<void> {
    await this.flushNow();
    this.counts.directWrites++;
    await this.push(data, undefined);
  }

  /** A new coalescing buffer, or undefined when the pool is empty but one of ours is on its way back. */
  private tryTake(): Buffer | undefined {
    let buf: Buffer | undefined;
    if (!this.pool) buf = Buffer.allocUnsafeSlow(this.chunkSize);
    // With none of ours in flight, none will come back to wait for: an empty pool is an error then.
    else buf = this.pooledInFlight === 0 ? this.pool.acquire() : this.pool.tryAcquire();
    if (buf) {
      this.buf = buf;
      this.pos = 0;
    }
    return buf;
  }

  private async takeReturned(): Promise<Buffer> {
    for (;;) {
      this.bufferBack ??= newWait();
      await this.waitFor(this.bufferBack);
      const buf = this.tryTake();
      if (buf) return buf;
    }
  }

  private async flushNow(): Promise<void> {
    const buf = this.buf;
    if (!buf || this.pos === 0) return;
    const chunk = buf.subarray(0, this.pos);
    this.buf = undefined;
    this.pos = 0;
    this.counts.flushes++;
    if (this.pool) this.pooledInFlight++;
    await this.push(chunk, this.pool ? buf : undefined);
  }

  private returnBuffer(buf: Buffer): void {
    this.pool?.release(buf);
    this.pooledInFlight--;
    const back = this.bufferBack;
    this.bufferBack = undefined;
    back?.wake();
  }

  /** Hands `chunk` to the stream; `pooled` goes back to the pool when the stream calls back. */
  private async push(chunk: Uint8Array, pooled: Buffer | undefined): Promise<void> {
    let ok: boolean;
    try {
      ok = this.stream.write(chunk, (error) => {
        // Only now is the stream done with the bytes; releasing earlier would let them be overwritten.
        if (pooled) this.returnBuffer(pooled);
        if (error) this.fail(error);
      });
    } catch (error) {
      // A stream that throws does not call back, so the buffer would never come home.
      if (pooled) this.returnBuffer(pooled);
      throw error;
    }
    this.counts.bytesWritten += chunk.byteLength;
    if (ok) this.check();
    else {
      this.expectDrain();
      await this.ready();
    }
    this.limiter?.ensure(`while writing output (${this.counts.bytesWritten} bytes written)`);
  }

  private expectDrain(): void {
    if (this.drain) return;
    const drain = newWait();
    this.drain = drain;
    this.stream.once('drain', () => {
      this.counts.drains++;
      if (this.drain === drain) this.drain = undefined;
      drain.wake();
    });
  }

  /** Waits for a pending 'drain', then checks for a failure or an abort. */
  private async ready(): Promise<void> {
    if (this.drain) await this.waitFor(this.drain);
    else this.check();
  }

  /** Waits until `wait` is woken, by its event, a stream failure or an abort; then checks for both. */
  private async waitFor(wait: Wait): Promise<void> {
    const signal = this.signal;
    if (!this.failure && !signal?.aborted) {
      signal?.addEventListener('abort', wait.wake, { once: true });
      try {
        await wait.promise;
      } finally {
        signal?.removeEventListener('abort', wait.wake);
      }
    }
    this.check();
  }

  /** Throws the stream's failure, or an AbortedError once the signal has fired. */
  private check(): void {
    if (this.failure) throw this.failure;
    if (this.signal?.aborted) {
      this.discard();
      throw new AbortedError(
        `writing output was cancelled after ${this.counts.bytesWritten} bytes; the stream was left open, so destroy or end it`,
        this.signal.reason,
      );
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.discard();
    this.drain?.wake();
    this.bufferBack?.wake();
    this.rejectEnd?.(error);
  }

  /** Drops the bytes not yet handed over: after a failure or an abort they can never be written. */
  private discard(): void {
    if (this.buf && this.pool) this.pool.release(this.buf);
    this.buf = undefined;
    this.pos = 0;
  }
}

function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`output stream failed: ${String(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
