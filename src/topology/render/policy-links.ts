/**
 * What diagrams draw from the core network policies: declared segments and function groups,
 * isolation, `share` actions between segments and `send-via` / `send-to` from a segment to
 * function groups. Read defensively: a policy that failed validation still renders what it can.
 */
import type { TopologyView } from '../model.js';
import type { SegmentAction } from '../policy-types.js';

export interface Share {
  segment: string;
  with: SegmentAction['share-with'];
}

export interface Send {
  segment: string;
  functionGroup: string;
  action: string;
}

export interface PolicyLinks {
  segments: Set<string>;
  functionGroups: Set<string>;
  isolated: Set<string>;
  edgeLocations: Set<string>;
  shares: Share[];
  sends: Send[];
}

export function policyLinks(view: TopologyView): PolicyLinks {
  const links: PolicyLinks = {
    segments: new Set(),
    functionGroups: new Set(),
    isolated: new Set(),
    edgeLocations: new Set(),
    shares: [],
    sends: [],
  };
  for (const core of view.elementsOfType('core-network')) {
    const policy = view.policy(core);
    if (!policy) continue;
    for (const segment of list(policy.segments)) {
      if (typeof segment?.name !== 'string') continue;
      links.segments.add(segment.name);
      if (segment['isolate-attachments'] === true) links.isolated.add(segment.name);
    }
    for (const group of list(policy['network-function-groups'])) {
      if (typeof group?.name === 'string') links.functionGroups.add(group.name);
    }
    for (const edge of list(policy['core-network-configuration']?.['edge-locations'])) {
      if (typeof edge?.location === 'string') links.edgeLocations.add(edge.location);
    }
    for (const action of list(policy['segment-actions'])) {
      if (typeof action?.segment !== 'string') continue;
      if (action.action === 'share')
        links.shares.push({ segment: action.segment, with: action['share-with'] });
      if (action.action === 'send-via' || action.action === 'send-to') {
        for (const group of list(action.via?.['network-function-groups'])) {
          if (typeof group === 'string')
            links.sends.push({ segment: action.segment, functionGroup: group, action: action.action });
        }
      }
    }
  }
  return links;
}

/** Whether a share action reaches `other` (`*` is every segment, `{except}` all but those). */
export function shares(share: Share, other: string): boolean {
  if (other === share.segment) return false;
  const target = share.with;
  if (target === '*') return true;
  if (Array.isArray(target)) return target.includes(other);
  if (target && typeof target === 'object' && Array.isArray(target.except))
    return !target.except.includes(other);
  return false;
}

function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
