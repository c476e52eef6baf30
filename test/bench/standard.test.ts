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
