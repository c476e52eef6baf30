/**
 * A report as a Markdown table: one row per figure, beside its baseline from the same run, the
 * ratio, the target and whether it was met. `headroom bench` prints it, and the README's
 * benchmark section is this rendering of benchmarks/results.json. Columns are padded the way
 * Biome formats Markdown tables, so the README stays as Biome leaves it.
 */
import type { BenchmarkResult, SummaryReport, TargetResult } from './types.js';

type Align = 'left' | 'right';

const COLUMNS: ReadonlyArray<{ title: string; align: Align }> = [
  { title: 'benchmark', align: 'left' },
  { title: 'variant', align: 'left' },
  { title: 'runs', align: 'right' },
  { title: 'figure', align: 'left' },
  { title: 'median', align: 'right' },
  { title: 'baseline, same run', align: 'right' },
  { title: 'vs baseline', align: 'right' },
  { title: 'target', align: 'left' },
  { title: 'met', align: 'left' },
];

export function renderTable(report: SummaryReport): string {
  const rows = report.benchmarks.flatMap(benchmarkRows);
  return [...alignedTable(rows), '', summaryLine(report)].join('\n');
}

/** The line under the table: the pass rate, and what failed. */
export function summaryLine(report: SummaryReport): string {
  const all = report.benchmarks.length;
  const passed = report.benchmarks.filter((b) => b.passed).length;
  const skipped = report.benchmarks.filter((b) => b.skipped !== undefined).length;
  const failed = report.benchmarks.filter((b) => !b.passed && b.skipped === undefined).map((b) => b.name);
  const parts = [
    `Pass rate: ${passed} of ${all} benchmarks (${Math.round(report.passRate * 100)}%)`,
    skipped > 0 ? `${skipped} skipped` : '',
    failed.length > 0 ? `not passed: ${failed.join(', ')}` : '',
  ].filter((p) => p !== '');
  const minutes = (report.durationMs / 60_000).toFixed(1);
  return `${parts.join('; ')}. Node ${report.node}, ${minutes} min, started ${report.startedAt}.`;
}

function benchmarkRows(b: BenchmarkResult): string[][] {
  const head = [b.name, b.variant, String(b.iterations)];
  if (b.skipped !== undefined) return [[...head, '', '', '', '', '', `skipped: ${b.skipped}`]];
  if (b.error !== undefined) return [[...head, '', '', '', '', '', `FAILED: ${shorten(b.error)}`]];
  return b.shown.map((figure) => {
    const value = b.figures[figure.key];
    const base = b.baseline[figure.key];
    const ratio = b.ratios[figure.key];
    const targets = b.targets.filter((t) => t.figure === figure.key);
    return [
      ...head,
      figure.label,
      value === undefined ? 'n/a' : value.toFixed(figure.digits),
      base === undefined ? '' : `${base.toFixed(figure.digits)} (${b.baselineVariant})`,
      ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
      targets.map((t) => t.bound).join('; '),
      met(targets),
    ];
  });
}

function met(targets: readonly TargetResult[]): string {
  if (targets.length === 0) return '';
  return targets.every((t) => t.passed) ? 'yes' : 'NO';
}

/** An error in a table cell: its start (the JSON report has all of it). */
function shorten(text: string, most = 300): string {
  return text.length > most ? `${text.slice(0, most)}...` : text;
}

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

function alignedTable(rows: readonly string[][]): string[] {
  const cells = rows.map((row) => row.map(cell));
  const widths = COLUMNS.map((column, i) =>
    Math.max(3, column.title.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    `| ${COLUMNS.map((column, i) => {
      const text = row[i] ?? '';
      const width = widths[i] as number;
      return column.align === 'right' ? text.padStart(width) : text.padEnd(width);
    }).join(' | ')} |`;
  const rule = `| ${COLUMNS.map((column, i) => {
    const width = widths[i] as number;
    return column.align === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width);
  }).join(' | ')} |`;
  return [line(COLUMNS.map((c) => c.title)), rule, ...cells.map(line)];
}
