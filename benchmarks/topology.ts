/**
 * The Cloud WAN topology engine on a generated topology (1,000,000 elements and 2,000,000
 * connections by default, the same seed in every variant):
 * - `objects`: the generator's records kept as plain JavaScript objects, arrays and Maps
 *   (ObjectTopology), the baseline for memory;
 * - `generate-only`: the generator into a sink that keeps nothing, so the build's own share of
 *   `columnar` is that time minus this one;
 * - `columnar`: the generator into the TopologyBuilder and its build(): time, the store's exact
 *   bytes, and the heap it actually takes (measured after a full GC, as for `objects`);
 * - `stream`: every chunk of the built store through StreamingTopologyManager: elements/s and how
 *   far the heap grew while streaming;
 * - `trace`: traceNetworkPath between random pairs of attachment addresses: median and p99 ms.
 * Usage: node --import tsx benchmarks/child.ts ./topology.ts <variant> [elements]
 */
import { gcFunction } from '../src/memory/gc.js';
import { analyzeCoreNetwork, traceNetworkPath } from '../src/topology/analysis/index.js';
import { TopologyBuilder } from '../src/topology/builder.js';
import type { TopologySink, TopologyView } from '../src/topology/model.js';
import { ObjectTopology } from '../src/topology/object-topology.js';
import { generateTopology } from '../src/topology/sources/generate.js';
import { StreamingTopologyManager } from '../src/topology/stream.js';
import { measure } from './lib/measure.js';

const SEED = 42;
const TRACES = 2000;
const MB = 1024 * 1024;

function heldBytes(): number {
  (gcFunction() as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const nullSink: TopologySink = {
  addElement() {},
  addConnection() {},
  addRoute() {},
  setPolicy() {},
};

function buildColumnar(elements: number): TopologyView {
  const builder = new TopologyBuilder({
    source: 'generator',
    expectedElements: elements,
    expectedConnections: elements * 2,
  });
  generateTopology({ elements, seed: SEED }, builder);
  return builder.build();
}

export async function run(variant: string, elementsArg = '1000000'): Promise<Record<string, number>> {
  const elements = Number(elementsArg);
  const before = heldBytes();
  if (variant === 'generate-only') {
    const m = await measure(() => {
      generateTopology({ elements, seed: SEED }, nullSink);
    });
    return { ms: m.ms, peakRssMb: m.peakRssMb };
  }
  if (variant === 'objects') {
    let kept: ObjectTopology | undefined;
    const m = await measure(() => {
      kept = new ObjectTopology();
      generateTopology({ elements, seed: SEED }, kept);
    });
    const held = heldBytes() - before;
    return {
      ms: m.ms,
      heldMb: held / MB,
      bytesPerElement: held / (kept?.elementCount ?? 1),
      peakRssMb: m.peakRssMb,
    };
  }
  if (variant === 'columnar') {
    let kept: TopologyView | undefined;
    const m = await measure(() => {
      kept = buildColumnar(elements);
    });
    const held = heldBytes() - before;
    const store = kept?.byteSize().total ?? 0;
    return {
      ms: m.ms,
      heldMb: held / MB,
      bytesPerElement: held / (kept?.elementCount ?? 1),
      storeBytesPerElement: store / (kept?.elementCount ?? 1),
      peakRssMb: m.peakRssMb,
    };
  }
  const view = buildColumnar(elements);
  if (variant === 'stream') {
    const manager = new StreamingTopologyManager();
    let records = 0;
    let links = 0;
    // The consumer reads what a real one (rendering, the MCP tool) reads: every element's id and
    // type, every connection's ends and type. Their lengths go into a checksum that must match one
    // read from the store, so no field can go unread or come back wrong.
    let checksum = 0;
    // CPU time too (this thread and V8's helpers): on a shared machine wall time is mostly the load.
    const cpuBefore = process.cpuUsage();
    const m = await measure(async () => {
      for await (const chunk of manager.streamChunks(view, { chunkSize: 5000 })) {
        const { elements, connections } = chunk;
        for (let i = 0; i < elements.length; i++) {
          const e = elements[i]!;
          checksum += e.id.length + e.type.length;
        }
        for (let i = 0; i < connections.length; i++) {
          const c = connections[i]!;
          checksum += c.source.length + c.target.length + c.type.length;
        }
        records += elements.length;
        links += connections.length;
      }
    });
    const cpu = process.cpuUsage(cpuBefore);
    const s = manager.stats();
    if (records !== view.elementCount)
      throw new Error(`streamed ${records} of ${view.elementCount} elements`);
    if (links !== view.connectionCount)
      throw new Error(`streamed ${links} of ${view.connectionCount} connections`);
    const expected = expectedChecksum(view);
    if (checksum !== expected) throw new Error(`stream checksum ${checksum}, the store gives ${expected}`);
    return {
      ms: m.ms,
      elementsPerSecond: view.elementCount / (m.ms / 1000),
      streamHeapGrowthMb: ((s?.peakHeapUsedBytes ?? 0) - (s?.heapUsedAtStartBytes ?? 0)) / MB,
      peakRssMb: m.peakRssMb,
      gcMs: m.gcMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  }
  if (variant === 'trace') return traceFigures(view);
  throw new Error(`topology benchmark: unknown variant ${variant}`);
}

/** What the stream consumer's checksum must come to, read from the view's accessors. */
function expectedChecksum(view: TopologyView): number {
  let sum = 0;
  for (let e = 0; e < view.elementCount; e++) sum += view.id(e).length + view.type(e).length;
  for (let c = 0; c < view.connectionCount; c++) {
    sum += view.id(view.connectionSource(c)).length + view.id(view.connectionTarget(c)).length;
    sum += view.connectionType(c).length;
  }
  return sum;
}

/** traceNetworkPath between pseudo-random pairs of VPC addresses (the same pairs every run). */
export function traceFigures(view: TopologyView, traces = TRACES): Record<string, number> {
  const analysis = analyzeCoreNetwork(view);
  const addresses: string[] = [];
  for (const a of view.elementsOfType('vpc-attachment')) {
    const cidr = view.cidrs(a)[0];
    if (cidr?.includes('.')) addresses.push(cidr.replace(/\.\d+\/\d+$/, '.9'));
  }
  let state = SEED;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return addresses[state % addresses.length] as string;
  };
  const times: number[] = [];
  let reachable = 0;
  for (let i = 0; i < traces; i++) {
    const [src, dst] = [next(), next()];
    const t = performance.now();
    if (traceNetworkPath(analysis, src, dst).reachable) reachable++;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    traceMedianMs: times[times.length >> 1] as number,
    traceP99Ms: times[Math.floor(times.length * 0.99)] as number,
    traceMaxMs: times[times.length - 1] as number,
    reachableShare: reachable / traces,
  };
}
