/**
 * Prometheus text for `/metrics`: prom-client's default Node metrics plus `headroom_*` metrics read
 * from a MonitorSource when scraped. Each call makes its own Registry, never prom-client's global
 * one, so two monitors (or two tests) in one process do not see each other's metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Alert, MemorySample, MonitorSource, ToolStats } from './types.js';

export interface PrometheusOptions {
  /** Prefix of the monitor's metrics; default `headroom_`. */
  prefix?: string;
  /**
   * prom-client's default metrics (process CPU, fds, Node heap, event loop lag, GC histogram).
   * Default true. Each registry with them keeps one GC observer and one event-loop histogram for
   * the life of the process (prom-client offers no way to stop them), so turn them off in code
   * that creates many registries.
   */
  defaultMetrics?: boolean;
}

export interface PrometheusExporter {
  registry: Registry;
  /** The exposition text, metrics read from the source now. */
  metrics(): Promise<string>;
  /** Stops following the source's samples (the GC counters); safe twice. */
  close(): void;
}

const MS = 1 / 1000;

/** The memory fields of a sample, each a gauge `<prefix><name>`. */
const MEMORY_GAUGES: ReadonlyArray<
  [name: string, help: string, read: (s: MemorySample) => number | undefined]
> = [
  ['memory_rss_bytes', 'Resident set size of the process.', (s) => s.rss],
  ['memory_heap_used_bytes', 'V8 heap in use.', (s) => s.heapUsed],
  ['memory_heap_total_bytes', 'V8 heap allocated.', (s) => s.heapTotal],
  ['memory_external_bytes', 'Memory of C++ objects bound to JavaScript objects.', (s) => s.external],
  [
    'memory_array_buffers_bytes',
    'Memory of ArrayBuffers and SharedArrayBuffers (part of external).',
    (s) => s.arrayBuffers,
  ],
  ['memory_heap_limit_bytes', 'V8 heap size limit.', (s) => s.heapLimit],
  ['memory_budget_bytes', 'The memory budget alerts are measured against.', (s) => s.budgetBytes],
  ['system_memory_total_bytes', 'Memory of the machine.', (s) => s.systemTotal],
  ['system_memory_free_bytes', 'Free memory of the machine.', (s) => s.systemFree],
  [
    'cgroup_memory_limit_bytes',
    'Memory limit of the cgroup the process runs in (absent when none).',
    (s) => s.cgroupLimit,
  ],
  [
    'event_loop_delay_p50_seconds',
    'Event loop delay, median over the last sample interval.',
    (s) => s.eventLoop.p50Ms * MS,
  ],
  [
    'event_loop_delay_p99_seconds',
    'Event loop delay, 99th percentile over the last sample interval.',
    (s) => s.eventLoop.p99Ms * MS,
  ],
  [
    'event_loop_utilization_ratio',
    'Share of the last sample interval the event loop was busy (0..1).',
    (s) => s.eventLoop.utilization,
  ],
  ['sample_timestamp_seconds', 'When the latest sample was taken (Unix time).', (s) => s.t * MS],
];

/** Registers the metrics in a new Registry; values are read from `source` at each scrape. */
export function createPrometheusRegistry(
  source: MonitorSource,
  options: PrometheusOptions = {},
): PrometheusExporter {
  const prefix = options.prefix ?? 'headroom_';
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw new TypeError(
      `invalid Prometheus metric prefix ${JSON.stringify(prefix)} (createPrometheusRegistry options.prefix): use letters, digits, _ and :, not starting with a digit`,
    );
  }
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  for (const [name, help, read] of MEMORY_GAUGES) {
    new Gauge({
      name: prefix + name,
      help,
      registers,
      collect() {
        const sample = source.latest();
        const value = sample === undefined ? undefined : read(sample);
        // An unlabelled gauge reads 0 after reset(); a value not measured must be absent instead.
        if (value !== undefined && Number.isFinite(value)) this.set(value);
        else this.remove();
      },
    });
  }

  labelledGauge(
    registers,
    `${prefix}heap_space_used_bytes`,
    'V8 heap space in use, by space.',
    'space',
    () => source.latest()?.heapSpaces,
  );
  labelledGauge(
    registers,
    `${prefix}component_bytes`,
    'Bytes a component measured and reported itself, by component.',
    'component',
    () => source.latest()?.components,
  );
  new Gauge({
    name: `${prefix}component_detail`,
    help: 'Figures a component reported beside its bytes (e.g. onDisk, entries), by component and figure.',
    labelNames: ['component', 'figure'],
    registers,
    collect() {
      this.reset();
      for (const [component, details] of Object.entries(source.componentDetails?.() ?? {})) {
        for (const [figure, value] of Object.entries(details)) {
          if (Number.isFinite(value)) this.set({ component, figure }, value);
        }
      }
    },
  });

  // A sample carries the GC since the previous sample, so the totals are summed here as samples
  // arrive; they count from when this exporter was created, as counters may.
  const gcTotals = new Map<string, { count: number; pauseMs: number }>();
  const unsubscribe = source.onSample((sample) => {
    for (const [kind, gc] of Object.entries(sample.gc.byKind)) {
      const total = gcTotals.get(kind) ?? { count: 0, pauseMs: 0 };
      total.count += gc.count;
      total.pauseMs += gc.pauseMs;
      gcTotals.set(kind, total);
    }
  });
  new Counter({
    name: `${prefix}gc_collections_total`,
    help: 'Garbage collections seen by the monitor, by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, total] of gcTotals) this.inc({ kind }, total.count);
    },
  });
  new Counter({
    name: `${prefix}gc_pause_seconds_total`,
    help: 'Time paused in garbage collection seen by the monitor, by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      this.reset();
      for (const [kind, total] of gcTotals) this.inc({ kind }, total.pauseMs * MS);
    },
  });

  toolMetrics(registers, prefix, source);

  new Gauge({
    name: `${prefix}alerts_active`,
    help: 'Alerts active now, by severity.',
    labelNames: ['severity'],
    registers,
    collect() {
      const counts: Record<Alert['severity'], number> = { warning: 0, critical: 0 };
      for (const alert of source.activeAlerts()) counts[alert.severity]++;
      for (const [severity, count] of Object.entries(counts)) this.set({ severity }, count);
    },
  });

  let closed = false;
  return {
    registry,
    metrics: () => registry.metrics(),
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
    },
  };
}

/** A gauge with one label whose values come from a record; labels that disappear are dropped. */
function labelledGauge(
  registers: Registry[],
  name: string,
  help: string,
  label: string,
  read: () => Record<string, number> | undefined,
): void {
  new Gauge({
    name,
    help,
    labelNames: [label],
    registers,
    collect() {
      this.reset();
      for (const [key, value] of Object.entries(read() ?? {})) {
        if (Number.isFinite(value)) this.set({ [label]: key }, value);
      }
    },
  });
}

function toolMetrics(registers: Registry[], prefix: string, source: MonitorSource): void {
  // One read of the source per scrape would need shared state between collect() calls; reading it
  // in each is cheap (a record of a few tools) and keeps every metric consistent with itself.
  const counter = (name: string, help: string, read: (s: ToolStats) => number) =>
    new Counter({
      name: prefix + name,
      help,
      labelNames: ['tool'],
      registers,
      collect() {
        this.reset();
        for (const [tool, stats] of Object.entries(source.toolStats())) {
          const value = read(stats);
          if (Number.isFinite(value) && value >= 0) this.inc({ tool }, value);
        }
      },
    });
  counter('tool_calls_total', 'Tool calls finished, by tool.', (s) => s.calls);
  counter('tool_errors_total', 'Tool calls that failed, by tool.', (s) => s.errors);
  counter('tool_bytes_out_total', 'Bytes of tool results sent back, by tool.', (s) => s.bytesOut);

  new Gauge({
    name: `${prefix}tool_latency_seconds`,
    help: 'Tool call latency percentiles over the most recent calls, by tool and quantile.',
    labelNames: ['tool', 'quantile'],
    registers,
    collect() {
      this.reset();
      for (const [tool, stats] of Object.entries(source.toolStats())) {
        this.set({ tool, quantile: '0.5' }, stats.p50Ms * MS);
        this.set({ tool, quantile: '0.95' }, stats.p95Ms * MS);
        this.set({ tool, quantile: '0.99' }, stats.p99Ms * MS);
      }
    },
  });
  const gauge = (name: string, help: string, read: (s: ToolStats) => number) =>
    new Gauge({
      name: prefix + name,
      help,
      labelNames: ['tool'],
      registers,
      collect() {
        this.reset();
        for (const [tool, stats] of Object.entries(source.toolStats())) {
          const value = read(stats);
          if (Number.isFinite(value)) this.set({ tool }, value);
        }
      },
    });
  gauge(
    'tool_calls_per_second',
    'Tool calls per second over the last sample interval, by tool.',
    (s) => s.callsPerSecond,
  );
  gauge(
    'tool_memory_delta_bytes',
    'Mean V8 heap change per call over the most recent calls, by tool.',
    (s) => s.meanMemoryDeltaBytes,
  );
}
