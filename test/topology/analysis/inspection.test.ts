import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { routeTable } from '../../../src/topology/analysis/route-table.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import { fixturePolicy, policy, Scenario, steps } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const EU2 = 'eu-west-2';
const AP = 'ap-southeast-2';

const DUAL = '3-traffic_inspection__3-east_west_dualhop__cloudformation__core_network__CoreNetwork.json';
const SINGLE = '3-traffic_inspection__4-east_west_singlehop__cloudformation__core_network__CoreNetwork.json';
const OUTBOUND =
  '3-traffic_inspection__1-centralized_outbound__cloudformation__core_network__CoreNetwork.json';

/** production (isolated) and development VPCs in the given regions, inspection VPCs in others. */
function spokes(p: Scenario['policy'], prod: string[], dev: string[], inspection: string[]): Scenario {
  const s = new Scenario(p);
  prod.forEach((region, i) => {
    s.vpc(`vpc-prod-${region}`, region, `10.${i + 1}.0.0/16`).attach(
      `prod-${region}`,
      `vpc-prod-${region}`,
      'production',
    );
  });
  dev.forEach((region, i) => {
    s.vpc(`vpc-dev-${region}`, region, `10.${i + 11}.0.0/16`).attach(
      `dev-${region}`,
      `vpc-dev-${region}`,
      'development',
    );
  });
  inspection.forEach((region, i) => {
    s.vpc(`vpc-insp-${region}`, region, `100.64.${i}.0/24`).attach(
      `insp-${region}`,
      `vpc-insp-${region}`,
      'inspectionVpcs',
    );
  });
  return s;
}

describe('send-via dual-hop (east_west_dualhop fixture)', () => {
  const scenario = () => spokes(fixturePolicy(DUAL), [US, EU], [EU, AP], [US, EU]);

  it('inspects at the source edge and at the destination edge', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.5', '10.11.0.5');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), [
      'source prod-us-east-1',
      'route-lookup edge-us-east-1',
      'inspect insp-us-east-1',
      'forward edge-us-east-1',
      'forward edge-eu-west-1',
      'inspect insp-eu-west-1',
      'forward edge-eu-west-1',
      'deliver dev-eu-west-1',
    ]);
    assert.equal(
      result.hops[1]?.reason,
      'longest-prefix match 10.11.0.0/16 in segment production at us-east-1: propagated from dev-eu-west-1 (in segment development); send-via inspectionVpcs (dual-hop) between production and development',
    );
    assert.equal(
      result.hops[2]?.reason,
      'send-via inspectionVpcs (dual-hop) between production and development: inspected at us-east-1 (source edge)',
    );
    assert.equal(result.hops[2]?.segment, 'inspectionVpcs');
    assert.equal(result.hops[5]?.reason.endsWith('inspected at eu-west-1 (destination edge)'), true);
  });

  it('inspects traffic between the attachments of the isolated segment too ("*" includes itself)', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.5', '10.2.0.5');
    assert.equal(result.reachable, true);
    assert.equal(
      result.hops[1]?.reason.endsWith('send-via inspectionVpcs (dual-hop) within production'),
      true,
    );
    assert.equal(result.hops.filter((h) => h.action === 'inspect').length, 2);
  });

  it('inspects once when source and destination share an edge', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.2.0.5', '10.11.0.5');
    assert.deepEqual(steps(result.hops), [
      'source prod-eu-west-1',
      'route-lookup edge-eu-west-1',
      'inspect insp-eu-west-1',
      'forward edge-eu-west-1',
      'deliver dev-eu-west-1',
    ]);
  });

  it('leaves development traffic among itself uninspected', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.11.0.5', '10.12.0.5');
    assert.deepEqual(steps(result.hops), [
      'source dev-eu-west-1',
      'route-lookup edge-eu-west-1',
      'forward edge-ap-southeast-2',
      'deliver dev-ap-southeast-2',
    ]);
  });

  it('stops where the function group has no attachment at a needed edge', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.5', '10.12.0.5');
    assert.equal(result.reachable, false);
    assert.equal(
      result.reason,
      'send-via inspectionVpcs (dual-hop) between production and development: network function group inspectionVpcs has no attachment at ap-southeast-2 (destination edge); attach one there or add an edge override',
    );
  });

  it('points the route table at the function group at the source edge', () => {
    const page = routeTable(analyzeCoreNetwork(scenario().build()), 'production', US);
    assert.deepEqual(page.routes, [
      {
        destination: '10.1.0.0/16',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: US },
        origin: 'propagated',
      },
      {
        destination: '10.2.0.0/16',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: US },
        origin: 'propagated',
      },
      {
        destination: '10.11.0.0/16',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: US },
        origin: 'shared',
        via: 'development',
      },
      {
        destination: '10.12.0.0/16',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: US },
        origin: 'shared',
        via: 'development',
      },
    ]);
  });
});

describe('send-via single-hop (east_west_singlehop fixture, with edge overrides)', () => {
  const scenario = () => spokes(fixturePolicy(SINGLE), [US, AP, EU2], [EU, EU2], [US, EU, AP]);

  it('inspects once, at the edge the override names for the pair', () => {
    // {us-east-1, eu-west-1} -> us-east-1: inspected at the source edge.
    const a = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.5', '10.11.0.5');
    assert.deepEqual(steps(a.hops), [
      'source prod-us-east-1',
      'route-lookup edge-us-east-1',
      'inspect insp-us-east-1',
      'forward edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver dev-eu-west-1',
    ]);
    assert.equal(
      a.hops[2]?.reason,
      'send-via inspectionVpcs (single-hop) between production and development: inspected at us-east-1 (edge override for {us-east-1, eu-west-1})',
    );
    // {ap-southeast-2, eu-west-1} -> eu-west-1: inspected at the destination edge.
    const b = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.2.0.5', '10.11.0.5');
    assert.deepEqual(steps(b.hops), [
      'source prod-ap-southeast-2',
      'route-lookup edge-ap-southeast-2',
      'forward edge-eu-west-1',
      'inspect insp-eu-west-1',
      'forward edge-eu-west-1',
      'deliver dev-eu-west-1',
    ]);
  });

  it('sends traffic inside eu-west-2, which has no inspection attachment, to eu-west-1 and back', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.3.0.5', '10.12.0.5');
    assert.deepEqual(steps(result.hops), [
      'source prod-eu-west-2',
      'route-lookup edge-eu-west-2',
      'forward edge-eu-west-1',
      'inspect insp-eu-west-1',
      'forward edge-eu-west-1',
      'forward edge-eu-west-2',
      'deliver dev-eu-west-2',
    ]);
  });

  it('without an override inspects at the destination edge, or at the source edge when the destination has none', () => {
    const p = policy(
      [US, EU, EU2],
      [{ name: 'production' }, { name: 'development' }],
      [
        {
          action: 'send-via',
          segment: 'production',
          mode: 'single-hop',
          'when-sent-to': { segments: ['development'] },
          via: { 'network-function-groups': ['inspectionVpcs'] },
        },
      ],
      ['inspectionVpcs'],
    );
    const analysis = analyzeCoreNetwork(spokes(p, [US], [EU, EU2], [US, EU]).build());
    const toEu = traceNetworkPath(analysis, '10.1.0.5', '10.11.0.5');
    assert.deepEqual(steps(toEu.hops).slice(2, 4), ['forward edge-eu-west-1', 'inspect insp-eu-west-1']);
    assert.equal(toEu.hops[3]?.reason.endsWith('(destination edge, the single-hop default)'), true);
    const toEu2 = traceNetworkPath(analysis, '10.1.0.5', '10.12.0.5');
    assert.deepEqual(steps(toEu2.hops), [
      'source prod-us-east-1',
      'route-lookup edge-us-east-1',
      'inspect insp-us-east-1',
      'forward edge-us-east-1',
      'forward edge-eu-west-2',
      'deliver dev-eu-west-2',
    ]);
    // production is not isolated: its own traffic stays direct.
    const s = spokes(p, [US, EU], [], [US]).build();
    assert.deepEqual(steps(traceNetworkPath(analyzeCoreNetwork(s), '10.1.0.5', '10.2.0.5').hops), [
      'source prod-us-east-1',
      'route-lookup edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver prod-eu-west-1',
    ]);
  });
});

describe('send-to (centralized_outbound fixture)', () => {
  const scenario = () => spokes(fixturePolicy(OUTBOUND), [US, EU], [AP], [US, EU]);

  it('sends what no other route covers to the local inspection attachment, which egresses', () => {
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.1.0.5', '8.8.8.8');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), [
      'source prod-us-east-1',
      'route-lookup edge-us-east-1',
      'egress insp-us-east-1',
    ]);
    assert.equal(
      result.hops[1]?.reason,
      'no more specific route to 8.8.8.8 in segment production at us-east-1: default route 0.0.0.0/0 (send-to inspectionVpcs)',
    );
    assert.match(
      result.hops[2]?.reason ?? '',
      /^send-to inspectionVpcs from segment production: 8\.8\.8\.8 leaves the core network through insp-us-east-1 at us-east-1 \(local edge\)/,
    );
  });

  it('carries traffic between segments through the group, whose table knows both segments', () => {
    // development does not see production, so the default route takes 10.2/16 to the firewall.
    const result = traceNetworkPath(analyzeCoreNetwork(scenario().build()), '10.11.0.5', '10.2.0.5');
    assert.equal(result.reachable, false);
    assert.match(
      result.reason ?? '',
      /network function group inspectionVpcs has no attachment at ap-southeast-2 \(local edge\)/,
    );
    const withAp = scenario()
      .vpc('vpc-insp-ap', AP, '100.64.9.0/24')
      .attach('insp-ap', 'vpc-insp-ap', 'inspectionVpcs');
    const through = traceNetworkPath(analyzeCoreNetwork(withAp.build()), '10.11.0.5', '10.2.0.5');
    assert.deepEqual(steps(through.hops), [
      'source dev-ap-southeast-2',
      'route-lookup edge-ap-southeast-2',
      'inspect insp-ap',
      'route-lookup edge-ap-southeast-2',
      'forward edge-eu-west-1',
      'deliver prod-eu-west-1',
    ]);
    assert.equal(
      through.hops[3]?.reason,
      'back from inspection: longest-prefix match 10.2.0.0/16 in network function group inspectionVpcs at ap-southeast-2: propagated from prod-eu-west-1 (segment production, which sends traffic through this group)',
    );
  });

  it('holds the IPv4 and IPv6 default routes in the segment table, and the segments in the group table', () => {
    const analysis = analyzeCoreNetwork(scenario().build());
    assert.deepEqual(routeTable(analysis, 'development', AP).routes, [
      {
        destination: '0.0.0.0/0',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: AP },
        origin: 'static',
      },
      {
        destination: '::/0',
        nextHop: { kind: 'network-function-group', id: 'inspectionVpcs', region: AP },
        origin: 'static',
      },
      {
        destination: '10.11.0.0/16',
        nextHop: { kind: 'attachment', id: 'dev-ap-southeast-2', region: AP },
        origin: 'propagated',
      },
    ]);
    assert.deepEqual(
      routeTable(analysis, 'inspectionVpcs', EU).routes.map((r) => [r.destination, r.nextHop.id, r.via]),
      [
        ['10.1.0.0/16', 'edge-us-east-1', 'production'],
        ['10.2.0.0/16', 'prod-eu-west-1', 'production'],
        ['10.11.0.0/16', 'edge-ap-southeast-2', 'development'],
      ],
    );
  });
});
