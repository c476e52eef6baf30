/**
 * The shapes a MemoryProfiler records and `getMemoryReport()` returns. Everything here is plain
 * data (numbers, strings, arrays, records), so a report survives JSON.stringify and JSON.parse
 * unchanged. Byte figures are bytes, times are milliseconds.
 */
import type { GcStats } from '../observe/types.js';

/** One allocation site from V8's sampling heap profiler, aggregated over every stack that reached it. */
export interface AllocationSite {
  /** The function's name, '(anonymous)' when it has none. */
  functionName: string;
  /** The script's URL or path; empty for V8 and Node internals without one. */
  url: string;
  /** 1-based, as editors count (V8 reports 0-based). */
  line: number;
  column: number;
  /** `url:line:column`, or the function name alone when there is no URL. */
  location: string;
  /** Bytes attributed to this site: V8's estimate of all that was allocated there, not only a sample. */
  bytes: number;
  /** bytes / the run's sampled bytes, 0..1. */
  share: number;
  /** Samples behind the estimate; a handful means the figure is rough. */
  samples: number;
  /**
   * Callers of the heaviest stack that reached this site, nearest first, as
   * `name (url:line:column)`, at most the profiler's `stackDepth`.
   */
  stack: string[];
}

/** What V8's sampling heap profiler saw during one run, or why it did not look. */
export interface AllocationSampling {
  /**
   * - sampled: sites below are from this run;
   * - skipped: not asked for, or the process-wide profiler was busy elsewhere (see `reason`);
   * - failed: the inspector refused or another session stopped the profiler (see `reason`).
   */
  status: 'sampled' | 'skipped' | 'failed';
  reason?: string;
  /** The mean bytes between samples V8 used (shared runs use the first run's interval). */
  intervalBytes?: number;
  /** Estimated bytes allocated during the run, over all sites. */
  sampledBytes: number;
  /** Whether objects that were collected during the run were kept in the sample (allocation, not only survival). */
  includesCollected?: boolean;
  /** The top sites, heaviest first. */
  sites: AllocationSite[];
  /** Other runs of the same profiler that were sampled at the same time: their allocations are mixed in. */
  overlappedWith?: string[];
}

export interface ProfileError {
  name: string;
  message: string;
  code?: string;
}

/** One profiled run. */
export interface ProfileReport {
  name: string;
  /** ISO 8601, when the run started. */
  startedAt: string;
  durationMs: number;
  /** V8 heap in use plus memory held outside it (Buffers, ArrayBuffers): heapUsed + external. */
  heapBefore: number;
  heapAfter: number;
  /** The largest heap seen: before, after, and every timer sample in between. */
  heapPeak: number;
  /**
   * Whether heapBefore and heapAfter were read after a full garbage collection, so their
   * difference is memory the run retained rather than garbage not yet collected.
   */
  heapCollected: boolean;
  rssBefore: number;
  rssAfter: number;
  /** The largest RSS seen, including the operating system's high-water mark when it rose during the run. */
  rssPeak: number;
  /**
   * Timer readings behind the peaks. 0 means the run never yielded to the event loop (synchronous
   * work), so heapPeak is only the larger of before and after.
   */
  peakSamples: number;
  /** The V8 heap limit when the run ended. */
  heapLimit: number;
  /** Collections that started during the run, by kind, with their pause time. */
  gc: GcStats;
  allocations: AllocationSampling;
  /** Set when the profiled function threw or rejected; the error was rethrown to the caller. */
  error?: ProfileError;
}

export type RecommendationSeverity = 'info' | 'warning' | 'critical';

/** A figure a recommendation rests on, and the threshold it crossed. */
export interface Evidence {
  /** The report's name. */
  report: string;
  /** The report's ISO start time, to tell apart runs with the same name. */
  startedAt: string;
  /** Which figure, e.g. 'gcShare', 'retainedGrowthOfLimit'. */
  figure: string;
  value: number;
  threshold: number;
}

export interface Recommendation {
  /** Stable per rule: 'gc-share', 'retained-growth', 'transient-peak', 'dominant-site', 'near-heap-limit'. */
  id: string;
  severity: RecommendationSeverity;
  message: string;
  /** The run with the largest value among the runs of that name that crossed the threshold. */
  evidence: Evidence;
  /** How many kept runs of that name crossed the threshold. */
  runs: number;
}

export interface ProcessFigures {
  pid: number;
  nodeVersion: string;
  platform: string;
  uptimeSeconds: number;
  heapLimit: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryReport {
  /** ISO 8601. */
  generatedAt: string;
  process: ProcessFigures;
  /** Oldest first, at most the profiler's `maxReports`. */
  reports: ProfileReport[];
  /** Reports dropped because the cap was reached. */
  droppedReports: number;
  recommendations: Recommendation[];
}
