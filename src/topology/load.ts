/**
 * Loading a topology file (an NDJSON or JSON snapshot) into the columnar store, timed, with the
 * warnings of a lenient load collected (bounded) for the caller to show.
 */
import type { TopologyError } from '../errors.js';
import { TopologyBuilder, type TopologyWarning } from './builder.js';
import { type ReadSnapshotOptions, readSnapshot, type SnapshotSummary } from './sources/snapshot-read.js';
import type { MemoryOptimizedTopology } from './store.js';

export interface LoadTopologyOptions
  extends Pick<ReadSnapshotOptions, 'signal' | 'maxLineBytes' | 'maxJsonBytes'> {
  lenient?: boolean;
  /** Warnings kept for the result; the rest are counted. Default 100. */
  maxWarnings?: number;
}

export interface LoadedTopology {
  topology: MemoryOptimizedTopology;
  snapshot: SnapshotSummary;
  /** Reading, parsing and building, in milliseconds. */
  loadMs: number;
  /** The final build step alone (resolving ids, adjacency, indexes, tries). */
  buildMs: number;
  warnings: string[];
  warningCount: number;
}

export async function loadTopology(path: string, options: LoadTopologyOptions = {}): Promise<LoadedTopology> {
  const maxWarnings = options.maxWarnings ?? 100;
  const warnings: string[] = [];
  let warningCount = 0;
  const keep = (message: string) => {
    warningCount++;
    if (warnings.length < maxWarnings) warnings.push(message);
  };
  const started = performance.now();
  const builder = new TopologyBuilder({
    source: path,
    lenient: options.lenient ?? false,
    onWarning: (w: TopologyWarning) => keep(where(w.line, w.pointer, w.message)),
  });
  const snapshot = await readSnapshot(path, builder, {
    lenient: options.lenient ?? false,
    onWarning: (error: TopologyError) => keep(where(error.line, error.pointer, error.message)),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}),
    ...(options.maxJsonBytes !== undefined ? { maxJsonBytes: options.maxJsonBytes } : {}),
  });
  const buildStarted = performance.now();
  const topology = builder.build();
  const now = performance.now();
  return {
    topology,
    snapshot,
    loadMs: Math.round(now - started),
    buildMs: Math.round(now - buildStarted),
    warnings,
    warningCount,
  };
}

function where(line: number | undefined, pointer: string | undefined, message: string): string {
  if (line !== undefined && !message.includes(`line ${line}`)) return `line ${line}: ${message}`;
  if (pointer !== undefined && !message.includes(pointer)) return `${pointer}: ${message}`;
  return message;
}
