/**
 * profiling.heapSnapshotsNearLimit in a process that really runs out of heap: a child with a 40 MB
 * old space starts the triggers with one near-limit snapshot, then leaks until V8 gives up. Node
 * writes the snapshot in the child's working folder (a temporary one here) before it dies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readHeapSnapshot } from '../../src/profile/heap-snapshot.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const url = (...path: string[]) => JSON.stringify(pathToFileURL(join(ROOT, ...path)).href);
const cwd = mkdtempSync(join(tmpdir(), 'headroom-near-limit-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

// The leak is bounded (it would reach 8 GB) and each step allocates fresh objects, so V8 runs out
// of old space long before the loop ends.
const CHILD = `
const { configSchema } = await import(${url('src', 'config', 'schema.ts')});
const { Logger } = await import(${url('src', 'log', 'logger.ts')});
const { startHeapSnapshotTriggers } = await import(${url('src', 'profile', 'snapshot-triggers.ts')});
const config = configSchema.parse({ profiling: { heapSnapshotsNearLimit: 1, heapSnapshotSignal: 'none' } });
startHeapSnapshotTriggers({ config, logger: new Logger() });
const leak = [];
for (let i = 0; i < 100_000; i++) {
  leak.push(Array.from({ length: 10_000 }, (_, j) => ({ i, j })));
  if (i % 10 === 0) await new Promise((done) => setImmediate(done));
}
console.log('the heap never ran out');
`;

it('writes a heap snapshot in the working folder as the heap nears its limit', {
  timeout: 60_000,
}, async () => {
  const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=40', '--import', tsx, '--input-type=module', '-e', CHILD],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  clearTimeout(timer);
  assert.notEqual(exit.signal, 'SIGKILL', `the child was still running after 50 s:\n${output.slice(-3000)}`);
  assert.notEqual(exit.code, 0, `the child did not run out of heap:\n${output.slice(-3000)}`);
  assert.match(output, /near the heap limit, Node writes up to 1 heap snapshot to /);
  assert.match(output, /heap (out of memory|limit)/i, output.slice(-3000));
  const files = readdirSync(cwd).filter((name) => name.endsWith('.heapsnapshot'));
  assert.equal(files.length, 1, `one near-limit snapshot in ${cwd}: ${readdirSync(cwd).join(', ')}`);
  const snapshot = await readHeapSnapshot(join(cwd, files[0] as string));
  assert.ok(snapshot.nodeCount > 100_000, `${snapshot.nodeCount} nodes: it holds the leak`);
});
