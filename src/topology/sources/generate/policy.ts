/**
 * The core network policy that matches the generated elements: one edge location per region,
 * the generated segments (some isolated) and function groups, tag-based attachment policies
 * (`segment=<name>` and `nfg=<name>`, the tags the attachments carry), and segment actions of
 * every kind the analysis handles: share, create-route (a static and a blackhole) and send-via.
 */

import type { AttachmentPolicy, CoreNetworkPolicy, SegmentAction } from '../../policy-types.js';
import type { Layout } from './layout.js';

/** A documentation range (RFC 5737) the policy blackholes in one segment. */
export const POLICY_BLACKHOLE = '198.51.100.0/24';
/** The AS numbers edges get (64512 + region index) come from this range. */
const ASN_RANGE = '64512-65534';

export function buildPolicy(l: Layout): CoreNetworkPolicy {
  const p = l.plan;
  const isolated = new Set(p.isolatedSegments);
  return {
    version: '2021.12',
    'core-network-configuration': {
      'vpn-ecmp-support': false,
      'asn-ranges': [ASN_RANGE],
      'edge-locations': p.regions.map((location, i) => ({ location, asn: 64512 + i })),
    },
    segments: p.segments.map((name) => ({
      name,
      'require-attachment-acceptance': false,
      ...(isolated.has(name) ? { 'isolate-attachments': true } : {}),
    })),
    'network-function-groups': p.functionGroups.map((name) => ({
      name,
      'require-attachment-acceptance': false,
    })),
    'segment-actions': segmentActions(l),
    'attachment-policies': attachmentPolicies(l),
  };
}

function segmentActions(l: Layout): SegmentAction[] {
  const p = l.plan;
  const actions: SegmentAction[] = [];
  const shared = p.segments[0];
  if (shared === undefined) return actions;
  const others = p.segments.slice(1);
  if (others.length > 0) {
    actions.push({ action: 'share', mode: 'attachment-route', segment: shared, 'share-with': others });
  }
  const egress = firstAttachmentIn(l, shared);
  if (egress !== undefined) {
    actions.push({
      action: 'create-route',
      segment: shared,
      'destination-cidr-blocks': ['0.0.0.0/0'],
      destinations: [egress],
      description: 'default route to the egress VPC',
    });
  }
  actions.push({
    action: 'create-route',
    segment: p.segments.includes('development') ? 'development' : shared,
    'destination-cidr-blocks': [POLICY_BLACKHOLE],
    destinations: ['blackhole'],
    description: 'never route the documentation range',
  });
  const inspection = p.functionGroups[0];
  if (inspection !== undefined && p.segments.includes('production')) {
    actions.push({
      action: 'send-via',
      segment: 'production',
      mode: 'dual-hop',
      'when-sent-to': { segments: p.segments.filter((s) => s !== 'production') },
      via: { 'network-function-groups': [inspection] },
    });
  }
  return actions;
}

function attachmentPolicies(l: Layout): AttachmentPolicy[] {
  const rules: AttachmentPolicy[] = l.plan.functionGroups.map((name, i) => ({
    'rule-number': 100 + i,
    description: `inspection VPCs tagged nfg=${name}`,
    conditions: [{ type: 'tag-value', operator: 'equals', key: 'nfg', value: name }],
    action: { 'add-to-network-function-group': name },
  }));
  rules.push({
    'rule-number': 1000,
    description: 'the segment named by the segment tag',
    conditions: [{ type: 'tag-exists', key: 'segment' }],
    action: { 'association-method': 'tag', 'tag-value-of-key': 'segment' },
  });
  return rules;
}

/** The first VPC attachment in `segment`, found in a bounded scan of the VPC ordinals. */
function firstAttachmentIn(l: Layout, segment: string): string | undefined {
  const p = l.plan;
  const limit = Math.min(p.vpcs, p.inspectionVpcs + 10_000);
  for (let u = p.inspectionVpcs; u < limit; u++) if (l.unitSegment(u) === segment) return l.attachmentId(u);
  return undefined;
}
