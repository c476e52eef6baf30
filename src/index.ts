/**
 * Headroom's public API. Anything exported here is public and follows semantic versioning; the
 * memory names are the ones the design documents use, so their readers find them.
 */

export {
  type Benchmark,
  type BenchmarkResult,
  BenchmarkRunner,
  type BenchmarkRunnerOptions,
  type FigureSpec,
  type RunAllOptions,
  renderTable as renderBenchmarkTable,
  type SummaryReport,
  standardBenchmarks,
  type Target,
} from './bench/index.js';
export { limiterFromConfig } from './config/limiter.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './config/load.js';
export { configSchema, defaultConfig, type HeadroomConfig } from './config/schema.js';
export { type SettingInfo, settingsTable } from './config/settings.js';
export {
  AbortedError,
  BatchError,
  BudgetExceededError,
  CircuitOpenError,
  ConfigError,
  HeadroomError,
  ItemTooLargeError,
  JsonStreamError,
  ListenError,
  MemoryPressureError,
  NotImplementedError,
  PoolExhaustedError,
  SearchIndexError,
  SpecError,
  SpecTooLargeError,
  ToolArgumentError,
  UnknownOperationError,
  UsageError,
} from './errors.js';
export { type LogFormat, Logger, type LoggerOptions, type LogLevel } from './log/logger.js';
export {
  type BatchOptions,
  type BatchSource,
  type BatchSummary,
  processInBatches,
} from './memory/batches.js';
export {
  ChunkedWriter,
  type ChunkedWriterOptions,
  type ChunkedWriterStats,
  type WritableLike,
} from './memory/chunked-writer.js';
export {
  type BreakerState,
  type BreakerStats,
  MemoryCircuitBreaker,
  type MemoryCircuitBreakerOptions,
} from './memory/circuit-breaker.js';
export {
  type ByteSource,
  type StreamingJsonOptions,
  StreamingJsonProcessor,
  type StreamSummary,
} from './memory/json-stream.js';
export {
  type GcRun,
  type GcTrigger,
  type LevelChange,
  MemoryLimiter,
  type MemoryLimiterOptions,
  type MemoryLimiterStats,
  PRESSURE_LEVELS,
  type PressureLevel,
  type PressureThresholds,
  type Reservation,
} from './memory/limiter.js';
export {
  BufferPool,
  type BufferPoolOptions,
  type BufferPoolStats,
  ObjectPool,
  type ObjectPoolOptions,
  type PoolStats,
} from './memory/pools.js';
export type { MemoryMetric } from './memory/usage.js';
export {
  type Alert,
  AlertManager,
  type ComponentProvider,
  createMemoryDashboard,
  createPrometheusRegistry,
  type Dashboard,
  type DashboardOptions,
  MemoryMonitor,
  type MemoryMonitorOptions,
  type MemorySample,
  type MonitorSource,
  type ToolStats,
} from './observe/index.js';
export {
  createLeakDetector,
  diffHeapSnapshots,
  type HeapSnapshotDiff,
  type LeakAnalysis,
  LeakDetector,
  type LeakDetectorOptions,
  MemoryProfiler,
  type MemoryProfilerOptions,
  type MemoryReport,
  type ProfileReport,
  type Recommendation,
  startInspectedChild,
  writeHeapSnapshot,
} from './profile/index.js';
export { formatBytes, parseBytes } from './util/bytes.js';
