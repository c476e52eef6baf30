/**
 * BenchmarkRunner: runs each benchmark's variant and its baseline in child processes of their own,
 * interleaved and in a rotated order per iteration (the machines are shared and noisy, so drift is
 * shared by both), and judges the medians against the benchmark's targets. A child that crashes,
 * times out or prints no figures fails its benchmark, and the suite goes on.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { HeadroomError } from '../errors.js';
import { type Checkout, findCheckout } from './checkout.js';
import { runChild } from './child.js';
import { standardBenchmarks } from './standard.js';
import { judge, medians, ratios } from './stats.js';
import type {
  BaselineSpec,
  Benchmark,
  BenchmarkResult,
  FigureSpec,
  Progress,
  SummaryReport,
} from './types.js';

export interface BenchmarkRunnerOptions {
  /** Where benchmark modules, the child script and tsx are found (default: this package's checkout). */
  checkout?: Checkout;
  /** Runs per variant for benchmarks that do not set their own (default 3). */
  iterations?: number;
  /** Per child, for benchmarks that do not set their own (default 10 minutes). */
  timeoutMs?: number;
}

export interface RunAllOptions {
  /** Runs per variant for every benchmark; without it, each benchmark's own or the runner's default. */
  iterations?: number;
  /** Exact names (an unknown one is an error that lists the valid ones), or a predicate. */
  filter?: readonly string[] | ((benchmark: Benchmark) => boolean);
  onProgress?: (progress: Progress) => void;
  /** Stops the run: the child in flight is killed and its benchmark fails as stopped. */
  signal?: AbortSignal;
}

export const DEFAULT_ITERATIONS = 3;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const NAME = /^[a-z0-9]+(_[a-z0-9]+)*$/;
const TS_MODULE = /\.[cm]?tsx?$/;

export class BenchmarkRunner {
  private readonly benchmarks: Benchmark[] = [];
  private readonly options: BenchmarkRunnerOptions;
  private checkout: Checkout | undefined;
  private last: SummaryReport | undefined;

  constructor(options: BenchmarkRunnerOptions = {}) {
    this.options = options;
    this.checkout = options.checkout;
  }

  add(benchmark: Benchmark): this {
    if (!NAME.test(benchmark.name))
      throw new HeadroomError(
        'HR_BENCH_INVALID',
        `benchmark name '${benchmark.name}' must be snake_case (lower-case letters, digits and _)`,
      );
    if (this.benchmarks.some((b) => b.name === benchmark.name))
      throw new HeadroomError('HR_BENCH_INVALID', `a benchmark named '${benchmark.name}' was added already`);
    this.benchmarks.push(benchmark);
    return this;
  }

  /** The suite `headroom bench` and `npm run bench` run (src/bench/standard.ts). */
  addStandardBenchmarks(): this {
    for (const benchmark of standardBenchmarks()) this.add(benchmark);
    return this;
  }

  list(): readonly Benchmark[] {
    return this.benchmarks;
  }

  /** The benchmarks a filter selects; unknown names throw, listing the valid ones. */
  select(filter?: RunAllOptions['filter']): Benchmark[] {
    if (filter === undefined) return [...this.benchmarks];
    if (typeof filter === 'function') return this.benchmarks.filter(filter);
    const known = new Set(this.benchmarks.map((b) => b.name));
    const unknown = filter.filter((name) => !known.has(name));
    if (unknown.length > 0)
      throw new HeadroomError(
        'HR_BENCH_UNKNOWN',
        `unknown benchmark${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; valid: ${[...known].join(', ')}`,
      );
    return this.benchmarks.filter((b) => filter.includes(b.name));
  }

  async runAll(options: RunAllOptions = {}): Promise<SummaryReport> {
    if (options.iterations !== undefined && !(Number.isInteger(options.iterations) && options.iterations > 0))
      throw new HeadroomError(
        'HR_BENCH_INVALID',
        `iterations must be a positive integer, not ${options.iterations}`,
      );
    const chosen = this.select(options.filter);
    this.checkout ??= findCheckout();
    const startedAt = new Date();
    const start = performance.now();
    const results: BenchmarkResult[] = [];
    for (const [i, benchmark] of chosen.entries()) {
      const context = { index: i + 1, total: chosen.length, start, options };
      results.push(await this.runOne(benchmark, this.checkout, context));
    }
    const passed = results.filter((r) => r.passed).length;
    this.last = {
      node: process.version,
      iterations: options.iterations ?? 'default',
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - start,
      benchmarks: results,
      passRate: results.length === 0 ? 0 : passed / results.length,
    };
    return this.last;
  }

  /** The report of the last runAll. */
  getSummaryReport(): SummaryReport {
    if (!this.last)
      throw new HeadroomError('HR_BENCH_NOT_RUN', 'no report yet: call runAll() before getSummaryReport()');
    return this.last;
  }

  private async runOne(
    benchmark: Benchmark,
    checkout: Checkout,
    context: { index: number; total: number; start: number; options: RunAllOptions },
  ): Promise<BenchmarkResult> {
    const { options } = context;
    const started = performance.now();
    const baseline = baselineOf(benchmark);
    const iterations =
      options.iterations ?? benchmark.iterations ?? this.options.iterations ?? DEFAULT_ITERATIONS;
    const progress = (p: Pick<Progress, 'variant' | 'iteration' | 'phase'> & Partial<Progress>) =>
      options.onProgress?.({
        benchmark: benchmark.name,
        index: context.index,
        total: context.total,
        iterations,
        elapsedMs: performance.now() - context.start,
        ...p,
      });
    const result = (
      samples: Map<string, Record<string, number>[]>,
      completed: number,
      failure: { error?: string; skipped?: string },
    ) =>
      summarize(
        benchmark,
        baselineLabel(benchmark),
        samples,
        completed,
        failure,
        performance.now() - started,
      );

    const missing = (benchmark.requires ?? []).filter((r) => !existsSync(join(checkout.root, r.path)));
    if (missing.length > 0) {
      const skipped = `not installed: ${missing.map((m) => `${m.path} (${m.install})`).join('; ')}`;
      progress({ variant: benchmark.variant, iteration: 0, phase: 'skip', skipped });
      return result(new Map(), 0, { skipped });
    }

    const runs: Array<{ key: string; variant: string; args: readonly string[] }> = [
      { key: 'baseline', variant: baseline.variant, args: baseline.args ?? benchmark.args ?? [] },
      { key: 'variant', variant: benchmark.variant, args: benchmark.args ?? [] },
    ];
    const samples = new Map<string, Record<string, number>[]>(runs.map((r) => [r.key, []]));
    for (let iteration = 0; iteration < iterations; iteration++) {
      // Rotate the order each iteration, so that neither side always runs first.
      const order = runs.map((_, k) => runs[(k + iteration) % runs.length] as (typeof runs)[number]);
      for (const run of order) {
        if (options.signal?.aborted) return result(samples, iteration, { error: 'stopped' });
        progress({ variant: run.variant, iteration: iteration + 1, phase: 'start' });
        const childStart = performance.now();
        const outcome = await runChild({
          args: this.childArgs(benchmark, checkout, run.variant, run.args),
          cwd: checkout.root,
          timeoutMs: benchmark.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const childMs = performance.now() - childStart;
        if ('error' in outcome) {
          const error = `${run.variant}: ${outcome.error}`;
          progress({ variant: run.variant, iteration: iteration + 1, phase: 'end', childMs, error });
          // A crash is rarely a fluke, and the other iterations would take as long again.
          return result(samples, iteration, { error });
        }
        const figures = { ...outcome.figures, ...benchmark.derive?.(outcome.figures) };
        samples.get(run.key)?.push(figures);
        progress({ variant: run.variant, iteration: iteration + 1, phase: 'end', childMs });
      }
    }
    return result(samples, iterations, {});
  }

  private childArgs(benchmark: Benchmark, checkout: Checkout, variant: string, args: readonly string[]) {
    const module = isAbsolute(benchmark.module) ? benchmark.module : join(checkout.root, benchmark.module);
    const loader = TS_MODULE.test(module) || TS_MODULE.test(checkout.child) ? ['--import', checkout.tsx] : [];
    return [...(benchmark.nodeFlags ?? []), ...loader, checkout.child, module, variant, ...args];
  }
}

export function baselineOf(benchmark: Benchmark): BaselineSpec {
  return typeof benchmark.baseline === 'string' ? { variant: benchmark.baseline } : benchmark.baseline;
}

/** The baseline's variant, with its args when they differ from the benchmark's (`stream 100000`). */
export function baselineLabel(benchmark: Benchmark): string {
  const { variant, args } = baselineOf(benchmark);
  return args === undefined ? variant : [variant, ...args].join(' ');
}

function summarize(
  benchmark: Benchmark,
  baselineVariant: string,
  samples: Map<string, Record<string, number>[]>,
  completed: number,
  failure: { error?: string; skipped?: string },
  durationMs: number,
): BenchmarkResult {
  const ran = failure.error === undefined && failure.skipped === undefined;
  const figures = ran ? medians(samples.get('variant') ?? []) : {};
  const baseline = ran ? medians(samples.get('baseline') ?? []) : {};
  const targets = (benchmark.targets ?? []).map((t) => judge(t, figures, baseline, baselineVariant));
  return {
    name: benchmark.name,
    description: benchmark.description,
    variant: benchmark.variant,
    baselineVariant,
    iterations: completed,
    passed: ran && targets.every((t) => t.passed),
    figures,
    baseline,
    ratios: ratios(figures, baseline),
    targets,
    ...failure,
    durationMs,
    shown: shownFigures(benchmark),
  };
}

/** The declared figures, then any figure a target judges that was not declared. */
function shownFigures(benchmark: Benchmark): FigureSpec[] {
  const shown = [...benchmark.figures];
  for (const target of benchmark.targets ?? [])
    if (!shown.some((f) => f.key === target.figure))
      shown.push({ key: target.figure, label: target.figure, digits: 2, better: 'neither' });
  return shown;
}
