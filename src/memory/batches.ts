/**
 * processInBatches: runs `fn` over fixed-size batches of any array or (async) iterable, one batch at
 * a time, so memory holds one batch whatever the input size. Before each batch it checks the
 * AbortSignal and the memory limiter, and a batch that fails says which items it held.
 */
import { AbortedError, BatchError } from '../errors.js';
import type { MemoryLimiter } from './limiter.js';

export interface BatchOptions {
  signal?: AbortSignal;
  limiter?: MemoryLimiter;
}

export interface BatchSummary {
  batches: number;
  items: number;
}

export type BatchSource<T> = T[] | Iterable<T> | AsyncIterable<T>;

export async function processInBatches<T, R>(
  items: BatchSource<T>,
  batchSize: number,
  fn: (batch: T[], batchIndex: number) => R | Promise<R>,
  options: BatchOptions = {},
): Promise<BatchSummary> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`processInBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const done: BatchSummary = { batches: 0, items: 0 };
  const run = async (batch: T[]): Promise<void> => {
    const range = `batch ${done.batches} (items ${done.items}-${done.items + batch.length - 1})`;
    if (options.signal?.aborted) {
      throw new AbortedError(
        `processInBatches was cancelled before ${range}, after ${done.batches} batches (${done.items} items)`,
        options.signal.reason,
      );
    }
    options.limiter?.ensure(`before ${range}`);
    try {
      await fn(batch, done.batches);
    } catch (error) {
      throw new BatchError(`${range} failed: ${messageOf(error)}`, done.batches, error);
    }
    done.batches++;
    done.items += batch.length;
  };

  if (Array.isArray(items)) {
    for (let start = 0; start < items.length; start += batchSize)
      await run(items.slice(start, start + batchSize));
    return done;
  }
  // A fresh array per batch: `fn` may keep the one it was given.
  let batch: T[] = [];
  if (isAsyncIterable<T>(items)) {
    for await (const item of items) {
      batch.push(item);
      if (batch.length < batchSize) continue;
      await run(batch);
      batch = [];
    }
  } else if (isIterable<T>(items)) {
    // Not `for await`: that would wait a tick per item, and await items that happen to be promises.
    for (const item of items) {
      batch.push(item);
      if (batch.length < batchSize) continue;
      await run(batch);
      batch = [];
    }
  } else {
    throw new TypeError(
      `processInBatches: items must be an array, an iterable or an async iterable, got ${typeof items}`,
    );
  }
  if (batch.length > 0) await run(batch);
  return done;
}

function isIterable<T>(value: unknown): value is Iterable<T> {
  return typeof (value as Iterable<T> | null)?.[Symbol.iterator] === 'function';
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T> | null)?.[Symbol.asyncIterator] === 'function';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
