/**
 * Named workloads that `headroom profile` runs in its own process: two that check the leak
 * detector itself (one steady with a sawtooth heap, one that leaks), and Headroom's own heavy
 * paths, built and dropped again and again so that a leak in them would show as growth.
 * A workload is a step run in a loop; state it keeps between steps lives in its closure.
 */

import { UsageError } from '../errors.js';
import { StreamingJsonProcessor } from '../memory/json-stream.js';
import { TopologyBuilder } from '../topology/builder.js';
import { generateTopology } from '../topology/sources/generate.js';

export interface Workload {
  name: string;
  description: string;
  /** Creates the loop's state; each call of the returned step does one unit of work. */
  start(): () => Promise<void> | void;
}

/** About 500 KiB of short-lived garbage a step: the heap rises and falls (a sawtooth), never grows. */
const steady: Workload = {
  name: 'steady',
  description: 'allocates and drops about 500 KiB of objects a step (50 MB/s): a sawtooth heap with no leak',
  start() {
    return () => {
      const garbage: Array<{ id: number; text: string }> = [];
      for (let i = 0; i < 5_000; i++) garbage.push({ id: i, text: `item ${i}` });
      return undefined;
    };
  },
};

/** Keeps about 10 KiB more each step (about 1 MB/s), as a cache without eviction does. */
const leaking: Workload = {
  name: 'leaking',
  description:
    'keeps about 10 KiB more objects every step (about 1 MB/s), as an unbounded cache does: a leak to find',
  start() {
    const kept: Array<{ id: number; text: string }> = [];
    return () => {
      for (let i = 0; i < 100; i++) kept.push({ id: kept.length, text: `kept ${kept.length}` });
    };
  },
};

const topology: Workload = {
  name: 'topology',
  description: 'generates and builds a Cloud WAN topology of 20,000 elements, then drops it',
  start() {
    let seed = 1;
    return () => {
      const builder = new TopologyBuilder({ source: 'generator', expectedElements: 20_000 });
      generateTopology({ elements: 20_000, seed: seed++ }, builder);
      builder.build();
    };
  },
};

const jsonStream: Workload = {
  name: 'json-stream',
  description: 'streams a 4 MB JSON array of API-like records through StreamingJsonProcessor in batches',
  start() {
    const record = (i: number) =>
      JSON.stringify({
        id: i,
        login: `user${i}`,
        url: `https://example.test/u/${i}`,
        site_admin: i % 7 === 0,
      });
    const items = Array.from({ length: 40_000 }, (_, i) => record(i));
    const bytes = Buffer.from(`[${items.join(',')}]`);
    return async () => {
      const processor = new StreamingJsonProcessor();
      let count = 0;
      for await (const batch of processor.batches(chunks(bytes, 64 * 1024))) count += batch.length;
      if (count !== items.length)
        throw new Error(`json-stream workload: read ${count} items of ${items.length}`);
    };
  },
};

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

export const WORKLOADS: readonly Workload[] = [steady, leaking, topology, jsonStream];

export function findWorkload(name: string): Workload {
  const found = WORKLOADS.find((w) => w.name === name);
  if (!found) {
    throw new UsageError(
      `unknown workload "${name}": the workloads are ${WORKLOADS.map((w) => w.name).join(', ')} (or give a Node program after --)`,
    );
  }
  return found;
}

/** Steps start at most this often, so a workload's rate (and a leak's) does not depend on the CPU. */
export const STEP_MS = 10;

/**
 * Runs `workload` until `signal` aborts, a step every STEP_MS (or back to back when a step takes
 * longer), yielding to the event loop between steps so that timers (the detector's samples, the
 * progress line) run. Resolves with the number of steps.
 */
export async function runWorkload(workload: Workload, signal: AbortSignal): Promise<number> {
  const step = workload.start();
  let steps = 0;
  while (!signal.aborted) {
    const started = performance.now();
    await step();
    steps++;
    const rest = Math.max(0, STEP_MS - (performance.now() - started));
    await new Promise((resolve) => setTimeout(resolve, rest));
  }
  return steps;
}
