/**
 * MemoryLimiter: keeps work inside a byte budget. `check()` is called per item in hot loops, so it
 * only counts; a measurement happens every `sampleEvery` calls, or on the first call after
 * `sampleIntervalMs` has passed (a timer marks the sample stale, so no clock is read per call).
 * The first kind may be an estimate (see usage.ts), the second is always a real reading.
 * Over budget it runs a garbage collection and measures again before saying no.
 */
import { EventEmitter } from 'node:events';
import { BudgetExceededError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { gcFunction, heapLimitBytes } from './gc.js';
import { type MemoryMetric, type UsageReader, usageReader } from './usage.js';

export const PRESSURE_LEVELS = ['LOW', 'MODERATE', 'HIGH', 'CRITICAL', 'EMERGENCY'] as const;
export type PressureLevel = (typeof PRESSURE_LEVELS)[number];

/** Ratios of the budget at which each level above LOW begins. */
export interface PressureThresholds {
  moderate: number;
  high: number;
  critical: number;
  emergency: number;
}

export type GcTrigger = 'budget' | 'critical' | 'never';

export interface MemoryLimiterOptions {
  /** The budget in bytes; by default the V8 heap limit. */
  budgetBytes?: number;
  metric?: MemoryMetric;
  thresholds?: Partial<PressureThresholds>;
  /** A level is left downwards only once usage is this far (as a ratio) below its threshold. */
  hysteresis?: number;
  sampleEvery?: number;
  sampleIntervalMs?: number;
  /** When to collect garbage: over budget (default), from CRITICAL on, or never. */
  gcTrigger?: GcTrigger;
  gcMinIntervalMs?: number;
  /** For tests: a custom usage reader and garbage collector. */
  readUsage?: UsageReader;
  collectGarbage?: () => void;
}

export interface LevelChange {
  from: PressureLevel;
  to: PressureLevel;
  usedBytes: number;
  budgetBytes: number;
}

export interface GcRun {
  beforeBytes: number;
  afterBytes: number;
  durationMs: number;
}

/** Memory promised to admitted work; release it when the work is done (safe to call twice). */
export interface Reservation {
  readonly bytes: number;
  release(): void;
}

export interface MemoryLimiterStats {
  budgetBytes: number;
  usedBytes: number;
  peakBytes: number;
  reservedBytes: number;
  level: PressureLevel;
  checks: number;
  samples: number;
  gcRuns: number;
  rejections: number;
}

export const DEFAULT_THRESHOLDS: PressureThresholds = {
  moderate: 0.6,
  high: 0.75,
  critical: 0.85,
  emergency: 0.95,
};

export class MemoryLimiter extends EventEmitter<{ level: [LevelChange]; gc: [GcRun] }> {
  readonly budgetBytes: number;
  readonly metric: MemoryMetric;
  private readonly thresholds: PressureThresholds;
  private readonly hysteresis: number;
  private readonly sampleEvery: number;
  private readonly sampleIntervalMs: number;
  private readonly gcTrigger: GcTrigger;
  private readonly gcMinIntervalMs: number;
  private readonly readUsage: UsageReader;
  private readonly collectGarbage: (() => void) | undefined;

  private sinceSample = 0;
  private stale = true;
  private timer: NodeJS.Timeout | undefined;
  private lastGcAt = Number.NEGATIVE_INFINITY;
  private used = 0;
  private peak = 0;
  private reserved = 0;
  private currentLevel: PressureLevel = 'LOW';
  private counts = { checks: 0, samples: 0, gcRuns: 0, rejections: 0 };

  constructor(options: MemoryLimiterOptions = {}) {
    super();
    this.budgetBytes = options.budgetBytes ?? heapLimitBytes();
    if (!(this.budgetBytes > 0))
      throw new RangeError(`MemoryLimiter: budgetBytes must be positive, got ${this.budgetBytes}`);
    this.metric = options.metric ?? 'rss';
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    const { moderate, high, critical, emergency } = this.thresholds;
    if (!(0 < moderate && moderate < high && high < critical && critical < emergency && emergency <= 1)) {
      throw new RangeError(
        `MemoryLimiter: thresholds must rise strictly within (0, 1]: moderate ${moderate}, high ${high}, critical ${critical}, emergency ${emergency}`,
      );
    }
    this.hysteresis = options.hysteresis ?? 0.02;
    this.sampleEvery = Math.max(1, options.sampleEvery ?? 100);
    this.sampleIntervalMs = options.sampleIntervalMs ?? 50;
    this.gcTrigger = options.gcTrigger ?? 'budget';
    this.gcMinIntervalMs = options.gcMinIntervalMs ?? 1000;
    this.readUsage = options.readUsage ?? usageReader(this.metric);
    // Resolved on first use: exposing gc changes V8's flags, which a start-up code cache must not see.
    this.collectGarbage =
      options.collectGarbage ?? (this.gcTrigger === 'never' ? undefined : () => gcFunction()?.());
  }

  /** Cheap per-item check: true while usage is within the budget (after a collection if needed). */
  check(): boolean {
    this.counts.checks++;
    if (++this.sinceSample < this.sampleEvery && !this.stale) return this.used <= this.budgetBytes;
    // A count-triggered sample may be an estimate; a time-triggered one reads the real figure.
    this.sample(this.stale);
    if (this.shouldCollect()) this.collect();
    return this.used <= this.budgetBytes;
  }

  /** Like `check()`, but throws a BudgetExceededError that names `context` when over budget. */
  ensure(context: string): void {
    if (this.check()) return;
    this.counts.rejections++;
    throw new BudgetExceededError(
      `memory budget exceeded ${context}: ${formatBytes(this.used)} in use (${this.metric}) against a ` +
        `${formatBytes(this.budgetBytes)} budget, after a garbage collection. Raise --memory-budget ` +
        '(HEADROOM_MEMORY_BUDGET) or reduce the work in flight.',
      this.used,
      this.budgetBytes,
    );
  }

  /** Measures now, collecting garbage when the policy says so; returns the bytes in use. */
  measure(): number {
    this.sample(true);
    if (this.shouldCollect()) this.collect();
    return this.used;
  }

  /** Admission control for work of known size: reserves `bytes` or throws BudgetExceededError. */
  admit(bytes: number, what = 'work'): Reservation {
    const reservation = this.tryAdmit(bytes);
    if (reservation) return reservation;
    this.counts.rejections++;
    throw new BudgetExceededError(
      `cannot admit ${what} of ${formatBytes(bytes)}: ${formatBytes(this.used)} in use and ` +
        `${formatBytes(this.reserved)} reserved would pass the ${formatBytes(this.budgetBytes)} budget. ` +
        'Retry later, raise --memory-budget (HEADROOM_MEMORY_BUDGET), or lower concurrency.',
      this.used + this.reserved + bytes,
      this.budgetBytes,
    );
  }

  /**
   * Reserves `bytes` when they fit in the budget; undefined when they do not, even after a GC. The
   * GC is run only when it could make room (the reservations alone leave it) and no more often than
   * `gcMinIntervalMs`: callers waiting for room ask again and again, and a forced full collection at
   * each ask kept an overloaded server in the collector three quarters of the time (50 clients of
   * the load benchmark: calls waited 40 s, refusals included).
   */
  tryAdmit(bytes: number): Reservation | undefined {
    if (!(bytes >= 0)) throw new RangeError(`MemoryLimiter.admit: bytes must be >= 0, got ${bytes}`);
    this.sample(true);
    const over = () => this.used + this.reserved + bytes > this.budgetBytes;
    if (over() && this.reserved + bytes <= this.budgetBytes && this.mayCollect()) this.collect();
    if (over()) return undefined;
    this.reserved += bytes;
    let released = false;
    return {
      bytes,
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= bytes;
      },
    };
  }

  get level(): PressureLevel {
    return this.currentLevel;
  }

  get usedBytes(): number {
    return this.used;
  }

  get reservedBytes(): number {
    return this.reserved;
  }

  stats(): MemoryLimiterStats {
    return {
      budgetBytes: this.budgetBytes,
      usedBytes: this.used,
      peakBytes: this.peak,
      reservedBytes: this.reserved,
      level: this.currentLevel,
      ...this.counts,
    };
  }

  /** Stops the staleness timer; the limiter keeps working, sampling by call count only. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(exact: boolean): void {
    this.sinceSample = 0;
    this.stale = false;
    this.counts.samples++;
    this.used = this.readUsage(exact);
    if (this.used > this.peak) this.peak = this.used;
    this.updateLevel();
    if (!this.timer && this.sampleIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.stale = true;
      }, this.sampleIntervalMs);
      this.timer.unref();
    }
  }

  private shouldCollect(): boolean {
    const over =
      this.gcTrigger === 'budget' ? this.used > this.budgetBytes : levelRank(this.currentLevel) >= 3;
    return over && this.mayCollect();
  }

  /** A collector, a trigger other than `never`, and `gcMinIntervalMs` since the last collection. */
  private mayCollect(): boolean {
    if (!this.collectGarbage || this.gcTrigger === 'never') return false;
    return performance.now() - this.lastGcAt >= this.gcMinIntervalMs;
  }

  private collect(): void {
    if (!this.collectGarbage) return;
    const beforeBytes = this.used;
    const start = performance.now();
    this.collectGarbage();
    this.lastGcAt = performance.now();
    this.counts.gcRuns++;
    this.sample(true);
    this.emit('gc', { beforeBytes, afterBytes: this.used, durationMs: this.lastGcAt - start });
  }

  private updateLevel(): void {
    const ratio = this.used / this.budgetBytes;
    const from = this.currentLevel;
    let to = levelFor(ratio, this.thresholds, 0);
    // Only step down once clearly below the threshold, so a level does not flap at its edge.
    if (levelRank(to) < levelRank(from)) {
      const held = levelFor(ratio, this.thresholds, this.hysteresis);
      to = levelRank(held) < levelRank(from) ? held : from;
    }
    if (to === from) return;
    this.currentLevel = to;
    this.emit('level', { from, to, usedBytes: this.used, budgetBytes: this.budgetBytes });
  }
}

function levelFor(ratio: number, t: PressureThresholds, margin: number): PressureLevel {
  if (ratio >= t.emergency - margin) return 'EMERGENCY';
  if (ratio >= t.critical - margin) return 'CRITICAL';
  if (ratio >= t.high - margin) return 'HIGH';
  if (ratio >= t.moderate - margin) return 'MODERATE';
  return 'LOW';
}

/** 0 for LOW up to 4 for EMERGENCY, for comparing levels. */
export function levelRank(level: PressureLevel): number {
  return PRESSURE_LEVELS.indexOf(level);
}
