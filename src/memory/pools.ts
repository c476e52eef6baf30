/**
 * Bounded pools for Buffers and for objects. A hot path that releases what it acquired reuses it
 * instead of allocating, and a pool never grows past its limit: a leak (acquire without release)
 * ends in a PoolExhaustedError that says so, rather than in memory that keeps growing.
 */
import { constants as bufferConstants } from 'node:buffer';
import { PoolExhaustedError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';

export interface PoolStats {
  /** Acquires served from the free list. */
  hits: number;
  /** Acquires that had to create a new item. */
  misses: number;
  inUse: number;
  free: number;
  /** The most items in use at once. */
  highWater: number;
  /** Acquires refused because every item was in use. */
  exhaustions: number;
  /** Items created over the pool's life; equal to `misses` unless a factory threw. */
  created: number;
}

export interface BufferPoolStats extends PoolStats {
  /** Bytes of the buffers the pool owns, free and in use. */
  bytesHeld: number;
}

interface PoolSpec<T> {
  name: string;
  max: number;
  create: () => T;
  reset?: ((item: T) => void) | undefined;
  /** Words for errors: `buffer` or `object`. */
  noun: string;
  exhausted: () => string;
}

/** The bookkeeping both pools share; the subclasses only say what an item is and how to word errors. */
class BoundedPool<T extends object> {
  readonly name: string;
  private readonly spec: PoolSpec<T>;
  // A stack: acquire takes from the end, so the items at the start are the ones unused the longest.
  private readonly freeItems: T[] = [];
  // Every item the pool created, true while lent out. Weak, so a dropped item is not kept alive; one
  // map rather than two WeakSets because set() is several times cheaper than WeakSet add + delete.
  private readonly lent = new WeakMap<T, boolean>();
  private inUse = 0;
  private counts = { hits: 0, misses: 0, highWater: 0, exhaustions: 0, created: 0 };
  // The fewest free items since the last trimIdle(): that many at the start of the stack went unused.
  private lowFree = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(spec: PoolSpec<T>) {
    this.spec = spec;
    this.name = spec.name;
  }

  /** An item from the pool; throws PoolExhaustedError when all of them are in use. */
  acquire(): T {
    const item = this.tryAcquire();
    if (item === undefined) throw new PoolExhaustedError(this.spec.exhausted());
    return item;
  }

  /** Like `acquire()`, but undefined instead of throwing when the pool is exhausted. */
  tryAcquire(): T | undefined {
    let item = this.freeItems.pop();
    if (item !== undefined) {
      this.counts.hits++;
      if (this.freeItems.length < this.lowFree) this.lowFree = this.freeItems.length;
    } else if (this.inUse >= this.spec.max) {
      this.counts.exhaustions++;
      return undefined;
    } else {
      this.counts.misses++;
      item = this.spec.create();
      this.counts.created++;
    }
    this.lent.set(item, true);
    if (++this.inUse > this.counts.highWater) this.counts.highWater = this.inUse;
    return item;
  }

  /** Gives an item back. Only items this pool lent out are accepted, and each only once. */
  release(item: T): void {
    const lent = this.lent.get(item);
    if (lent === undefined) {
      throw new TypeError(
        `${this.describe()}: release() was given a ${this.spec.noun} this pool did not create. ` +
          `Release each ${this.spec.noun} to the pool it was acquired from, and pass the ${this.spec.noun} ` +
          'acquire() returned, not a copy or a slice of it.',
      );
    }
    if (!lent) {
      throw new RangeError(
        `${this.describe()}: this ${this.spec.noun} was released twice. Release it once, and stop using ` +
          'it after release(): the pool may already have lent it to someone else.',
      );
    }
    this.lent.set(item, false);
    this.inUse--;
    // A reset that throws leaves the item in an unknown state, so it is dropped rather than reused.
    this.spec.reset?.(item);
    this.freeItems.push(item);
  }

  /** Drops free items, oldest first, until at most `keep` remain; returns how many were dropped. */
  trim(keep = 0): number {
    if (!Number.isInteger(keep) || keep < 0) {
      throw new RangeError(`${this.describe()}: trim(keep) needs a non-negative integer, got ${keep}`);
    }
    const drop = Math.max(0, this.freeItems.length - keep);
    this.freeItems.splice(0, drop);
    if (this.freeItems.length < this.lowFree) this.lowFree = this.freeItems.length;
    return drop;
  }

  /** Drops the free items that stayed unused since the previous call; returns how many. */
  trimIdle(): number {
    const drop = Math.min(this.lowFree, this.freeItems.length);
    this.freeItems.splice(0, drop);
    this.lowFree = this.freeItems.length;
    return drop;
  }

  /** Calls `trimIdle()` every `intervalMs`, so a burst's items go once the burst is over. */
  startCleanup(intervalMs: number): void {
    if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
      throw new RangeError(
        `${this.describe()}: startCleanup(intervalMs) needs a positive number of milliseconds, got ${intervalMs}. ` +
          'Set pooling.cleanupInterval (HEADROOM_POOLING_CLEANUP_INTERVAL) to a positive number of seconds.',
      );
    }
    this.close();
    this.lowFree = this.freeItems.length;
    this.timer = setInterval(() => this.trimIdle(), intervalMs);
    // Cleanup is housekeeping: it must not keep the process alive.
    this.timer.unref();
  }

  /** Stops the cleanup timer; the pool keeps working. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Drops every free item and starts the counters afresh; items in use can still be released. */
  clear(): void {
    this.freeItems.length = 0;
    this.lowFree = 0;
    this.counts = { hits: 0, misses: 0, highWater: this.inUse, exhaustions: 0, created: 0 };
  }

  stats(): PoolStats {
    return { ...this.counts, inUse: this.inUse, free: this.freeItems.length };
  }

  private describe(): string {
    return `${this.spec.noun} pool '${this.name}'`;
  }
}

export interface BufferPoolOptions {
  /** Bytes in each buffer; 64 KiB by default. */
  bufferSize?: number;
  /** The most buffers in existence at once, free and in use; 64 by default. */
  maxBuffers?: number;
  name?: string;
}

/**
 * Fixed-size Buffers, each allocated on its own (`Buffer.allocUnsafeSlow`) rather than sliced from
 * Node's shared 8 KiB pool, so a pooled buffer never pins memory that belongs to other Buffers.
 * Contents are not cleared between uses.
 */
export class BufferPool extends BoundedPool<Buffer> {
  readonly bufferSize: number;
  readonly maxBuffers: number;

  constructor(options: BufferPoolOptions = {}) {
    const name = options.name ?? 'buffers';
    const bufferSize = options.bufferSize ?? 64 * 1024;
    const maxBuffers = options.maxBuffers ?? 64;
    if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > bufferConstants.MAX_LENGTH) {
      throw new RangeError(
        `buffer pool '${name}': bufferSize must be an integer from 1 to ${bufferConstants.MAX_LENGTH} bytes, got ${bufferSize}. ` +
          'Set pooling.bufferSize (HEADROOM_POOLING_BUFFER_SIZE) to a size such as 64KiB.',
      );
    }
    if (!Number.isInteger(maxBuffers) || maxBuffers < 1) {
      throw new RangeError(`buffer pool '${name}': maxBuffers must be a positive integer, got ${maxBuffers}`);
    }
    super({
      name,
      max: maxBuffers,
      noun: 'buffer',
      create: () => Buffer.allocUnsafeSlow(bufferSize),
      exhausted: () =>
        `buffer pool '${name}' is exhausted: all ${maxBuffers} buffers of ${formatBytes(bufferSize)} ` +
        `(${formatBytes(maxBuffers * bufferSize)}) are in use (maxBuffers ${maxBuffers}). Check that every ` +
        'acquire() is matched by a release(), or raise maxBuffers for this pool.',
    });
    this.bufferSize = bufferSize;
    this.maxBuffers = maxBuffers;
  }

  override stats(): BufferPoolStats {
    const stats = super.stats();
    return { ...stats, bytesHeld: (stats.inUse + stats.free) * this.bufferSize };
  }
}

export interface ObjectPoolOptions<T> {
  create: () => T;
  /** Makes a released object ready for its next user, e.g. by emptying its arrays. */
  reset?: (obj: T) => void;
  /** The most objects in existence at once, free and in use; 1000 by default. */
  maxSize?: number;
  name?: string;
}

/** Reusable objects of one shape; `reset` runs on release so no state leaks to the next user. */
export class ObjectPool<T extends object> extends BoundedPool<T> {
  readonly maxSize: number;

  constructor(options: ObjectPoolOptions<T>) {
    const name = options.name ?? 'objects';
    const maxSize = options.maxSize ?? 1000;
    if (typeof options.create !== 'function') {
      throw new TypeError(
        `object pool '${name}': options.create must be a function that returns a new object`,
      );
    }
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      throw new RangeError(
        `object pool '${name}': maxSize must be a positive integer, got ${maxSize}. ` +
          'Set pooling.maxPoolSize (HEADROOM_POOLING_MAX_POOL_SIZE) to a positive integer.',
      );
    }
    const create = options.create;
    super({
      name,
      max: maxSize,
      noun: 'object',
      create: () => {
        const obj = create();
        if (typeof obj !== 'object' || obj === null) {
          throw new TypeError(
            `object pool '${name}': create() must return an object, got ${obj === null ? 'null' : typeof obj}`,
          );
        }
        return obj;
      },
      reset: options.reset,
      exhausted: () =>
        `object pool '${name}' is exhausted: all ${maxSize} objects are in use (maxSize ${maxSize}). ` +
        'Check that every acquire() is matched by a release(), or raise pooling.maxPoolSize ' +
        '(HEADROOM_POOLING_MAX_POOL_SIZE).',
    });
    this.maxSize = maxSize;
  }
}
