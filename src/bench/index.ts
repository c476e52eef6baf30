/** The benchmark suite: the runner, the standard benchmarks, and the report's table. */
export { type Checkout, findCheckout, findPackageRoot } from './checkout.js';
export { progressPrinter, type TextSink } from './progress.js';
export { BENCH_END, BENCH_START, readmeBenchRegion, replaceReadmeBenchRegion } from './readme.js';
export {
  BenchmarkRunner,
  type BenchmarkRunnerOptions,
  DEFAULT_ITERATIONS,
  type RunAllOptions,
} from './runner.js';
export { standardBenchmarks } from './standard.js';
export { renderTable, summaryLine } from './table.js';
export type {
  BaselineSpec,
  Benchmark,
  BenchmarkResult,
  Better,
  FigureSpec,
  Progress,
  Requirement,
  SummaryReport,
  Target,
  TargetResult,
} from './types.js';
