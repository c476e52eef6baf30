import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { findPackageRoot } from '../../src/bench/checkout.js';
import { standardBenchmarks } from '../../src/bench/standard.js';

const root = findPackageRoot() as string;
const suite = standardBenchmarks();

it('has the benchmarks the issues name', () => {
  const names = suite.map((b) => b.name);
  for (const name of [
    'topology_processing_1000e_2000c',
    'topology_processing_100000e_200000c',
    'topology_processing_1000000e_2000000c',
    'spec_loading_github',
    'spec_loading_graph_beta',
    'response_streaming_200mb',
    'response_streaming_1gb',
    'monitoring_overhead',
    'load_50_clients_256mb',
    'leak_false_alarms',
    'leak_detection',
  ])
    assert.ok(names.includes(name), name);
  assert.ok(names.some((n) => n.startsWith('streaming_memory_')));
  assert.ok(names.some((n) => n.startsWith('concurrency_')));
  assert.equal(new Set(names).size, names.length);
});

it('gives every benchmark an existing module, a baseline, figures and targets on them', () => {
  for (const b of suite) {
    assert.match(b.name, /^[a-z0-9]+(_[a-z0-9]+)*$/);
    assert.ok(existsSync(join(root, b.module)), `${b.name}: ${b.module}`);
    const baseline = typeof b.baseline === 'string' ? b.baseline : b.baseline.variant;
    assert.ok(baseline !== '', b.name);
    assert.ok(b.figures.length > 0, b.name);
    assert.ok((b.targets ?? []).length > 0, `${b.name} has no target`);
    for (const t of b.targets ?? []) {
      assert.ok(t.min !== undefined || t.max !== undefined, `${b.name}: ${t.figure} has no bound`);
      assert.ok(t.why, `${b.name}: ${t.figure} does not say where its bound comes from`);
    }
    for (const r of b.requires ?? []) assert.match(r.install, /npm/, `${b.name}: ${r.path}`);
  }
});

it('derives the concurrency success rate from the counts', () => {
  const concurrency = suite.find((b) => b.name.startsWith('concurrency_'));
  assert.deepEqual(concurrency?.derive?.({ calls: 20, ok: 17, overloaded: 2, failed: 1 }), {
    successRate: 0.95,
  });
});

it('judges the load test on crashes, nothing lost and the budget, once, against the built server', () => {
  const load = suite.find((b) => b.name === 'load_50_clients_256mb');
  assert.ok(load);
  assert.equal(load.variant, 'clients-50');
  assert.deepEqual(load.args, ['60']);
  assert.equal(load.iterations, 1);
  assert.ok(load.requires?.some((r) => r.path === 'dist/cli.cjs'));
  const bounds = Object.fromEntries((load.targets ?? []).map((t) => [t.figure, [t.min, t.max]]));
  assert.deepEqual(bounds, {
    crashes: [undefined, 0],
    successRate: [1, undefined],
    peakRssMb: [undefined, 256],
  });
  // Other errors (timeouts, upstream failures) are neither an answer nor a refusal: the rate shows them.
  assert.deepEqual(load.derive?.({ calls: 200, ok: 150, overloaded: 48, failed: 2 }), { successRate: 0.99 });
});

it('runs the leak detector benchmarks on their own variants with the targets of issue 8', () => {
  const falseAlarms = suite.find((b) => b.name === 'leak_false_alarms');
  const detection = suite.find((b) => b.name === 'leak_detection');
  assert.equal(falseAlarms?.variant, 'steady');
  assert.equal(detection?.variant, 'leaking');
  assert.notEqual(falseAlarms?.baseline, 'steady');
  assert.notEqual(detection?.baseline, 'leaking');
  assert.deepEqual(
    falseAlarms?.targets?.map((t) => [t.figure, t.max]),
    [['falseAlarmRate', 0.01]],
  );
  assert.deepEqual(
    detection?.targets?.map((t) => [t.figure, t.min, t.max]),
    [
      ['detected', 1, undefined],
      ['detectedAfterSeconds', undefined, 10],
    ],
  );
});
