/**
 * The README's benchmark table is generated: between two marker comments it holds the rendering
 * of the saved run (benchmarks/results.json), so its figures can be checked against that run.
 */
import { HeadroomError } from '../errors.js';
import { renderTable } from './table.js';
import type { SummaryReport } from './types.js';

export const BENCH_START = '<!-- bench:start -->';
export const BENCH_END = '<!-- bench:end -->';

/** The text between the markers, without the blank lines around it; undefined without markers. */
export function readmeBenchRegion(readme: string): string | undefined {
  const start = readme.indexOf(BENCH_START);
  const end = readme.indexOf(BENCH_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + BENCH_START.length, end).trim();
}

/** The README with the region between the markers replaced by the rendering of `report`. */
export function replaceReadmeBenchRegion(readme: string, report: SummaryReport): string {
  const start = readme.indexOf(BENCH_START);
  const end = readme.indexOf(BENCH_END);
  if (start < 0 || end < start)
    throw new HeadroomError(
      'HR_BENCH_README',
      `README has no ${BENCH_START} ... ${BENCH_END} markers around its benchmark table`,
    );
  return `${readme.slice(0, start + BENCH_START.length)}\n\n${renderTable(report)}\n\n${readme.slice(end)}`;
}
