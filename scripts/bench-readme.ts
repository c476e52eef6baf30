/**
 * `npm run bench:readme`: rewrites the README's benchmark table, between the markers
 * `<!-- bench:start -->` and `<!-- bench:end -->`, from the saved run in benchmarks/results.json
 * (written by `npm run bench -- --save` or `headroom bench --json benchmarks/results.json`).
 * test/readme.test.ts checks that the two agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeBenchRegion, replaceReadmeBenchRegion } from '../src/bench/readme.js';
import type { SummaryReport } from '../src/bench/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmeFile = join(root, 'README.md');
const report = JSON.parse(readFileSync(join(root, 'benchmarks', 'results.json'), 'utf8')) as SummaryReport;
const readme = readFileSync(readmeFile, 'utf8');
const updated = replaceReadmeBenchRegion(readme, report);
if (updated === readme) process.stderr.write('README.md: the benchmark table is up to date\n');
else {
  writeFileSync(readmeFile, updated);
  process.stderr.write(
    `README.md: benchmark table rewritten (${readmeBenchRegion(updated)?.split('\n').length ?? 0} lines) from benchmarks/results.json\n`,
  );
}
