/**
 * A warm start of the real `headroom openapi` process answers `tools/list` from the cached tool
 * listing, byte for byte the list a cold start built, and reads the catalog only when a tool is
 * called; the SDK's Client over stdio checks the answers, against a real loopback upstream.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cleanup, connectStdio, ROOT, within } from './cli-helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

const SPEC = join(ROOT, 'test', 'e2e', 'fixtures', 'upstream.yaml');
const STEP_MS = 15_000;
const cleanup = new Cleanup();
let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await cleanup.run();
  await upstream.close();
});

function start(cacheDir: string, home: string) {
  const args = ['openapi', SPEC, '--base-url', `${upstream.origin}/api`, '--tools', 'all'];
  args.push('--cache-dir', cacheDir, '--spill-dir', join(home, 'spill'), '--log-level', 'debug');
  return connectStdio(args, cleanup, { env: { PATH: process.env.PATH ?? '', HOME: home } });
}

/** Waits (bounded) until the cache folder holds a tool listing (it is made by the first write). */
async function listingWritten(cacheDir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(cacheDir) && readdirSync(cacheDir).some((name) => name.endsWith('.raw'))) return;
    await sleep(100);
  }
  assert.fail(`no tool listing in ${cacheDir} after 10 s`);
}

describe('warm start from the cached tool listing (stdio e2e)', { timeout: 90_000 }, () => {
  it('lists the same tools as the cold start, and loads the catalog on the first call', async () => {
    const home = cleanup.tempDir('headroom-e2e-warm-');
    const cacheDir = join(home, 'cache');
    const cold = await start(cacheDir, home);
    const coldList = await within(cold.client.listTools(), STEP_MS, 'cold tools/list');
    await listingWritten(cacheDir);
    await cold.transport.close();

    const warm = await start(cacheDir, home);
    const warmList = await within(warm.client.listTools(), STEP_MS, 'warm tools/list');
    assert.deepEqual(warmList.tools, coldList.tools);
    assert.ok(warmList.tools.length > 3);
    assert.doesNotMatch(warm.stderr(), /loaded .*upstream\.yaml/, 'no catalog read before a call');

    const first = upstream.requests.length;
    const listed = await within(
      warm.client.callTool({ name: 'listItems', arguments: { count: 2 } }),
      STEP_MS,
      'calling listItems',
    );
    assert.notEqual(listed.isError, true, JSON.stringify(listed));
    assert.equal(upstream.requests.length, first + 1);
    assert.match(warm.stderr(), /loaded .*upstream\.yaml/);
    const unknown = await within(
      warm.client.callTool({ name: 'listItemz', arguments: {} }),
      STEP_MS,
      'unknown',
    );
    assert.equal(unknown.isError, true);
    assert.match(JSON.stringify(unknown.content), /listItems/);
    await warm.transport.close();
  });
});
