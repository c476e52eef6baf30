/**
 * The two ways of measuring "memory in use" against a budget.
 * - rss: what the operating system charges the process for (and kills it for). Reading it costs
 *   about 8 µs here (it reads /proc), too much to do every 100 items, so between exact reads it is
 *   estimated as the last RSS plus the change in heap and external memory since then, which costs
 *   about 0.25 µs. Every `exactEvery`-th read, and whenever the caller asks, is exact.
 * - heap: V8 heap in use plus memory held outside it by Buffers and ArrayBuffers. It falls as soon
 *   as a collection frees something, whereas RSS lags behind.
 */
import v8 from 'node:v8';

export type MemoryMetric = 'rss' | 'heap';

/** Reads memory in use, in bytes; `exact` asks the rss reader for a real reading. */
export type UsageReader = (exact?: boolean) => number;

/** V8 heap in use plus memory outside it held by Buffers and ArrayBuffers: what the process's objects use. */
export function heapInUse(): number {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
}

export function usageReader(metric: MemoryMetric, exactEvery = 10): UsageReader {
  if (metric === 'heap') return heapInUse;
  let sinceExact = exactEvery;
  let rssAtExact = 0;
  let heapAtExact = 0;
  return (exact = false) => {
    if (exact || ++sinceExact >= exactEvery) {
      sinceExact = 0;
      rssAtExact = process.memoryUsage.rss();
      heapAtExact = heapInUse();
      return rssAtExact;
    }
    return Math.max(0, rssAtExact + heapInUse() - heapAtExact);
  };
}
