import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Benchmark } from '../../bench/types.js';
import { HeadroomError, UsageError } from '../../errors.js';
import type { CommandDefinition, RunContext } from '../types.js';
import { untilSignal } from './signals.js';

export const benchCommand: CommandDefinition = {
  name: 'bench',
  summary:
    'Run the benchmark suite: each figure beside its baseline from the same run, targets, a pass rate.',
  usage: `headroom bench [--benchmark NAME[,NAME...]] [--iterations N] [--json FILE]
headroom bench --list

  Runs the standard benchmarks (all, or those named), each variant and its baseline in child
  processes of their own, interleaved, and prints a Markdown table of the medians with the ratio to
  the baseline and each target. Progress goes to stderr, the table to stdout. Without --iterations
  each benchmark runs as often as it declares (3 times, or once for the heavy ones), which keeps
  the whole suite under 10 minutes on 2 cores.

  The benchmarks are TypeScript files in the repository's benchmarks/ folder, run through tsx:
  run this from a source checkout after npm install. Benchmarks that need the peers or the
  real-spec corpus are skipped, saying what to install, when those are missing (npm run bench
  installs both). A benchmark whose child crashes or times out fails with its error; the rest run.

  Exit code: 0 when every benchmark passed its targets, 1 when some failed or were skipped, 2 for
  a bad command line (an unknown name lists the valid ones).`,
  options: [
    {
      name: 'benchmark',
      type: 'string',
      valueName: 'NAMES',
      description: 'Run only these benchmarks (comma-separated; --list shows them).',
    },
    {
      name: 'iterations',
      type: 'string',
      valueName: 'N',
      description: 'Runs of each variant (default: each benchmark its own, 3 or 1).',
    },
    {
      name: 'json',
      type: 'string',
      valueName: 'FILE',
      description: 'Also write the report as JSON to FILE.',
    },
    {
      name: 'list',
      type: 'boolean',
      description: 'List the benchmarks with their targets, and run nothing.',
    },
  ],
  async run(ctx: RunContext) {
    const names = namesOption(ctx.options.benchmark);
    const iterations = iterationsOption(ctx.options.iterations);
    const bench = await import('../../bench/index.js');
    const runner = new bench.BenchmarkRunner().addStandardBenchmarks();
    if (ctx.options.list === true) {
      ctx.io.stdout.write(listing(runner.list(), bench.DEFAULT_ITERATIONS));
      return 0;
    }
    try {
      runner.select(names);
    } catch (error) {
      if (error instanceof HeadroomError && error.code === 'HR_BENCH_UNKNOWN')
        throw new UsageError(error.message);
      throw error;
    }
    const json = typeof ctx.options.json === 'string' ? resolve(ctx.io.cwd, ctx.options.json) : undefined;
    const stop = untilSignal();
    try {
      // Without a source checkout this fails before anything runs, saying what is needed.
      const report = await runner.runAll({
        ...(iterations !== undefined ? { iterations } : {}),
        ...(names !== undefined ? { filter: names } : {}),
        onProgress: bench.progressPrinter(ctx.io.stderr),
        signal: stop.signal,
      });
      ctx.io.stdout.write(`${bench.renderTable(report)}\n`);
      if (json !== undefined) {
        mkdirSync(dirname(json), { recursive: true });
        writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
        ctx.io.stderr.write(`report written to ${json}\n`);
      }
      return report.benchmarks.every((b) => b.passed) ? 0 : 1;
    } finally {
      stop.dispose();
    }
  },
};

function namesOption(value: string | boolean | undefined): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new UsageError('--benchmark needs one or more names (headroom bench --list)');
  return names;
}

function iterationsOption(value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100)
    throw new UsageError(`--iterations must be a whole number from 1 to 100, not '${value}'`);
  return n;
}

function listing(benchmarks: readonly Benchmark[], defaultIterations: number): string {
  return benchmarks
    .map((b) => {
      const baseline =
        typeof b.baseline === 'string'
          ? b.baseline
          : [b.baseline.variant, ...(b.baseline.args ?? [])].join(' ');
      const targets = (b.targets ?? [])
        .map((t) => {
          const unit = t.vs === 'ratio' ? 'x baseline' : t.vs === 'difference' ? ' vs baseline' : '';
          const bounds = [
            t.min !== undefined ? `>= ${t.min}${unit}` : '',
            t.max !== undefined ? `<= ${t.max}${unit}` : '',
          ]
            .filter(Boolean)
            .join(', ');
          return `\n    ${t.figure} ${bounds}${t.why ? ` (${t.why})` : ''}`;
        })
        .join('');
      return `${b.name}\n  ${b.description}\n  ${b.variant} vs ${baseline}, ${b.iterations ?? defaultIterations} runs by default${targets}\n`;
    })
    .join('');
}
