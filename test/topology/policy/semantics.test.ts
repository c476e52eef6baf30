/**
 * Checks across sections: unknown names, duplicates, overlapping static routes, isolated segments
 * shared, ASN ranges and edge ASNs. Each scenario is the base policy changed in one place, with the
 * expected issues worked out by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPolicyReport } from '../../../src/topology/policy/report.js';
import { validatePolicy } from '../../../src/topology/policy/validate.js';
import { basePolicy, type Doc, only, where } from './documents.js';

function check(change: (doc: Doc) => void) {
  const doc = basePolicy();
  change(doc);
  return validatePolicy(doc, 'test.json');
}

function createRoute(segment: string, cidrs: string[]) {
  return { action: 'create-route', segment, 'destination-cidr-blocks': cidrs, destinations: ['blackhole'] };
}

describe('policy semantics: names', () => {
  it('reports an unknown segment in a segment action, listing the segments', () => {
    const report = check((d) => (d['segment-actions'][3].segment = 'finance'));
    assert.deepEqual(where(report.errors), ['unknown-segment /segment-actions/3/segment']);
    assert.equal(
      formatPolicyReport(report).split('\n')[0],
      'ERROR /segment-actions/3/segment: unknown segment "finance" (segments: production, development)',
    );
    // Unknown names are semantic: the structure is still usable.
    assert.ok(report.policy);
    assert.equal(report.valid, false);
  });

  it('suggests the likely segment for a typo', () => {
    const report = check((d) => (d['segment-actions'][3].segment = 'prod'));
    assert.equal(
      only(report, 'errors').message,
      `unknown segment "prod" (segments: production, development). Did you mean 'production'?`,
    );
  });

  it('reports unknown segments in share-with, when-sent-to, filters and attachment actions', () => {
    const report = check((d) => {
      d['segment-actions'][0]['share-with'] = ['production', 'shared'];
      d['segment-actions'][2]['when-sent-to'].segments = 'staging';
      d.segments[1]['deny-filter'] = ['legacy'];
      d['attachment-policies'][2].action.segment = 'hybrid';
    });
    assert.deepEqual(where(report.errors), [
      'unknown-segment /segments/1/deny-filter/0',
      'unknown-segment /segment-actions/0/share-with/1',
      'unknown-segment /segment-actions/2/when-sent-to/segments',
      'unknown-segment /attachment-policies/2/action/segment',
    ]);
  });

  it('reports unknown network function groups, and a segment named where a group belongs', () => {
    const report = check((d) => {
      d['segment-actions'][2].via['network-function-groups'] = ['firewalls'];
      d['attachment-policies'][1].action['add-to-network-function-group'] = 'production';
    });
    assert.deepEqual(where(report.errors), [
      'unknown-network-function-group /segment-actions/2/via/network-function-groups/0',
      'unknown-network-function-group /attachment-policies/1/action/add-to-network-function-group',
    ]);
    assert.match(report.errors[1]!.message, /"production" is a segment, not a network function group/);
  });

  it('reports edge locations that core-network-configuration does not have', () => {
    const report = check((d) => {
      d.segments[1]['edge-locations'] = ['us-east-1', 'ap-south-1'];
      const override = d['segment-actions'][2].via['with-edge-overrides'][0];
      override['edge-sets'] = [['us-east-1', 'eu-west-2']];
      override['use-edge-location'] = 'eu-west-2';
    });
    assert.deepEqual(where(report.errors), [
      'unknown-edge-location /segments/1/edge-locations/1',
      'unknown-edge-location /segment-actions/2/via/with-edge-overrides/0/edge-sets/0/1',
      'unknown-edge-location /segment-actions/2/via/with-edge-overrides/0/use-edge-location',
    ]);
    assert.match(
      report.errors[0]!.message,
      /"ap-south-1" is not in core-network-configuration \(edge locations: us-east-1, eu-west-1\)/,
    );
  });

  it('reports unknown edge locations and routing policies in the 2025.11 sections', () => {
    const report = check((d) => {
      d['routing-policies'] = [
        {
          'routing-policy-name': 'prependPath',
          'routing-policy-direction': 'outbound',
          'routing-policy-number': 100,
          'routing-policy-rules': [
            { 'rule-number': 100, 'rule-definition': { action: { type: 'prepend-asn-list' } } },
          ],
        },
      ];
      d['segment-actions'].push({
        action: 'associate-routing-policy',
        segment: 'production',
        'edge-location-association': {
          'edge-location': 'us-east-1',
          'peer-edge-location': 'sa-east-1',
          'routing-policy-names': ['prependPath', 'prependPathEU'],
        },
      });
      d['attachment-routing-policy-rules'] = [
        {
          'rule-number': 100,
          conditions: [{ type: 'routing-policy-label', value: 'vpcs' }],
          action: { 'associate-routing-policies': ['dropAll'] },
          'edge-locations': ['ca-central-1'],
        },
      ];
    });
    assert.deepEqual(where(report.errors), [
      'unknown-edge-location /segment-actions/4/edge-location-association/peer-edge-location',
      'unknown-routing-policy /segment-actions/4/edge-location-association/routing-policy-names/1',
      'unknown-edge-location /attachment-routing-policy-rules/0/edge-locations/0',
      'unknown-routing-policy /attachment-routing-policy-rules/0/action/associate-routing-policies/0',
    ]);
  });

  it('reports a segment, group or edge location defined twice, pointing at the first', () => {
    const report = check((d) => {
      d.segments.push({ name: 'development' });
      d['network-function-groups'].push({ name: 'inspection' });
      d['core-network-configuration']['edge-locations'].push({ location: 'us-east-1' });
    });
    assert.deepEqual(where(report.errors), [
      'duplicate-segment /segments/2/name',
      'duplicate-network-function-group /network-function-groups/1/name',
      'duplicate-edge-location /core-network-configuration/edge-locations/2/location',
    ]);
    assert.match(report.errors[0]!.message, /already defined at \/segments\/1\/name/);
  });

  it('does not report every reference when the definitions themselves are broken', () => {
    const report = check((d) => (d.segments[0].name = 'prod-1'));
    // Only the bad name: the references to "production" cannot be judged until it is fixed.
    assert.deepEqual(where(report.errors), ['invalid-name /segments/0/name']);
  });
});

describe('policy semantics: static routes', () => {
  it('warns when a route of a segment lies inside another, pointing at the outer one', () => {
    const report = check((d) => {
      d['segment-actions'].push(createRoute('production', ['10.0.0.0/8']));
    });
    assert.deepEqual(report.errors, []);
    const warning = only(report, 'warnings');
    assert.equal(
      `${warning.code} ${warning.pointer}`,
      'overlapping-static-route /segment-actions/1/destination-cidr-blocks/0',
    );
    assert.match(
      warning.message,
      /10\.0\.0\.0\/16 in segment "production" lies inside 10\.0\.0\.0\/8 \(at \/segment-actions\/4\/destination-cidr-blocks\/0\)/,
    );
  });

  it('reports the same prefix twice in a segment as an error', () => {
    const report = check((d) => {
      d['segment-actions'].push(createRoute('production', ['192.168.0.0/24', '10.0.0.0/16']));
    });
    assert.deepEqual(where(report.errors), [
      'duplicate-static-route /segment-actions/4/destination-cidr-blocks/1',
    ]);
    assert.match(
      report.errors[0]!.message,
      /already defined at \/segment-actions\/1\/destination-cidr-blocks\/0/,
    );
  });

  it('compares each route with its nearest enclosing prefix only', () => {
    const report = check((d) => {
      d['segment-actions'][1]['destination-cidr-blocks'] = [
        '10.1.0.0/16',
        '10.0.0.0/8',
        '10.2.0.0/16',
        '10.1.128.0/17',
      ];
    });
    assert.deepEqual(report.errors, []);
    // 10.1/16 and 10.2/16 lie in 10/8; 10.1.128/17 lies in 10.1/16 (its nearest container).
    assert.deepEqual(
      report.warnings.map((w) => [w.pointer, /inside (\S+)/.exec(w.message)![1]]),
      [
        ['/segment-actions/1/destination-cidr-blocks/0', '10.0.0.0/8'],
        ['/segment-actions/1/destination-cidr-blocks/3', '10.1.0.0/16'],
        ['/segment-actions/1/destination-cidr-blocks/2', '10.0.0.0/8'],
      ],
    );
  });

  it('leaves alone routes in different segments, disjoint routes and different IP versions', () => {
    const report = check((d) => {
      d['segment-actions'].push(createRoute('development', ['10.0.0.0/16']));
      d['segment-actions'].push(createRoute('production', ['10.1.0.0/16', '::/0', '2001:db8::/32']));
    });
    // ::/0 contains 2001:db8::/32: the one overlap, in IPv6.
    assert.deepEqual(where(report.warnings), [
      'overlapping-static-route /segment-actions/5/destination-cidr-blocks/2',
    ]);
    assert.deepEqual(report.errors, []);
  });
});

describe('policy semantics: isolated segments shared', () => {
  it('warns when an isolated segment is shared with every segment', () => {
    const report = check((d) => {
      d['segment-actions'].push({
        action: 'share',
        mode: 'attachment-route',
        segment: 'production',
        'share-with': '*',
      });
    });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), ['isolated-segment-shared /segment-actions/4/share-with']);
  });

  it('treats {"except": [...]} as every segment too, and the names there as exclusions', () => {
    const report = check((d) => {
      d['segment-actions'].push({
        action: 'share',
        segment: 'production',
        'share-with': { except: ['production'] },
      });
    });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), ['isolated-segment-shared /segment-actions/4/share-with']);
  });

  it('reports an isolated segment sharing with itself as an error', () => {
    const report = check((d) => {
      d['segment-actions'].push({
        action: 'share',
        segment: 'production',
        'share-with': ['development', 'production'],
      });
    });
    assert.deepEqual(where(report.errors), ['share-with-self /segment-actions/4/share-with/1']);
    assert.match(report.errors[0]!.message, /contradicts "isolate-attachments": true/);
  });

  it('warns when a segment that is not isolated shares with itself', () => {
    const report = check((d) => (d['segment-actions'][0]['share-with'] = ['development']));
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), ['share-with-self /segment-actions/0/share-with/0']);
  });

  it('accepts an isolated segment shared with listed segments (the shared-services pattern)', () => {
    const report = check((d) => {
      d['segment-actions'].push({ action: 'share', segment: 'production', 'share-with': ['development'] });
      d['segment-actions'].push({ action: 'share', segment: 'development', 'share-with': '*' });
    });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.warnings, []);
  });
});

describe('policy semantics: ASNs', () => {
  const config = (d: Doc) => d['core-network-configuration'];

  it('reports ASN ranges that overlap, naming the earlier one', () => {
    const report = check((d) => (config(d)['asn-ranges'] = ['64600-64700', '64512-64999', '65000-65100']));
    // Sorted by start: 64512-64999 first, then 64600-64700 inside it; 65000-65100 is disjoint.
    assert.deepEqual(where(report.errors), ['asn-range-overlap /core-network-configuration/asn-ranges/0']);
    assert.match(
      report.errors[0]!.message,
      /"64600-64700" overlaps "64512-64999" \(at \/core-network-configuration\/asn-ranges\/1\)/,
    );
  });

  it('reports two edges with the same ASN', () => {
    const report = check((d) => (config(d)['edge-locations'][1].asn = 64512));
    assert.deepEqual(where(report.errors), [
      'duplicate-edge-asn /core-network-configuration/edge-locations/1/asn',
    ]);
    assert.match(report.errors[0]!.message, /already used by "us-east-1"/);
  });

  it('warns about an edge ASN outside every range', () => {
    const report = check((d) => {
      config(d)['asn-ranges'] = ['64512-64520', '65000-65010'];
      config(d)['edge-locations'][1].asn = 64600;
    });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(where(report.warnings), [
      'edge-asn-outside-ranges /core-network-configuration/edge-locations/1/asn',
    ]);
    assert.match(
      report.warnings[0]!.message,
      /ASN 64600, outside every "asn-ranges" entry \(64512-64520, 65000-65010\)/,
    );
  });
});
