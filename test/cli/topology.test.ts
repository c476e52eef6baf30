/**
 * `headroom topology`, in-process through the CLI dispatcher: a generated snapshot inspected,
 * traced, rendered and validated, bad records stopped with their line or skipped with --lenient.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { fakeIo } from './fake-io.js';

const POLICIES = resolve('test/fixtures/cloudwan-policies');
let cwd = '';
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'headroom-topology-cli-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const fake = fakeIo(cwd);
  const code = await main(['topology', ...argv], fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

interface Line {
  kind: string;
  type?: string;
  segment?: string;
  region?: string;
  cidrs?: string[];
}

describe('headroom topology', () => {
  it('generates a snapshot and inspects it with exact counts and bytes', async () => {
    const generated = await run(
      'generate',
      '--elements',
      '2000',
      '--seed',
      '7',
      '-o',
      'net.ndjson',
      '--json',
    );
    assert.equal(generated.code, 0, generated.stderr);
    const summary = JSON.parse(generated.stdout);
    assert.equal(summary.elements, 2000);
    const inspected = await run('inspect', 'net.ndjson', '--json');
    assert.equal(inspected.code, 0, inspected.stderr);
    const report = JSON.parse(inspected.stdout);
    assert.equal(report.elements, 2000);
    assert.equal(report.connections, summary.connections);
    assert.equal(report.routes, summary.routes);
    assert.ok(
      report.storeBytes > 0 && report.bytesPerElement === Math.round((report.storeBytes / 2000) * 10) / 10,
    );
    assert.equal(
      Object.values(report.parts as Record<string, number>).reduce((a, b) => a + b, 0),
      report.storeBytes,
    );
    assert.ok(report.buildMs >= 0);
    const text = await run('inspect', 'net.ndjson');
    assert.match(text.stdout, /2,000 elements/);
  });

  it('traces a path between two VPC attachments of a shared segment, hop by hop', async () => {
    const lines = readFileSync(join(cwd, 'net.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const shared = lines.filter((l) => l.type === 'vpc-attachment' && l.segment === 'shared');
    const a = shared[0] as Line;
    const b = shared.find((l) => l.region !== a.region) as Line;
    assert.ok(a && b, 'two shared attachments in different regions');
    const ip = (cidr: string) => cidr.replace(/0\/\d+$/, '9');
    const traced = await run('trace', 'net.ndjson', ip(a.cidrs?.[0] ?? ''), ip(b.cidrs?.[0] ?? ''), '--json');
    assert.equal(traced.code, 0, traced.stdout);
    const result = JSON.parse(traced.stdout);
    assert.equal(result.reachable, true);
    assert.deepEqual(
      result.hops.map((h: { action: string }) => h.action),
      ['source', 'route-lookup', 'forward', 'deliver'],
    );
    assert.equal(result.hops[3].region, b.region);
  });

  it('renders Mermaid to stdout and SVG to a file', async () => {
    const mermaid = await run('render', 'net.ndjson', '--format', 'mermaid');
    assert.equal(mermaid.code, 0);
    assert.match(mermaid.stdout, /^flowchart/);
    const svg = await run(
      'render',
      'net.ndjson',
      '--format',
      'svg',
      '--segment',
      'shared',
      '-o',
      'shared.svg',
    );
    assert.equal(svg.code, 0, svg.stderr);
    const file = readFileSync(join(cwd, 'shared.svg'), 'utf8');
    assert.match(file, /<svg/);
    assert.match(file, /shared/);
  });

  it('validates policies: exit 0 for a good one, 1 with the intrinsic reported', async () => {
    const good = await run(
      'validate-policy',
      join(POLICIES, '1-simple_architecture__cloudformation__core_network__CoreNetwork.json'),
    );
    assert.equal(good.code, 0, good.stdout);
    const bad = await run(
      'validate-policy',
      join(POLICIES, '2-multi_account__cloudformation__core_network__CoreNetwork.json'),
    );
    assert.equal(bad.code, 1);
    assert.match(
      bad.stdout,
      /ERROR \/attachment-policies\/0\/conditions\/2\/value: CloudFormation reference/,
    );
  });

  it('stops at a bad snapshot line naming it, and loads the rest with --lenient', async () => {
    const lines = readFileSync(join(cwd, 'net.ndjson'), 'utf8').trim().split('\n').length;
    appendFileSync(join(cwd, 'net.ndjson'), '{"kind":"element","id":"x-1","type":"spaceship"}\n');
    const strict = await run('inspect', 'net.ndjson');
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, new RegExp(`net.ndjson:${lines + 1}:`));
    assert.match(strict.stderr, /spaceship/);
    const lenient = await run('inspect', 'net.ndjson', '--lenient', '--json');
    assert.equal(lenient.code, 0, lenient.stderr);
    const report = JSON.parse(lenient.stdout);
    assert.equal(report.elements, 2000);
    assert.equal(report.skipped, 1);
  });

  it('answers a missing or unknown action with the list of actions', async () => {
    const none = await run();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /generate, inspect, render, trace/);
    const wrong = await run('trase', 'x');
    assert.match(wrong.stderr, /unknown action 'trase'/);
  });
});
