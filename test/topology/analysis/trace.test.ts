import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { policy, Scenario, steps } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

/**
 * production (isolated): prod-a 10.1/16 at us-east-1, prod-b 10.2/16 at eu-west-1
 * development:           dev-a 10.11/16 at us-east-1, dev-b 10.12/16 at eu-west-1
 * shared (shared with development and production): shared-a 10.100/16 at eu-west-1
 */
function threeSegments(actions: CoreNetworkPolicy['segment-actions'] = []): Scenario {
  const p = policy(
    [US, EU],
    [{ name: 'production', 'isolate-attachments': true }, { name: 'development' }, { name: 'shared' }],
    [
      {
        action: 'share',
        mode: 'attachment-route',
        segment: 'shared',
        'share-with': ['development', 'production'],
      },
      ...actions,
    ],
  );
  return new Scenario(p)
    .vpc('vpc-prod-a', US, '10.1.0.0/16', ['10.1.1.0/24'])
    .attach('att-prod-a', 'vpc-prod-a', 'production')
    .vpc('vpc-prod-b', EU, '10.2.0.0/16', ['10.2.1.0/24'])
    .attach('att-prod-b', 'vpc-prod-b', 'production')
    .vpc('vpc-dev-a', US, '10.11.0.0/16', ['10.11.1.0/24'])
    .attach('att-dev-a', 'vpc-dev-a', 'development')
    .vpc('vpc-dev-b', EU, '10.12.0.0/16', ['10.12.5.0/24'])
    .attach('att-dev-b', 'vpc-dev-b', 'development')
    .vpc('vpc-shared', EU, '10.100.0.0/16')
    .attach('att-shared', 'vpc-shared', 'shared');
}

const trace = (scenario: Scenario, src: string, dst: string) =>
  traceNetworkPath(analyzeCoreNetwork(scenario.build()), src, dst);

describe('traceNetworkPath: segments, regions and sharing', () => {
  it('crosses the edge mesh inside one segment: source attachment, two edges, destination attachment', () => {
    const result = trace(threeSegments(), '10.11.1.10', '10.12.5.20');
    assert.equal(result.reachable, true);
    assert.equal(result.reason, undefined);
    assert.deepEqual(steps(result.hops), [
      'source att-dev-a',
      'route-lookup edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver att-dev-b',
    ]);
    const [source, lookup, mesh, deliver] = result.hops;
    assert.equal(
      source?.reason,
      'source 10.11.1.10 is in subnet vpc-dev-a-s0 of vpc vpc-dev-a, attached by att-dev-a in segment development at us-east-1',
    );
    assert.equal(
      lookup?.reason,
      'longest-prefix match 10.12.0.0/16 in segment development at us-east-1: propagated from att-dev-b (own segment)',
    );
    assert.equal(lookup?.segment, 'development');
    assert.equal(mesh?.reason, 'edge mesh from us-east-1 to eu-west-1, where att-dev-b is attached');
    assert.equal(
      deliver?.reason,
      'destination 10.12.5.20 is in subnet vpc-dev-b-s0 of vpc vpc-dev-b, attached by att-dev-b in segment development at eu-west-1',
    );
    assert.deepEqual(
      result.hops.map((h) => [h.type, h.region]),
      [
        ['vpc-attachment', US],
        ['edge', US],
        ['edge', EU],
        ['vpc-attachment', EU],
      ],
    );
  });

  it('stays on one edge when both attachments are in the same region', () => {
    const scenario = threeSegments()
      .vpc('vpc-dev-c', US, '10.13.0.0/16')
      .attach('att-dev-c', 'vpc-dev-c', 'development');
    const result = trace(scenario, '10.11.1.10', '10.13.0.1');
    assert.deepEqual(steps(result.hops), [
      'source att-dev-a',
      'route-lookup edge-us-east-1',
      'deliver att-dev-c',
    ]);
  });

  it('keeps the attachments of an isolated segment apart', () => {
    const result = trace(threeSegments(), '10.1.1.5', '10.2.1.9');
    assert.equal(result.reachable, false);
    assert.equal(
      result.reason,
      'isolated segment: attachments of production do not reach each other (10.2.1.9 is in 10.2.0.0/16 of att-prod-b); no route to 10.2.1.9 in segment production at us-east-1',
    );
    assert.deepEqual(steps(result.hops), ['source att-prod-a', 'drop edge-us-east-1']);
  });

  it('lets an isolated segment reach a segment shared with it, and back', () => {
    const there = trace(threeSegments(), '10.1.1.5', '10.100.0.7');
    assert.equal(there.reachable, true);
    assert.equal(
      there.hops[1]?.reason,
      'longest-prefix match 10.100.0.0/16 in segment production at us-east-1: propagated from att-shared (shared from shared)',
    );
    const back = trace(threeSegments(), '10.100.0.7', '10.1.1.5');
    assert.equal(back.reachable, true);
    assert.deepEqual(steps(back.hops), [
      'source att-shared',
      'route-lookup edge-eu-west-1',
      'forward edge-us-east-1',
      'deliver att-prod-a',
    ]);
  });

  it('says which segment holds a destination that is not shared', () => {
    const result = trace(threeSegments(), '10.11.1.10', '10.1.1.5');
    assert.equal(result.reachable, false);
    assert.equal(
      result.reason,
      'no route to 10.1.1.5 in segment development at us-east-1: 10.1.0.0/16 belongs to att-prod-a in segment production, which development neither shares with nor sends via',
    );
  });

  it('prefers the longest prefix over a less specific one from a shared segment', () => {
    // A VPN in the shared segment advertises all of 10/8.
    const scenario = threeSegments().attach('vpn-shared', undefined, 'shared', {
      type: 'vpn-attachment',
      region: EU,
      cidrs: ['10.0.0.0/8'],
    });
    const own = trace(scenario, '10.11.1.10', '10.12.5.20');
    assert.equal(own.hops.at(-1)?.id, 'att-dev-b');
    const wide = trace(scenario, '10.11.1.10', '10.77.0.1');
    assert.equal(
      wide.hops[1]?.reason,
      'longest-prefix match 10.0.0.0/8 in segment development at us-east-1: propagated from vpn-shared (shared from shared)',
    );
    assert.equal(
      wide.hops.at(-1)?.reason,
      'destination 10.77.0.1 is in 10.0.0.0/8, advertised by vpn-shared in segment shared at eu-west-1',
    );
    // From the isolated segment the more specific 10.2/16 is hidden, so the /8 of the VPN carries it.
    const isolated = trace(scenario, '10.1.1.5', '10.2.1.9');
    assert.equal(isolated.reachable, true);
    assert.equal(isolated.hops.at(-1)?.id, 'vpn-shared');
  });

  it('picks the visible owner of a CIDR that two segments both use', () => {
    const scenario = threeSegments()
      .vpc('vpc-dup-dev', US, '10.60.0.0/16')
      .attach('att-dup-dev', 'vpc-dup-dev', 'development')
      .vpc('vpc-dup-prod', US, '10.60.0.0/16')
      .attach('att-dup-prod', 'vpc-dup-prod', 'production');
    const fromDev = trace(scenario, '10.11.1.10', '10.60.0.5');
    assert.equal(fromDev.hops.at(-1)?.id, 'att-dup-dev');
    const fromProd = trace(scenario, '10.100.0.7', '10.60.0.5');
    // shared sees both: equal-length routes, the lower index (the development one, added first) is used.
    assert.equal(fromProd.hops.at(-1)?.id, 'att-dup-dev');
    assert.match(fromProd.hops[1]?.reason ?? '', /; 2 equal-length routes, the first is used$/);
  });

  it('delivers inside the source VPC without entering the core network', () => {
    const scenario = threeSegments().vpc('vpc-big', US, '10.30.0.0/16', ['10.30.1.0/24', '10.30.2.0/24']);
    scenario.attach('att-big', 'vpc-big', 'development');
    const result = trace(scenario, '10.30.1.4', '10.30.2.4');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), ['source att-big', 'local vpc-big']);
    assert.equal(result.hops[1]?.region, US);
    assert.equal(
      result.hops[1]?.reason,
      "destination 10.30.2.4 is inside vpc-big too: the VPC's own route table delivers it, the core network is not involved",
    );
  });
});

describe('traceNetworkPath: static routes', () => {
  const statics: CoreNetworkPolicy['segment-actions'] = [
    {
      action: 'create-route',
      segment: 'development',
      'destination-cidr-blocks': ['10.50.0.0/16'],
      destinations: ['att-dev-b'],
    },
    {
      action: 'create-route',
      segment: 'development',
      'destination-cidr-blocks': ['10.99.0.0/16'],
      destinations: ['blackhole'],
    },
    {
      action: 'create-route',
      segment: 'development',
      'destination-cidr-blocks': ['10.12.0.0/16'],
      destinations: ['att-shared'],
    },
    {
      action: 'create-route',
      segment: 'development',
      'destination-cidr-blocks': ['10.0.0.0/8'],
      destinations: ['blackhole'],
    },
  ];

  it('follows a create-route to an attachment in another region', () => {
    const result = trace(threeSegments(statics), '10.11.1.10', '10.50.1.1');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), [
      'source att-dev-a',
      'route-lookup edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver att-dev-b',
    ]);
    assert.equal(
      result.hops[1]?.reason,
      'longest-prefix match 10.50.0.0/16 in segment development at us-east-1: static route (create-route) to att-dev-b',
    );
    assert.equal(result.hops[3]?.reason, 'destination 10.50.1.1 is sent to att-dev-b in segment development');
  });

  it('drops at a blackhole route', () => {
    const result = trace(threeSegments(statics), '10.11.1.10', '10.99.3.3');
    assert.equal(result.reachable, false);
    assert.equal(
      result.reason,
      'blackhole route 10.99.0.0/16 (create-route) in segment development at us-east-1',
    );
    assert.deepEqual(steps(result.hops), ['source att-dev-a', 'drop edge-us-east-1']);
  });

  it('lets a static route beat a propagated one of the same length', () => {
    const result = trace(threeSegments(statics), '10.11.1.10', '10.12.5.20');
    assert.equal(result.hops.at(-1)?.id, 'att-shared');
  });

  it('lets a longer propagated route beat a shorter static blackhole, which still catches the rest', () => {
    const scenario = threeSegments(statics)
      .vpc('vpc-dev-c', EU, '10.13.0.0/16')
      .attach('att-dev-c', 'vpc-dev-c', 'development');
    assert.equal(trace(scenario, '10.11.1.10', '10.13.0.1').hops.at(-1)?.id, 'att-dev-c');
    const rest = trace(scenario, '10.11.1.10', '10.14.0.1');
    assert.equal(
      rest.reason,
      'blackhole route 10.0.0.0/8 (create-route) in segment development at us-east-1',
    );
  });

  it('does not share static routes with other segments', () => {
    // production sees shared's attachments, but the development statics stay in development.
    const result = trace(threeSegments(statics), '10.1.1.5', '10.50.1.1');
    assert.equal(result.reason, 'no route to 10.50.1.1 in segment production at us-east-1');
  });
});

describe('traceNetworkPath: why not', () => {
  it('rejects addresses that are not IPs, and mixed families', () => {
    const analysis = analyzeCoreNetwork(threeSegments().build());
    assert.throws(
      () => traceNetworkPath(analysis, '10.1.1', '10.2.0.1'),
      (e: unknown) =>
        e instanceof TopologyError &&
        e.code === 'HR_TOPOLOGY_INVALID' &&
        e.source === 'trace' &&
        e.message.startsWith('source address "10.1.1" is not a valid IPv4 or IPv6 address'),
    );
    assert.throws(
      () => traceNetworkPath(analysis, '10.1.1.5', '10.2.0.0/16'),
      /destination address "10.2.0.0\/16"/,
    );
    assert.throws(
      () => traceNetworkPath(analysis, '10.1.1.5', '2001:db8::1'),
      /source 10.1.1.5 is IPv4 and destination 2001:db8::1 is IPv6/,
    );
  });

  it('names a source that is nowhere, or in a VPC without an attachment', () => {
    const scenario = threeSegments().vpc('vpc-lonely', US, '10.40.0.0/16', ['10.40.1.0/24']);
    assert.equal(
      trace(scenario, '192.0.2.1', '10.1.1.5').reason,
      'source 192.0.2.1 is not inside any subnet, VPC or attachment prefix of the topology',
    );
    assert.equal(
      trace(scenario, '10.40.1.9', '10.1.1.5').reason,
      'source 10.40.1.9 is in subnet vpc-lonely-s0 of vpc vpc-lonely, which has no attachment to core network core-network-1',
    );
  });

  it('names a destination nobody advertises', () => {
    assert.equal(
      trace(threeSegments(), '10.11.1.10', '172.16.0.1').reason,
      'no route to 172.16.0.1 in segment development at us-east-1',
    );
  });

  it('explains segments the policy does not define, segments absent from an edge, and attachments that are down', () => {
    const p = policy([US, EU], [{ name: 'development' }, { name: 'euonly', 'edge-locations': [EU] }]);
    const scenario = new Scenario(p)
      .vpc('vpc-a', US, '10.1.0.0/16')
      .attach('att-a', 'vpc-a', 'development')
      .vpc('vpc-b', US, '10.2.0.0/16')
      .attach('att-b', 'vpc-b', 'prod')
      .vpc('vpc-c', US, '10.3.0.0/16')
      .attach('att-c', 'vpc-c', 'euonly')
      .vpc('vpc-d', EU, '10.4.0.0/16')
      .attach('att-d', 'vpc-d', 'development', { state: 'PENDING_ATTACHMENT_ACCEPTANCE' });
    assert.equal(
      trace(scenario, '10.2.0.1', '10.1.0.1').reason,
      "att-b is in segment 'prod', which the policy of core network core-network-1 does not define (segments: development, euonly)",
    );
    assert.equal(
      trace(scenario, '10.3.0.1', '10.1.0.1').reason,
      'segment euonly is not present at edge us-east-1 (it is at: eu-west-1), so att-c has no route table there',
    );
    assert.equal(
      trace(scenario, '10.1.0.1', '10.4.0.1').reason,
      "no route to 10.4.0.1 in segment development at us-east-1: att-d holds 10.4.0.0/16 but its state 'PENDING_ATTACHMENT_ACCEPTANCE' does not propagate routes",
    );
    assert.equal(
      trace(scenario, '10.1.0.1', '10.2.0.1').reason,
      "no route to 10.2.0.1 in segment development at us-east-1: 10.2.0.0/16 belongs to att-b, whose segment 'prod' the policy does not define",
    );
  });
});

describe('traceNetworkPath: IPv6', () => {
  it('traces IPv6 prefixes like IPv4 ones', () => {
    const p = policy([US, EU], [{ name: 'development' }]);
    const scenario = new Scenario(p)
      .vpc('vpc-a', US, '2001:db8:a::/48', ['2001:db8:a:1::/64'])
      .attach('att-a', 'vpc-a', 'development')
      .vpc('vpc-b', EU, '2001:db8:b::/48')
      .attach('att-b', 'vpc-b', 'development');
    const result = trace(scenario, '2001:db8:a:1::10', '2001:db8:b::20');
    assert.equal(result.reachable, true);
    assert.deepEqual(steps(result.hops), [
      'source att-a',
      'route-lookup edge-us-east-1',
      'forward edge-eu-west-1',
      'deliver att-b',
    ]);
    assert.equal(
      result.hops[1]?.reason,
      'longest-prefix match 2001:db8:b::/48 in segment development at us-east-1: propagated from att-b (own segment)',
    );
  });
});
