/**
 * The deterministic topology generator: a realistic Cloud WAN estate of exactly `elements`
 * elements, about `connections` connections (2 per element by default), routes and a matching
 * core network policy, streamed into a sink. The same options always give the same records, in
 * the same order. Every record is recomputed from its ordinal (generate/layout.ts); all that is kept
 * is the order the VPC attachments are written in, 5 bytes per VPC (15 MB at 10 million elements),
 * so 10 million elements stream through in nearly flat memory.
 */

import { AbortedError, TopologyError, throwIfAborted } from '../../errors.js';
import { closest } from '../../util/suggest.js';
import type { ConnectionType, ElementType, TopologySink } from '../model.js';
import { Layout } from './generate/layout.js';
import { AWS_REGIONS, REGION_NAME } from './generate/names.js';
import { Out } from './generate/out.js';
import { type GeneratePlan, plannedElementCounts, planTopology } from './generate/plan.js';
import { buildPolicy } from './generate/policy.js';
import { writeElements } from './generate/write-elements.js';
import { writeConnections, writeRoutes } from './generate/write-links.js';

export { AWS_REGIONS } from './generate/names.js';
export type { GeneratePlan } from './generate/plan.js';

export interface GenerateOptions {
  /** Exactly this many elements are written: 1 to 50,000,000. */
  elements: number;
  /** About this many connections (exactly, unless the structure alone needs more); 2 x elements by default. */
  connections?: number;
  /** 0 to 2^32-1; 1 by default. */
  seed?: number;
  /** How many regions (of AWS_REGIONS, in order), or the region names; scaled with size by default. */
  regions?: number | readonly string[];
  signal?: AbortSignal;
}

export interface GenerateSummary {
  seed: number;
  elements: number;
  connections: number;
  routes: number;
  policies: number;
  /** What was asked for; `connections` differs when the structure needs more or there is no route table. */
  requestedConnections: number;
  elementsByType: Record<ElementType, number>;
  connectionsByType: Record<ConnectionType, number>;
  coreNetworkId?: string;
  regions: string[];
  segments: string[];
  networkFunctionGroups: string[];
}

export const MAX_GENERATED_ELEMENTS = 50_000_000;
export const MAX_GENERATED_CONNECTIONS = 1_000_000_000;
const DEFAULT_SEED = 1;
/** Records between yields of generateSteps: small enough to bound an async writer's buffer. */
const BATCH = 16_384;
const OPTION_NAMES = ['elements', 'connections', 'seed', 'regions', 'signal'];

/** Validated options and the counts they lead to, before anything is written (the snapshot header needs them). */
export function planGeneration(options: GenerateOptions): GeneratePlan & { seed: number } {
  const valid = validate(options);
  return { ...planTopology(valid), seed: valid.seed };
}

/** Writes the whole topology into `sink` and returns what was written. */
export function generateTopology(options: GenerateOptions, sink: TopologySink): GenerateSummary {
  const steps = generateSteps(options, sink);
  for (let i = 0; i <= MAX_GENERATED_ELEMENTS + MAX_GENERATED_CONNECTIONS; i++) {
    const step = steps.next();
    if (step.done) return step.value;
  }
  throw new AbortedError('generating the topology did not finish'); // unreachable: the steps are bounded
}

/**
 * The same, a batch at a time: each `next()` writes up to about 16,384 records and returns, so an
 * async consumer (a snapshot writer waiting for 'drain') can pause between batches. The abort
 * signal is checked between batches.
 */
export function* generateSteps(
  options: GenerateOptions,
  sink: TopologySink,
): Generator<void, GenerateSummary, void> {
  const valid = validate(options);
  const plan = planTopology(valid);
  const layout = new Layout(plan, valid.seed);
  const out = new Out(sink, BATCH, layout);
  const signal = valid.signal;
  throwIfAborted(signal, 'generating the topology');
  for (const _ of writeElements(layout, out)) {
    yield;
    throwIfAborted(signal, 'generating the topology'); // before the next batch is written
  }
  out.elementsDone();
  if (plan.hasCore) sink.setPolicy(layout.coreId, buildPolicy(layout));
  for (const _ of writeConnections(layout, out)) {
    yield;
    throwIfAborted(signal, 'generating the topology'); // before the next batch is written
  }
  for (const _ of writeRoutes(layout, out)) {
    yield;
    throwIfAborted(signal, 'generating the topology'); // before the next batch is written
  }
  return {
    seed: valid.seed,
    elements: out.elements,
    connections: out.connections,
    routes: out.routes,
    policies: plan.hasCore ? 1 : 0,
    requestedConnections: valid.connections,
    elementsByType: plannedElementCounts(plan) as Record<ElementType, number>,
    connectionsByType: out.connectionsByType,
    ...(plan.hasCore ? { coreNetworkId: layout.coreId } : {}),
    regions: plan.regions,
    segments: plan.segments,
    networkFunctionGroups: plan.functionGroups,
  };
}

interface ValidOptions {
  elements: number;
  connections: number;
  seed: number;
  regions: readonly string[];
  regionsGiven: boolean;
  signal: AbortSignal | undefined;
}

function validate(options: GenerateOptions): ValidOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('options', 'must be an object such as { elements: 1000 }');
  }
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const near = closest(key, OPTION_NAMES);
    throw invalid(
      key,
      `is not a generator option${near ? ` (did you mean ${near}?)` : ''}; the options are ${OPTION_NAMES.join(', ')}`,
    );
  }
  const { elements, connections = 2 * elements, seed = DEFAULT_SEED, regions, signal } = options;
  wholeNumber('elements', elements, 1, MAX_GENERATED_ELEMENTS, 'the number of elements to write, e.g. 1000');
  wholeNumber('connections', connections, 0, MAX_GENERATED_CONNECTIONS, 'or leave it out for 2 per element');
  wholeNumber(
    'seed',
    seed,
    0,
    0xffffffff,
    'any 32-bit unsigned integer; the same seed gives the same topology',
  );
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw invalid('signal', 'must be an AbortSignal');
  return { elements, connections, seed, ...regionList(regions), signal };
}

function regionList(regions: GenerateOptions['regions']): {
  regions: readonly string[];
  regionsGiven: boolean;
} {
  if (regions === undefined) return { regions: AWS_REGIONS, regionsGiven: false };
  if (typeof regions === 'number') {
    wholeNumber(
      'regions',
      regions,
      1,
      AWS_REGIONS.length,
      `a count of regions (taken from ${AWS_REGIONS.slice(0, 3).join(', ')}, ...)`,
    );
    return { regions: AWS_REGIONS.slice(0, regions), regionsGiven: true };
  }
  if (!Array.isArray(regions) || regions.length < 1 || regions.length > AWS_REGIONS.length) {
    throw invalid('regions', `must be a count or a list of 1 to ${AWS_REGIONS.length} region names`);
  }
  const seen = new Set<string>();
  regions.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !REGION_NAME.test(name)) {
      throw invalid(`regions[${i}]`, `is ${JSON.stringify(name)}, not a region name like us-east-1`);
    }
    if (seen.has(name)) throw invalid(`regions[${i}]`, `repeats ${name}; list each region once`);
    seen.add(name);
  });
  return { regions: [...regions], regionsGiven: true };
}

function wholeNumber(
  name: string,
  value: unknown,
  min: number,
  max: number,
  hint: string,
): asserts value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return;
  const got = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  throw invalid(
    name,
    `must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got ${got}): ${hint}`,
  );
}

function invalid(option: string, problem: string): TopologyError {
  return new TopologyError('generator', `generator option ${option} ${problem}`);
}
