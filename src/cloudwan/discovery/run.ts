/**
 * What every phase of one discovery shares: the clients, the builder the records go into, the
 * problem log, the abort signal, progress reporting, and a worker pool that keeps at most
 * `concurrency` requests in flight.
 */

import type { NetworkManagerClient } from '@aws-sdk/client-networkmanager';
import { throwIfAborted } from '../../errors.js';
import type { TopologyBuilder } from '../../topology/builder.js';
import type { CloudWanClients } from './clients.js';
import type { ProblemLog } from './problems.js';
import type { DiscoveryProgress } from './types.js';

/** Progress is reported after each phase and every this many items within one. */
export const PROGRESS_EVERY = 100;

export interface Run {
  readonly clients: CloudWanClients;
  readonly nm: NetworkManagerClient;
  readonly signal: AbortSignal | undefined;
  readonly concurrency: number;
  readonly sink: TopologyBuilder;
  readonly problems: ProblemLog;
  readonly onProgress: ((progress: DiscoveryProgress) => void) | undefined;
}

export function progress(
  run: Run,
  phase: string,
  done: number,
  total: number | undefined,
  message: string,
): void {
  if (!run.onProgress) return;
  const report: DiscoveryProgress = { phase, done, message };
  if (total !== undefined) report.total = total;
  run.onProgress(report);
}

/**
 * Runs `work` for every item with at most `run.concurrency` at a time, reporting progress as
 * `label: done of total`. Each `work` handles its own AWS failures (as problems); anything it throws
 * (an abort) stops the pool and is rethrown.
 */
export async function forEachLimited<T>(
  run: Run,
  phase: string,
  label: string,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  const total = items.length;
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      throwIfAborted(run.signal, 'discovery of the core network');
      const item = items[next++] as T;
      await work(item);
      done++;
      if (done % PROGRESS_EVERY === 0 && done < total)
        progress(run, phase, done, total, `${label}: ${done} of ${total}`);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(run.concurrency, total); w++) workers.push(worker());
  await Promise.all(workers);
  progress(run, phase, done, total, `${label}: ${done} of ${total}`);
}

/** Splits `items` into runs of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Groups values by a key, keys in first-seen order. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
