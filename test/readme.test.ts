import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { readmeBenchRegion } from '../src/bench/readme.js';
import { renderTable } from '../src/bench/table.js';
import type { SummaryReport } from '../src/bench/types.js';
import { settingsTable } from '../src/config/settings.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

it('opens with the install-and-run and the test commands', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  assert.match(firstBlock, /^npm install && npm start/m);
  assert.match(firstBlock, /^npm test/m);
});

it('documents every setting with its environment variable', () => {
  // Biome aligns Markdown tables, so the cells may be padded.
  const rows = new Set(
    readme
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .split('|')
          .slice(1, 3)
          .map((cell) => cell.trim())
          .join(' '),
      ),
  );
  for (const setting of settingsTable()) {
    const variable = setting.env === '' ? '(file only)' : `\`${setting.env}\``;
    assert.ok(rows.has(`${variable} \`${setting.path}\``), `${setting.path} is missing from the README`);
  }
});

it('shows the saved benchmark run as its benchmark table (npm run bench:readme)', () => {
  const saved = JSON.parse(
    readFileSync(new URL('../benchmarks/results.json', import.meta.url), 'utf8'),
  ) as SummaryReport;
  const region = readmeBenchRegion(readme);
  assert.ok(region !== undefined, 'README.md has no <!-- bench:start --> ... <!-- bench:end --> region');
  assert.equal(
    region,
    renderTable(saved),
    'the README table differs from benchmarks/results.json: npm run bench:readme',
  );
});
