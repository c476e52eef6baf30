import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import type { HeadroomConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { formatBytes } from '../util/bytes.js';
import { headroomCacheDir } from '../util/cache-dir.js';
import { writeHeapSnapshot } from './heap-snapshot.js';

export interface TakenHeapSnapshot {
  path: string;
  bytes: number;
  /** Milliseconds the process was paused writing it. */
  ms: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `$XDG_CACHE_HOME/headroom/heap-snapshots` (or ~/.cache/...): never the working folder, which for
 * a server started by a desktop client can be anything, even `/`.
 */
export function defaultHeapSnapshotDir(env: Env = process.env): string {
  return join(headroomCacheDir(env), 'heap-snapshots');
}

/** profiling.snapshotDir, else the default folder. */
export function heapSnapshotDir(config: HeadroomConfig, env: Env = process.env): string {
  return config.profiling.snapshotDir ?? defaultHeapSnapshotDir(env);
}

/** Writes heap snapshots to `dir`, one at a time. */
export class HeapSnapshotTaker {
  private writing: Promise<TakenHeapSnapshot> | undefined;

  constructor(readonly dir: string) {}

  /** Whether a snapshot is under way. */
  get busy(): boolean {
    return this.writing !== undefined;
  }

  /** Starts a snapshot; undefined when one is under way already. */
  take(): Promise<TakenHeapSnapshot> | undefined {
    if (this.writing !== undefined) return undefined;
    const writing = this.write().finally(() => {
      this.writing = undefined;
    });
    this.writing = writing;
    return writing;
  }

  private async write(): Promise<TakenHeapSnapshot> {
    // A turn of the event loop before: requests and signals read together with this one find the
    // snapshot under way (a double click pauses the process once, not twice).
    await nextTurn();
    const started = performance.now();
    const file = writeHeapSnapshot(this.dir);
    const ms = Math.round(performance.now() - started);
    // And one after: what arrived while the process was paused is read in the next poll of the
    // loop, and should be refused too rather than start a second pause right after this one.
    await nextTurn();
    return { ...file, ms };
  }
}

/** What to say when a snapshot could not be written: the folder, the cause and what to do. */
export function snapshotFailure(dir: string, error: unknown): string {
  return (
    `heap snapshot to ${dir} failed: ${(error as Error).message}; set profiling.snapshotDir ` +
    '(HEADROOM_PROFILING_SNAPSHOT_DIR) to a writable folder with room for about the size of the heap'
  );
}

/** One line for the log: where, how large, how long the process was paused. */
export function snapshotWritten(file: TakenHeapSnapshot): string {
  return `heap snapshot written to ${file.path} (${formatBytes(file.bytes)} in ${file.ms} ms)`;
}

export interface HeapSnapshotTriggersOptions {
  config: HeadroomConfig;
  logger: Logger;
  env?: Env;
}

export interface HeapSnapshotTriggers {
  /** Where signal snapshots go. */
  dir: string;
  /**
   * Removes the signal handler. Near-limit snapshots stay on: Node has no way to turn them off
   * once set, and setting them again is a no-op.
   */
  dispose(): void;
}

/**
 * Installs the snapshot signal's handler and enables near-limit snapshots, as configured. Called
 * once per process by the command that serves (a second call would write two snapshots a signal).
 */
export function startHeapSnapshotTriggers(options: HeapSnapshotTriggersOptions): HeapSnapshotTriggers {
  const { profiling } = options.config;
  const dir = heapSnapshotDir(options.config, options.env);
  const log = options.logger.child({ component: 'heap-snapshot' });
  const taker = new HeapSnapshotTaker(dir);
  const signal = profiling.heapSnapshotSignal;
  let onSignal: (() => void) | undefined;
  if (signal !== 'none') {
    onSignal = () => {
      const taking = taker.take();
      if (taking === undefined) {
        log.warn(`${signal} ignored: a heap snapshot is being written already`);
        return;
      }
      taking.then(
        (file) => log.info(`${signal}: ${snapshotWritten(file)}`),
        (error: unknown) => log.error(`${signal}: ${snapshotFailure(dir, error)}`),
      );
    };
    process.on(signal, onSignal);
    log.debug(`kill -${signal.slice(3)} ${process.pid} writes a heap snapshot to ${dir}`);
  }
  const nearLimit = profiling.heapSnapshotsNearLimit;
  if (nearLimit > 0) {
    v8.setHeapSnapshotNearHeapLimit(nearLimit);
    log.info(
      `near the heap limit, Node writes up to ${nearLimit} heap snapshot${nearLimit === 1 ? '' : 's'} ` +
        `to ${process.cwd()} (the working folder, or --diagnostic-dir when given)`,
    );
  }
  return {
    dir,
    dispose() {
      if (onSignal !== undefined) process.off(signal, onSignal);
      onSignal = undefined;
    },
  };
}
