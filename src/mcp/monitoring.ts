/**
 * The live monitoring of an MCP server: a MemoryMonitor sampling the process, the components that
 * report their measured bytes, every tool call recorded, and the dashboard (page, JSON API,
 * Prometheus /metrics) when it is turned on. Loaded only when monitoring is on.
 */
import type { HeadroomConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { MemoryLimiter } from '../memory/limiter.js';
import type { ComponentProvider, ToolCallRecord } from '../observe/types.js';

export interface Monitoring {
  registerComponent(name: string, provider: ComponentProvider): () => void;
  recordToolCall(call: ToolCallRecord): void;
  /** Where the dashboard is. */
  url: string;
  close(): Promise<void>;
}

/** Starts monitoring and the dashboard; `name` says on the page what is being served. */
export async function startMonitoring(
  config: HeadroomConfig,
  logger: Logger,
  name: string,
  limiter?: MemoryLimiter,
): Promise<Monitoring> {
  const m = config.monitoring;
  const { MemoryMonitor } = await import('../observe/monitor.js');
  const { createMemoryDashboard } = await import('../observe/dashboard/server.js');
  const { heapSnapshotDir } = await import('../profile/snapshot-triggers.js');
  const log = logger.child({ component: 'monitor' });
  const monitor = new MemoryMonitor({
    sampleIntervalMs: m.sampleIntervalMs,
    historySeconds: m.historySeconds,
    ...(limiter
      ? { limiter }
      : config.memory.budget !== undefined
        ? { budgetBytes: config.memory.budget }
        : {}),
    alerts: { warningPercent: m.alerts.warningPercent, criticalPercent: m.alerts.criticalPercent },
    onWarning: (message) => log.warn(message),
  });
  monitor.start();
  try {
    const dashboard = await createMemoryDashboard({
      source: monitor,
      name,
      host: m.host,
      port: m.port,
      ...(m.token !== undefined ? { token: m.token } : {}),
      onWarning: (message) => log.warn(message),
      onInfo: (message) => log.info(message),
      heapSnapshotDir: heapSnapshotDir(config),
    });
    log.info(
      `dashboard at ${dashboard.url}${m.token ? ' (add ?token=...)' : ''}; Prometheus metrics at ${dashboard.url.replace(/\/$/, '')}/metrics`,
    );
    return {
      registerComponent: (component, provider) => monitor.registerComponent(component, provider),
      recordToolCall: (call) => monitor.recordToolCall(call),
      url: dashboard.url,
      close: async () => {
        monitor.stop();
        await dashboard.close();
      },
    };
  } catch (error) {
    monitor.stop();
    throw error;
  }
}

/**
 * A server's view of monitoring: the shared monitor it was given (left running when the server
 * ends), else one of its own when the dashboard is on, else none. Closing it removes the
 * components the server registered, so a shared monitor does not keep reading a finished server.
 */
export async function serverMonitoring(
  options: { dashboard?: boolean; monitoring?: Monitoring },
  start: () => Promise<Monitoring>,
): Promise<Monitoring | undefined> {
  const base = options.monitoring ?? (options.dashboard ? await start() : undefined);
  if (!base) return undefined;
  const owned = options.monitoring === undefined;
  const registered: Array<() => void> = [];
  return {
    registerComponent(name, provider) {
      const unregister = base.registerComponent(name, provider);
      registered.push(unregister);
      return unregister;
    },
    recordToolCall: (call) => base.recordToolCall(call),
    url: base.url,
    async close() {
      for (const unregister of registered) unregister();
      if (owned) await base.close();
    },
  };
}
