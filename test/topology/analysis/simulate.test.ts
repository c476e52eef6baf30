import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { analyzeCoreNetwork, withSegmentOverrides } from '../../../src/topology/analysis/core-network.js';
import { routeTable } from '../../../src/topology/analysis/route-table.js';
import { simulateAttachmentChange } from '../../../src/topology/analysis/simulate.js';
import { traceNetworkPath } from '../../../src/topology/analysis/trace.js';
import { fixturePolicy, policy, Scenario } from './scenario.js';

const US = 'us-east-1';
const EU = 'eu-west-1';

/** The simple_architecture fixture: production and shared isolated, shared shared with development and production. */
function simple() {
  const view = new Scenario(
    fixturePolicy('1-simple_architecture__cloudformation__core_network__CoreNetwork.json'),
  )
    .vpc('vpc-p1', US, '10.1.0.0/16')
    .attach('att-p1', 'vpc-p1', 'production')
    .vpc('vpc-p2', EU, '10.2.0.0/16')
    .attach('att-p2', 'vpc-p2', 'production')
    .vpc('vpc-d1', US, '10.11.0.0/16')
    .attach('att-d1', 'vpc-d1', 'development')
    .vpc('vpc-d2', EU, '10.12.0.0/16')
    .attach('att-d2', 'vpc-d2', 'development')
    .vpc('vpc-s1', EU, '10.100.0.0/16')
    .attach('att-s1', 'vpc-s1', 'shared')
    .build();
  return analyzeCoreNetwork(view);
}

describe('simulateAttachmentChange', () => {
  it('moving an attachment out of an isolated segment gains the new segment and keeps the shared one', () => {
    const analysis = simple();
    const result = simulateAttachmentChange(analysis, { attachmentId: 'att-p1', segment: 'development' });
    assert.equal(result.attachment, 'att-p1');
    assert.equal(result.from, 'production');
    assert.equal(result.to, 'development');
    assert.deepEqual(result.gained, [{ segment: 'development', attachments: 2, how: 'own segment' }]);
    assert.deepEqual(result.lost, []);
    assert.deepEqual(result.routeChanges, [{ segment: 'development', added: ['10.1.0.0/16'], removed: [] }]);
    assert.deepEqual(result.warnings, []);
    assert.equal(
      result.summary,
      'Moving att-p1 from production to development: gains development (2 attachments, own segment); loses nothing. Routes for 10.1.0.0/16: added to development; removed from none.',
    );
    // The view is untouched: the real state still keeps att-p1 away from development.
    assert.equal(traceNetworkPath(analysis, '10.1.0.1', '10.11.0.1').reachable, false);
    assert.equal(analysis.view.segment(analysis.view.indexOf('att-p1')), 'production');
  });

  it('moving it back loses what it gained, computed on the overlay', () => {
    const analysis = simple();
    const moved = withSegmentOverrides(analysis, new Map([[analysis.view.indexOf('att-p1'), 'development']]));
    assert.equal(traceNetworkPath(moved, '10.1.0.1', '10.11.0.1').reachable, true);
    assert.deepEqual(
      routeTable(moved, 'development', US).routes.map((r) => r.destination),
      ['10.11.0.0/16', '10.12.0.0/16', '10.1.0.0/16', '10.100.0.0/16'],
    );
    const back = simulateAttachmentChange(moved, { attachmentId: 'att-p1', segment: 'production' });
    assert.equal(back.from, 'development');
    assert.deepEqual(back.gained, []);
    assert.deepEqual(back.lost, [{ segment: 'development', attachments: 2, how: 'own segment' }]);
    assert.deepEqual(back.routeChanges, [{ segment: 'development', added: [], removed: ['10.1.0.0/16'] }]);
  });

  it('moving into an isolated segment loses its peers there and gains what that segment is shared with', () => {
    const result = simulateAttachmentChange(simple(), { attachmentId: 'att-d1', segment: 'shared' });
    // shared is isolated: att-d1 stops reaching att-s1 (and its own segment directly); shared is
    // shared with development and production, so it now reaches both through the share.
    assert.deepEqual(result.lost, [
      { segment: 'development', attachments: 1, how: 'own segment' },
      { segment: 'shared', attachments: 1, how: 'shared with shared' },
    ]);
    assert.deepEqual(result.gained, [
      { segment: 'development', attachments: 1, how: 'shared with development' },
      { segment: 'production', attachments: 2, how: 'shared with production' },
    ]);
    assert.deepEqual(result.routeChanges, [
      { segment: 'production', added: ['10.11.0.0/16'], removed: [] },
      {
        segment: 'development',
        added: [],
        removed: [],
        note: 'the routes stay, learned shared with shared instead of own segment',
      },
      { segment: 'shared', added: [], removed: ['10.11.0.0/16'] },
    ]);
  });

  it('warns when nothing changes, when the target segment is absent from the attachment edge, and when it is down', () => {
    const same = simulateAttachmentChange(simple(), { attachmentId: 'att-d1', segment: 'development' });
    assert.deepEqual(same.warnings, ['att-d1 is already in development; nothing changes']);
    assert.deepEqual([same.gained, same.lost, same.routeChanges], [[], [], []]);
    const p = policy([US, EU], [{ name: 'development' }, { name: 'euonly', 'edge-locations': [EU] }]);
    const view = new Scenario(p)
      .vpc('vpc-a', US, '10.1.0.0/16')
      .attach('att-a', 'vpc-a', 'development', { state: 'deleting' })
      .build();
    assert.deepEqual(
      simulateAttachmentChange(analyzeCoreNetwork(view), { attachmentId: 'att-a', segment: 'euonly' })
        .warnings,
      [
        'euonly is not present at us-east-1, where att-a is attached: it would get no route table there',
        "att-a is in state 'deleting' and propagates no routes in either segment",
      ],
    );
  });

  it('names the known attachments and segments when given unknown ones', () => {
    const analysis = simple();
    assert.throws(
      () => simulateAttachmentChange(analysis, { attachmentId: 'att-zz', segment: 'development' }),
      (e: unknown) =>
        e instanceof TopologyError &&
        e.source === 'simulate' &&
        e.message ===
          "unknown attachment 'att-zz'; known attachments: att-p1, att-p2, att-d1, att-d2, att-s1",
    );
    assert.throws(
      () => simulateAttachmentChange(analysis, { attachmentId: 'vpc-p1', segment: 'development' }),
      /vpc-p1 is a vpc, not an attachment; known attachments: att-p1/,
    );
    assert.throws(
      () => simulateAttachmentChange(analysis, { attachmentId: 'att-p1', segment: 'prod' }),
      /unknown segment 'prod' in core network core-network-1; segments: production, development, shared$/,
    );
  });
});
