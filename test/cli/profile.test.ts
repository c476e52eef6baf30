import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { LeakCheckReport } from '../../src/profile/leak-check.js';
import type { MemoryReport } from '../../src/profile/report.js';
import { fakeIo } from './fake-io.js';

let cwd = '';
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'headroom-profile-'));
  // A program that keeps about 2 MB/s of objects of its own class, and one that only makes garbage.
  writeFileSync(
    join(cwd, 'leaky.js'),
    `class LeakyRecord { constructor(i) { this.i = i; this.text = 'record ' + i; } }
const kept = [];
setInterval(() => { for (let i = 0; i < 300; i++) kept.push(new LeakyRecord(kept.length)); }, 10);
console.log('leaky started');`,
  );
  writeFileSync(
    join(cwd, 'steady.js'),
    `setInterval(() => { const a = []; for (let i = 0; i < 5000; i++) a.push({ i, s: 'x' + i }); }, 10);`,
  );
  writeFileSync(join(cwd, 'short.js'), `setTimeout(() => process.exit(3), 1200);`);
});
after(() => rmSync(cwd, { recursive: true, force: true }));

async function run(argv: string[]) {
  const fake = fakeIo(cwd);
  const code = await main(argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(join(cwd, file), 'utf8')) as T;

describe('headroom profile --detect-leaks', () => {
  it('finds the leaking workload: exit 1, a readable verdict, and the JSON report', async () => {
    const { code, stdout, stderr } = await run([
      'profile',
      '--detect-leaks',
      '--workload',
      'leaking',
      '--duration',
      '4s',
      '--samples',
      '10',
      '--json',
      'leaking.json',
    ]);
    assert.equal(code, 1, stdout + stderr);
    assert.match(stdout, /^verdict: LEAK: sustained growth of /m);
    assert.match(stderr, /^\[10\/10 \d+\.\d s\] heap after GC /m);
    const report = readJson<LeakCheckReport>('leaking.json');
    assert.equal(report.leakDetected, true);
    assert.equal(report.samples.length, 10);
    // The workload keeps about 1 MB/s; after GC the fit must be of that order.
    assert.ok(report.growthBytesPerSecond > 200_000, String(report.growthBytesPerSecond));
    assert.ok(report.growthBytesPerSecond < 5_000_000, String(report.growthBytesPerSecond));
  });

  it('stays quiet on the steady workload, whose heap is a sawtooth: exit 0', async () => {
    const { code, stdout } = await run([
      'profile',
      '--detect-leaks',
      '--workload',
      'steady',
      '--duration',
      '4s',
      '--samples',
      '10',
      '--json',
      'steady.json',
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^verdict: no leak: /m);
    assert.equal(readJson<LeakCheckReport>('steady.json').leakDetected, false);
  });

  it('watches any Node program through its inspector, and names what grew between heap snapshots', async () => {
    const { code, stdout, stderr } = await run([
      'profile',
      '--detect-leaks',
      '--heap-snapshot',
      '--out',
      'snapshots',
      '--duration',
      '4s',
      '--samples',
      '8',
      '--json',
      'child.json',
      '--',
      'node',
      join(cwd, 'leaky.js'),
    ]);
    assert.equal(code, 1, stdout + stderr);
    assert.match(stderr, /leaky started/, "the program's own output goes to stderr");
    const report = readJson<LeakCheckReport>('child.json');
    assert.equal(report.leakDetected, true);
    assert.equal(report.targetEnded, undefined, 'the program ran for the whole check');
    assert.ok(report.heapSnapshots);
    assert.ok(existsSync(report.heapSnapshots.before) && existsSync(report.heapSnapshots.after));
    const top = report.heapSnapshots.diff.grown.find((g) => g.name === 'LeakyRecord');
    assert.ok(top, JSON.stringify(report.heapSnapshots.diff.grown.map((g) => g.name)));
    assert.ok(top.countDelta > 1000, String(top.countDelta));
    assert.match(top.retainerText ?? '', /kept/, 'the retainer path names the array that keeps them');
    assert.match(stdout, /LeakyRecord/);
  });

  it('finds no leak in a Node program that only makes garbage', async () => {
    const { code, stdout } = await run([
      'profile',
      '--detect-leaks',
      '--duration',
      '3s',
      '--samples',
      '8',
      '--',
      'node',
      join(cwd, 'steady.js'),
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^verdict: no leak: /m);
  });

  it('reports a program that ends before the duration, with the samples taken', async () => {
    const { code, stdout } = await run([
      'profile',
      '--detect-leaks',
      '--duration',
      '10s',
      '--samples',
      '20',
      '--json',
      'short.json',
      '--',
      join(cwd, 'short.js'),
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /the program ended \(3\) before the duration was over/);
    const report = readJson<LeakCheckReport>('short.json');
    assert.equal(report.targetEnded, 3);
    assert.ok(report.samples.length >= 1 && report.samples.length < 20, String(report.samples.length));
    assert.ok(report.durationSeconds < 5);
  });
});

describe('headroom profile --profile and --heap-snapshot', () => {
  it('profiles a workload: heap, GC, allocation sites, and the memory report as JSON', async () => {
    const { code, stdout } = await run([
      'profile',
      '--profile',
      'json-stream',
      '--duration',
      '2s',
      '--json',
      'profile.json',
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^profile of json-stream: \d+\.\d s$/m);
    assert.match(stdout, /^ {2}GC: [\d,]+ collections, \d+ ms paused/m);
    assert.match(stdout, /^ {2}top allocation sites /m);
    const memory = readJson<MemoryReport>('profile.json');
    const [report] = memory.reports;
    assert.equal(report?.name, 'json-stream');
    assert.ok(report.durationMs >= 1900, String(report.durationMs));
    assert.equal(report.allocations.status, 'sampled');
    assert.ok(report.allocations.sites.length > 0);
    assert.ok(report.gc.count > 0);
    assert.ok(Array.isArray(memory.recommendations));
  });

  it('writes a heap snapshot of a workload after the duration', async () => {
    const { code, stdout } = await run([
      'profile',
      '--heap-snapshot',
      '--workload',
      'steady',
      '--duration',
      '200ms',
      '--out',
      'one',
    ]);
    assert.equal(code, 0);
    const file = /: (\S+\.heapsnapshot) \(/.exec(stdout)?.[1];
    assert.ok(file && statSync(file).size > 100_000, stdout);
  });
});

describe('headroom profile: bad command lines', () => {
  const cases: Array<[string[], RegExp]> = [
    [['profile'], /say what to do: --detect-leaks, --profile WORKLOAD or --heap-snapshot/],
    [
      ['profile', '--detect-leaks'],
      /give the target as --workload NAME or as a Node program after --, not neither/,
    ],
    [['profile', '--detect-leaks', '--workload', 'steady', '--', 'node', 'x.js'], /not both/],
    [
      ['profile', '--detect-leaks', '--workload', 'nope'],
      /unknown workload "nope": the workloads are steady, leaking, topology, json-stream/,
    ],
    [['profile', '--profile', 'nope'], /unknown workload "nope"/],
    [
      ['profile', '--detect-leaks', '--workload', 'steady', '--duration', 'soon'],
      /--duration must be a time/,
    ],
    [
      ['profile', '--detect-leaks', '--workload', 'steady', '--samples', '3'],
      /--samples must be a whole number from 5/,
    ],
    [
      ['profile', '--detect-leaks', '--workload', 'steady', '--threshold', 'fast'],
      /--threshold must be a growth rate/,
    ],
  ];
  for (const [argv, message] of cases)
    it(argv.slice(1).join(' ') || '(nothing)', async () => {
      const { code, stderr } = await run(argv);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    });

  it('lists the workloads', async () => {
    const { code, stdout } = await run(['profile', '--list']);
    assert.equal(code, 0);
    assert.match(stdout, /^leaking\n {2}keeps about/m);
  });
});
