/**
 * MemoryMonitor: samples the process every `sampleIntervalMs` (memory, heap spaces, system and
 * cgroup memory, GC by kind, event-loop delay and utilization, the bytes each registered component
 * measures), keeps them in a fixed-size history, records tool calls, and owns an AlertManager.
 * It is itself the MonitorSource the dashboard and the Prometheus exporter read (no adapter).
 * Nothing here is global: two monitors in one process have their own observers, histograms,
 * timers and history.
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { type LevelChange, levelRank, type MemoryLimiter } from '../memory/limiter.js';
import { formatBytes } from '../util/bytes.js';
import { type AlertDetails, AlertManager, type AlertManagerOptions, Watchers } from './alerts.js';
import { GcObserver } from './gc-observer.js';
import { SampleHistory } from './history.js';
import { defaultReaders, type ProcessReaders } from './system.js';
import { ToolStatsTable } from './tool-stats.js';
import type {
  Alert,
  AlertKind,
  ComponentProvider,
  MemorySample,
  MonitorSource,
  ToolCallRecord,
  ToolStats,
} from './types.js';

export interface MemoryMonitorOptions {
  /** Milliseconds between samples; default 1000. */
  sampleIntervalMs?: number;
  /** Seconds of history; default 3600 (a ring of historySeconds * 1000 / sampleIntervalMs samples). */
  historySeconds?: number;
  /** Largest history ring allowed, in samples; default 100,000 (about 25 MB at most). */
  maxHistorySamples?: number;
  /** The budget alerts measure against; default the limiter's budget, else the V8 heap limit. */
  budgetBytes?: number;
  /** Its budget and metric are used; its level changes raise and resolve the `limiter` alert. */
  limiter?: MemoryLimiter;
  alerts?: AlertManagerOptions;
  /** Calls kept per tool for percentiles; default 1000. */
  toolWindow?: number;
  /** Most distinct tool names tracked; default 500 (later names are counted as "(other)"). */
  maxTools?: number;
  /** How long a pool or breaker must stay quiet before its alert resolves; default 60,000 ms. */
  alertQuietMs?: number;
  /** Resolution of the event-loop delay histogram; default 20 ms (each tick is a timer wake-up). */
  eventLoopResolutionMs?: number;
  /** Epoch milliseconds; for tests. */
  now?: () => number;
  /** For tests: replace what is read from the process and the machine. */
  readers?: Partial<ProcessReaders>;
  /** Told of alerts, failing providers and listeners. */
  onWarning?: (message: string) => void;
}

interface Component {
  provider: ComponentProvider;
  failing: boolean;
  details: Record<string, number> | undefined;
}

export class MemoryMonitor implements MonitorSource {
  readonly sampleIntervalMs: number;
  readonly budgetBytes: number;
  readonly alerts: AlertManager;
  private readonly now: () => number;
  private readonly readers: ProcessReaders;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly ring: SampleHistory;
  private readonly tools: ToolStatsTable;
  private readonly gc = new GcObserver();
  private readonly delay: IntervalHistogram;
  private readonly watchers: Watchers;
  private readonly components = new Map<string, Component>();
  private readonly sampleListeners = new Set<(sample: MemorySample) => void>();
  private readonly limiter: MemoryLimiter | undefined;
  private readonly onLevel = (change: LevelChange) => this.limiterLevel(change);
  private last: MemorySample | undefined;
  private elu = performance.eventLoopUtilization();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryMonitorOptions = {}) {
    this.sampleIntervalMs = options.sampleIntervalMs ?? 1000;
    const historySeconds = options.historySeconds ?? 3600;
    const maxSamples = options.maxHistorySamples ?? 100_000;
    if (!(Number.isFinite(this.sampleIntervalMs) && this.sampleIntervalMs >= 1))
      throw new RangeError(
        `MemoryMonitor: sampleIntervalMs must be at least 1, got ${this.sampleIntervalMs}`,
      );
    if (!(historySeconds > 0))
      throw new RangeError(`MemoryMonitor: historySeconds must be positive, got ${historySeconds}`);
    const capacity = Math.ceil((historySeconds * 1000) / this.sampleIntervalMs);
    if (capacity > maxSamples)
      throw new RangeError(
        `MemoryMonitor: ${historySeconds} s of history at one sample per ${this.sampleIntervalMs} ms is ` +
          `${capacity} samples, over maxHistorySamples (${maxSamples}): shorten monitoring.historySeconds, ` +
          'lengthen monitoring.sampleIntervalMs, or raise maxHistorySamples',
      );
    this.now = options.now ?? Date.now;
    this.onWarning = options.onWarning;
    this.readers = { ...defaultReaders(), ...options.readers };
    this.limiter = options.limiter;
    this.budgetBytes = options.budgetBytes ?? this.limiter?.budgetBytes ?? this.readers.heapLimit();
    if (!(this.budgetBytes > 0))
      throw new RangeError(`MemoryMonitor: budgetBytes must be positive, got ${this.budgetBytes}`);
    // Against the heap limit only the heap is meaningful; against a configured budget, what the OS charges.
    const metric =
      options.alerts?.metric ?? this.limiter?.metric ?? (options.budgetBytes !== undefined ? 'rss' : 'heap');
    const hooks = { now: this.now, ...(this.onWarning ? { onWarning: this.onWarning } : {}) };
    this.alerts = new AlertManager({ ...options.alerts, metric }, hooks);
    this.ring = new SampleHistory({ capacity, ...(this.onWarning ? { onWarning: this.onWarning } : {}) });
    this.tools = new ToolStatsTable({
      ...(options.toolWindow !== undefined ? { window: options.toolWindow } : {}),
      ...(options.maxTools !== undefined ? { maxTools: options.maxTools } : {}),
    });
    this.watchers = new Watchers(this.alerts, options.alertQuietMs ?? 60_000, (m) => this.onWarning?.(m));
    const resolution = options.eventLoopResolutionMs ?? 20;
    if (!(Number.isInteger(resolution) && resolution >= 1))
      throw new RangeError(
        `MemoryMonitor: eventLoopResolutionMs must be a positive integer, got ${resolution}`,
      );
    this.delay = monitorEventLoopDelay({ resolution });
  }

  /** Starts sampling (one sample now, then every interval); the timer does not keep the process alive. Safe twice. */
  start(): void {
    if (this.timer) return;
    this.gc.start();
    this.delay.enable();
    this.elu = performance.eventLoopUtilization();
    this.limiter?.on('level', this.onLevel);
    this.timer = setInterval(() => this.tick(), this.sampleIntervalMs);
    this.timer.unref();
    this.tick();
  }

  /** Stops sampling and observing; history, stats and alerts stay readable. Safe twice. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.gc.stop();
    this.delay.disable();
    this.limiter?.off('level', this.onLevel);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Takes one sample now: stores it, evaluates alerts, tells the sample listeners. */
  sample(): MemorySample {
    const t = this.now();
    const memory = this.readers.memoryUsage();
    const system = this.readers.systemMemory();
    const heapSpaces: Record<string, number> = {};
    this.readers.heapSpaces(heapSpaces);
    const eluNow = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(eluNow, this.elu).utilization;
    this.elu = eluNow;
    // The histogram reads nanoseconds, and 0 before its first tick.
    let p50Ms = 0;
    let p99Ms = 0;
    if (this.delay.count > 0) {
      p50Ms = this.delay.percentile(50) / 1e6;
      p99Ms = this.delay.percentile(99) / 1e6;
      // Clearing the histogram is the dearest part of a sample (~25 us): only when it holds something.
      this.delay.reset();
    }
    const components = this.readComponents();
    this.watchers.poll(t, components);
    const sample: MemorySample = {
      t,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      heapLimit: this.readers.heapLimit(),
      heapSpaces,
      systemTotal: system.total,
      systemFree: system.free,
      cgroupLimit: this.readers.cgroupLimit(),
      budgetBytes: this.budgetBytes,
      gc: this.gc.take(),
      eventLoop: { p50Ms, p99Ms, utilization: Number.isFinite(utilization) ? utilization : 0 },
      components,
    };
    this.ring.push(sample);
    this.last = sample;
    this.tools.mark(t);
    this.alerts.evaluate(sample);
    for (const listener of this.sampleListeners) {
      try {
        listener(sample);
      } catch (error) {
        this.onWarning?.(`a sample listener threw and was skipped: ${String(error)}`);
      }
    }
    return sample;
  }

  /** Adds a component whose provider is asked for its measured bytes at every sample; returns the unregister function. */
  registerComponent(name: string, provider: ComponentProvider): () => void {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('MemoryMonitor.registerComponent: name must be a non-empty string');
    if (this.components.has(name) || this.watchers.ownsComponent(name))
      throw new Error(
        `MemoryMonitor.registerComponent: a component named "${name}" is already registered; ` +
          'call the function its registerComponent returned first, or pick another name',
      );
    const entry: Component = { provider, failing: false, details: undefined };
    this.components.set(name, entry);
    return () => {
      if (this.components.get(name) === entry) this.components.delete(name);
    };
  }

  /** The latest `details` each component reported (e.g. { onDisk }), by component name. */
  componentDetails(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, c] of this.components) if (c.details) out[name] = { ...c.details };
    return out;
  }

  recordToolCall(call: ToolCallRecord): void {
    this.tools.record(call);
  }

  /** Raises `pool:<name>` when its exhaustions grow; `bytesHeld` is reported as component `pool:<name>`. */
  watchPool(name: string, stats: () => { exhaustions: number; bytesHeld?: number }): () => void {
    if (this.components.has(`pool:${name}`))
      throw new Error(`MemoryMonitor.watchPool: a component named "pool:${name}" is already registered`);
    return this.watchers.watchPool(name, stats);
  }

  /** Raises `breaker:<name>` (critical) while it is open, or when it opened since the last sample. */
  watchBreaker(name: string, stats: () => { state: string; opens?: number }): () => void {
    return this.watchers.watchBreaker(name, stats);
  }

  /** Raises (active) or resolves an alert by id: the hook for the leak detector and other detectors. */
  reportCondition(id: string, kind: AlertKind, active: boolean, details: AlertDetails): void {
    if (active) this.alerts.raise(id, kind, details);
    else this.alerts.resolve(id, this.now(), details.message);
  }

  /** Bytes the history ring holds (allocated once). */
  historyBytes(): number {
    return this.ring.byteSize();
  }

  // MonitorSource

  latest(): MemorySample | undefined {
    return this.last;
  }

  history(seconds: number, maxPoints?: number): MemorySample[] {
    if (!(seconds > 0)) throw new RangeError(`history: seconds must be positive, got ${seconds}`);
    // The last `seconds` at one sample a second are `seconds` samples: the window's start is excluded.
    return this.ring.window(this.now() - seconds * 1000, maxPoints);
  }

  toolStats(): Record<string, ToolStats> {
    return this.tools.snapshot();
  }

  activeAlerts(): Alert[] {
    return this.alerts.active();
  }

  alertHistory(): Alert[] {
    return this.alerts.history();
  }

  onSample(listener: (sample: MemorySample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  onAlert(listener: (alert: Alert) => void): () => void {
    return this.alerts.onAlert(listener);
  }

  private tick(): void {
    try {
      this.sample();
    } catch (error) {
      this.onWarning?.(`memory monitor: a sample failed and was skipped: ${String(error)}`);
    }
  }

  private readComponents(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, c] of this.components) {
      try {
        const report = c.provider();
        const bytes = typeof report === 'number' ? report : report.bytes;
        if (!(Number.isFinite(bytes) && bytes >= 0)) throw new RangeError(`reported ${bytes} bytes`);
        out[name] = bytes;
        c.details = typeof report === 'number' ? undefined : report.details;
        c.failing = false;
      } catch (error) {
        // Reported once per failure streak, so a broken provider does not flood the log every second.
        if (!c.failing)
          this.onWarning?.(
            `component "${name}" could not report its memory and is left out of samples until it does: ${String(error)}`,
          );
        c.failing = true;
      }
    }
    return out;
  }

  private limiterLevel(change: LevelChange): void {
    const rank = levelRank(change.to);
    if (rank < levelRank('HIGH')) {
      this.alerts.resolve('limiter', this.now(), `memory pressure back to ${change.to}`);
      return;
    }
    this.alerts.raise('limiter', 'memory', {
      severity: rank >= levelRank('CRITICAL') ? 'critical' : 'warning',
      message:
        `memory pressure ${change.to}: ${formatBytes(change.usedBytes)} of the ${formatBytes(change.budgetBytes)} ` +
        'budget (MemoryLimiter); new work may be refused',
      value: change.usedBytes,
      threshold: change.budgetBytes,
    });
  }
}
