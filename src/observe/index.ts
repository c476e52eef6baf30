/**
 * The observe domain: live memory monitoring. MemoryMonitor owns an AlertManager and is itself
 * the MonitorSource that the dashboard server and the Prometheus exporter read, so there is no
 * separate adapter: pass the monitor wherever a MonitorSource is asked for.
 */
export {
  type AlertDetails,
  AlertManager,
  type AlertManagerHooks,
  type AlertManagerOptions,
} from './alerts.js';
export {
  createMemoryDashboard,
  type Dashboard,
  type DashboardOptions,
  DEFAULT_DASHBOARD_PORT,
} from './dashboard/server.js';
export { GC_KINDS, type GcKind, GcObserver } from './gc-observer.js';
export { SampleHistory, type SampleHistoryOptions } from './history.js';
export { MemoryMonitor, type MemoryMonitorOptions } from './monitor.js';
export { createPrometheusRegistry, type PrometheusExporter, type PrometheusOptions } from './prometheus.js';
export {
  type CgroupPaths,
  defaultReaders,
  type ProcessMemory,
  type ProcessReaders,
  readCgroupLimit,
} from './system.js';
export { percentile, type ToolStatsOptions, ToolStatsTable } from './tool-stats.js';
export type {
  Alert,
  AlertKind,
  AlertSeverity,
  ComponentProvider,
  ComponentReport,
  DashboardMessage,
  GcStats,
  MemorySample,
  MonitorSource,
  ToolCallRecord,
  ToolStats,
} from './types.js';
