import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readmeBenchRegion, replaceReadmeBenchRegion } from '../../src/bench/readme.js';
import { renderTable } from '../../src/bench/table.js';
import type { SummaryReport } from '../../src/bench/types.js';

const report: SummaryReport = {
  node: 'v20.0.0',
  iterations: 'default',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 90_000,
  passRate: 1 / 3,
  benchmarks: [
    {
      name: 'fast_one',
      description: 'd',
      variant: 'fast',
      baselineVariant: 'base',
      iterations: 3,
      passed: true,
      figures: { ms: 50.4, items: 10 },
      baseline: { ms: 100, items: 10 },
      ratios: { ms: 0.504, items: 1 },
      targets: [{ figure: 'ms', bound: '<= 0.6x base', value: 0.504, passed: true }],
      durationMs: 1000,
      shown: [
        { key: 'ms', label: 'time ms', digits: 0, better: 'lower' },
        { key: 'items', label: 'items', digits: 0, better: 'neither' },
      ],
    },
    {
      name: 'crashes',
      description: 'd',
      variant: 'crash',
      baselineVariant: 'base',
      iterations: 0,
      passed: false,
      figures: {},
      baseline: {},
      ratios: {},
      targets: [],
      error: 'crash: exited with code 1: Error: a | b\nat x',
      durationMs: 1000,
      shown: [],
    },
    {
      name: 'needs_corpus',
      description: 'd',
      variant: 'v',
      baselineVariant: 'base',
      iterations: 0,
      passed: false,
      figures: {},
      baseline: {},
      ratios: {},
      targets: [],
      skipped: 'not installed: x (npm i x)',
      durationMs: 0,
      shown: [],
    },
  ],
};

it('renders a report as an aligned Markdown table with the pass rate under it', () => {
  const expected = [
    '| benchmark    | variant | runs | figure  | median | baseline, same run | vs baseline | target       | met                                                   |',
    '| ------------ | ------- | ---: | ------- | -----: | -----------------: | ----------: | ------------ | ----------------------------------------------------- |',
    '| fast_one     | fast    |    3 | time ms |     50 |         100 (base) |       0.50x | <= 0.6x base | yes                                                   |',
    '| fast_one     | fast    |    3 | items   |     10 |          10 (base) |       1.00x |              |                                                       |',
    '| crashes      | crash   |    0 |         |        |                    |             |              | FAILED: crash: exited with code 1: Error: a \\| b at x |',
    '| needs_corpus | v       |    0 |         |        |                    |             |              | skipped: not installed: x (npm i x)                   |',
    '',
    'Pass rate: 1 of 3 benchmarks (33%); 1 skipped; not passed: crashes. Node v20.0.0, 1.5 min, started 2026-01-01T00:00:00.000Z.',
  ];
  assert.deepEqual(renderTable(report).split('\n'), expected);
});

it('replaces the README region between the markers, and reads it back', () => {
  const readme = '# T\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nafter\n';
  const updated = replaceReadmeBenchRegion(readme, report);
  assert.equal(readmeBenchRegion(updated), renderTable(report));
  assert.ok(updated.startsWith('# T\n\n<!-- bench:start -->\n\n| benchmark'));
  assert.ok(updated.endsWith('\n\n<!-- bench:end -->\n\nafter\n'));
  assert.equal(replaceReadmeBenchRegion(updated, report), updated);
  assert.throws(() => replaceReadmeBenchRegion('# no markers\n', report), /no <!-- bench:start -->/);
});
