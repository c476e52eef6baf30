/**
 * The two meters a profiled run needs besides the allocation sampler: the heap and RSS peaks, read
 * on a timer, and the garbage collections that started inside the run. Each run has its own, so
 * overlapping runs do not disturb each other's figures (they do see each other's memory: it is one
 * process).
 */
import { constants, type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { type GcKind, GcObserver } from '../observe/gc-observer.js';
import type { GcStats } from '../observe/types.js';

/** Heap in use as the profiler counts it: V8's heap plus memory held outside it by Buffers. */
export interface MemoryReading {
  heap: number;
  rss: number;
}

export function readMemory(): MemoryReading {
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

/** The operating system's RSS high-water mark for the whole process, in bytes. */
function maxRssBytes(): number {
  // Node reports it in kilobytes on every platform.
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Peaks of heap and RSS, read every `intervalMs` on an unref'd timer so an idle profiler never
 * keeps the process alive. A timer only fires when the run yields to the event loop: a synchronous
 * function gets no samples, and its heap peak is then the larger of before and after. The RSS peak
 * also uses the operating system's high-water mark: if that rose during the run, the run reached
 * it, whether or not the timer fired.
 */
export class PeakMeter {
  heapPeak: number;
  rssPeak: number;
  samples = 0;
  private readonly maxRssAtStart = maxRssBytes();
  private timer: NodeJS.Timeout | undefined;

  constructor(start: MemoryReading, intervalMs: number) {
    this.heapPeak = start.heap;
    this.rssPeak = start.rss;
    this.timer = setInterval(() => this.observe(readMemory(), true), intervalMs);
    this.timer.unref();
  }

  observe(reading: MemoryReading, fromTimer = false): void {
    if (fromTimer) this.samples++;
    if (reading.heap > this.heapPeak) this.heapPeak = reading.heap;
    if (reading.rss > this.rssPeak) this.rssPeak = reading.rss;
  }

  /** Stops the timer and folds in the final reading and the RSS high-water mark; safe twice. */
  stop(end: MemoryReading): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.observe(end);
    const maxRss = maxRssBytes();
    if (maxRss > this.maxRssAtStart && maxRss > this.rssPeak) this.rssPeak = maxRss;
  }
}

const KIND_BY_FLAG: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * The collections whose start time lies inside a window. V8's 'gc' entries reach observers one or
 * two event-loop turns after the collection, so a plain GcObserver started at the run's start
 * would count a collection from just before it (the profiler's own settling GC, for one) and miss
 * the last ones of a synchronous run. This one filters by the entry's timestamp and, at the end,
 * waits for late entries before it counts. Counting itself is GcObserver's.
 */
export class GcWindow {
  private readonly counter = new GcObserver();
  private readonly observer: PerformanceObserver;
  private readonly from = performance.now();
  private to = Number.POSITIVE_INFINITY;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.add(entry);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Closes the window now: collections that start later are not counted. */
  close(): void {
    if (this.to === Number.POSITIVE_INFINITY) this.to = performance.now();
  }

  /** Waits for the entries of collections inside the window to arrive, then stops and counts. */
  async finish(): Promise<GcStats> {
    this.close();
    // Entries are queued from a native immediate and delivered from a JavaScript one.
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    this.observer.disconnect();
    return this.counter.take();
  }

  private add(entry: PerformanceEntry): void {
    if (entry.startTime < this.from || entry.startTime > this.to) return;
    // Node >= 16 puts the kind in `detail`; an unknown flag counts as major, the kind worth noticing.
    const flag = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
    this.counter.record(KIND_BY_FLAG[flag] ?? 'major', entry.duration);
  }
}
