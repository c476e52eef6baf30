/**
 * Heap snapshots on demand in this very process: the folder they go to, one at a time, and the
 * signal handler (a real SIGUSR2 sent to this test process) with its log line and its removal.
 * Near-limit snapshots need a process that runs out of heap: snapshot-near-limit.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema } from '../../src/config/schema.js';
import { Logger } from '../../src/log/logger.js';
import { readHeapSnapshot } from '../../src/profile/heap-snapshot.js';
import {
  HeapSnapshotTaker,
  heapSnapshotDir,
  startHeapSnapshotTriggers,
} from '../../src/profile/snapshot-triggers.js';

const root = mkdtempSync(join(tmpdir(), 'headroom-snapshot-triggers-'));
after(() => rmSync(root, { recursive: true, force: true }));
/** A folder that cannot be made: its parent is a file. */
const unwritable = join(root, 'a-file', 'snapshots');
writeFileSync(join(root, 'a-file'), 'not a folder');

const snapshotsIn = (dir: string) => {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot'));
  } catch {
    return [];
  }
};

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({ level: 'debug', stream: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

/** Waits (at most `ms`) until `ready()`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(20);
  }
}

describe('heapSnapshotDir', () => {
  it('is profiling.snapshotDir, else under XDG_CACHE_HOME, else ~/.cache; never the working folder', () => {
    const config = configSchema.parse({});
    assert.equal(
      heapSnapshotDir(config, { XDG_CACHE_HOME: '/x/cache' }),
      join('/x/cache', 'headroom', 'heap-snapshots'),
    );
    assert.equal(heapSnapshotDir(config, {}), join(homedir(), '.cache', 'headroom', 'heap-snapshots'));
    assert.equal(
      heapSnapshotDir(config, { XDG_CACHE_HOME: '' }),
      join(homedir(), '.cache', 'headroom', 'heap-snapshots'),
    );
    const set = configSchema.parse({ profiling: { snapshotDir: '/var/snaps' } });
    assert.equal(heapSnapshotDir(set, { XDG_CACHE_HOME: '/x/cache' }), '/var/snaps');
  });
});

describe('HeapSnapshotTaker', () => {
  it('writes one snapshot at a time and is free again once it is written', async () => {
    const dir = join(root, 'taker');
    const taker = new HeapSnapshotTaker(dir);
    assert.equal(taker.busy, false);
    const first = taker.take();
    assert.ok(first);
    assert.equal(taker.busy, true);
    assert.equal(taker.take(), undefined, 'a second snapshot while one is under way is refused');
    const file = await first;
    assert.equal(taker.busy, false);
    assert.deepEqual(snapshotsIn(dir), [file.path.slice(dir.length + 1)]);
    assert.ok((await readHeapSnapshot(file.path)).nodeCount > 0);
    assert.ok(Number.isInteger(file.ms) && file.ms >= 0);
    const again = taker.take();
    assert.ok(again, 'free again');
    await again;
    assert.equal(snapshotsIn(dir).length, 2);
  });

  it('is free again after a failure', async () => {
    const taker = new HeapSnapshotTaker(unwritable);
    await assert.rejects(taker.take() as Promise<unknown>);
    assert.equal(taker.busy, false);
  });
});

describe('startHeapSnapshotTriggers', () => {
  it('writes a snapshot on SIGUSR2, logs where, how large and how long, and ignores a signal meanwhile', async () => {
    const dir = join(root, 'signal');
    const config = configSchema.parse({ profiling: { snapshotDir: dir } });
    const { logger, lines } = capture();
    const listeners = process.listenerCount('SIGUSR2');
    const triggers = startHeapSnapshotTriggers({ config, logger });
    try {
      assert.equal(triggers.dir, dir);
      assert.equal(process.listenerCount('SIGUSR2'), listeners + 1);
      assert.match(lines.join(''), new RegExp(`kill -USR2 ${process.pid} writes a heap snapshot to `));
      process.kill(process.pid, 'SIGUSR2');
      process.kill(process.pid, 'SIGUSR2');
      await until(
        () => lines.some((line) => line.includes('heap snapshot written to')),
        20_000,
        'the snapshot',
      );
      // Give a signal that was queued behind the first the time to be handled, if it were going to be.
      await sleep(300);
      const files = snapshotsIn(dir);
      assert.equal(files.length, 1, `one snapshot for two signals sent together: ${files.join(', ')}`);
      const written = lines.find((line) => line.includes('heap snapshot written to')) ?? '';
      assert.match(
        written,
        /INFO {2}SIGUSR2: heap snapshot written to .+\.heapsnapshot \([\d.]+ (KiB|MiB) in \d+ ms\) component=heap-snapshot/,
      );
      assert.ok(written.includes(join(dir, files[0] as string)), written);
      assert.ok((await readHeapSnapshot(join(dir, files[0] as string))).nodeCount > 0);
      // A signal sent to oneself is delivered before kill() returns, so the second is not merged
      // into the first: it arrives while the first snapshot is under way.
      assert.match(lines.join(''), /WARN {2}SIGUSR2 ignored: a heap snapshot is being written already/);
    } finally {
      triggers.dispose();
      triggers.dispose();
    }
    assert.equal(process.listenerCount('SIGUSR2'), listeners, 'dispose() removes the handler');
  });

  it('logs an error saying what to do when the folder cannot be written', async () => {
    const config = configSchema.parse({ profiling: { snapshotDir: unwritable } });
    const { logger, lines } = capture();
    const triggers = startHeapSnapshotTriggers({ config, logger });
    try {
      process.kill(process.pid, 'SIGUSR2');
      await until(() => lines.some((line) => line.includes('ERROR')), 20_000, 'the error line');
      assert.match(
        lines.find((line) => line.includes('ERROR')) ?? '',
        /SIGUSR2: heap snapshot to .*a-file\/snapshots failed: .*ENOTDIR.*; set profiling\.snapshotDir \(HEADROOM_PROFILING_SNAPSHOT_DIR\) to a writable folder/,
      );
    } finally {
      triggers.dispose();
    }
  });

  it('installs no handler when the signal is none', () => {
    const config = configSchema.parse({ profiling: { heapSnapshotSignal: 'none' } });
    const before = ['SIGUSR2', 'SIGHUP'].map((s) => process.listenerCount(s));
    const triggers = startHeapSnapshotTriggers({ config, logger: capture().logger });
    assert.deepEqual(
      ['SIGUSR2', 'SIGHUP'].map((s) => process.listenerCount(s)),
      before,
    );
    triggers.dispose();
  });

  it('listens on SIGHUP when configured, and lets go of it', () => {
    const config = configSchema.parse({ profiling: { heapSnapshotSignal: 'SIGHUP' } });
    const before = process.listenerCount('SIGHUP');
    const triggers = startHeapSnapshotTriggers({ config, logger: capture().logger });
    assert.equal(process.listenerCount('SIGHUP'), before + 1);
    triggers.dispose();
    assert.equal(process.listenerCount('SIGHUP'), before);
  });
});
