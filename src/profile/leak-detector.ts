/**
 * LeakDetector: samples the heap in use after a full garbage collection, keeps the last `window`
 * samples, fits a robust trend over them (profile/trend.ts) and calls it a leak only when growth is
 * sustained, which takes all four of:
 * - the Theil–Sen slope is above `growthThreshold` (bytes per second);
 * - the Mann–Kendall test finds a rising monotone trend (one-sided p below `alpha`);
 * - the fitted growth over the window is at least `minGrowthBytes`, so jitter of a few kilobytes on
 *   a small heap, however regular, is not a leak;
 * - a straight line explains the samples better than a single step (`minLinearity`): a heap that
 *   jumps once (a cache filled, a module loaded) and then holds is not growing, while one that grows
 *   all along, smoothly or in several steps, is.
 * Sampling after a full GC is what removes the sawtooth of a busy heap: garbage is gone, and only
 * what is retained is measured. The price is a full collection per sample, which stops the process
 * for a time that grows with the live heap: about 130 ms for 85 MB of small objects on a 2-vCPU
 * machine (benchmarks/leak.ts `cost`), so seconds for a heap of gigabytes. Hence the 10 s default
 * interval: keep the interval well above the pause measured on the real heap (`sampleMs`).
 * Once leaking, the state clears only after `clearAfter` analyses in a row that are not a leak, so a
 * leak near the thresholds does not raise and resolve its alert at every sample.
 */
import { HeadroomError } from '../errors.js';
import { gcFunction, heapLimitBytes } from '../memory/gc.js';
import type { AlertDetails } from '../observe/alerts.js';
import type { AlertKind } from '../observe/types.js';
import { formatBytes, parseBytes } from '../util/bytes.js';
import { fitTrend, normalCdf } from './trend.js';

/** What the detector needs of a MemoryMonitor (src/observe/monitor.ts), so any sink will do. */
export interface LeakConditionSink {
  reportCondition(id: string, kind: AlertKind, active: boolean, details: AlertDetails): void;
}

export interface LeakDetectorOptions {
  /**
   * Slope above which growth counts: bytes per second, or a size per time unit such as `'1MB/min'`,
   * `'64KiB/s'`, `'20MB/h'`. Default 1 KiB/s (about 3.5 MiB an hour).
   */
  growthThreshold?: number | string;
  /** Milliseconds between samples when started; default 10,000 (each sample is a full GC). */
  interval?: number;
  /** Samples the trend is fitted over (the most recent ones); default 30, at least 5. */
  window?: number;
  /** Samples needed before any verdict; default `window` (a full window), at least 5. */
  minSamples?: number;
  /** Significance of the Mann–Kendall test for a rising trend (one-sided); default 0.01. */
  alpha?: number;
  /** Least fitted growth over the window (bytes, or a size such as `'1MB'`); default 1 MiB. */
  minGrowthBytes?: number | string;
  /** Least linearity (trend.ts `StepComparison.linearity`, 0..1) for growth to count as sustained; default 0.5. */
  minLinearity?: number;
  /** Analyses in a row without a leak before a detected leak clears; default 3. */
  clearAfter?: number;
  /** Raises and resolves the alert `leak` (kind `leak`) on it, e.g. a MemoryMonitor. */
  monitor?: LeakConditionSink;
  /** The alert id used on `monitor`; default 'leak'. */
  alertId?: string;
  /** Reads the bytes to watch; default: a full GC, then `process.memoryUsage().heapUsed`. */
  sample?: () => number;
  /** Epoch milliseconds; default Date.now. For tests. */
  now?: () => number;
  /** The heap limit used to estimate the time left at the fitted rate; default V8's heap_size_limit. */
  heapLimitBytes?: number;
  /** Told when a sample or a callback throws (the detector carries on). */
  onWarning?: (message: string) => void;
}

export interface LeakSample {
  /** Epoch milliseconds. */
  t: number;
  /** Bytes (heap used after a full GC with the default reader). */
  heapUsed: number;
}

/** Each criterion of a leak, and whether this window meets it. */
export interface LeakChecks {
  enoughSamples: boolean;
  slope: boolean;
  trend: boolean;
  growth: boolean;
  sustained: boolean;
}

export interface LeakAnalysis {
  /** This window meets every criterion. */
  leakDetected: boolean;
  /** The detector's state: turns true with the first detection, false after `clearAfter` clean analyses. */
  leaking: boolean;
  checks: LeakChecks;
  /** Why it is or is not a leak, for people. */
  reason: string;
  /** Theil–Sen slope, bytes per second (0 before there are 2 samples). */
  slopeBytesPerSecond: number;
  /** slope times the window's time span: the fitted growth over the window. */
  growthBytes: number;
  /** One-sided Mann–Kendall p-value of a rising trend (1 before there are 2 samples). */
  pValue: number;
  /** Mann–Kendall's S and Kendall's tau-b. */
  mannKendallS: number;
  tau: number;
  /** Share of sample pairs where the heap grew, 0..1. */
  positiveShare: number;
  /** Line against single step, 0..1 (above 0.5: the line fits better). */
  linearity: number;
  /** Seconds from the first to the last sample of the window. */
  windowSeconds: number;
  /** At the fitted rate, seconds until the heap limit; undefined when the heap is not growing. */
  secondsToHeapLimit: number | undefined;
  /** Mean milliseconds one sample took (the GC and the read), over this detector's samples. */
  sampleMs: number;
  thresholds: { growthBytesPerSecond: number; minGrowthBytes: number; alpha: number; minLinearity: number };
  /** The window, oldest first (copies). */
  samples: LeakSample[];
}

export type LeakListener = (analysis: LeakAnalysis) => void;

/** Options that cannot be used, or a process where a full GC cannot be run. */
export class LeakDetectorError extends HeadroomError {
  constructor(message: string) {
    super('HR_LEAK_DETECTOR', message);
  }
}

const KiB = 1024;
const MiB = 1024 * 1024;
const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
};

/** Parses a growth rate: bytes per second, or `<size>/<s|min|h>` such as `'1MB/min'`; undefined when it is not one. */
export function parseGrowthRate(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(.+?)\s*\/\s*([a-z]+)\s*$/i.exec(value);
  if (!match) return parseBytes(value);
  const bytes = parseBytes(match[1] as string);
  const seconds = UNIT_SECONDS[(match[2] as string).toLowerCase()];
  return bytes === undefined || seconds === undefined ? undefined : bytes / seconds;
}

export function createLeakDetector(options: LeakDetectorOptions = {}): LeakDetector {
  return new LeakDetector(options);
}

export class LeakDetector {
  readonly growthBytesPerSecond: number;
  readonly interval: number;
  readonly window: number;
  readonly minSamples: number;
  readonly alpha: number;
  readonly minGrowthBytes: number;
  readonly minLinearity: number;
  readonly clearAfter: number;
  private readonly monitor: LeakConditionSink | undefined;
  private readonly alertId: string;
  private readonly read: () => number;
  private readonly now: () => number;
  private readonly heapLimit: number;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly leakListeners = new Set<LeakListener>();
  private readonly resolveListeners = new Set<LeakListener>();
  private readonly sampleListeners = new Set<LeakListener>();
  // A ring of the last `window` samples: times and bytes, oldest at `head` once full.
  private readonly times: Float64Array;
  private readonly bytes: Float64Array;
  private head = 0;
  private count = 0;
  private sampleCount = 0;
  private sampleMsTotal = 0;
  private state = false;
  private cleanRun = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: LeakDetectorOptions = {}) {
    const rate = parseGrowthRate(options.growthThreshold ?? KiB);
    if (rate === undefined)
      fail(
        `growthThreshold must be bytes per second (a number >= 0) or a rate such as '1MB/min', ` +
          `got ${JSON.stringify(options.growthThreshold)}`,
      );
    this.growthBytesPerSecond = rate;
    this.interval = options.interval ?? 10_000;
    if (!(Number.isFinite(this.interval) && this.interval >= 1))
      fail(`interval must be at least 1 ms, got ${options.interval}: it is the time between samples`);
    this.window = options.window ?? 30;
    if (!(Number.isSafeInteger(this.window) && this.window >= 5))
      fail(`window must be at least 5 samples, got ${options.window}: fewer cannot show a trend`);
    this.minSamples = options.minSamples ?? this.window;
    if (!(Number.isSafeInteger(this.minSamples) && this.minSamples >= 5 && this.minSamples <= this.window))
      fail(`minSamples must be between 5 and window (${this.window}), got ${options.minSamples}`);
    this.alpha = options.alpha ?? 0.01;
    if (!(this.alpha > 0 && this.alpha < 1))
      fail(`alpha must be between 0 and 1 (exclusive), got ${options.alpha}: 0.01 is usual`);
    const best = smallestTrendP(this.minSamples);
    if (best >= this.alpha)
      fail(
        `with minSamples ${this.minSamples} the trend test can never reach alpha ${this.alpha} (its smallest ` +
          `p-value is ${best.toPrecision(2)}): judge over more samples (window, minSamples) or raise alpha`,
      );
    const growth = parseBytes(options.minGrowthBytes ?? MiB);
    if (growth === undefined)
      fail(
        `minGrowthBytes must be a byte count >= 0 or a size such as '1MB', got ${JSON.stringify(options.minGrowthBytes)}`,
      );
    this.minGrowthBytes = growth;
    this.minLinearity = options.minLinearity ?? 0.5;
    if (!(this.minLinearity >= 0 && this.minLinearity <= 1))
      fail(`minLinearity must be between 0 and 1, got ${options.minLinearity}: 0.5 is the default`);
    this.clearAfter = options.clearAfter ?? 3;
    if (!(Number.isSafeInteger(this.clearAfter) && this.clearAfter >= 1))
      fail(`clearAfter must be a positive integer, got ${options.clearAfter}`);
    this.heapLimit = options.heapLimitBytes ?? heapLimitBytes();
    if (!(this.heapLimit > 0)) fail(`heapLimitBytes must be positive, got ${options.heapLimitBytes}`);
    this.alertId = options.alertId ?? 'leak';
    this.monitor = options.monitor;
    this.now = options.now ?? Date.now;
    this.onWarning = options.onWarning;
    this.read = options.sample ?? defaultReader();
    this.times = new Float64Array(this.window);
    this.bytes = new Float64Array(this.window);
  }

  /** Samples now and then every `interval` ms; the timer does not keep the process alive. Safe twice. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
    this.tick();
  }

  /** Stops sampling; the samples, the state and the alert stay as they are. Safe twice. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Whether a leak is currently detected (the state callbacks and the alert follow it). */
  get leaking(): boolean {
    return this.state;
  }

  /** Takes one sample (a full GC with the default reader), analyses the window and updates the state. */
  sampleNow(): LeakAnalysis {
    const started = performance.now();
    const value = this.read();
    this.sampleMsTotal += performance.now() - started;
    this.sampleCount++;
    if (!(Number.isFinite(value) && value >= 0))
      throw new LeakDetectorError(`leak detector: the sample reader returned ${value}, not a byte count`);
    const t = this.now();
    const at = (this.head + this.count) % this.window;
    this.times[at] = t;
    this.bytes[at] = value;
    if (this.count < this.window) this.count++;
    else this.head = (this.head + 1) % this.window;
    const analysis = this.update(this.analyze());
    this.notify(this.sampleListeners, analysis, 'onSample');
    return analysis;
  }

  /** Analyses the current window without sampling or changing the state. */
  analyze(): LeakAnalysis {
    const samples = this.samples();
    const xs = samples.map((s) => s.t / 1000);
    const ys = samples.map((s) => s.heapUsed);
    const n = samples.length;
    const windowSeconds = n > 1 ? (xs[n - 1] as number) - (xs[0] as number) : 0;
    let slope = 0;
    let pValue = 1;
    let s = 0;
    let tau = 0;
    let positiveShare = 0;
    let linearity = 0.5;
    if (n >= 2 && windowSeconds > 0) {
      const fit = fitTrend(xs, ys);
      slope = fit.slope;
      pValue = fit.mannKendall.pIncreasing;
      s = fit.mannKendall.s;
      tau = fit.mannKendall.tau;
      positiveShare = fit.positiveShare;
      linearity = fit.step.linearity;
    }
    const growthBytes = slope * windowSeconds;
    const checks: LeakChecks = {
      enoughSamples: n >= this.minSamples && windowSeconds > 0,
      slope: slope > this.growthBytesPerSecond,
      trend: pValue < this.alpha,
      growth: growthBytes >= this.minGrowthBytes && growthBytes > 0,
      sustained: linearity > this.minLinearity,
    };
    const leakDetected =
      checks.enoughSamples && checks.slope && checks.trend && checks.growth && checks.sustained;
    const last = n > 0 ? (ys[n - 1] as number) : 0;
    return {
      leakDetected,
      leaking: this.state,
      checks,
      reason: this.explain(checks, {
        n,
        slope,
        pValue,
        growthBytes,
        linearity,
        windowSeconds,
      }),
      slopeBytesPerSecond: slope,
      growthBytes,
      pValue,
      mannKendallS: s,
      tau,
      positiveShare,
      linearity,
      windowSeconds,
      secondsToHeapLimit: slope > 0 ? Math.max(0, (this.heapLimit - last) / slope) : undefined,
      sampleMs: this.sampleCount > 0 ? this.sampleMsTotal / this.sampleCount : 0,
      thresholds: {
        growthBytesPerSecond: this.growthBytesPerSecond,
        minGrowthBytes: this.minGrowthBytes,
        alpha: this.alpha,
        minLinearity: this.minLinearity,
      },
      samples,
    };
  }

  /** The window, oldest first (copies). */
  samples(): LeakSample[] {
    const out: LeakSample[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.window;
      out.push({ t: this.times[at] as number, heapUsed: this.bytes[at] as number });
    }
    return out;
  }

  /** Forgets the samples and clears the state (resolving the alert and telling onResolve listeners if leaking). */
  reset(): void {
    this.head = 0;
    this.count = 0;
    this.cleanRun = 0;
    if (this.state) this.update({ ...this.analyze(), leakDetected: false }, true);
  }

  /** Called with the analysis when the state turns to leaking; returns the unsubscribe function. */
  onLeak(listener: LeakListener): () => void {
    this.leakListeners.add(listener);
    return () => this.leakListeners.delete(listener);
  }

  /** Called with the analysis after every sample (for progress displays); returns the unsubscribe function. */
  onSample(listener: LeakListener): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  /** Called with the analysis when a detected leak clears; returns the unsubscribe function. */
  onResolve(listener: LeakListener): () => void {
    this.resolveListeners.add(listener);
    return () => this.resolveListeners.delete(listener);
  }

  private tick(): void {
    try {
      this.sampleNow();
    } catch (error) {
      this.onWarning?.(`leak detector: a sample failed and was skipped: ${String(error)}`);
    }
  }

  private update(analysis: LeakAnalysis, force = false): LeakAnalysis {
    if (analysis.leakDetected) {
      this.cleanRun = 0;
      const turned = !this.state;
      this.state = true;
      analysis.leaking = true;
      // Raised again at every leaking sample, so the alert's message and value follow the rate.
      this.report(true, analysis);
      if (turned) this.notify(this.leakListeners, analysis, 'onLeak');
      return analysis;
    }
    if (!this.state) return analysis;
    this.cleanRun++;
    if (!force && this.cleanRun < this.clearAfter) {
      analysis.leaking = true;
      return analysis;
    }
    this.state = false;
    this.cleanRun = 0;
    analysis.leaking = false;
    this.report(false, analysis);
    this.notify(this.resolveListeners, analysis, 'onResolve');
    return analysis;
  }

  private report(active: boolean, a: LeakAnalysis): void {
    if (!this.monitor) return;
    const rate = `${formatBytes(Math.round(a.slopeBytesPerSecond * 60))}/min`;
    const message = active
      ? `the heap after GC grows ${rate} (${formatBytes(Math.round(a.growthBytes))} over the last ` +
        `${formatDuration(a.windowSeconds)}, trend p=${a.pValue.toPrecision(2)}), above the leak threshold of ` +
        `${formatBytes(Math.round(this.growthBytesPerSecond * 60))}/min` +
        (a.secondsToHeapLimit !== undefined
          ? `; at this rate the heap limit is reached in ${formatDuration(a.secondsToHeapLimit)}`
          : '') +
        '; take two heap snapshots a while apart and diff them to see what grows'
      : `the heap after GC no longer grows steadily (fitted ${rate} over the last ${formatDuration(a.windowSeconds)})`;
    try {
      this.monitor.reportCondition(this.alertId, 'leak', active, {
        severity: 'warning',
        message,
        value: a.slopeBytesPerSecond,
        threshold: this.growthBytesPerSecond,
      });
    } catch (error) {
      this.onWarning?.(`leak detector: the monitor refused the leak alert: ${String(error)}`);
    }
  }

  private notify(listeners: Set<LeakListener>, analysis: LeakAnalysis, what: string): void {
    for (const listener of listeners) {
      try {
        listener(analysis);
      } catch (error) {
        this.onWarning?.(`leak detector: an ${what} listener threw and was skipped: ${String(error)}`);
      }
    }
  }

  private explain(
    checks: LeakChecks,
    f: {
      n: number;
      slope: number;
      pValue: number;
      growthBytes: number;
      linearity: number;
      windowSeconds: number;
    },
  ): string {
    if (!checks.enoughSamples)
      return `${f.n} of the ${this.minSamples} samples needed (over a time span above 0) before a verdict`;
    const rate = `${formatBytes(Math.round(f.slope * 60))}/min`;
    const failed: string[] = [];
    if (!checks.slope)
      failed.push(
        `the slope ${rate} is not above ${formatBytes(Math.round(this.growthBytesPerSecond * 60))}/min`,
      );
    if (!checks.trend)
      failed.push(`no significant rising trend (p=${f.pValue.toPrecision(2)} >= ${this.alpha})`);
    if (!checks.growth)
      failed.push(
        `growth over the window ${formatBytes(Math.round(f.growthBytes))} is under ${formatBytes(this.minGrowthBytes)}`,
      );
    if (!checks.sustained)
      failed.push(`a single step fits better than steady growth (linearity ${f.linearity.toFixed(2)})`);
    if (failed.length === 0)
      return (
        `sustained growth of ${rate} over ${formatDuration(f.windowSeconds)} ` +
        `(${formatBytes(Math.round(f.growthBytes))}, p=${f.pValue.toPrecision(2)}, linearity ${f.linearity.toFixed(2)})`
      );
    return `no leak: ${failed.join('; ')}`;
  }
}

function fail(message: string): never {
  throw new LeakDetectorError(`leak detector: ${message}`);
}

/** A full GC, then the heap in use: resolves gc once, when the detector is built. */
function defaultReader(): () => number {
  const gc = gcFunction();
  if (!gc)
    fail(
      'V8 refused to expose a full garbage collection, and sampling without one measures garbage: ' +
        'run node with --expose-gc, or pass a sample() reader',
    );
  return () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
}

/** The one-sided Mann–Kendall p-value of n strictly rising samples: no series of n does better. */
function smallestTrendP(n: number): number {
  const s = (n * (n - 1)) / 2;
  return normalCdf(-(s - 1) / Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18));
}

function formatDuration(seconds: number): string {
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < 600) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}
