/**
 * AlertManager: turns samples and reported conditions into alerts. An alert is raised once per
 * condition id (not once per sample), updated in place while it lasts, notified again when its
 * severity changes, and resolved only once the condition is clearly gone (hysteresis), so a figure
 * hovering at a threshold does not flap. Every raise, severity change and resolve goes to the
 * listeners and to the `onWarning` log callback.
 *
 * Conditions evaluated from each sample:
 * - `memory`: memory in use (rss, or heap + external, see `metric`) against the sample's budget:
 *   warning from `warningPercent`, critical from `criticalPercent`; a level is left only
 *   `hysteresisPercent` percentage points below its threshold.
 * - `component:<name>`: a component's bytes at or above its `componentThresholds` entry; resolved
 *   `hysteresisPercent` percent below it.
 * - `gc`: over the last `gcWindow` sample intervals, the share of wall time spent in GC pauses at or
 *   above `gcShareWarning`, or collections per second at or above `gcRateWarning`.
 * Other conditions (pools, breakers, the limiter, suspected leaks) are raised and resolved by id.
 */
import { formatBytes } from '../util/bytes.js';
import type { Alert, AlertKind, AlertSeverity, MemorySample } from './types.js';

export interface AlertManagerOptions {
  /** Percent of the budget that raises a warning (default 75) and a critical alert (default 85). */
  warningPercent?: number;
  criticalPercent?: number;
  /** Resolve (or step down) only this far below a threshold: percentage points of the budget for memory, percent of the threshold otherwise. Default 5. */
  hysteresisPercent?: number;
  /** Component name -> bytes at which it raises a warning. */
  componentThresholds?: Record<string, number>;
  /** Share of wall time in GC pauses (0..1) that raises a warning; default 0.1. */
  gcShareWarning?: number;
  /** Collections per second that raise a warning; default 50. */
  gcRateWarning?: number;
  /** Sample intervals the GC figures are taken over; default 5. */
  gcWindow?: number;
  /** What counts as memory in use: 'rss' (default) or 'heap' (heapUsed + external, as MemoryLimiter's 'heap'). */
  metric?: 'rss' | 'heap';
  /** Resolved alerts kept, oldest dropped first; default 200. */
  maxHistory?: number;
}

export interface AlertManagerHooks {
  /** Epoch ms for raises and resolves that do not come with a sample; default Date.now. */
  now?: () => number;
  /** Told of every raise, change and resolve, and of a listener that throws. */
  onWarning?: (message: string) => void;
}

export interface AlertDetails {
  severity: AlertSeverity;
  message: string;
  value: number;
  threshold: number;
}

type Listener = (alert: Alert) => void;

const RANK = { none: 0, warning: 1, critical: 2 } as const;

export class AlertManager {
  readonly warningPercent: number;
  readonly criticalPercent: number;
  readonly hysteresisPercent: number;
  readonly metric: 'rss' | 'heap';
  private readonly componentThresholds: Record<string, number>;
  private readonly gcShareWarning: number;
  private readonly gcRateWarning: number;
  private readonly maxHistory: number;
  private readonly now: () => number;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly activeById = new Map<string, Alert>();
  private readonly resolved: Alert[] = [];
  private readonly listeners = new Set<Listener>();
  // The GC window: pause ms, collections and wall ms of the last `gcWindow` intervals.
  private readonly gcPause: Float64Array;
  private readonly gcCount: Float64Array;
  private readonly gcWall: Float64Array;
  private gcNext = 0;
  private lastT: number | undefined;

  constructor(options: AlertManagerOptions = {}, hooks: AlertManagerHooks = {}) {
    this.warningPercent = options.warningPercent ?? 75;
    this.criticalPercent = options.criticalPercent ?? 85;
    this.hysteresisPercent = options.hysteresisPercent ?? 5;
    this.metric = options.metric ?? 'rss';
    this.componentThresholds = { ...options.componentThresholds };
    this.gcShareWarning = options.gcShareWarning ?? 0.1;
    this.gcRateWarning = options.gcRateWarning ?? 50;
    this.maxHistory = options.maxHistory ?? 200;
    const gcWindow = options.gcWindow ?? 5;
    this.now = hooks.now ?? Date.now;
    this.onWarning = hooks.onWarning;
    const w = this.warningPercent;
    const c = this.criticalPercent;
    if (!(w > 0 && w < c && c <= 100))
      throw new RangeError(
        `AlertManager: need 0 < warningPercent < criticalPercent <= 100, got ${w} and ${c} (monitoring.alerts)`,
      );
    if (!(this.hysteresisPercent >= 0 && this.hysteresisPercent < w))
      throw new RangeError(
        `AlertManager: hysteresisPercent must be in [0, warningPercent), got ${this.hysteresisPercent}`,
      );
    if (!(this.gcShareWarning > 0 && this.gcShareWarning <= 1))
      throw new RangeError(
        `AlertManager: gcShareWarning is a share of time in (0, 1], got ${this.gcShareWarning}`,
      );
    if (!(this.gcRateWarning > 0))
      throw new RangeError(`AlertManager: gcRateWarning must be positive, got ${this.gcRateWarning}`);
    if (!Number.isInteger(gcWindow) || gcWindow < 1)
      throw new RangeError(
        `AlertManager: gcWindow must be a positive integer of sample intervals, got ${gcWindow}`,
      );
    if (!Number.isInteger(this.maxHistory) || this.maxHistory < 0)
      throw new RangeError(`AlertManager: maxHistory must be a non-negative integer, got ${this.maxHistory}`);
    for (const [name, bytes] of Object.entries(this.componentThresholds)) {
      if (!(bytes > 0))
        throw new RangeError(
          `AlertManager: componentThresholds.${name} must be a positive byte count, got ${bytes}`,
        );
    }
    this.gcPause = new Float64Array(gcWindow);
    this.gcCount = new Float64Array(gcWindow);
    this.gcWall = new Float64Array(gcWindow);
  }

  /** Checks the conditions a sample shows: memory, component thresholds, GC. */
  evaluate(sample: MemorySample): void {
    this.evaluateMemory(sample);
    for (const name in this.componentThresholds) this.evaluateComponent(name, sample);
    this.evaluateGc(sample);
  }

  /** Raises the alert `id`, or updates it (notifying again when its severity changed). */
  raise(id: string, kind: AlertKind, details: AlertDetails, at: number = this.now()): void {
    const current = this.activeById.get(id);
    if (!current) {
      const alert: Alert = { id, kind, ...details, startedAt: at };
      this.activeById.set(id, alert);
      this.notify(alert, `alert ${details.severity} [${id}]: ${details.message}`);
      return;
    }
    const changed = current.severity !== details.severity;
    current.severity = details.severity;
    current.message = details.message;
    current.value = details.value;
    current.threshold = details.threshold;
    if (changed) this.notify(current, `alert now ${details.severity} [${id}]: ${details.message}`);
  }

  /** Resolves the alert `id` when it is active; returns whether it was. */
  resolve(id: string, at: number = this.now(), message?: string): boolean {
    const alert = this.activeById.get(id);
    if (!alert) return false;
    this.activeById.delete(id);
    alert.resolvedAt = at;
    if (message !== undefined) alert.message = message;
    if (this.maxHistory > 0) {
      this.resolved.push(alert);
      if (this.resolved.length > this.maxHistory) this.resolved.shift();
    }
    const seconds = Math.max(0, Math.round((at - alert.startedAt) / 1000));
    this.notify(alert, `alert resolved [${id}] after ${seconds} s: ${alert.message}`);
    return true;
  }

  /** Active alerts, oldest first (copies). */
  active(): Alert[] {
    return [...this.activeById.values()].map((a) => ({ ...a }));
  }

  /** Resolved alerts, oldest first (copies), at most `maxHistory`. */
  history(): Alert[] {
    return this.resolved.map((a) => ({ ...a }));
  }

  /** Called with a copy of the alert at each raise, severity change and resolve; returns an unsubscribe function. */
  onAlert(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(alert: Alert, log: string): void {
    this.onWarning?.(log);
    for (const listener of this.listeners) {
      try {
        listener({ ...alert });
      } catch (error) {
        this.onWarning?.(`an alert listener threw on [${alert.id}] and was skipped: ${String(error)}`);
      }
    }
  }

  private evaluateMemory(s: MemorySample): void {
    const used = this.metric === 'rss' ? s.rss : s.heapUsed + s.external;
    if (!(s.budgetBytes > 0)) return;
    const percent = (used / s.budgetBytes) * 100;
    const current = this.activeById.get('memory');
    const level = this.held(current?.severity, (margin) =>
      percent >= this.criticalPercent - margin
        ? 'critical'
        : percent >= this.warningPercent - margin
          ? 'warning'
          : 'none',
    );
    if (level === 'none') {
      if (current)
        this.resolve(
          'memory',
          s.t,
          `memory back to ${percent.toFixed(0)}% of the ${formatBytes(s.budgetBytes)} budget`,
        );
      return;
    }
    const threshold = level === 'critical' ? this.criticalPercent : this.warningPercent;
    this.raise(
      'memory',
      'memory',
      {
        severity: level,
        message:
          `memory in use (${this.metric}) ${formatBytes(used)} is ${percent.toFixed(0)}% of the ` +
          `${formatBytes(s.budgetBytes)} budget (${level} from ${threshold}%): reduce the work in flight ` +
          'or raise --memory-budget',
        value: used,
        threshold: (s.budgetBytes * threshold) / 100,
      },
      s.t,
    );
  }

  private evaluateComponent(name: string, s: MemorySample): void {
    const id = `component:${name}`;
    const threshold = this.componentThresholds[name] ?? Number.POSITIVE_INFINITY;
    const bytes = s.components[name];
    const current = this.activeById.get(id);
    const level =
      bytes === undefined
        ? 'none'
        : this.held(current?.severity, (margin) =>
            bytes >= threshold * (1 - margin / 100) ? 'warning' : 'none',
          );
    if (level === 'none') {
      if (current) this.resolve(id, s.t, `component ${name} back to ${formatBytes(bytes ?? 0)}`);
      return;
    }
    this.raise(
      id,
      'component',
      {
        severity: level,
        message: `component ${name} holds ${formatBytes(bytes ?? 0)}, at or above its ${formatBytes(threshold)} threshold`,
        value: bytes ?? 0,
        threshold,
      },
      s.t,
    );
  }

  private evaluateGc(s: MemorySample): void {
    const wall = this.lastT === undefined ? 0 : s.t - this.lastT;
    this.lastT = s.t;
    if (!(wall > 0)) return;
    const i = this.gcNext;
    this.gcPause[i] = s.gc.pauseMs;
    this.gcCount[i] = s.gc.count;
    this.gcWall[i] = wall;
    this.gcNext = (i + 1) % this.gcWall.length;
    const wallMs = sum(this.gcWall);
    const share = sum(this.gcPause) / wallMs;
    const rate = sum(this.gcCount) / (wallMs / 1000);
    const current = this.activeById.get('gc');
    const level = this.held(current?.severity, (margin) => {
      const f = 1 - margin / 100;
      return share >= this.gcShareWarning * f || rate >= this.gcRateWarning * f ? 'warning' : 'none';
    });
    const seconds = (wallMs / 1000).toFixed(0);
    if (level === 'none') {
      if (current)
        this.resolve(
          'gc',
          s.t,
          `GC back to ${(share * 100).toFixed(1)}% of time, ${rate.toFixed(1)}/s over ${seconds} s`,
        );
      return;
    }
    const byShare = share >= this.gcShareWarning * (1 - this.hysteresisPercent / 100);
    this.raise(
      'gc',
      'gc',
      {
        severity: level,
        message:
          `frequent garbage collection: ${(share * 100).toFixed(1)}% of time in pauses, ${rate.toFixed(1)} ` +
          `collections/s over the last ${seconds} s (warning from ${(this.gcShareWarning * 100).toFixed(0)}% ` +
          `or ${this.gcRateWarning}/s): the heap is near its limit or something allocates in a tight loop`,
        value: byShare ? share : rate,
        threshold: byShare ? this.gcShareWarning : this.gcRateWarning,
      },
      s.t,
    );
  }

  /**
   * The level now: `level(0)` when rising or staying, but a step down only when `level(margin)`
   * (the threshold moved down by the hysteresis) also says so.
   */
  private held(
    current: AlertSeverity | undefined,
    level: (margin: number) => AlertSeverity | 'none',
  ): AlertSeverity | 'none' {
    const from = current ?? 'none';
    const to = level(0);
    if (RANK[to] >= RANK[from]) return to;
    const withMargin = level(this.hysteresisPercent);
    return RANK[withMargin] < RANK[from] ? withMargin : from;
  }
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

interface Watch {
  kind: 'pool' | 'breaker';
  name: string;
  read: () => { exhaustions?: number; bytesHeld?: number; state?: string; opens?: number };
  /** Exhaustions or opens at the last poll. */
  seen: number;
  /** When the condition was last seen. */
  lastSeenAt: number;
  failing: boolean;
}

/**
 * Pools and circuit breakers watched at each sample. Their events are brief (a pool exhausted for
 * a moment, a breaker that opens and half-opens within a second), so an alert is raised on the
 * counter moving, not only on the state at the instant of the sample, and it resolves once
 * `quietMs` have passed without a new event (and, for a breaker, once it is closed again).
 */
export class Watchers {
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly alerts: AlertManager,
    private readonly quietMs: number,
    private readonly onWarning: (message: string) => void,
  ) {
    if (!(quietMs >= 0)) throw new RangeError(`MemoryMonitor: alertQuietMs must be >= 0, got ${quietMs}`);
  }

  /** Whether a watched pool reports under this component name. */
  ownsComponent(name: string): boolean {
    return this.watches.has(name);
  }

  watchPool(name: string, read: () => { exhaustions: number; bytesHeld?: number }): () => void {
    return this.add({
      kind: 'pool',
      name,
      read,
      seen: read().exhaustions,
      lastSeenAt: Number.NEGATIVE_INFINITY,
      failing: false,
    });
  }

  watchBreaker(name: string, read: () => { state: string; opens?: number }): () => void {
    return this.add({
      kind: 'breaker',
      name,
      read,
      seen: read().opens ?? 0,
      lastSeenAt: Number.NEGATIVE_INFINITY,
      failing: false,
    });
  }

  /** Reads every watch at time `t`; pool bytes go into `components` as `pool:<name>`. */
  poll(t: number, components: Record<string, number>): void {
    for (const [id, w] of this.watches) {
      let stats: ReturnType<Watch['read']>;
      try {
        stats = w.read();
        w.failing = false;
      } catch (error) {
        if (!w.failing)
          this.onWarning(`${w.kind} "${w.name}" could not report its state and is skipped: ${String(error)}`);
        w.failing = true;
        continue;
      }
      if (w.kind === 'pool') this.pollPool(id, w, t, stats, components);
      else this.pollBreaker(id, w, t, stats);
    }
  }

  private add(watch: Watch): () => void {
    const id = `${watch.kind}:${watch.name}`;
    if (this.watches.has(id))
      throw new Error(`MemoryMonitor: ${watch.kind} "${watch.name}" is already watched`);
    this.watches.set(id, watch);
    return () => {
      if (this.watches.get(id) !== watch) return;
      this.watches.delete(id);
      this.alerts.resolve(id, undefined, `${watch.kind} ${watch.name} is no longer watched`);
    };
  }

  private pollPool(
    id: string,
    w: Watch,
    t: number,
    s: ReturnType<Watch['read']>,
    out: Record<string, number>,
  ): void {
    const total = s.exhaustions ?? 0;
    if (s.bytesHeld !== undefined && Number.isFinite(s.bytesHeld)) out[id] = s.bytesHeld;
    const fresh = total - w.seen;
    w.seen = total;
    if (fresh > 0) {
      w.lastSeenAt = t;
      this.alerts.raise(
        id,
        'pool',
        {
          severity: 'warning',
          message:
            `pool ${w.name} was exhausted ${fresh} time(s) since the last sample (${total} in all): ` +
            'callers waited or were refused; raise its size or lower concurrency',
          value: total,
          threshold: 0,
        },
        t,
      );
    } else if (t - w.lastSeenAt >= this.quietMs) {
      this.alerts.resolve(id, t, `pool ${w.name}: no exhaustion for ${Math.round(this.quietMs / 1000)} s`);
    }
  }

  private pollBreaker(id: string, w: Watch, t: number, s: ReturnType<Watch['read']>): void {
    const opens = s.opens ?? w.seen;
    const openedSince = opens > w.seen;
    w.seen = opens;
    const state = s.state ?? 'closed';
    if (state === 'open' || openedSince) {
      w.lastSeenAt = t;
      this.alerts.raise(
        id,
        'breaker',
        {
          severity: 'critical',
          message:
            `circuit breaker ${w.name} ${state === 'open' ? 'is open' : 'opened since the last sample'} ` +
            `(${opens} opens in all): its calls are refused until it closes; see the failures behind it`,
          value: opens,
          threshold: 0,
        },
        t,
      );
    } else if (state === 'closed' && t - w.lastSeenAt >= this.quietMs) {
      this.alerts.resolve(id, t, `circuit breaker ${w.name} closed`);
    }
  }
}
