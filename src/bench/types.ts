/** The shapes of benchmarks, their targets and the reports the runner makes of them. */

/** Which way a figure is better; shown in `--list` and used by nothing that judges. */
export type Better = 'lower' | 'higher' | 'neither';

export interface FigureSpec {
  /** The key in the object the benchmark module returns (or a derived one). */
  key: string;
  label: string;
  /** Decimal places in the table. */
  digits: number;
  better: Better;
}

/**
 * A bound on one figure. Without `vs`, on the figure's median itself; with `vs: 'ratio'`, on the
 * median divided by the baseline's (time at most 0.5x the peer's); with `vs: 'difference'`, on the
 * median minus the baseline's (CPU at most 1 point above idle).
 */
export interface Target {
  figure: string;
  max?: number;
  min?: number;
  vs?: 'ratio' | 'difference';
  /** Where the bound comes from (an issue, a measurement), for `--list` and the code's reader. */
  why?: string;
}

/** A file the benchmark needs (relative to the package root), and the command that installs it. */
export interface Requirement {
  path: string;
  install: string;
}

/** The variant a benchmark compares against; its own args when they differ from the benchmark's. */
export interface BaselineSpec {
  variant: string;
  args?: readonly string[];
}

export interface Benchmark {
  /** snake_case, e.g. `topology_processing_1000e_2000c`. */
  name: string;
  /** One line: what is measured. */
  description: string;
  /** The benchmark module (`run(variant, ...args)`), relative to the package root or absolute. */
  module: string;
  args?: readonly string[];
  variant: string;
  /** Runs in the same run, interleaved with `variant`; every figure gets a ratio to it. */
  baseline: string | BaselineSpec;
  figures: readonly FigureSpec[];
  targets?: readonly Target[];
  /** Figures computed from each sample's own (e.g. a success rate from counts), added to it. */
  derive?: (figures: Readonly<Record<string, number>>) => Record<string, number>;
  requires?: readonly Requirement[];
  /** Per child process; over it the child is killed and the benchmark fails. */
  timeoutMs?: number;
  /** Runs per variant when `runAll` is not given `iterations` (default: the runner's). */
  iterations?: number;
  /** Node or V8 options for every child of this benchmark, the baseline's too (`--min-semi-space-size=16`). */
  nodeFlags?: readonly string[];
}

export interface TargetResult {
  figure: string;
  /** The bound as text: `<= 2000`, `<= 0.5x peer`, `<= +1 vs idle`. */
  bound: string;
  /** The median (or its ratio or difference to the baseline); null when it was not measured. */
  value: number | null;
  passed: boolean;
}

export interface BenchmarkResult {
  name: string;
  description: string;
  variant: string;
  baselineVariant: string;
  /** Runs per variant that completed. */
  iterations: number;
  passed: boolean;
  /** Medians of the variant's figures. */
  figures: Record<string, number>;
  /** Medians of the baseline's figures, same run. */
  baseline: Record<string, number>;
  /** figures[key] / baseline[key], for every key both have (and the baseline is not 0). */
  ratios: Record<string, number>;
  targets: TargetResult[];
  /** Why a child failed (crash, timeout, no JSON), with the tail of its stderr. */
  error?: string;
  /** Why it did not run (a peer or the corpus not installed) and how to install what is missing. */
  skipped?: string;
  durationMs: number;
  /** What the table shows, in order (the declared figures, then any other target's). */
  shown: FigureSpec[];
}

export interface SummaryReport {
  node: string;
  /** The iterations asked for; a benchmark's own count is in its result. */
  iterations: number | 'default';
  startedAt: string;
  durationMs: number;
  benchmarks: BenchmarkResult[];
  /** Passed benchmarks over all that were selected (skipped and failed ones count as not passed). */
  passRate: number;
}

export interface Progress {
  benchmark: string;
  /** 1-based position of the benchmark among those selected, and how many there are. */
  index: number;
  total: number;
  variant: string;
  /** 1-based. */
  iteration: number;
  iterations: number;
  /** Since runAll started. */
  elapsedMs: number;
  /** `start` before a child runs; `end` after, with its own time and error if it failed. */
  phase: 'start' | 'end' | 'skip';
  childMs?: number;
  error?: string;
  skipped?: string;
}
