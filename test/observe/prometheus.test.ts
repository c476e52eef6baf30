import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { createPrometheusRegistry } from '../../src/observe/prometheus.js';
import type { Alert, MemorySample, MonitorSource, ToolStats } from '../../src/observe/types.js';

/** A MonitorSource whose numbers the test sets, so that every exported value can be checked exactly. */
class TestSource implements MonitorSource {
  samples: MemorySample[] = [];
  tools: Record<string, ToolStats> = {};
  active: Alert[] = [];
  details: Record<string, Record<string, number>> = {};
  listeners = new Set<(sample: MemorySample) => void>();
  latest() {
    return this.samples.at(-1);
  }
  history() {
    return this.samples;
  }
  toolStats() {
    return this.tools;
  }
  componentDetails() {
    return this.details;
  }
  activeAlerts() {
    return this.active;
  }
  alertHistory() {
    return [];
  }
  onSample(listener: (sample: MemorySample) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onAlert() {
    return () => {};
  }
  push(sample: MemorySample) {
    this.samples.push(sample);
    for (const listener of this.listeners) listener(sample);
  }
}

function sample(overrides: Partial<MemorySample> = {}): MemorySample {
  return {
    t: 1_700_000_000_000,
    rss: 200_000_000,
    heapUsed: 50_000_000,
    heapTotal: 80_000_000,
    external: 3_000_000,
    arrayBuffers: 1_000_000,
    heapLimit: 4_000_000_000,
    heapSpaces: { new_space: 1_000_000, old_space: 40_000_000 },
    systemTotal: 16_000_000_000,
    systemFree: 8_000_000_000,
    budgetBytes: 512_000_000,
    gc: {
      count: 3,
      pauseMs: 4.5,
      byKind: { minor: { count: 2, pauseMs: 1.5 }, major: { count: 1, pauseMs: 3 } },
    },
    eventLoop: { p50Ms: 1.25, p99Ms: 20, utilization: 0.125 },
    components: { topology: 12_345_678, 'spec "cache"': 42 },
    ...overrides,
  };
}

interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition format strictly: every line is a comment, HELP/TYPE, or a well-formed sample. */
function parse(text: string): { types: Map<string, string>; lines: Line[] } {
  const types = new Map<string, string>();
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(raw);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(raw)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(raw);
    assert.ok(match, `not a Prometheus text line: ${raw}`);
    const labels: Record<string, string> = {};
    const labelText = match[3] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let m = labelPattern.exec(labelText); m !== null; m = labelPattern.exec(labelText)) {
      labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = labelPattern.lastIndex;
    }
    assert.equal(consumed, labelText.length, `malformed labels in ${raw}`);
    const value = Number(match[4]);
    // prom-client writes NaN as `Nan`; Prometheus parses it case-insensitively.
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(match[4] as string), `bad value in ${raw}`);
    lines.push({ name: match[1] as string, labels, value });
  }
  return { types, lines };
}

function value(lines: Line[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = lines.filter(
    (line) => line.name === name && Object.entries(labels).every(([key, v]) => line.labels[key] === v),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} lines`);
  return found[0]?.value;
}

const tool: ToolStats = {
  calls: 10,
  errors: 2,
  p50Ms: 12,
  p95Ms: 80,
  p99Ms: 150,
  bytesOut: 4096,
  meanMemoryDeltaBytes: -1024,
  callsPerSecond: 2.5,
};

describe('createPrometheusRegistry', () => {
  it('exports the source numbers as headroom_ metrics with TYPE lines', async () => {
    const source = new TestSource();
    const exporter = createPrometheusRegistry(source, { defaultMetrics: false });
    source.push(sample());
    source.push(sample({ t: 1_700_000_001_000, cgroupLimit: 1_073_741_824 }));
    source.tools = { search: tool, 'get_"item"': { ...tool, calls: 1, errors: 0 } };
    source.details = { spill: { onDisk: 5_000_000, entries: 3 } };
    source.active = [
      {
        id: 'memory',
        kind: 'memory',
        severity: 'warning',
        message: 'm',
        startedAt: 1,
        value: 80,
        threshold: 75,
      },
      { id: 'gc', kind: 'gc', severity: 'warning', message: 'g', startedAt: 1, value: 0.2, threshold: 0.1 },
      {
        id: 'pool:b',
        kind: 'pool',
        severity: 'critical',
        message: 'p',
        startedAt: 1,
        value: 1,
        threshold: 0,
      },
    ];
    const { types, lines } = parse(await exporter.metrics());

    const expectedTypes: Record<string, string> = {
      headroom_memory_rss_bytes: 'gauge',
      headroom_memory_heap_used_bytes: 'gauge',
      headroom_memory_heap_total_bytes: 'gauge',
      headroom_memory_external_bytes: 'gauge',
      headroom_memory_array_buffers_bytes: 'gauge',
      headroom_memory_heap_limit_bytes: 'gauge',
      headroom_memory_budget_bytes: 'gauge',
      headroom_system_memory_total_bytes: 'gauge',
      headroom_system_memory_free_bytes: 'gauge',
      headroom_cgroup_memory_limit_bytes: 'gauge',
      headroom_heap_space_used_bytes: 'gauge',
      headroom_component_bytes: 'gauge',
      headroom_component_detail: 'gauge',
      headroom_gc_collections_total: 'counter',
      headroom_gc_pause_seconds_total: 'counter',
      headroom_event_loop_delay_p50_seconds: 'gauge',
      headroom_event_loop_delay_p99_seconds: 'gauge',
      headroom_event_loop_utilization_ratio: 'gauge',
      headroom_tool_calls_total: 'counter',
      headroom_tool_errors_total: 'counter',
      headroom_tool_bytes_out_total: 'counter',
      headroom_tool_latency_seconds: 'gauge',
      headroom_tool_calls_per_second: 'gauge',
      headroom_tool_memory_delta_bytes: 'gauge',
      headroom_alerts_active: 'gauge',
    };
    for (const [name, type] of Object.entries(expectedTypes))
      assert.equal(types.get(name), type, `# TYPE ${name}`);

    assert.equal(value(lines, 'headroom_memory_rss_bytes'), 200_000_000);
    assert.equal(value(lines, 'headroom_memory_heap_used_bytes'), 50_000_000);
    assert.equal(value(lines, 'headroom_memory_array_buffers_bytes'), 1_000_000);
    assert.equal(value(lines, 'headroom_memory_budget_bytes'), 512_000_000);
    assert.equal(value(lines, 'headroom_cgroup_memory_limit_bytes'), 1_073_741_824);
    assert.equal(value(lines, 'headroom_heap_space_used_bytes', { space: 'old_space' }), 40_000_000);
    assert.equal(value(lines, 'headroom_component_bytes', { component: 'topology' }), 12_345_678);
    assert.equal(value(lines, 'headroom_component_bytes', { component: 'spec "cache"' }), 42);
    assert.equal(
      value(lines, 'headroom_component_detail', { component: 'spill', figure: 'onDisk' }),
      5_000_000,
    );
    assert.equal(value(lines, 'headroom_component_detail', { component: 'spill', figure: 'entries' }), 3);
    // Two samples of GC, summed.
    assert.equal(value(lines, 'headroom_gc_collections_total', { kind: 'minor' }), 4);
    assert.equal(value(lines, 'headroom_gc_collections_total', { kind: 'major' }), 2);
    assert.equal(value(lines, 'headroom_gc_pause_seconds_total', { kind: 'major' }), 0.006);
    assert.equal(value(lines, 'headroom_event_loop_delay_p50_seconds'), 0.00125);
    assert.equal(value(lines, 'headroom_event_loop_delay_p99_seconds'), 0.02);
    assert.equal(value(lines, 'headroom_event_loop_utilization_ratio'), 0.125);
    assert.equal(value(lines, 'headroom_sample_timestamp_seconds'), 1_700_000_001);
    assert.equal(value(lines, 'headroom_tool_calls_total', { tool: 'search' }), 10);
    assert.equal(value(lines, 'headroom_tool_errors_total', { tool: 'search' }), 2);
    assert.equal(value(lines, 'headroom_tool_calls_total', { tool: 'get_"item"' }), 1);
    assert.equal(value(lines, 'headroom_tool_errors_total', { tool: 'get_"item"' }), 0);
    assert.equal(value(lines, 'headroom_tool_bytes_out_total', { tool: 'search' }), 4096);
    assert.equal(value(lines, 'headroom_tool_latency_seconds', { tool: 'search', quantile: '0.5' }), 0.012);
    assert.equal(value(lines, 'headroom_tool_latency_seconds', { tool: 'search', quantile: '0.99' }), 0.15);
    assert.equal(value(lines, 'headroom_tool_calls_per_second', { tool: 'search' }), 2.5);
    assert.equal(value(lines, 'headroom_tool_memory_delta_bytes', { tool: 'search' }), -1024);
    assert.equal(value(lines, 'headroom_alerts_active', { severity: 'warning' }), 2);
    assert.equal(value(lines, 'headroom_alerts_active', { severity: 'critical' }), 1);
    exporter.close();
  });

  it('drops labels that disappear and values that are absent', async () => {
    const source = new TestSource();
    const exporter = createPrometheusRegistry(source, { defaultMetrics: false });
    let parsed = parse(await exporter.metrics());
    assert.equal(value(parsed.lines, 'headroom_memory_rss_bytes'), undefined, 'no sample yet: no value');
    assert.equal(parsed.types.get('headroom_memory_rss_bytes'), 'gauge');
    assert.equal(value(parsed.lines, 'headroom_alerts_active', { severity: 'critical' }), 0);

    source.push(sample());
    parsed = parse(await exporter.metrics());
    assert.equal(value(parsed.lines, 'headroom_component_bytes', { component: 'topology' }), 12_345_678);
    assert.equal(value(parsed.lines, 'headroom_cgroup_memory_limit_bytes'), undefined, 'no cgroup: no value');

    source.push(sample({ components: { spill: 7 } }));
    parsed = parse(await exporter.metrics());
    assert.equal(value(parsed.lines, 'headroom_component_bytes', { component: 'topology' }), undefined);
    assert.equal(value(parsed.lines, 'headroom_component_bytes', { component: 'spill' }), 7);
    exporter.close();
  });

  it('keeps to its own registry: default metrics included, two exporters apart, global registry untouched', async () => {
    const one = new TestSource();
    const two = new TestSource();
    const a = createPrometheusRegistry(one);
    const b = createPrometheusRegistry(two, { prefix: 'other_' });
    one.push(sample({ components: { a: 1 } }));
    two.push(sample({ components: { b: 2 } }));
    const textA = parse(await a.metrics());
    const textB = parse(await b.metrics());
    assert.equal(textA.types.get('process_cpu_user_seconds_total'), 'counter');
    assert.equal(textA.types.get('nodejs_heap_size_used_bytes'), 'gauge');
    assert.equal(value(textA.lines, 'headroom_component_bytes', { component: 'a' }), 1);
    assert.equal(value(textA.lines, 'headroom_component_bytes', { component: 'b' }), undefined);
    assert.equal(value(textB.lines, 'other_component_bytes', { component: 'b' }), 2);
    assert.equal(textB.types.get('headroom_component_bytes'), undefined);
    assert.doesNotMatch(await globalRegistry.metrics(), /headroom_|other_/);
    assert.notEqual(a.registry, globalRegistry);
    a.close();
    b.close();
  });

  it('stops following samples on close, safely twice', async () => {
    const source = new TestSource();
    const exporter = createPrometheusRegistry(source, { defaultMetrics: false });
    assert.equal(source.listeners.size, 1);
    exporter.close();
    exporter.close();
    assert.equal(source.listeners.size, 0);
    source.push(sample());
    const { lines } = parse(await exporter.metrics());
    assert.equal(value(lines, 'headroom_gc_collections_total', { kind: 'minor' }), undefined);
  });

  it('refuses a prefix Prometheus would reject, naming the option', () => {
    assert.throws(() => createPrometheusRegistry(new TestSource(), { prefix: '1bad-' }), /options\.prefix/);
  });
});
