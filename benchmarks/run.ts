/**
 * `npm run bench`: runs every variant of every benchmark in its own child process, several times
 * in interleaved order (the machines are shared and noisy), and prints the medians as a table with
 * each figure beside its baseline from the same run.
 *
 *   npm run bench                       all benchmarks, 3 runs each
 *   npm run bench -- json-stream        only the benchmarks whose name contains "json-stream"
 *   BENCH_RUNS=5 BENCH_JSON_MB=50 BENCH_TOPOLOGY_ELEMENTS=100000 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Figure {
  key: string;
  label: string;
  digits: number;
}

interface Suite {
  name: string;
  file: string;
  args?: string[];
  baseline: string;
  variants: string[];
  figures: Figure[];
}

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const jsonMb = process.env.BENCH_JSON_MB ?? '200';
const topologyElements = process.env.BENCH_TOPOLOGY_ELEMENTS ?? '1000000';

const time: Figure = { key: 'ms', label: 'time ms', digits: 0 };
const rss: Figure = { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 };
const gcMs: Figure = { key: 'gcMs', label: 'GC pause ms', digits: 1 };
const gcCount: Figure = { key: 'gcCount', label: 'GCs', digits: 0 };

const startupFigures: Figure[] = [
  { key: 'ms', label: 'time to tools/list ms', digits: 0 },
  { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 },
  { key: 'tools', label: 'tools', digits: 0 },
  { key: 'listBytes', label: 'tools/list bytes', digits: 0 },
];

const suites: Suite[] = [
  {
    name: `json-stream (${jsonMb} MB array)`,
    file: 'json-stream.ts',
    args: [jsonMb],
    baseline: 'json-parse',
    variants: ['json-parse', 'streamparser', 'headroom-batches', 'headroom-items'],
    figures: [
      { key: 'mbPerS', label: 'MB/s', digits: 1 },
      rss,
      time,
      { key: 'items', label: 'items', digits: 0 },
    ],
  },
  {
    name: 'openapi start to first tools/list: GitHub, 1,223 operations, --tools all',
    file: 'openapi-startup.ts',
    args: ['github'],
    baseline: 'peer',
    variants: [
      'peer',
      'headroom-cold',
      'headroom-cold-spec',
      'headroom-warm',
      'headroom-warm-dynamic',
      'headroom-floor',
    ],
    figures: startupFigures,
  },
  {
    name: 'openapi start to first tools/list: Microsoft Graph beta, 22,361 operations',
    file: 'openapi-startup.ts',
    args: ['graph-beta'],
    baseline: 'headroom-cold-dynamic',
    variants: ['headroom-cold-dynamic', 'headroom-warm-dynamic', 'headroom-warm'],
    figures: startupFigures,
  },
  {
    name: 'openapi tools/call, one JSON array response of 40 MB, 100 MB or 1 GB',
    file: 'openapi-calls.ts',
    // The peer refuses bodies over 50 MB (axios maxContentLength): 40 MB is its largest answer.
    baseline: 'peer-40',
    variants: ['peer-40', 'peer-100', 'headroom-40', 'headroom-100', 'headroom-1024'],
    figures: [
      { key: 'answerMs', label: 'time to answer ms', digits: 0 },
      { key: 'answerBytes', label: 'answer bytes', digits: 0 },
      { key: 'peakAboveIdleMb', label: 'peak RSS above idle MB', digits: 1 },
      { key: 'bodyMbPerS', label: 'upstream body read MB/s', digits: 1 },
      { key: 'isError', label: 'error answers', digits: 0 },
    ],
  },
  {
    name: `response _query scan (${jsonMb} MB array)`,
    file: 'response-query.ts',
    args: [jsonMb],
    baseline: 'streamparser',
    variants: ['streamparser', 'headroom'],
    figures: [
      { key: 'mbPerS', label: 'MB/s', digits: 1 },
      time,
      rss,
      { key: 'matches', label: 'matches', digits: 0 },
    ],
  },
  {
    name: 'concurrent tools/call of 200 MB each under --memory-budget 256MB',
    file: 'openapi-calls.ts',
    baseline: 'concurrent-1-200',
    variants: ['concurrent-1-200', 'concurrent-20-200'],
    figures: [
      { key: 'ok', label: 'answered', digits: 0 },
      { key: 'overloaded', label: 'refused: overloaded', digits: 0 },
      { key: 'failed', label: 'other errors', digits: 0 },
      { key: 'answerMs', label: 'time to all answers ms', digits: 0 },
      { key: 'peakRssMb', label: 'peak RSS MB', digits: 0 },
    ],
  },
  {
    name: `topology: ${topologyElements} elements, 2 connections each (build, memory, streaming, tracing)`,
    file: 'topology.ts',
    args: [topologyElements],
    baseline: 'objects',
    variants: ['objects', 'generate-only', 'columnar', 'stream', 'trace'],
    figures: [
      { key: 'ms', label: 'time ms', digits: 0 },
      { key: 'heldMb', label: 'heap held after GC MB', digits: 1 },
      { key: 'bytesPerElement', label: 'measured bytes/element', digits: 1 },
      { key: 'storeBytesPerElement', label: 'store bytes/element (exact)', digits: 1 },
      { key: 'elementsPerSecond', label: 'elements/s streamed', digits: 0 },
      { key: 'streamHeapGrowthMb', label: 'heap growth while streaming MB', digits: 1 },
      { key: 'traceMedianMs', label: 'trace median ms', digits: 3 },
      { key: 'traceP99Ms', label: 'trace p99 ms', digits: 2 },
      { key: 'traceMaxMs', label: 'trace max ms', digits: 2 },
      { key: 'reachableShare', label: 'share of traced pairs reachable', digits: 2 },
      rss,
    ],
  },
  {
    name: 'cloudwan: discovery of ~5,000 attachments through the AWS SDK and the replay server',
    file: 'cloudwan.ts',
    baseline: 'sequential',
    variants: ['sequential', 'discover'],
    figures: [
      { key: 'ms', label: 'discovery ms', digits: 0 },
      { key: 'apiCalls', label: 'API calls', digits: 0 },
      { key: 'attachments', label: 'attachments', digits: 0 },
      { key: 'storeKb', label: 'store + route tables KiB', digits: 0 },
      { key: 'traceMedianMs', label: 'trace median ms', digits: 3 },
      { key: 'traceP99Ms', label: 'trace p99 ms', digits: 2 },
      rss,
    ],
  },
  {
    name: 'monitor: cost of live monitoring at 1 Hz (10 s timer workload; one hour of history)',
    file: 'monitor.ts',
    args: ['10'],
    baseline: 'idle',
    variants: ['idle', 'monitored', 'sample-cost'],
    figures: [
      { key: 'cpuPercentOfCore', label: 'CPU % of a core', digits: 2 },
      { key: 'sampleUs', label: 'µs per sample', digits: 1 },
      { key: 'historyMb', label: '1 h history MB', digits: 2 },
      { key: 'retainedMb', label: 'retained MB', digits: 2 },
      { key: 'heapMb', label: 'heap MB', digits: 1 },
      rss,
    ],
  },
  {
    name: 'limiter check() per call',
    file: 'limiter.ts',
    baseline: 'baseline',
    variants: ['baseline', 'check-rss', 'check-heap'],
    figures: [{ key: 'nsPerCall', label: 'ns/call', digits: 2 }],
  },
  {
    name: 'buffer pool in ChunkedWriter (256 MiB in small writes)',
    file: 'pool.ts',
    baseline: 'unpooled',
    variants: ['unpooled', 'pooled'],
    figures: [time, gcCount, gcMs, { key: 'buffersAllocated', label: 'buffers allocated', digits: 0 }, rss],
  },
  {
    name: 'object pool (10M small objects)',
    file: 'object-pool.ts',
    baseline: 'plain',
    variants: ['plain', 'pooled'],
    figures: [time, gcCount, gcMs],
  },
];

function runChild(suite: Suite, variant: string): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'child.ts'), `./${suite.file}`, variant, ...(suite.args ?? [])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1024 * 1024 },
  );
  const line = out.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line) as Record<string, number>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const filter = process.argv.slice(2);
const chosen = suites.filter((suite) => filter.length === 0 || filter.some((f) => suite.name.includes(f)));
const rows: string[] = [];
const results: Record<string, Record<string, Record<string, number>>> = {};
process.stderr.write(`headroom benchmarks: ${runs} runs per variant, medians; Node ${process.version}\n`);
for (const suite of chosen) {
  const samples = new Map<string, Record<string, number>[]>(suite.variants.map((v) => [v, []]));
  for (let r = 0; r < runs; r++) {
    // Interleave the variants, rotating the order each run, so drift on a noisy machine is shared.
    const order = suite.variants.map((_, k) => suite.variants[(k + r) % suite.variants.length] as string);
    for (const variant of order) {
      process.stderr.write(`  ${suite.name}: ${variant} (run ${r + 1}/${runs})\n`);
      samples.get(variant)?.push(runChild(suite, variant));
    }
  }
  const medians: Record<string, Record<string, number>> = {};
  for (const [variant, list] of samples) {
    const keys = Object.keys(list[0] ?? {});
    medians[variant] = Object.fromEntries(
      keys.map((key) => [key, median(list.map((s) => s[key] as number))]),
    );
  }
  results[suite.name] = medians;
  const base = medians[suite.baseline] ?? {};
  for (const variant of suite.variants) {
    const figures = medians[variant] ?? {};
    for (const figure of suite.figures) {
      const value = figures[figure.key];
      const baseValue = base[figure.key];
      if (value === undefined) continue;
      const ratio = baseValue ? `${(value / baseValue).toFixed(2)}x` : '';
      const baseText =
        variant === suite.baseline || baseValue === undefined
          ? ''
          : `${baseValue.toFixed(figure.digits)} (${suite.baseline})`;
      rows.push(
        `| ${suite.name} | ${variant} | ${figure.label} | ${value.toFixed(figure.digits)} | ${baseText} | ${variant === suite.baseline ? 'baseline' : ratio} |`,
      );
    }
  }
}
const table = [
  '| benchmark | variant | figure | median | baseline, same run | vs baseline |',
  '|---|---|---|---:|---:|---:|',
  ...rows,
].join('\n');
process.stdout.write(`${table}\n`);
mkdirSync(join(here, '.data'), { recursive: true });
writeFileSync(
  join(here, '.data', 'results.json'),
  `${JSON.stringify({ node: process.version, runs, results }, null, 2)}\n`,
);
