import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { routeTable } from '../../../src/topology/analysis/route-table.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { policy, Scenario, steps } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

/** hub, a, b, c: one VPC each at us-east-1 (10.<n>.0.0/16), plus the given share actions. */
function four(
  actions: CoreNetworkPolicy['segment-actions'],
  segments?: CoreNetworkPolicy['segments'],
): Scenario {
  const p = policy(
    [US, EU],
    segments ?? [{ name: 'hub' }, { name: 'a' }, { name: 'b' }, { name: 'c' }],
    actions,
  );
  const s = new Scenario(p);
  ['hub', 'a', 'b', 'c'].forEach((name, i) => {
    s.vpc(`vpc-${name}`, US, `10.${i}.0.0/16`).attach(`att-${name}`, `vpc-${name}`, name);
  });
  return s;
}

/** The destinations of a segment's table at us-east-1. */
const destinations = (scenario: Scenario, segment: string) =>
  routeTable(analyzeCoreNetwork(scenario.build()), segment, US).routes.map(
    (r) => `${r.destination} ${r.origin}${r.via ? ` ${r.via}` : ''}`,
  );

describe('routeTable: sharing', () => {
  it('shares both ways from one share action', () => {
    const s = four([{ action: 'share', mode: 'attachment-route', segment: 'hub', 'share-with': ['a'] }]);
    assert.deepEqual(destinations(s, 'hub'), ['10.0.0.0/16 propagated', '10.1.0.0/16 shared a']);
    assert.deepEqual(destinations(s, 'a'), ['10.1.0.0/16 propagated', '10.0.0.0/16 shared hub']);
    assert.deepEqual(destinations(s, 'b'), ['10.2.0.0/16 propagated']);
  });

  it('shares with every other segment for "*", and with all but the named ones for except', () => {
    const star = four([{ action: 'share', mode: 'attachment-route', segment: 'hub', 'share-with': '*' }]);
    assert.deepEqual(destinations(star, 'hub'), [
      '10.0.0.0/16 propagated',
      '10.1.0.0/16 shared a',
      '10.2.0.0/16 shared b',
      '10.3.0.0/16 shared c',
    ]);
    assert.deepEqual(destinations(star, 'c'), ['10.3.0.0/16 propagated', '10.0.0.0/16 shared hub']);
    const except = four([
      { action: 'share', mode: 'attachment-route', segment: 'hub', 'share-with': { except: ['b', 'c'] } },
    ]);
    assert.deepEqual(destinations(except, 'hub'), ['10.0.0.0/16 propagated', '10.1.0.0/16 shared a']);
    assert.deepEqual(destinations(except, 'b'), ['10.2.0.0/16 propagated']);
  });

  it('applies allow and deny filters on the receiving segment', () => {
    const s = four(
      [{ action: 'share', mode: 'attachment-route', segment: 'hub', 'share-with': '*' }],
      [
        { name: 'hub', 'deny-filter': ['c'] },
        { name: 'a', 'allow-filter': ['b'] },
        { name: 'b' },
        { name: 'c' },
      ],
    );
    // a only takes routes from b, so not the hub's; the hub takes a's. The hub refuses c; c takes the hub's.
    assert.deepEqual(destinations(s, 'a'), ['10.1.0.0/16 propagated']);
    assert.deepEqual(destinations(s, 'hub'), [
      '10.0.0.0/16 propagated',
      '10.1.0.0/16 shared a',
      '10.2.0.0/16 shared b',
    ]);
    assert.deepEqual(destinations(s, 'c'), ['10.3.0.0/16 propagated', '10.0.0.0/16 shared hub']);
    const analysis = analyzeCoreNetwork(s.build());
    assert.ok(
      analysis.warnings.includes(
        "/segment-actions/0: segment 'hub' does not take routes from 'c' (its deny-filter)",
      ),
    );
    assert.equal(traceNetworkPath(analysis, '10.3.0.1', '10.0.0.1').reachable, true);
    assert.match(
      traceNetworkPath(analysis, '10.0.0.1', '10.3.0.1').reason ?? '',
      /which hub neither shares with nor sends via$/,
    );
  });
});

describe('routeTable: contents of one (segment, edge)', () => {
  const scenario = () => {
    const p = policy(
      [US, EU],
      [{ name: 'production', 'isolate-attachments': true }, { name: 'development' }, { name: 'shared' }],
      [
        { action: 'share', mode: 'attachment-route', segment: 'shared', 'share-with': ['development'] },
        {
          action: 'create-route',
          segment: 'development',
          'destination-cidr-blocks': ['10.99.0.0/16'],
          destinations: ['blackhole'],
        },
        {
          action: 'create-route',
          segment: 'development',
          'destination-cidr-blocks': ['10.12.0.0/16', '192.168.10.0/24'],
          destinations: ['att-shared'],
        },
      ],
    );
    return new Scenario(p)
      .vpc('vpc-dev-a', US, '10.11.0.0/16')
      .attach('att-dev-a', 'vpc-dev-a', 'development')
      .vpc('vpc-dev-b', EU, '10.12.0.0/16')
      .attach('att-dev-b', 'vpc-dev-b', 'development')
      .attach('vpn-dev', undefined, 'development', {
        type: 'vpn-attachment',
        region: EU,
        cidrs: ['172.16.0.0/12', 'fd00::/8'],
      })
      .vpc('vpc-shared', EU, '10.100.0.0/16')
      .attach('att-shared', 'vpc-shared', 'shared')
      .vpc('vpc-prod', US, '10.1.0.0/16')
      .attach('att-prod', 'vpc-prod', 'production');
  };

  it('lists statics first (most specific first), then own routes, then shared ones, with next hops per region', () => {
    const page = routeTable(analyzeCoreNetwork(scenario().build()), 'development', US);
    assert.deepEqual(page.routes, [
      {
        destination: '192.168.10.0/24',
        nextHop: { kind: 'edge', id: 'edge-eu-west-1', region: EU },
        origin: 'static',
      },
      { destination: '10.99.0.0/16', nextHop: { kind: 'blackhole', id: 'blackhole' }, origin: 'static' },
      {
        destination: '10.12.0.0/16',
        nextHop: { kind: 'edge', id: 'edge-eu-west-1', region: EU },
        origin: 'static',
      },
      {
        destination: '10.11.0.0/16',
        nextHop: { kind: 'attachment', id: 'att-dev-a', region: US },
        origin: 'propagated',
      },
      // 10.12.0.0/16 from att-dev-b is left out: the static route of the same prefix wins.
      {
        destination: '172.16.0.0/12',
        nextHop: { kind: 'edge', id: 'edge-eu-west-1', region: EU },
        origin: 'propagated',
      },
      {
        destination: 'fd00::/8',
        nextHop: { kind: 'edge', id: 'edge-eu-west-1', region: EU },
        origin: 'propagated',
      },
      {
        destination: '10.100.0.0/16',
        nextHop: { kind: 'edge', id: 'edge-eu-west-1', region: EU },
        origin: 'shared',
        via: 'shared',
      },
    ]);
    assert.equal(page.total, 7);
    assert.equal(page.truncated, false);
    assert.equal(page.segment, 'development');
    assert.equal(page.edge, US);
  });

  it('shows the local attachment as next hop at its own edge', () => {
    const page = routeTable(analyzeCoreNetwork(scenario().build()), 'development', EU);
    assert.deepEqual(page.routes.at(-1), {
      destination: '10.100.0.0/16',
      nextHop: { kind: 'attachment', id: 'att-shared', region: EU },
      origin: 'shared',
      via: 'shared',
    });
  });

  it('pages with limit and offset, counting the whole table', () => {
    const analysis = analyzeCoreNetwork(scenario().build());
    const page = routeTable(analysis, 'development', US, { limit: 2, offset: 3 });
    assert.deepEqual(
      page.routes.map((r) => r.destination),
      ['10.11.0.0/16', '172.16.0.0/12'],
    );
    assert.equal(page.total, 7);
    assert.equal(page.truncated, true);
    const last = routeTable(analysis, 'development', US, { limit: 5, offset: 5 });
    assert.equal(last.routes.length, 2);
    assert.equal(last.truncated, false);
  });

  it('holds no own routes for an isolated segment', () => {
    assert.deepEqual(routeTable(analyzeCoreNetwork(scenario().build()), 'production', US).routes, []);
  });

  it('names the known segments and edges when asked for unknown ones', () => {
    const analysis = analyzeCoreNetwork(scenario().build());
    const fails = (segment: string, edge: string, message: string, options = {}) =>
      assert.throws(
        () => routeTable(analysis, segment, edge, options),
        (e: unknown) => e instanceof TopologyError && e.source === 'route-table' && e.message === message,
      );
    fails(
      'prod',
      US,
      "unknown segment 'prod' in core network core-network-1; segments: production, development, shared",
    );
    fails(
      'development',
      'us-west-2',
      "unknown edge 'us-west-2' in core network core-network-1; edges: us-east-1, eu-west-1",
    );
    fails('development', US, 'limit must be an integer from 1 to 10000, got 0', { limit: 0 });
    fails('development', US, 'offset must be a non-negative integer, got -1', { offset: -1 });
  });

  it('refuses an edge where the segment is not present', () => {
    const p = policy([US, EU], [{ name: 'euonly', 'edge-locations': [EU] }]);
    assert.throws(
      () => routeTable(analyzeCoreNetwork(new Scenario(p).build()), 'euonly', US),
      /segment 'euonly' is not present at edge us-east-1; it is at: eu-west-1/,
    );
  });
});

describe('traceNetworkPath: into a transit gateway route table', () => {
  const scenario = () => {
    const p = policy([US, EU], [{ name: 'hybrid' }]);
    return new Scenario(p)
      .vpc('vpc-a', US, '10.1.0.0/16')
      .attach('att-a', 'vpc-a', 'hybrid')
      .add({ id: 'tgw-1', type: 'transit-gateway', region: EU })
      .add({ id: 'tgw-rtb-1', type: 'tgw-route-table', region: EU })
      .add({ id: 'tgw-vpc-spoke', type: 'vpc', region: EU })
      .connect('contains', 'tgw-1', 'tgw-rtb-1')
      .attach('att-rtb', 'tgw-rtb-1', 'hybrid', {
        type: 'tgw-route-table-attachment',
        region: EU,
        cidrs: ['192.168.0.0/16'],
      })
      .route({
        table: 'tgw-rtb-1',
        destination: '192.168.0.0/16',
        target: 'tgw-vpc-spoke',
        state: 'active',
        origin: 'propagated',
      })
      .route({
        table: 'tgw-rtb-1',
        destination: '192.168.1.0/24',
        target: 'tgw-vpc-spoke',
        state: 'active',
        origin: 'static',
      })
      .route({ table: 'tgw-rtb-1', destination: '192.168.9.0/24', state: 'blackhole', origin: 'static' });
  };

  it('continues from the route table attachment into the TGW route table', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.9', '192.168.1.5');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), [
      'source att-a',
      'route-lookup edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver att-rtb',
      'route-lookup tgw-rtb-1',
      'deliver tgw-vpc-spoke',
    ]);
    assert.equal(
      result.hops[4]?.reason,
      'longest-prefix match 192.168.1.0/24 in TGW route table tgw-rtb-1: static route to tgw-vpc-spoke',
    );
  });

  it('stops at a TGW blackhole route', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.9', '192.168.9.1');
    assert.equal(result.reachable, false);
    assert.equal(result.reason, 'blackhole route 192.168.9.0/24 (static) in TGW route table tgw-rtb-1');
    assert.equal(result.hops.at(-1)?.action, 'drop');
  });
});
