/**
 * Writing snapshot files (the format is described in docs/topology-snapshot.md): a built topology
 * with `writeSnapshot`, or the generator's output straight to a file with `generateSnapshot`, which
 * never builds a store, so `headroom topology generate --elements 10000000 -o FILE` stays flat in
 * memory. Both stream with back-pressure: the stream's 'drain' is awaited between batches.
 */

import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { throwIfAborted } from '../../errors.js';
import type { TopologyView } from '../model.js';
import type { CoreNetworkPolicy } from '../policy-types.js';
import { type GenerateOptions, type GenerateSummary, generateSteps, planGeneration } from './generate.js';
import {
  type SnapshotCounts,
  type SnapshotFormat,
  SnapshotSink,
  type SnapshotWriteResult,
} from './snapshot/sink.js';

export type {
  SnapshotCounts,
  SnapshotFormat,
  SnapshotSinkOptions,
  SnapshotWriteResult,
} from './snapshot/sink.js';
export { SnapshotSink } from './snapshot/sink.js';

export interface WriteSnapshotOptions {
  /** `ndjson` (default) or `json`. */
  format?: SnapshotFormat;
  signal?: AbortSignal;
}

/** Writes every element, policy, connection and route of `view`; `target` is a path or a stream (left open). */
export async function writeSnapshot(
  view: TopologyView,
  target: string | Writable,
  options: WriteSnapshotOptions = {},
): Promise<SnapshotWriteResult> {
  const { signal } = options;
  const cores = view.elementsOfType('core-network');
  const policies: Array<{ id: string; policy: CoreNetworkPolicy }> = [];
  for (const core of cores) {
    const policy = view.policy(core);
    if (policy) policies.push({ id: view.id(core), policy });
  }
  const counts: SnapshotCounts = {
    elements: view.elementCount,
    connections: view.connectionCount,
    routes: view.routeCount,
    policies: policies.length,
  };
  return withSink(target, { format: options.format, counts, signal }, (sink) =>
    writeView(view, sink, policies, signal),
  );
}

async function writeView(
  view: TopologyView,
  sink: SnapshotSink,
  policies: Array<{ id: string; policy: CoreNetworkPolicy }>,
  signal: AbortSignal | undefined,
): Promise<SnapshotWriteResult> {
  const what = 'writing the topology snapshot';
  for (let i = 0; i < view.elementCount; i++) {
    sink.addElement(view.element(i));
    if (sink.full) await pause(sink, signal, what);
  }
  for (const { id, policy } of policies) sink.setPolicy(id, policy);
  for (let i = 0; i < view.connectionCount; i++) {
    const type = view.connectionType(i);
    sink.addConnection({
      type,
      source: view.id(view.connectionSource(i)),
      target: view.id(view.connectionTarget(i)),
    });
    if (sink.full) await pause(sink, signal, what);
  }
  for (let i = 0; i < view.routeCount; i++) {
    const route = view.route(i);
    sink.addRoute({
      table: view.id(route.table),
      destination: route.destination,
      ...(route.target >= 0 ? { target: view.id(route.target) } : {}),
      state: route.state,
      origin: route.origin,
    });
    if (sink.full) await pause(sink, signal, what);
  }
  return sink.end();
}

/** Generates a topology straight into a snapshot file or stream, never holding more than a batch. */
export async function generateSnapshot(
  options: GenerateOptions,
  target: string | Writable,
  write: WriteSnapshotOptions = {},
): Promise<GenerateSummary & { bytes: number }> {
  const plan = planGeneration(options);
  const counts = {
    elements: plan.elements,
    connections: plan.connections,
    routes: plan.routes,
    policies: plan.hasCore ? 1 : 0,
  };
  const signal = write.signal ?? options.signal;
  return withSink(target, { format: write.format, counts, signal }, async (sink) => {
    const steps = generateSteps(options, sink);
    // Each step writes at least one record, so the record count bounds the steps.
    const bound = counts.elements + counts.connections + counts.routes + 2;
    for (let i = 0; i < bound; i++) {
      const step = steps.next();
      if (step.done) {
        const { bytes } = await sink.end();
        return { ...step.value, bytes };
      }
      await pause(sink, signal, 'writing the generated snapshot');
    }
    throw new RangeError('generateSnapshot: the generator wrote more batches than it has records');
  });
}

/** Runs `body` on a sink over `target`; a file opened here is destroyed if `body` fails. */
async function withSink<T>(
  target: string | Writable,
  options: { format: SnapshotFormat | undefined; counts: SnapshotCounts; signal: AbortSignal | undefined },
  body: (sink: SnapshotSink) => Promise<T>,
): Promise<T> {
  const own = typeof target === 'string';
  const stream = own ? createWriteStream(target) : target;
  try {
    return await body(new SnapshotSink(stream, { ...options, end: own }));
  } catch (error) {
    if (own) stream.destroy();
    throw error;
  }
}

async function pause(sink: SnapshotSink, signal: AbortSignal | undefined, what: string): Promise<void> {
  throwIfAborted(signal, what);
  await sink.drain();
}
