import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { fakeIo } from '../cli/fake-io.js';

let cwd = '';
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'headroom-bench-cli-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

async function run(argv: string[]) {
  const fake = fakeIo(cwd);
  const code = await main(argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('headroom bench', () => {
  it('lists the benchmarks with their baselines and targets', async () => {
    const { code, stdout, stderr } = await run(['bench', '--list']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.match(stdout, /^topology_processing_1000000e_2000000c\n {2}Cloud WAN topology/m);
    assert.match(stdout, /^ {2}columnar vs objects, 1 runs by default$/m);
    assert.match(stdout, /^ {4}ms <= 2000 \(issue 5: /m);
    assert.match(stdout, /^ {4}ms <= 0\.5x baseline \(issue 3: cold/m);
  });

  it('refuses unknown names with the valid ones, and bad iteration counts (exit 2)', async () => {
    const unknown = await run(['bench', '--benchmark', 'limiter_check_rss,nope']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(
      unknown.stderr,
      /^headroom: unknown benchmark 'nope'; valid: limiter_check_rss, limiter_check_heap, /,
    );
    assert.match(unknown.stderr, /Run 'headroom --help' for usage\.\n$/);
    for (const bad of ['0', 'two', '1.5']) {
      const { code, stderr } = await run(['bench', '--iterations', bad]);
      assert.equal(code, 2, bad);
      assert.match(stderr, /--iterations must be a whole number from 1 to 100/);
    }
    const empty = await run(['bench', '--benchmark', ',']);
    assert.equal(empty.code, 2);
  });

  it('runs a benchmark: progress on stderr, the table on stdout, the JSON report', {
    timeout: 20_000,
  }, async () => {
    const { code, stdout, stderr } = await run([
      'bench',
      '--benchmark',
      'limiter_check_heap',
      '--iterations',
      '1',
      '--json',
      'out/report.json',
    ]);
    const report = JSON.parse(readFileSync(join(cwd, 'out', 'report.json'), 'utf8'));
    // Exit 0 when the target was met, 1 when not (the machine may be busy): never 2.
    assert.equal(code, report.passRate === 1 ? 0 : 1);
    assert.match(
      stderr,
      /^\[1\/1 0:0\d\] limiter_check_heap: (baseline|check-heap), run 1\/1 \.\.\. \d+\.\d s$/m,
    );
    assert.match(stderr, /report written to .*report\.json/);
    assert.match(stdout, /^\| benchmark +\| variant +\| runs \| figure +\| median/);
    assert.match(
      stdout,
      /\| limiter_check_heap \| check-heap \| +1 \| ns\/call \| +[\d.]+ \| +[\d.]+ \(baseline\) \| +[\d.]+x \| <= 100 +\| (yes|NO) +\|/,
    );
    assert.match(stdout, /\nPass rate: [01] of 1 benchmarks/);
    assert.equal(report.benchmarks.length, 1);
    const [entry] = report.benchmarks;
    assert.equal(entry.name, 'limiter_check_heap');
    assert.equal(typeof entry.passed, 'boolean');
    assert.equal(typeof entry.figures.nsPerCall, 'number');
    assert.equal(typeof entry.baseline.nsPerCall, 'number');
    assert.equal(typeof entry.ratios.nsPerCall, 'number');
  });
});
