import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCoreNetwork } from '../../../src/topology/analysis/core-network.js';
import { segmentIsolationReport } from '../../../src/topology/analysis/isolation.js';
import { fixturePolicy, policy, Scenario } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

describe('segmentIsolationReport', () => {
  it('reports isolation, attachments by type, reach and static routes per segment', () => {
    const p = policy(
      [US, EU],
      [{ name: 'production', 'isolate-attachments': true }, { name: 'development' }, { name: 'shared' }],
      [
        { action: 'share', mode: 'attachment-route', segment: 'shared', 'share-with': ['production'] },
        {
          action: 'create-route',
          segment: 'development',
          'destination-cidr-blocks': ['10.99.0.0/16', '10.98.0.0/16'],
          destinations: ['blackhole'],
        },
        {
          action: 'create-route',
          segment: 'development',
          'destination-cidr-blocks': ['10.97.0.0/16'],
          destinations: ['att-gone'],
        },
      ],
    );
    const view = new Scenario(p)
      .vpc('vpc-p1', US, '10.1.0.0/16')
      .attach('att-p1', 'vpc-p1', 'production')
      .vpc('vpc-p2', EU, '10.2.0.0/16')
      .attach('att-p2', 'vpc-p2', 'production')
      .attach('vpn-p', undefined, 'production', {
        type: 'vpn-attachment',
        region: EU,
        cidrs: ['172.16.0.0/12'],
      })
      .vpc('vpc-d1', US, '10.11.0.0/16')
      .attach('att-d1', 'vpc-d1', 'development')
      .vpc('vpc-x', US, '10.50.0.0/16')
      .attach('att-x', 'vpc-x', 'staging')
      .build();
    const report = segmentIsolationReport(analyzeCoreNetwork(view));
    assert.equal(report.coreNetwork, 'core-network-1');
    assert.deepEqual(report.segments, [
      {
        segment: 'production',
        kind: 'segment',
        isolated: true,
        edges: [US, EU],
        attachments: { total: 3, byType: { 'vpc-attachment': 2, 'vpn-attachment': 1 } },
        reaches: [{ segment: 'shared', how: 'shared' }],
        staticRoutes: 0,
        blackholeRoutes: 0,
        problems: [],
      },
      {
        segment: 'development',
        kind: 'segment',
        isolated: false,
        edges: [US, EU],
        attachments: { total: 1, byType: { 'vpc-attachment': 1 } },
        reaches: [{ segment: 'development', how: 'own' }],
        staticRoutes: 3,
        blackholeRoutes: 2,
        problems: [
          'static route 10.97.0.0/16 (/segment-actions/2) points at att-gone, which the topology does not have',
        ],
      },
      {
        segment: 'shared',
        kind: 'segment',
        isolated: false,
        edges: [US, EU],
        attachments: { total: 0, byType: {} },
        reaches: [
          { segment: 'shared', how: 'own' },
          { segment: 'production', how: 'shared' },
        ],
        staticRoutes: 0,
        blackholeRoutes: 0,
        problems: [],
      },
    ]);
    assert.deepEqual(report.problems, [
      "1 attachment(s) are in segment 'staging', which the policy does not define; they have no route table (segments: production, development, shared)",
    ]);
  });

  it('flags an isolated segment shared with "*", a segment at no edge, attachments outside their segment, one reaching nothing', () => {
    const p = policy(
      [US, EU],
      [
        { name: 'production', 'isolate-attachments': true },
        { name: 'lonely', 'isolate-attachments': true },
        { name: 'nowhere', 'edge-locations': ['mars-north-1'] },
        { name: 'euonly', 'edge-locations': [EU] },
      ],
      [
        { action: 'share', mode: 'attachment-route', segment: 'production', 'share-with': '*' },
        { action: 'share', mode: 'attachment-route', segment: 'euonly', 'share-with': ['nope'] },
      ],
    );
    const view = new Scenario(p)
      .vpc('vpc-l1', US, '10.1.0.0/16')
      .attach('att-l1', 'vpc-l1', 'lonely')
      .vpc('vpc-e1', US, '10.2.0.0/16')
      .attach('att-e1', 'vpc-e1', 'euonly')
      .build();
    const report = segmentIsolationReport(analyzeCoreNetwork(view));
    const problems = Object.fromEntries(report.segments.map((s) => [s.segment, s.problems]));
    assert.deepEqual(problems, {
      production: [
        'segment production isolates its attachments, yet /segment-actions/0 shares it with every segment; every segment it reaches sees all its attachments',
      ],
      lonely: [
        'segment lonely isolates its attachments, yet /segment-actions/0 shares production with it through a wildcard; every segment it reaches sees all its attachments',
      ],
      nowhere: [
        "segment nowhere is at no edge: its edge-locations name none of the core network's edges (us-east-1, eu-west-1)",
        'segment nowhere lists edge-locations mars-north-1, which core-network-configuration does not have',
      ],
      euonly: [
        '1 attachment(s) are in regions where euonly is not present (us-east-1); they have no route table there',
      ],
    });
    assert.deepEqual(report.problems, [
      "/segment-actions/1/share-with names segment 'nope', which the policy does not define (segments: production, lonely, nowhere, euonly)",
    ]);
  });

  it('reports an isolated segment that reaches nothing', () => {
    const p = policy([US], [{ name: 'vault', 'isolate-attachments': true }]);
    const view = new Scenario(p).vpc('vpc-v', US, '10.1.0.0/16').attach('att-v', 'vpc-v', 'vault').build();
    assert.deepEqual(segmentIsolationReport(analyzeCoreNetwork(view)).segments[0]?.problems, [
      'the attachments of vault reach nothing: the segment isolates them and shares with no segment',
    ]);
  });

  it('reports send-via groups and the dual-hop edges without an inspection attachment (east_west_dualhop fixture)', () => {
    const view = new Scenario(
      fixturePolicy(
        '3-traffic_inspection__3-east_west_dualhop__cloudformation__core_network__CoreNetwork.json',
      ),
    )
      .vpc('vpc-i', US, '100.64.0.0/24')
      .attach('insp-us', 'vpc-i', 'inspectionVpcs')
      .build();
    const report = segmentIsolationReport(analyzeCoreNetwork(view));
    const production = report.segments.find((s) => s.segment === 'production');
    assert.deepEqual(production?.reaches, [
      { segment: 'production', how: 'send-via', via: 'inspectionVpcs', mode: 'dual-hop' },
      { segment: 'development', how: 'send-via', via: 'inspectionVpcs', mode: 'dual-hop' },
    ]);
    assert.deepEqual(production?.problems, [
      'send-via inspectionVpcs (dual-hop) from production needs an attachment of inspectionVpcs at every edge of the segment; none at eu-west-1, ap-southeast-2',
    ]);
    const group = report.segments.find((s) => s.segment === 'inspectionVpcs');
    assert.equal(group?.kind, 'network-function-group');
    assert.deepEqual(group?.attachments, { total: 1, byType: { 'vpc-attachment': 1 } });
    assert.deepEqual(
      group?.reaches.map((r) => `${r.segment} ${r.how}`),
      ['production function-group', 'development function-group'],
    );
  });
});
