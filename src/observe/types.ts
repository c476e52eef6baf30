/**
 * The shapes the monitor, the alert manager, the Prometheus exporter and the dashboard share.
 * Components report their own measured bytes through providers; nothing here is estimated as a
 * share of a total.
 */

/** What a component reports: its measured bytes, and optionally named parts or counters. */
export interface ComponentReport {
  bytes: number;
  /** e.g. { onDisk: 1234 } for a spill store, { exhaustions: 2 } for a pool. */
  details?: Record<string, number>;
}

/** Called at every sample; must be cheap (no I/O) and must not throw (a throw is reported once and skipped). */
export type ComponentProvider = () => ComponentReport | number;

/** One finished tool call, as the MCP servers record it. */
export interface ToolCallRecord {
  tool: string;
  ms: number;
  ok: boolean;
  /** Bytes of the result sent back (text content), when known. */
  bytesOut?: number;
  /** process.memoryUsage().heapUsed after minus before the call. */
  memoryDeltaBytes?: number;
}

export interface ToolStats {
  calls: number;
  errors: number;
  /** Latency percentiles over the most recent calls (a bounded window). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  bytesOut: number;
  /** Mean heap delta per call over the window. */
  meanMemoryDeltaBytes: number;
  /** Calls per second over the last sample interval. */
  callsPerSecond: number;
}

export interface GcStats {
  count: number;
  pauseMs: number;
  /** By kind: minor, major, incremental, weakcb. */
  byKind: Record<string, { count: number; pauseMs: number }>;
}

/** One sample of the process, taken every `sampleIntervalMs` (1 s by default). */
export interface MemorySample {
  /** Epoch milliseconds. */
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  heapLimit: number;
  /** V8 heap spaces: space name -> bytes used. */
  heapSpaces: Record<string, number>;
  systemTotal: number;
  systemFree: number;
  /** The cgroup memory limit, when the process runs under one. */
  cgroupLimit?: number;
  /** The memory budget alerts are measured against (bytes). */
  budgetBytes: number;
  /** GC since the previous sample. */
  gc: GcStats;
  eventLoop: { p50Ms: number; p99Ms: number; utilization: number };
  /** Component name -> measured bytes. */
  components: Record<string, number>;
}

export type AlertSeverity = 'warning' | 'critical';
export type AlertKind = 'memory' | 'component' | 'gc' | 'pool' | 'breaker' | 'leak';

export interface Alert {
  /** Stable per condition, e.g. 'memory', 'component:topology', 'pool:buffers'. */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  message: string;
  /** Epoch ms. */
  startedAt: number;
  resolvedAt?: number;
  value: number;
  threshold: number;
}

/**
 * What the dashboard server and the Prometheus exporter read. MemoryMonitor and AlertManager
 * implement it together (see observe/index.ts `MonitorSource`).
 */
export interface MonitorSource {
  latest(): MemorySample | undefined;
  /** Samples of the last `seconds`, oldest first, downsampled to at most `maxPoints`. */
  history(seconds: number, maxPoints?: number): MemorySample[];
  toolStats(): Record<string, ToolStats>;
  /** The latest details components reported beside their bytes (e.g. { onDisk }), by component. */
  componentDetails?(): Record<string, Record<string, number>>;
  activeAlerts(): Alert[];
  alertHistory(): Alert[];
  /** Called after each sample (with the alerts active after it); returns an unsubscribe function. */
  onSample(listener: (sample: MemorySample) => void): () => void;
  onAlert(listener: (alert: Alert) => void): () => void;
}

/** Messages of the dashboard's WebSocket (`/ws`), JSON, server -> page. */
export type DashboardMessage =
  | {
      type: 'hello';
      history: MemorySample[];
      tools: Record<string, ToolStats>;
      alerts: Alert[];
      alertHistory: Alert[];
      name: string;
    }
  | { type: 'sample'; sample: MemorySample; tools: Record<string, ToolStats>; alerts: Alert[] }
  | { type: 'alert'; alert: Alert };
