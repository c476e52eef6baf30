/**
 * StreamingTopologyManager: hands a topology out as a sequence of bounded chunks (see
 * stream/chunker.ts for what goes where). A producer prepares up to `concurrency` chunks ahead of
 * the consumer; under memory pressure it stops preparing until every chunk in flight has been
 * consumed, and a circuit breaker per run refuses to go on when pressure reaches its level.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import { AbortedError, throwIfAborted } from '../errors.js';
import {
  type BreakerStats,
  MemoryCircuitBreaker,
  type MemoryCircuitBreakerOptions,
} from '../memory/circuit-breaker.js';
import { levelRank, type MemoryLimiter } from '../memory/limiter.js';
import type { TopologyView } from './model.js';
import { Chunker, type TopologyChunk } from './stream/chunker.js';
import type { ChunkType } from './stream/plan.js';
import { HandOver } from './stream/queue.js';

export type { TopologyChunk } from './stream/chunker.js';
export { CHUNK_TYPES, type ChunkType } from './stream/plan.js';

export interface StreamingTopologyManagerOptions {
  /** Its pressure level drives back-pressure and the breaker's memory trip. */
  limiter?: MemoryLimiter;
  /** Options of the breaker each run creates; its limiter defaults to `limiter`. */
  breaker?: MemoryCircuitBreakerOptions;
  onChunkStats?: (stats: ChunkStats) => void;
}

export interface StreamChunksOptions {
  /** Most records (elements plus connections) in one chunk. */
  chunkSize?: number;
  /** Also hold back while the V8 heap in use is above this many MiB. */
  memoryThresholdMb?: number;
  /** Chunks prepared ahead of the consumer. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ChunkStats {
  id: string;
  type: ChunkType;
  /** Time spent preparing this chunk. */
  ms: number;
  /** V8 heap in use right after preparing it. */
  heapUsedBytes: number;
  records: number;
}

export interface StreamSummary {
  chunks: number;
  elements: number;
  connections: number;
  /** Wall time from the first request to the end (or to the failure or early exit). */
  elapsedMs: number;
  /** Time spent preparing chunks, out of `elapsedMs`. */
  producingMs: number;
  maxChunkMs: number;
  elementsPerSecond: number;
  heapUsedAtStartBytes: number;
  peakHeapUsedBytes: number;
  /** Heap in use after the last chunk minus at the start. */
  heapGrowthBytes: number;
  /**
   * Per-run state outside the heap: one Uint32Array mark and one bit (is it a hub? see
   * stream/id-cache.ts) per element, plus, for a view that is not the columnar store, the copy of its
   * columns the walk reads (see stream/source.ts). Not counted: the table of links waiting for their
   * target within a group, bounded at about 2 MiB (stream/pending.ts), and the id cache's fixed
   * slots.
   */
  stateBytes: number;
  /** Times the producer held back for memory pressure. */
  pressureWaits: number;
  outcome: 'complete' | 'stopped' | 'failed';
  breaker: BreakerStats;
}

const DEFAULT_CHUNK_SIZE = 1000;
const DEFAULT_CONCURRENCY = 2;
const MIB = 1024 * 1024;
/**
 * Producer and a fast consumer hand chunks over through promises alone, which never lets timers
 * and I/O run (an AbortSignal.timeout would not fire); so the producer yields a turn this often.
 */
const YIELD_EVERY_MS = 10;

export class StreamingTopologyManager {
  private readonly limiter: MemoryLimiter | undefined;
  private readonly breakerOptions: MemoryCircuitBreakerOptions;
  private readonly onChunkStats: ((stats: ChunkStats) => void) | undefined;
  private lastSummary: StreamSummary | undefined;

  constructor(options: StreamingTopologyManagerOptions = {}) {
    this.limiter = options.limiter;
    this.breakerOptions = options.breaker ?? {};
    this.onChunkStats = options.onChunkStats;
  }

  /** The summary of the latest run (of the one in progress, so far); undefined before any. */
  stats(): StreamSummary | undefined {
    return this.lastSummary && { ...this.lastSummary };
  }

  async *streamChunks(view: TopologyView, options: StreamChunksOptions = {}): AsyncGenerator<TopologyChunk> {
    const chunkSize = positiveInteger('chunkSize', options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    const concurrency = positiveInteger('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY);
    const thresholdMb = options.memoryThresholdMb;
    if (thresholdMb !== undefined && !(thresholdMb > 0)) {
      throw new RangeError(`streamChunks: memoryThresholdMb must be a positive number, got ${thresholdMb}`);
    }
    const { signal } = options;
    throwIfAborted(signal, 'streaming topology chunks');

    const chunker = new Chunker(view, chunkSize);
    const breaker = new MemoryCircuitBreaker({
      name: 'topology-stream',
      ...this.breakerOptions,
      limiter: this.breakerOptions.limiter ?? this.limiter,
    });
    const heapAtStart = heapUsed();
    const summary: StreamSummary = {
      chunks: 0,
      elements: 0,
      connections: 0,
      elapsedMs: 0,
      producingMs: 0,
      maxChunkMs: 0,
      elementsPerSecond: 0,
      heapUsedAtStartBytes: heapAtStart,
      peakHeapUsedBytes: heapAtStart,
      heapGrowthBytes: 0,
      stateBytes: chunker.stateBytes,
      pressureWaits: 0,
      outcome: 'stopped',
      breaker: breaker.stats(),
    };
    this.lastSummary = summary;
    const startedAt = performance.now();
    let heapAtEnd = heapAtStart;

    const handOver = new HandOver<TopologyChunk>(concurrency);
    const onAbort = () => handOver.wake();
    signal?.addEventListener('abort', onAbort, { once: true });
    const underPressure = () => this.underPressure(thresholdMb);

    const produce = async (): Promise<void> => {
      const chunks = chunker.chunks();
      let turnStarted = performance.now();
      try {
        for (;;) {
          if (performance.now() - turnStarted >= YIELD_EVERY_MS) {
            await nextTurn();
            turnStarted = performance.now();
          }
          while (handOver.full && !handOver.isStopped && !signal?.aborted) await handOver.producerSleep();
          if (handOver.isStopped) return;
          throwIfAborted(signal, 'streaming topology chunks');
          if (underPressure()) {
            summary.pressureWaits++;
            // Let the consumer finish with everything prepared, then go on one chunk at a time.
            while (handOver.inFlight > 0 && !handOver.isStopped && !signal?.aborted) {
              await handOver.producerSleep();
            }
            if (handOver.isStopped) return;
            throwIfAborted(signal, 'streaming topology chunks');
          }
          const began = performance.now();
          const next = await breaker.execute(() => chunks.next());
          if (next.done) break;
          const ms = performance.now() - began;
          const chunk = next.value;
          const heap = heapUsed();
          heapAtEnd = heap;
          summary.chunks++;
          summary.elements += chunk.elements.length;
          summary.connections += chunk.connections.length;
          summary.producingMs += ms;
          if (ms > summary.maxChunkMs) summary.maxChunkMs = ms;
          if (heap > summary.peakHeapUsedBytes) summary.peakHeapUsedBytes = heap;
          const records = chunk.elements.length + chunk.connections.length;
          this.onChunkStats?.({ id: chunk.id, type: chunk.type, ms, heapUsedBytes: heap, records });
          handOver.push(chunk);
        }
        handOver.finish();
      } catch (error) {
        handOver.finish(error);
      } finally {
        chunks.return(undefined);
      }
    };

    const producer = produce();
    try {
      for (;;) {
        const next = await handOver.take(() => {
          if (signal?.aborted)
            throw new AbortedError('streaming topology chunks was cancelled', signal.reason);
        });
        if (next === 'done') {
          summary.outcome = 'complete';
          return;
        }
        yield next.item;
      }
    } catch (error) {
      summary.outcome = 'failed';
      throw error;
    } finally {
      handOver.stop();
      signal?.removeEventListener('abort', onAbort);
      await producer;
      summary.elapsedMs = performance.now() - startedAt;
      summary.elementsPerSecond = summary.elapsedMs > 0 ? (summary.elements / summary.elapsedMs) * 1000 : 0;
      summary.heapGrowthBytes = heapAtEnd - heapAtStart;
      summary.breaker = breaker.stats();
    }
  }

  private underPressure(thresholdMb: number | undefined): boolean {
    const limiter = this.limiter;
    if (limiter) {
      limiter.check();
      if (levelRank(limiter.level) >= levelRank('HIGH')) return true;
    }
    return thresholdMb !== undefined && heapUsed() > thresholdMb * MIB;
  }
}

function heapUsed(): number {
  return v8.getHeapStatistics().used_heap_size;
}

function positiveInteger(option: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`streamChunks: ${option} must be an integer >= 1, got ${value}`);
  }
  return value;
}
