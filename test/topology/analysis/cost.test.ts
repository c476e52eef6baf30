/**
 * The analysis must stay O(matches + hops) per trace so that it meets 10 ms on a million elements.
 * The store's prefix index is not ours to time here, so this counts what the analysis asks of the
 * view: the same trace on a topology 40 times larger must make exactly the same calls and be
 * handed exactly as many elements.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import type { TopologyView } from '../../../src/topology/model.js';
import { fixturePolicy, Scenario } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

function topology(fillers: number): TopologyView {
  const s = new Scenario(
    fixturePolicy(
      '3-traffic_inspection__3-east_west_dualhop__cloudformation__core_network__CoreNetwork.json',
    ),
  )
    .vpc('vpc-p', US, '10.1.0.0/16', ['10.1.1.0/24'])
    .attach('att-p', 'vpc-p', 'production')
    .vpc('vpc-d', EU, '10.11.0.0/16', ['10.11.1.0/24'])
    .attach('att-d', 'vpc-d', 'development')
    .vpc('vpc-d2', US, '10.12.0.0/16')
    .attach('att-d2', 'vpc-d2', 'development')
    .vpc('vpc-i-us', US, '100.64.0.0/24')
    .attach('insp-us', 'vpc-i-us', 'inspectionVpcs')
    .vpc('vpc-i-eu', EU, '100.64.1.0/24')
    .attach('insp-eu', 'vpc-i-eu', 'inspectionVpcs');
  for (let i = 0; i < fillers; i++) {
    const id = `vpc-f${i}`;
    s.vpc(id, i % 2 ? US : EU, `172.${16 + (i >> 8)}.${i & 255}.0/24`, [
      `172.${16 + (i >> 8)}.${i & 255}.0/25`,
    ]);
    s.attach(`att-f${i}`, id, i % 3 ? 'development' : 'production');
  }
  return s.build();
}

/** Wraps a view, counting calls per method and the elements handed out in index arrays. */
function counted(view: TopologyView): { view: TopologyView; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const bump = (key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);
  const proxy = new Proxy(view, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        bump(String(property));
        const result = value.apply(target, args);
        if (result instanceof Uint32Array) bump('elements handed out', result.length);
        return result;
      };
    },
  });
  return { view: proxy, counts };
}

function work(fillers: number, src: string, dst: string): Map<string, number> {
  const { view, counts } = counted(topology(fillers));
  const result = traceNetworkPath(analyzeCoreNetwork(view), src, dst);
  assert.equal(result.reachable, true);
  return counts;
}

describe('analysis cost', () => {
  it('traces through dual-hop inspection with the same view calls on 60 and on 2,400 extra attachments', () => {
    const small = work(60, '10.1.1.9', '10.11.1.9');
    const large = work(2400, '10.1.1.9', '10.11.1.9');
    assert.deepEqual(Object.fromEntries(large), Object.fromEntries(small));
    assert.equal(small.get('prefixMatches'), 2);
    assert.ok((small.get('elements handed out') ?? 0) < 20, `handed out ${small.get('elements handed out')}`);
  });

  it('traces inside one segment with the same view calls whatever the size', () => {
    assert.deepEqual(
      Object.fromEntries(work(2400, '10.11.1.9', '10.12.0.9')),
      Object.fromEntries(work(60, '10.11.1.9', '10.12.0.9')),
    );
  });
});
