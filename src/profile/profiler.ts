/**
 * MemoryProfiler: measures what a piece of work does to memory — duration, heap before, after and
 * at its peak, RSS, garbage collections by kind, and the top allocation sites from V8's sampling
 * heap profiler — keeps the last `maxReports` runs, and turns them into recommendations that each
 * cite the figure they rest on.
 *
 * Nothing is global: each profiler has its own reports, timers, observers and inspector session.
 * What is process-wide is the memory itself and V8's sampling heap profiler; allocation-sampler.ts
 * says how overlapping runs share the latter.
 */
import { performance } from 'node:perf_hooks';
import { gcFunction, heapLimitBytes } from '../memory/gc.js';
import { AllocationSampler, notSampled, type SamplingLease } from './allocation-sampler.js';
import { type RecommendationThresholds, recommend, resolveThresholds } from './recommend.js';
import type {
  AllocationSampling,
  MemoryReport,
  ProcessFigures,
  ProfileError,
  ProfileReport,
} from './report.js';
import { GcWindow, PeakMeter, readMemory } from './sampling.js';

/** How one run is measured; set on the profiler as defaults, or per run. */
export interface ProfileOptions {
  /** Sample allocation sites with V8's sampling heap profiler; default true. */
  allocationSampling?: boolean;
  /** Mean bytes between allocation samples; default 32768 (V8's). Smaller is finer and slower. */
  samplingIntervalBytes?: number;
  /**
   * Keep samples of objects collected during the run, so sites are where the run allocated, not only
   * what survived; default true. V8 then holds one small record per sample until the run ends.
   */
  includeCollected?: boolean;
  /** Milliseconds between heap and RSS readings for the peaks; default 10. */
  peakIntervalMs?: number;
  /** Allocation sites kept per run; default 10. */
  topSites?: number;
  /** Callers kept per site; default 5. */
  stackDepth?: number;
  /**
   * Run a full garbage collection before the run and after it, so heapAfter - heapBefore is what the
   * run retained; default true. Skipped (and reported as `heapCollected: false`) when V8 refuses.
   */
  collectGarbage?: boolean;
}

export interface MemoryProfilerOptions extends ProfileOptions {
  /** Reports kept, oldest dropped first; default 100. */
  maxReports?: number;
  /** Over the defaults in recommend.ts. */
  thresholds?: Partial<RecommendationThresholds>;
  /** Epoch milliseconds, for `startedAt` and `generatedAt`; for tests. */
  now?: () => number;
}

type RunOptions = Required<ProfileOptions>;

const DEFAULTS: RunOptions = {
  allocationSampling: true,
  samplingIntervalBytes: 32_768,
  includeCollected: true,
  peakIntervalMs: 10,
  topSites: 10,
  stackDepth: 5,
  collectGarbage: true,
};

/** A run in progress from `MemoryProfiler.start()`; `await using` stops it. */
export class ProfileScope implements AsyncDisposable {
  readonly name: string;
  private outcome: Promise<ProfileReport> | undefined;
  private readonly finish: (error: ProfileError | undefined) => Promise<ProfileReport>;

  /** @internal Made by MemoryProfiler.start(). */
  constructor(name: string, finish: (error: ProfileError | undefined) => Promise<ProfileReport>) {
    this.name = name;
    this.finish = finish;
  }

  /** Ends the run and records its report; later calls return the same report. */
  stop(): Promise<ProfileReport> {
    this.outcome ??= this.finish(undefined);
    return this.outcome;
  }

  /** Ends the run, recording that the work failed with `error` (which the caller still throws). */
  fail(error: unknown): Promise<ProfileReport> {
    this.outcome ??= this.finish(describeError(error));
    return this.outcome;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

export class MemoryProfiler {
  readonly maxReports: number;
  readonly thresholds: Readonly<RecommendationThresholds>;
  private readonly defaults: RunOptions;
  private readonly now: () => number;
  private readonly sampler = new AllocationSampler();
  private readonly reports: ProfileReport[] = [];
  private dropped = 0;

  constructor(options: MemoryProfilerOptions = {}) {
    const { maxReports = 100, thresholds, now = Date.now, ...run } = options;
    if (!(Number.isInteger(maxReports) && maxReports >= 1))
      throw new RangeError(`MemoryProfiler: maxReports must be a positive integer, got ${maxReports}`);
    this.maxReports = maxReports;
    this.thresholds = Object.freeze(resolveThresholds(thresholds));
    this.defaults = resolveRunOptions(DEFAULTS, run);
    this.now = now;
  }

  /**
   * Runs `fn`, records a report and returns what `fn` returned. When `fn` throws or rejects, the
   * report is recorded with `error` and the error is rethrown unchanged.
   */
  async profile<T>(name: string, fn: () => T | Promise<T>, options: ProfileOptions = {}): Promise<T> {
    const scope = this.start(name, options);
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      await scope.fail(error);
      throw error;
    }
    await scope.stop();
    return value;
  }

  /**
   * Starts a run now (synchronously, so the first line after it is measured); the caller ends it with
   * `stop()` or `await using`. A run never stopped keeps its timer and, if it was the last sampled
   * run, V8's sampling heap profiler going.
   */
  start(name: string, options: ProfileOptions = {}): ProfileScope {
    if (typeof name !== 'string' || name.trim() === '')
      throw new RangeError('MemoryProfiler: a run needs a non-empty name');
    const o = resolveRunOptions(this.defaults, options);
    const gc = o.collectGarbage ? gcFunction() : undefined;
    gc?.();
    // Before the first reading: joining a shared sampling reads the profile so far, which allocates.
    const sampling: SamplingLease | AllocationSampling = o.allocationSampling
      ? this.sampler.begin(name, o.samplingIntervalBytes, o.includeCollected)
      : notSampled('skipped', 'allocation sampling was turned off for this run');
    const startedAt = new Date(this.now()).toISOString();
    const before = readMemory();
    const gcWindow = new GcWindow();
    const peaks = new PeakMeter(before, o.peakIntervalMs);
    const t0 = performance.now();

    return new ProfileScope(name, async (error) => {
      const durationMs = performance.now() - t0;
      const end = readMemory();
      peaks.stop(end);
      gcWindow.close();
      // Read before anything else allocates: the profile is the run's, not the profiler's.
      const allocations = 'afterOrdinal' in sampling ? this.sampler.end(sampling, o) : sampling;
      const gcStats = await gcWindow.finish();
      // After the window closed, so the profiler's own collection is not counted as the run's.
      gc?.();
      const after = gc ? readMemory() : end;
      const report: ProfileReport = {
        name,
        startedAt,
        durationMs,
        heapBefore: before.heap,
        heapAfter: after.heap,
        heapPeak: Math.max(peaks.heapPeak, after.heap),
        heapCollected: gc !== undefined,
        rssBefore: before.rss,
        rssAfter: after.rss,
        rssPeak: Math.max(peaks.rssPeak, after.rss),
        peakSamples: peaks.samples,
        heapLimit: heapLimitBytes(),
        gc: gcStats,
        allocations,
        ...(error ? { error } : {}),
      };
      this.keep(report);
      return report;
    });
  }

  /** The kept reports, the process's figures now, and the recommendations they support. */
  getMemoryReport(): MemoryReport {
    return {
      generatedAt: new Date(this.now()).toISOString(),
      process: processFigures(),
      // Copies, so a caller cannot change what later recommendations rest on.
      reports: structuredClone(this.reports),
      droppedReports: this.dropped,
      recommendations: recommend(this.reports, this.thresholds),
    };
  }

  /** Forgets every kept report. */
  clear(): void {
    this.reports.length = 0;
    this.dropped = 0;
  }

  private keep(report: ProfileReport): void {
    this.reports.push(report);
    while (this.reports.length > this.maxReports) {
      this.reports.shift();
      this.dropped++;
    }
  }
}

function resolveRunOptions(base: RunOptions, given: ProfileOptions): RunOptions {
  const o: RunOptions = { ...base };
  for (const [key, value] of Object.entries(given) as [keyof ProfileOptions, unknown][]) {
    if (!(key in DEFAULTS))
      throw new RangeError(
        `MemoryProfiler: unknown option "${key}"; a run takes ${Object.keys(DEFAULTS).join(', ')}`,
      );
    if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  }
  const integer = (key: keyof ProfileOptions, min: number) => {
    const value = o[key];
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= min))
      throw new RangeError(
        `MemoryProfiler: ${key} must be an integer of at least ${min}, got ${String(value)}`,
      );
  };
  integer('samplingIntervalBytes', 1);
  integer('peakIntervalMs', 1);
  integer('topSites', 1);
  integer('stackDepth', 0);
  for (const key of ['allocationSampling', 'includeCollected', 'collectGarbage'] as const)
    if (typeof o[key] !== 'boolean')
      throw new RangeError(`MemoryProfiler: ${key} must be true or false, got ${String(o[key])}`);
  return o;
}

function describeError(error: unknown): ProfileError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

function processFigures(): ProcessFigures {
  const m = process.memoryUsage();
  return {
    pid: process.pid,
    nodeVersion: process.version,
    platform: process.platform,
    uptimeSeconds: process.uptime(),
    heapLimit: heapLimitBytes(),
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
  };
}
