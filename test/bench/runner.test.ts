import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findCheckout } from '../../src/bench/checkout.js';
import { BenchmarkRunner } from '../../src/bench/runner.js';
import type { Benchmark, FigureSpec, Progress } from '../../src/bench/types.js';
import type { HeadroomError } from '../../src/errors.js';

const MODULE = new URL('./fixtures/bench-module.ts', import.meta.url).pathname;
const FIGURES: FigureSpec[] = [
  { key: 'ms', label: 'time ms', digits: 0, better: 'lower' },
  { key: 'items', label: 'items', digits: 0, better: 'neither' },
];

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function bench(overrides: Partial<Benchmark> & Pick<Benchmark, 'name' | 'variant'>): Benchmark {
  return {
    description: 'a test benchmark',
    module: MODULE,
    baseline: 'base',
    figures: FIGURES,
    ...overrides,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('BenchmarkRunner', () => {
  it('takes medians over iterations, gives ratios to the baseline and judges targets', {
    timeout: 20_000,
  }, async () => {
    const counter = join(dir, 'counter');
    const runner = new BenchmarkRunner()
      .add(
        bench({
          name: 'sequence_vs_base',
          variant: 'sequence',
          // The three runs of `sequence` report 30, 10 and 20 ms: the median is 20.
          args: [counter, '30', '10', '20'],
          targets: [
            { figure: 'ms', vs: 'ratio', max: 0.25 }, // 20 / 100 = 0.2: met
            { figure: 'ms', max: 15 }, // 20: not met
            { figure: 'items', vs: 'ratio', min: 1, max: 1 }, // the same count: met
            { figure: 'ms', vs: 'difference', max: -50 }, // 20 - 100 = -80: met
            { figure: 'missing', max: 1 }, // not measured: not met
          ],
        }),
      )
      .add(
        bench({
          name: 'fast_vs_base',
          variant: 'fast',
          targets: [{ figure: 'ms', vs: 'ratio', max: 0.5 }],
        }),
      );
    const events: Progress[] = [];
    const report = await runner.runAll({ iterations: 3, onProgress: (p) => events.push(p) });
    const [sequence, fast] = report.benchmarks;
    assert.ok(sequence && fast);
    assert.equal(sequence.iterations, 3);
    assert.deepEqual(sequence.figures, { ms: 20, items: 10, zero: 0 });
    assert.equal(sequence.baseline.ms, 100);
    assert.equal(sequence.ratios.ms, 0.2);
    assert.equal(sequence.ratios.items, 1);
    // A zero baseline has no ratio.
    assert.equal(sequence.ratios.zero, undefined);
    assert.deepEqual(
      sequence.targets.map((t) => [t.figure, t.bound, t.value, t.passed]),
      [
        ['ms', '<= 0.25x base', 0.2, true],
        ['ms', '<= 15', 20, false],
        ['items', '>= 1x base, <= 1x base', 1, true],
        ['ms', '<= -50 vs base', -80, true],
        ['missing', '<= 1', null, false],
      ],
    );
    assert.equal(sequence.passed, false);
    assert.equal(fast.passed, true);
    assert.equal(report.passRate, 0.5);
    assert.equal(runner.getSummaryReport(), report);

    // Interleaved, the order rotated each iteration: base first, then the variant first, ...
    const starts = events.filter((e) => e.phase === 'start' && e.benchmark === 'sequence_vs_base');
    assert.deepEqual(
      starts.map((e) => `${e.iteration}:${e.variant}`),
      ['1:base', '1:sequence', '2:sequence', '2:base', '3:base', '3:sequence'],
    );
    assert.ok(events.every((e) => e.total === 2 && e.iterations === 3 && e.elapsedMs >= 0));
    assert.ok(events.filter((e) => e.phase === 'end').every((e) => (e.childMs ?? 0) > 0));
  });

  it('reports a crashing child as failed with its error, and goes on', { timeout: 20_000 }, async () => {
    const runner = new BenchmarkRunner({ iterations: 2 })
      .add(bench({ name: 'crashes', variant: 'crash' }))
      .add(bench({ name: 'prints_nothing', variant: 'silent' }))
      .add(bench({ name: 'after_them', variant: 'fast' }));
    const report = await runner.runAll();
    const [crashes, silent, afterThem] = report.benchmarks;
    assert.equal(crashes?.passed, false);
    assert.match(
      crashes?.error ?? '',
      /^crash: exited with code 1: Error: boom on purpose; stderr: about to fail/,
    );
    assert.deepEqual(crashes?.figures, {});
    assert.equal(silent?.passed, false);
    assert.equal(silent?.error, 'silent: printed no JSON result');
    assert.equal(afterThem?.passed, true);
    assert.equal(afterThem?.iterations, 2);
    assert.equal(report.passRate, 1 / 3);
  });

  it('kills a child that runs past its timeout, with what it started', { timeout: 20_000 }, async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const runner = new BenchmarkRunner({ iterations: 1 }).add(
      bench({ name: 'hangs', variant: 'hang', args: [pidFile], timeoutMs: 2500 }),
    );
    const started = performance.now();
    const report = await runner.runAll();
    assert.ok(performance.now() - started < 10_000);
    assert.equal(report.benchmarks[0]?.passed, false);
    assert.match(report.benchmarks[0]?.error ?? '', /^hang: timed out after 2500 ms/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // The kill is immediate, but the pid may take a moment to be reaped.
    for (let i = 0; i < 50 && pidAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(pidAlive(grandchild), false);
  });

  it('skips a benchmark whose requirements are missing, saying how to install them', async () => {
    const runner = new BenchmarkRunner().add(
      bench({
        name: 'needs_corpus',
        variant: 'fast',
        requires: [
          {
            path: 'benchmarks/corpus/node_modules/nothing-here',
            install: 'npm --prefix benchmarks/corpus install',
          },
        ],
      }),
    );
    const progress: Progress[] = [];
    const report = await runner.runAll({ onProgress: (p) => progress.push(p) });
    const [result] = report.benchmarks;
    assert.equal(result?.passed, false);
    assert.equal(
      result?.skipped,
      'not installed: benchmarks/corpus/node_modules/nothing-here (npm --prefix benchmarks/corpus install)',
    );
    assert.deepEqual(
      progress.map((p) => p.phase),
      ['skip'],
    );
    assert.equal(report.passRate, 0);
  });

  it('runs a baseline with its own args', { timeout: 20_000 }, async () => {
    const runner = new BenchmarkRunner({ iterations: 1 }).add(
      bench({
        name: 'own_args',
        variant: 'fast',
        args: ['1000'],
        baseline: { variant: 'base', args: ['10'] },
        figures: [{ key: 'size', label: 'size', digits: 0, better: 'neither' }],
      }),
    );
    const [result] = (await runner.runAll()).benchmarks;
    assert.equal(result?.figures.size, 1000);
    assert.equal(result?.baseline.size, 10);
    assert.equal(result?.ratios.size, 100);
    assert.equal(result?.baselineVariant, 'base 10');
  });

  it("passes the benchmark's node flags to the variant and the baseline", { timeout: 20_000 }, async () => {
    const size = [{ key: 'size', label: 'young generation MB', digits: 0, better: 'neither' }] as const;
    const runner = new BenchmarkRunner({ iterations: 1 })
      .add(
        bench({
          name: 'pinned',
          variant: 'semi-space',
          baseline: 'semi-space',
          figures: size,
          nodeFlags: ['--min-semi-space-size=16'],
        }),
      )
      .add(bench({ name: 'default', variant: 'semi-space', baseline: 'semi-space', figures: size }));
    const [pinned, plain] = (await runner.runAll()).benchmarks;
    // A young generation of 16 MB from the start; without the flag V8 starts at 1 MB.
    assert.equal(pinned?.figures.size, 16);
    assert.equal(pinned?.baseline.size, 16);
    assert.ok((plain?.figures.size ?? 16) < 16, `without the flag: ${plain?.figures.size} MB`);
  });

  it('lists the valid names when asked for unknown ones, and checks its input', async () => {
    const runner = new BenchmarkRunner().addStandardBenchmarks();
    await assert.rejects(
      runner.runAll({ filter: ['topology_processing_1000e_2000c', 'no_such_benchmark'] }),
      (error: HeadroomError) => {
        assert.equal(error.code, 'HR_BENCH_UNKNOWN');
        assert.match(error.message, /^unknown benchmark 'no_such_benchmark'; valid: limiter_check_rss, /);
        assert.match(error.message, /monitoring_overhead/);
        return true;
      },
    );
    await assert.rejects(runner.runAll({ iterations: 0 }), /iterations must be a positive integer/);
    assert.throws(() => runner.add(bench({ name: 'Not-Snake', variant: 'fast' })), /must be snake_case/);
    assert.throws(() => runner.add(bench({ name: 'object_pool', variant: 'fast' })), /added already/);
    assert.throws(() => new BenchmarkRunner().getSummaryReport(), /call runAll\(\)/);
  });

  it('gives the JSON report its shape', { timeout: 20_000 }, async () => {
    const runner = new BenchmarkRunner({ iterations: 1 }).add(
      bench({ name: 'shape', variant: 'fast', targets: [{ figure: 'ms', max: 60 }] }),
    );
    await runner.runAll();
    const report = JSON.parse(JSON.stringify(runner.getSummaryReport())) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), [
      'benchmarks',
      'durationMs',
      'iterations',
      'node',
      'passRate',
      'startedAt',
    ]);
    assert.equal(report.node, process.version);
    assert.equal(report.passRate, 1);
    assert.ok(!Number.isNaN(Date.parse(report.startedAt as string)));
    const [entry] = report.benchmarks as Array<Record<string, unknown>>;
    assert.deepEqual(entry?.figures, { ms: 50, items: 10, zero: 0, size: 1 });
    assert.deepEqual(entry?.baseline, { ms: 100, items: 10, zero: 0, size: 1 });
    assert.deepEqual(entry?.ratios, { ms: 0.5, items: 1, size: 1 });
    assert.deepEqual(entry?.targets, [{ figure: 'ms', bound: '<= 60', value: 50, passed: true }]);
    assert.equal(entry?.passed, true);
    assert.equal(entry?.name, 'shape');
  });

  it('needs a source checkout, and says so elsewhere', async () => {
    assert.throws(
      () => findCheckout(dir),
      /the benchmarks are TypeScript files in the repository's benchmarks\/ folder, which .* does not have: run headroom bench \(or npm run bench\) from a source checkout, after npm install/,
    );
    const checkout = findCheckout();
    assert.ok(existsSync(checkout.child));
    assert.match(checkout.tsx, /^file:.*tsx/);
  });
});
