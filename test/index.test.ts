import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as headroom from '../src/index.js';

it('exports the memory core under the design documents’ names', async () => {
  for (const name of [
    'MemoryLimiter',
    'MemoryCircuitBreaker',
    'BufferPool',
    'ObjectPool',
    'StreamingJsonProcessor',
    'ChunkedWriter',
    'processInBatches',
    'loadConfig',
    'HeadroomError',
    'MemoryMonitor',
    'AlertManager',
    'createMemoryDashboard',
    'createPrometheusRegistry',
  ]) {
    assert.equal(typeof (headroom as Record<string, unknown>)[name], 'function', name);
  }
});

it('builds a limiter from the configuration', () => {
  const config = headroom.loadConfig({
    env: { HEADROOM_MEMORY_BUDGET: '256MB', HEADROOM_MEMORY_METRIC: 'heap' },
  }).config;
  const limiter = headroom.limiterFromConfig(config);
  assert.equal(limiter.budgetBytes, 256 * 1024 * 1024);
  assert.equal(limiter.metric, 'heap');
  assert.equal(limiter.check(), true);
  limiter.close();
});
