/**
 * Reads the parts of a core network policy that routing depends on (edges, segments, function
 * groups, share / create-route / send-to / send-via actions) into small typed rules. Policies come
 * from files and from AWS, and some carry leftovers (CloudFormation intrinsics, unknown names), so
 * nothing here throws: a rule that cannot be used is skipped with a warning that names its JSON
 * pointer, and analysis goes on with the rest.
 */

import { type Cidr, formatCidr, parseCidr } from '../cidr.js';
import type { CoreNetworkPolicy, SegmentAction } from '../policy-types.js';

export interface SegmentRule {
  readonly name: string;
  readonly isolated: boolean;
  /** Edge regions where the segment is present: its `edge-locations`, else every edge of the core network. */
  readonly edges: readonly string[];
  /** `edge-locations` entries that the core network configuration does not list. */
  readonly unknownEdges: readonly string[];
  readonly allowFilter?: ReadonlySet<string>;
  readonly denyFilter?: ReadonlySet<string>;
}

/** An edge override: traffic between the edges of a set is handled at `use`. */
export interface OverrideRule {
  readonly sets: readonly (readonly string[])[];
  readonly use: string;
}

export interface ShareRule {
  readonly action: number;
  readonly segment: string;
  readonly shareWith: '*' | readonly string[] | { readonly except: readonly string[] };
}

export interface StaticRoute {
  readonly action: number;
  readonly segment: string;
  /** Canonical text (formatCidr), so it compares equal to another spelling of the same prefix. */
  readonly destination: string;
  readonly cidr: Cidr;
  readonly blackhole: boolean;
  /** Destination attachment ids, as the policy names them. */
  readonly targets: readonly string[];
}

export interface SendToRule {
  readonly action: number;
  readonly segment: string;
  readonly nfg: string;
  readonly overrides: readonly OverrideRule[];
}

export interface SendViaRule {
  readonly action: number;
  readonly segment: string;
  readonly mode: 'single-hop' | 'dual-hop';
  readonly whenSentTo: '*' | readonly string[];
  readonly nfg: string;
  readonly overrides: readonly OverrideRule[];
}

export interface PolicyRules {
  readonly edges: readonly string[];
  readonly segments: readonly SegmentRule[];
  readonly nfgs: readonly string[];
  readonly shares: readonly ShareRule[];
  readonly statics: readonly StaticRoute[];
  readonly sendTo: readonly SendToRule[];
  readonly sendVia: readonly SendViaRule[];
  readonly warnings: readonly string[];
}

const isString = (value: unknown): value is string => typeof value === 'string';
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter(isString) : []);
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];

export function readPolicyRules(policy: CoreNetworkPolicy): PolicyRules {
  const warnings: string[] = [];
  const config = (policy['core-network-configuration'] ?? {}) as unknown as Record<string, unknown>;
  const edges = records(config['edge-locations'])
    .map((edge) => edge.location)
    .filter(isString);
  if (edges.length === 0) {
    warnings.push('/core-network-configuration/edge-locations lists no edge: no segment is present anywhere');
  }
  const segments = records(policy.segments).flatMap((segment, i) => {
    if (!isString(segment.name)) {
      warnings.push(`/segments/${i} has no name; it is ignored`);
      return [];
    }
    return [readSegment(segment, edges)];
  });
  const nfgs = records(policy['network-function-groups'])
    .map((group) => group.name)
    .filter(isString);
  const rules = {
    edges,
    segments,
    nfgs,
    shares: [] as ShareRule[],
    statics: [] as StaticRoute[],
    sendTo: [] as SendToRule[],
    sendVia: [] as SendViaRule[],
    warnings,
  };
  records(policy['segment-actions']).forEach((action, i) => {
    readAction(action as SegmentAction, i, rules);
  });
  return rules;
}

function readSegment(segment: Record<string, unknown>, edges: readonly string[]): SegmentRule {
  const declared = Array.isArray(segment['edge-locations']) ? strings(segment['edge-locations']) : undefined;
  const allow = segment['allow-filter'];
  const deny = segment['deny-filter'];
  return {
    name: segment.name as string,
    isolated: segment['isolate-attachments'] === true,
    edges: declared ? declared.filter((edge) => edges.includes(edge)) : edges,
    unknownEdges: declared ? declared.filter((edge) => !edges.includes(edge)) : [],
    ...(Array.isArray(allow) ? { allowFilter: new Set(strings(allow)) } : {}),
    ...(Array.isArray(deny) ? { denyFilter: new Set(strings(deny)) } : {}),
  };
}

type MutableRules = {
  shares: ShareRule[];
  statics: StaticRoute[];
  sendTo: SendToRule[];
  sendVia: SendViaRule[];
  warnings: string[];
};

function readAction(action: SegmentAction, i: number, rules: MutableRules): void {
  const at = `/segment-actions/${i}`;
  if (!isString(action.segment)) {
    rules.warnings.push(`${at} (${String(action.action)}) has no segment; it is ignored`);
    return;
  }
  if (action.action === 'share') readShare(action, i, rules);
  else if (action.action === 'create-route') readCreateRoute(action, i, rules);
  else if (action.action === 'send-to' || action.action === 'send-via') readInsertion(action, i, rules);
  // associate-routing-policy and future actions do not change which routes a segment holds here.
}

function readShare(action: SegmentAction, i: number, rules: MutableRules): void {
  const shareWith = action['share-with'];
  if (shareWith === '*') {
    rules.shares.push({ action: i, segment: action.segment, shareWith: '*' });
  } else if (Array.isArray(shareWith)) {
    rules.shares.push({ action: i, segment: action.segment, shareWith: strings(shareWith) });
  } else if (shareWith && typeof shareWith === 'object' && Array.isArray(shareWith.except)) {
    rules.shares.push({
      action: i,
      segment: action.segment,
      shareWith: { except: strings(shareWith.except) },
    });
  } else {
    rules.warnings.push(
      `/segment-actions/${i}/share-with must be a list of segments, "*" or {"except": [...]}; the share is ignored`,
    );
  }
}

function readCreateRoute(action: SegmentAction, i: number, rules: MutableRules): void {
  const targets = strings(action.destinations);
  const blackhole = targets.length === 1 && targets[0] === 'blackhole';
  if (targets.length === 0) {
    rules.warnings.push(`/segment-actions/${i}/destinations is empty; the static route is ignored`);
    return;
  }
  strings(action['destination-cidr-blocks']).forEach((text, j) => {
    const cidr = parseCidr(text);
    if (!cidr) {
      rules.warnings.push(
        `/segment-actions/${i}/destination-cidr-blocks/${j} '${text}' is not a valid CIDR (address/prefix, no host bits set); the route is ignored`,
      );
      return;
    }
    rules.statics.push({
      action: i,
      segment: action.segment,
      destination: formatCidr(cidr),
      cidr,
      blackhole,
      targets: blackhole ? [] : targets,
    });
  });
}

function readInsertion(action: SegmentAction, i: number, rules: MutableRules): void {
  const via = (action.via ?? {}) as Record<string, unknown>;
  const nfg = strings(via['network-function-groups'])[0];
  if (!nfg) {
    rules.warnings.push(
      `/segment-actions/${i}/via/network-function-groups names no group; the ${action.action} is ignored`,
    );
    return;
  }
  const overrides = readOverrides(via['with-edge-overrides']);
  if (action.action === 'send-to') {
    rules.sendTo.push({ action: i, segment: action.segment, nfg, overrides });
    return;
  }
  const segments = (action['when-sent-to'] as Record<string, unknown> | undefined)?.segments;
  rules.sendVia.push({
    action: i,
    segment: action.segment,
    // AWS defaults send-via to single-hop when the mode is left out.
    mode: action.mode === 'dual-hop' ? 'dual-hop' : 'single-hop',
    whenSentTo: segments === '*' ? '*' : strings(segments),
    nfg,
    overrides,
  });
}

function readOverrides(value: unknown): OverrideRule[] {
  return records(value).flatMap((override) => {
    // 2025.11 writes use-edge-location, 2021.12 use-edge.
    const use = override['use-edge-location'] ?? override['use-edge'];
    if (!isString(use)) return [];
    const sets = Array.isArray(override['edge-sets']) ? override['edge-sets'].map(strings) : [];
    return [{ sets, use }];
  });
}
