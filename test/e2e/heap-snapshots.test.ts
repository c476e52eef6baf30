/**
 * Heap snapshots of a real `headroom cloudwan --generate 1000` child serving MCP over stdio, with
 * its dashboard on port 0 behind a token and profiling.snapshotDir set through its environment
 * variable: SIGUSR2 writes one there and the server logs where; the dashboard page's "Heap snapshot"
 * button (in Debian's Chromium, driven by playwright-core) writes one and shows its path. Each file
 * is a heap snapshot of the server, and the server goes on answering tool calls afterwards.
 *
 * The browser runs against the child rather than a dashboard in this process: a heap snapshot of a
 * process that loaded playwright-core takes the better part of a minute.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { readHeapSnapshot } from '../../src/profile/heap-snapshot.js';
import { Cleanup, connectStdio, type StdioClient, within } from './cli-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'e2e-heap-snapshot-token';
const cleanup = new Cleanup();
after(() => cleanup.run());

/** The snapshot files in `dir`, oldest first (their names start with the time). */
function snapshotsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.heapsnapshot'))
    .sort();
}

/** Waits (at most `ms`) for `pattern` in the server's log. */
async function logged(server: StdioClient, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = performance.now() + ms;
  for (;;) {
    const match = pattern.exec(server.stderr());
    if (match) return match;
    if (performance.now() > deadline)
      assert.fail(`${pattern} not logged within ${ms} ms:\n${server.stderr()}`);
    await sleep(100);
  }
}

/** The file is a heap snapshot of the cloudwan server: its topology's class is in it. */
async function assertServerSnapshot(path: string): Promise<void> {
  const snapshot = await readHeapSnapshot(path);
  assert.ok(snapshot.nodeCount > 10_000, `${snapshot.nodeCount} nodes`);
  assert.ok(snapshot.strings.includes('MemoryOptimizedTopology'), `${path} is a snapshot of the server`);
}

describe('heap snapshots of headroom cloudwan', { timeout: 60_000 }, () => {
  let server: StdioClient;
  let dir: string;
  let dashboard: string;

  const summary = async () => {
    const result = (await within(
      server.client.callTool({ name: 'topology_summary', arguments: {} }),
      20_000,
      'topology_summary',
    )) as CallToolResult;
    assert.notEqual(result.isError, true);
    assert.match((result.content[0] as { text: string }).text, /"storeBytes"/);
  };

  before(async () => {
    const home = cleanup.tempDir('headroom-e2e-snapshot-');
    dir = join(home, 'snapshots');
    server = await connectStdio(['cloudwan', '--generate', '1000', '--dashboard-port', '0'], cleanup, {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        HEADROOM_PROFILING_SNAPSHOT_DIR: dir,
        HEADROOM_MONITORING_TOKEN: TOKEN,
        HEADROOM_LOG_LEVEL: 'info',
      },
    });
    dashboard = (await logged(server, /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/, 10_000))[1] as string;
    // The topology is loaded by the first call, so that the snapshots hold it.
    await summary();
  });

  it('writes one to the snapshot folder on SIGUSR2, logs where, and keeps serving', async () => {
    const pid = server.transport.pid;
    assert.ok(pid, 'the server has a pid');
    process.kill(pid, 'SIGUSR2');
    const line = await logged(
      server,
      /SIGUSR2: heap snapshot written to (\S+\.heapsnapshot) \([\d.]+ (KiB|MiB) in \d+ ms\)/,
      15_000,
    );
    const files = snapshotsIn(dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.equal(line[1], join(dir, files[0] as string));
    await assertServerSnapshot(line[1] as string);
    await summary();
  });

  const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install Debian's Chromium to run this`;
  it("writes one from the dashboard page's button and shows its path", { skip }, async () => {
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--no-first-run', '--disable-dev-shm-usage'],
      timeout: 30_000,
    });
    cleanup.onRun(() => browser.close());
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    assert.equal((await page.goto(`${dashboard}?token=${TOKEN}`))?.status(), 200);
    const button = page.locator('#heap-snapshot');
    assert.equal(await button.textContent(), 'Heap snapshot');
    assert.match((await button.getAttribute('title')) ?? '', /pauses.*about a second per 100 MB of heap/);
    assert.ok(await page.locator('#heap-snapshot-result').isHidden());
    const before = snapshotsIn(dir).length;

    await button.click();
    await page.waitForSelector('#heap-snapshot-result[data-state="done"]', { timeout: 20_000 });
    const shown = (await page.locator('#heap-snapshot-result').textContent()) ?? '';
    assert.equal(dirname(shown), dir);
    assert.equal(snapshotsIn(dir).length, before + 1);
    assert.match(
      (await page.getAttribute('#heap-snapshot-result', 'title')) ?? '',
      /^[\d.]+ (KiB|MiB) written in [\d.]+ m?s: /,
    );
    assert.ok(await button.isEnabled(), 'the button is usable again');
    await logged(
      server,
      new RegExp(`dashboard: heap snapshot written to ${shown.replace(/[.]/g, '\\.')}`),
      5000,
    );
    await assertServerSnapshot(shown);
    await summary();
    assert.deepEqual(problems, []);
  });
});
