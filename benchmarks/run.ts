/**
 * `npm run bench`: the standard suite (src/bench/standard.ts) through the BenchmarkRunner, as
 * `headroom bench` runs it: each variant and its baseline in child processes of their own,
 * interleaved, medians, targets, the table on stdout and progress on stderr.
 *
 *   npm run bench                         the whole suite (each benchmark 3 runs, the heavy ones 1)
 *   npm run bench -- topology json        only the benchmarks whose name contains "topology" or "json"
 *   npm run bench -- --iterations 5       5 runs of every variant (BENCH_RUNS=5 does the same)
 *   npm run bench -- --save               also write benchmarks/results.json, the run the README
 *                                         shows (then npm run bench:readme rewrites its table)
 *
 * It exits 0 once the suite has run, whatever the pass rate (the table says it); `headroom bench`
 * exits 1 when a benchmark failed, for scripts.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchmarkRunner, progressPrinter, renderTable } from '../src/bench/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const save = args.includes('--save');
const at = args.indexOf('--iterations');
const iterationsText = at >= 0 ? args[at + 1] : process.env.BENCH_RUNS;
// The value after --iterations is not a filter; without --iterations every other word is.
const filters = args.filter((arg, i) => !arg.startsWith('--') && (at < 0 || i !== at + 1));
const iterations = iterationsText === undefined ? undefined : Number(iterationsText);
if (iterations !== undefined && !(Number.isInteger(iterations) && iterations > 0)) {
  process.stderr.write(
    `npm run bench: --iterations (or BENCH_RUNS) must be a positive integer, not ${iterationsText}\n`,
  );
  process.exit(2);
}

const runner = new BenchmarkRunner().addStandardBenchmarks();
const filter = (benchmark: { name: string }) =>
  filters.length === 0 || filters.some((f) => benchmark.name.includes(f));
if (runner.select(filter).length === 0) {
  const names = runner.list().map((b) => b.name);
  process.stderr.write(
    `npm run bench: no benchmark name contains ${filters.join(' or ')}; valid: ${names.join(', ')}\n`,
  );
  process.exit(2);
}
const report = await runner.runAll({
  ...(iterations !== undefined ? { iterations } : {}),
  filter,
  onProgress: progressPrinter(process.stderr),
});
process.stdout.write(`${renderTable(report)}\n`);
if (save) {
  const file = join(here, 'results.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`saved to ${file}; npm run bench:readme puts its table in README.md\n`);
}
