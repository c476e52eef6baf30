/**
 * A leak check of a target, as `headroom profile --detect-leaks` runs it: a named workload in this
 * process, or a Node program in a child watched through its inspector. The heap after a full GC is
 * read `samples` times over the duration, the first after one interval (a warm-up), and the leak
 * detector's window is the whole run, so its verdict rests on every sample. With a snapshot folder,
 * heap snapshots are written after the first sample and after the last, and diffed to name what grew.
 */
import { join } from 'node:path';
import { gcFunction } from '../memory/gc.js';
import { formatBytes } from '../util/bytes.js';
import { diffHeapSnapshots, type HeapSnapshotDiff, writeHeapSnapshot } from './heap-snapshot.js';
import { type InspectedChild, startInspectedChild, type TextSink } from './inspected-child.js';
import {
  createLeakDetector,
  type LeakAnalysis,
  LeakDetectorError,
  type LeakSample,
} from './leak-detector.js';
import { runWorkload, type Workload } from './workloads.js';

export type LeakTarget = { workload: Workload } | { command: readonly string[] };

export interface LeakCheckOptions {
  target: LeakTarget;
  durationMs: number;
  /** Heap readings over the duration (and the detector's window); at least 5. */
  samples: number;
  /** The detector's growth threshold (bytes per second or e.g. '1MB/min'); its default otherwise. */
  growthThreshold?: number | string;
  /** The detector's least growth over the window; its default (1 MiB) otherwise. */
  minGrowthBytes?: number | string;
  /** Write heap snapshots here (after the first sample and after the last) and diff them. */
  snapshotDir?: string;
  /** Ends the check early; the report covers the samples taken. */
  signal?: AbortSignal;
  /** After each sample, with the analysis so far and the milliseconds since the start. */
  onSample?: (analysis: LeakAnalysis, elapsedMs: number, index: number) => void;
  /** Where a child program's own output goes; default this process's stderr. */
  output?: TextSink;
}

export interface LeakCheckReport {
  /** The detector's verdict on the whole run. */
  leakDetected: boolean;
  /** The fitted (Theil–Sen) growth of the heap after GC, bytes per second. */
  growthBytesPerSecond: number;
  /** The same for people, e.g. '1.2 MiB/min'. */
  growthRate: string;
  /** Every reading, oldest first: epoch milliseconds and bytes of heap in use after a full GC. */
  samples: LeakSample[];
  /** The workload's name or the command line. */
  target: string;
  durationSeconds: number;
  intervalMs: number;
  /** Why it is or is not a leak, for people. */
  reason: string;
  analysis: LeakAnalysis;
  /** Set when the child program ended before the duration: its exit code or signal. */
  targetEnded?: number | string;
  /** Set when a signal or the caller ended the check early. */
  stoppedEarly?: boolean;
  heapSnapshots?: { before: string; after: string; diff: HeapSnapshotDiff };
}

/** The part of a target the check needs: a heap reading after GC, snapshots, and an end. */
interface Subject {
  name: string;
  heapAfterGc(): Promise<number>;
  writeSnapshot(dir: string, label: string): Promise<string>;
  /** Resolves with the exit code or signal if the target ends on its own. */
  ended: Promise<number | string>;
  close(): Promise<void>;
}

export async function runLeakCheck(options: LeakCheckOptions): Promise<LeakCheckReport> {
  const { durationMs, samples } = options;
  if (!(Number.isInteger(samples) && samples >= 5))
    throw new LeakDetectorError(`a leak check needs at least 5 samples, got ${samples}`);
  const intervalMs = durationMs / samples;
  let latest = 0;
  const detector = createLeakDetector({
    interval: Math.max(1, Math.round(intervalMs)),
    window: samples,
    sample: () => latest,
    ...(options.growthThreshold !== undefined ? { growthThreshold: options.growthThreshold } : {}),
    ...(options.minGrowthBytes !== undefined ? { minGrowthBytes: options.minGrowthBytes } : {}),
  });
  const subject = await open(options.target, options.output);
  let ended: number | string | undefined;
  subject.ended.then(
    (code) => {
      ended = code;
    },
    () => undefined, // a workload's error reaches the loop through sleepUntil
  );
  const all: LeakSample[] = [];
  const snapshots: string[] = [];
  let analysis = detector.analyze();
  let targetEnded: number | string | undefined;
  const started = performance.now();
  try {
    for (let i = 1; i <= samples; i++) {
      const stop = await sleepUntil(started + i * intervalMs, options.signal, subject.ended);
      if (stop) break;
      latest = await subject.heapAfterGc();
      analysis = detector.sampleNow();
      all.push({ t: Date.now(), heapUsed: latest });
      if (options.snapshotDir !== undefined && (i === 1 || i === samples))
        snapshots.push(await subject.writeSnapshot(options.snapshotDir, i === 1 ? 'before' : 'after'));
      options.onSample?.(analysis, performance.now() - started, i);
    }
  } catch (error) {
    // A child that ends mid-reading is reported as ended, with the samples taken so far.
    const code = await Promise.race([subject.ended.catch(() => undefined), delay(200).then(() => undefined)]);
    if (code === undefined) throw error;
    ended = code;
  } finally {
    // Read before closing: the child's exit on our SIGTERM is not the program ending on its own.
    targetEnded = ended;
    await subject.close();
  }
  const report: LeakCheckReport = {
    leakDetected: analysis.leakDetected,
    growthBytesPerSecond: analysis.slopeBytesPerSecond,
    growthRate: `${formatBytes(Math.round(analysis.slopeBytesPerSecond * 60))}/min`,
    samples: all,
    target: subject.name,
    durationSeconds: (performance.now() - started) / 1000,
    intervalMs,
    reason: analysis.reason,
    analysis,
    ...(targetEnded !== undefined ? { targetEnded } : {}),
    ...(options.signal?.aborted ? { stoppedEarly: true } : {}),
  };
  const [before, after] = snapshots;
  if (before !== undefined && after !== undefined)
    report.heapSnapshots = { before, after, diff: await diffHeapSnapshots(before, after, { top: 10 }) };
  return report;
}

async function open(target: LeakTarget, output: TextSink | undefined): Promise<Subject> {
  if ('command' in target)
    return childSubject(await startInspectedChild(target.command, output ? { output } : {}), target.command);
  return workloadSubject(target.workload);
}

function childSubject(child: InspectedChild, command: readonly string[]): Subject {
  return {
    name: command.join(' '),
    heapAfterGc: () => child.heapAfterGc(),
    async writeSnapshot(dir, label) {
      const file = join(dir, `headroom-${label}-${child.pid}-${Date.now()}.heapsnapshot`);
      await child.writeHeapSnapshot(file);
      return file;
    },
    ended: child.exited,
    close: () => child.close(),
  };
}

function workloadSubject(workload: Workload): Subject {
  const gc = gcFunction();
  if (!gc)
    throw new LeakDetectorError(
      'V8 refused to expose a full garbage collection, which a leak check needs: run node with --expose-gc',
    );
  const stop = new AbortController();
  const running = runWorkload(workload, stop.signal);
  return {
    name: workload.name,
    async heapAfterGc() {
      gc();
      return process.memoryUsage().heapUsed;
    },
    async writeSnapshot(dir) {
      return writeHeapSnapshot(dir).path;
    },
    // A workload only ends by throwing; its error ends the check.
    ended: running.then(
      () => new Promise<never>(() => {}),
      (error: unknown) => {
        throw error;
      },
    ),
    async close() {
      stop.abort();
      await running.catch(() => undefined);
    },
  };
}

/** Waits until `at` (performance.now() time); true when the signal fired or the target ended first. */
async function sleepUntil(
  at: number,
  signal: AbortSignal | undefined,
  ended: Promise<unknown>,
): Promise<boolean> {
  if (signal?.aborted) return true;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const outcome = await Promise.race([
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, at - performance.now()));
    }),
    new Promise<true>((resolve) => {
      onAbort = () => resolve(true);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
    ended.then(
      () => true as const,
      (error: unknown) => {
        throw error;
      },
    ),
  ]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
  return outcome;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
