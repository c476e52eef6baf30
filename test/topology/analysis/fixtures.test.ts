import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { segmentIsolationReport } from '../../../src/topology/analysis/isolation.js';
import { routeTable } from '../../../src/topology/analysis/route-table.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import { fixturePolicy, Scenario, steps } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-southeast-2';

describe('real policies (test/fixtures/cloudwan-policies), one scenario per family', () => {
  it('1 simple_architecture: shared services reach both environments, production stays isolated', () => {
    const view = new Scenario(
      fixturePolicy('1-simple_architecture__cloudformation__core_network__CoreNetwork.json'),
    )
      .vpc('vpc-p1', US, '10.1.0.0/16')
      .attach('att-p1', 'vpc-p1', 'production')
      .vpc('vpc-p2', EU, '10.2.0.0/16')
      .attach('att-p2', 'vpc-p2', 'production')
      .vpc('vpc-d1', EU, '10.11.0.0/16')
      .attach('att-d1', 'vpc-d1', 'development')
      .vpc('vpc-s1', US, '10.100.0.0/16')
      .attach('att-s1', 'vpc-s1', 'shared')
      .vpc('vpc-s2', EU, '10.101.0.0/16')
      .attach('att-s2', 'vpc-s2', 'shared')
      .build();
    const analysis = analyzeCoreNetwork(view);
    assert.deepEqual(steps(traceNetworkPath(analysis, '10.11.0.1', '10.100.0.1').hops), [
      'source att-d1',
      'route-lookup edge-eu-west-1',
      'forward edge-us-east-1',
      'deliver att-s1',
    ]);
    assert.equal(traceNetworkPath(analysis, '10.1.0.1', '10.100.0.1').reachable, true);
    assert.match(
      traceNetworkPath(analysis, '10.1.0.1', '10.2.0.1').reason ?? '',
      /^isolated segment: attachments of production/,
    );
    // shared is isolated too: its two attachments do not reach each other.
    assert.match(
      traceNetworkPath(analysis, '10.100.0.1', '10.101.0.1').reason ?? '',
      /^isolated segment: attachments of shared/,
    );
    assert.match(
      traceNetworkPath(analysis, '10.11.0.1', '10.1.0.1').reason ?? '',
      /which development neither shares with nor sends via$/,
    );
  });

  it('2 multi_account (with a CloudFormation leftover in its attachment policies): routes still analysed', () => {
    const view = new Scenario(
      fixturePolicy('2-multi_account__cloudformation__core_network__CoreNetwork.json'),
    )
      .vpc('vpc-d1', US, '10.11.0.0/16')
      .attach('att-d1', 'vpc-d1', 'development')
      .vpc('vpc-d2', EU, '10.12.0.0/16')
      .attach('att-d2', 'vpc-d2', 'development')
      .build();
    const analysis = analyzeCoreNetwork(view);
    assert.deepEqual(analysis.warnings, []);
    assert.deepEqual(routeTable(analysis, 'development', EU).routes, [
      {
        destination: '10.11.0.0/16',
        nextHop: { kind: 'edge', id: 'edge-us-east-1', region: US },
        origin: 'propagated',
      },
      {
        destination: '10.12.0.0/16',
        nextHop: { kind: 'attachment', id: 'att-d2', region: EU },
        origin: 'propagated',
      },
    ]);
  });

  it('3 traffic_inspection (tgw_spoke_vpcs_singlehop): send-via single-hop between segments, send-to for the rest', () => {
    const view = new Scenario(
      fixturePolicy(
        '3-traffic_inspection__6-east_west_tgw_spoke_vpcs_singlehop__cloudformation__core_network__CoreNetwork.json',
      ),
    )
      .vpc('vpc-p1', US, '10.1.0.0/16')
      .attach('att-p1', 'vpc-p1', 'production')
      .vpc('vpc-d1', AP, '10.11.0.0/16')
      .attach('att-d1', 'vpc-d1', 'development')
      .vpc('vpc-i-us', US, '100.64.0.0/24')
      .attach('insp-us', 'vpc-i-us', 'inspectionVpcs')
      .vpc('vpc-i-ap', AP, '100.64.1.0/24')
      .attach('insp-ap', 'vpc-i-ap', 'inspectionVpcs')
      .build();
    const analysis = analyzeCoreNetwork(view);
    // No edge override: inspected at the destination's edge.
    assert.deepEqual(steps(traceNetworkPath(analysis, '10.1.0.1', '10.11.0.1').hops), [
      'source att-p1',
      'route-lookup edge-us-east-1',
      'forward edge-ap-southeast-2',
      'inspect insp-ap',
      'forward edge-ap-southeast-2',
      'deliver att-d1',
    ]);
    assert.deepEqual(steps(traceNetworkPath(analysis, '10.11.0.1', '203.0.113.9').hops), [
      'source att-d1',
      'route-lookup edge-ap-southeast-2',
      'egress insp-ap',
    ]);
  });

  it('4 routing_policies (dxgw hybrid path): hybrid shared with both regions, routing policies noted as not applied', () => {
    const view = new Scenario(
      fixturePolicy('4-routing_policies__6-influencing_dxgw_hybrid_path__terraform__cloudwan_policy.json'),
    )
      .vpc('vpc-eu', EU, '10.1.0.0/16')
      .attach('att-eu', 'vpc-eu', 'europevpcs')
      .vpc('vpc-us', US, '10.2.0.0/16')
      .attach('att-us', 'vpc-us', 'usvpcs')
      .add({ id: 'dxgw-1', type: 'dx-gateway' })
      .attach('att-dx', 'dxgw-1', 'hybrid', {
        type: 'dx-gateway-attachment',
        region: US,
        cidrs: ['192.168.0.0/16'],
      })
      .build();
    const analysis = analyzeCoreNetwork(view);
    const onPrem = traceNetworkPath(analysis, '10.1.0.1', '192.168.4.4');
    assert.deepEqual(steps(onPrem.hops), [
      'source att-eu',
      'route-lookup edge-eu-west-1',
      'forward edge-us-east-1',
      'deliver att-dx',
    ]);
    assert.equal(
      onPrem.hops[1]?.reason,
      'longest-prefix match 192.168.0.0/16 in segment europevpcs at eu-west-1: propagated from att-dx (shared from hybrid)',
    );
    assert.equal(
      traceNetworkPath(analysis, '10.1.0.1', '10.2.0.1').hops[1]?.reason.endsWith('(shared from usvpcs)'),
      true,
    );
    assert.deepEqual(segmentIsolationReport(analysis).notes, [
      'the policy has 2 routing policies (/routing-policies: filters, summaries, path preferences); they are not applied here, so route tables and traces show routes before them',
    ]);
  });

  it('all thirty documents analyse, with a report and no warnings, and notes exactly where routing policies exist', () => {
    const dir = new URL('../../fixtures/cloudwan-policies/', import.meta.url);
    const index = JSON.parse(readFileSync(new URL('INDEX.json', dir), 'utf8')) as Array<{
      out: string;
      routingPolicies: number;
      segments: number;
      nfgs: number;
    }>;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'INDEX.json');
    assert.equal(files.length, 30);
    for (const entry of index) {
      const analysis = analyzeCoreNetwork(new Scenario(fixturePolicy(entry.out)).build());
      const report = segmentIsolationReport(analysis);
      assert.equal(report.segments.length, entry.segments + entry.nfgs, entry.out);
      assert.deepEqual(analysis.warnings, [], entry.out);
      assert.equal(report.notes.length, entry.routingPolicies > 0 ? 1 : 0, entry.out);
    }
  });
});
