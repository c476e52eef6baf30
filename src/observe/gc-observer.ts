/**
 * Garbage collections since the last `take()`, counted and timed by kind from V8's own 'gc'
 * performance entries. Each GcObserver has its own PerformanceObserver, so two monitors in one
 * process both see every collection. Entries arrive asynchronously, shortly after the collection:
 * one that lands after a sample is counted in the next.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import type { GcStats } from './types.js';

export const GC_KINDS = ['minor', 'major', 'incremental', 'weakcb'] as const;
export type GcKind = (typeof GC_KINDS)[number];

const KIND_BY_FLAG: Record<number, GcKind> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export class GcObserver {
  // Flat counters instead of a map, so recording a collection allocates nothing.
  private readonly counts = new Float64Array(GC_KINDS.length);
  private readonly pauses = new Float64Array(GC_KINDS.length);
  private observer: PerformanceObserver | undefined;

  /** Starts observing; safe twice. */
  start(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.record(kindOf(entry), entry.duration);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops observing; safe twice. What was counted stays until the next `take()`. */
  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  /** Counts one collection (called by the observer; tests call it directly). */
  record(kind: GcKind, pauseMs: number): void {
    const i = GC_KINDS.indexOf(kind);
    if (i < 0) return;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.pauses[i] = (this.pauses[i] ?? 0) + Math.max(0, pauseMs || 0);
  }

  /** The collections since the previous call, every kind present (0 when none); resets the counts. */
  take(): GcStats {
    const byKind: GcStats['byKind'] = {};
    let count = 0;
    let pauseMs = 0;
    for (let i = 0; i < GC_KINDS.length; i++) {
      const c = this.counts[i] ?? 0;
      const p = this.pauses[i] ?? 0;
      byKind[GC_KINDS[i] as GcKind] = { count: c, pauseMs: p };
      count += c;
      pauseMs += p;
    }
    this.counts.fill(0);
    this.pauses.fill(0);
    return { count, pauseMs, byKind };
  }
}

function kindOf(entry: PerformanceEntry): GcKind {
  // Node >= 16 puts the kind in `detail`; older versions on the entry itself.
  const flag =
    (entry as { detail?: { kind?: number } }).detail?.kind ?? (entry as { kind?: number }).kind ?? 0;
  // An unknown flag is counted as major, the kind worth noticing.
  return KIND_BY_FLAG[flag] ?? 'major';
}
