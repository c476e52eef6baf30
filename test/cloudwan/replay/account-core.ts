/**
 * Core networks as Network Manager describes them: ListCoreNetworks summaries, GetCoreNetwork
 * (edges, segments and network function groups, the latter dropped by the 3.523 SDK parser but
 * present in the body) and the policy document served by GetCoreNetworkPolicy.
 */

import type { TopologyView } from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import type { CoreNetworkEntry } from './account.js';
import {
  CREATED_AT,
  coreNetworkArn,
  DEFAULT_ACCOUNT_ID,
  jsonTags,
  networkManagerState,
  tagPairs,
} from './aws-names.js';
import { plainName, source } from './walk.js';

export interface CoreNetworks {
  readonly entries: CoreNetworkEntry[];
  /** Edge element index -> the core network that contains it. */
  readonly coreOfEdge: ReadonlyMap<number, CoreNetworkEntry>;
  /** The core network of elements that name none (the only one, or the first). */
  readonly fallback: CoreNetworkEntry | undefined;
  /** Per core network id: edge region -> ASN, for connect peer configurations. */
  readonly edgeAsn: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

interface Edge {
  index: number;
  region: string;
  asn: number | undefined;
}

export function coreNetworkEntries(view: TopologyView): CoreNetworks {
  const cores = view.elementsOfType('core-network');
  const entries: CoreNetworkEntry[] = [];
  const coreOfEdge = new Map<number, CoreNetworkEntry>();
  const edgeAsn = new Map<string, Map<string, number>>();
  const globalNetworks = view.elementsOfType('global-network');
  for (const core of cores) {
    const id = view.id(core);
    const policy = view.policy(core);
    const edges = edgesOf(view, core, cores.length, policy);
    const segmentNames = namesOf(view, core, cores.length, 'segment', 'segment-') ?? [];
    const functionGroupNames = namesOf(view, core, cores.length, 'network-function-group', 'nfg-') ?? [];
    const segments = segmentNames.length ? segmentNames : (policy?.segments ?? []).map((s) => s.name);
    const groups = functionGroupNames.length
      ? functionGroupNames
      : (policy?.['network-function-groups'] ?? []).map((g) => g.name);
    const globalNetwork = source(view, core, 'contains', 'global-network');
    const globalNetworkId =
      globalNetwork >= 0
        ? view.id(globalNetwork)
        : globalNetworks.length
          ? view.id(globalNetworks[0] as number)
          : undefined;
    const accountId = view.accountId(core);
    const arnAccountId = accountId ?? DEFAULT_ACCOUNT_ID;
    const arn = coreNetworkArn(arnAccountId, id);
    const edgeRegions = edges.map((e) => e.region);
    const summary = {
      CoreNetworkId: id,
      CoreNetworkArn: arn,
      GlobalNetworkId: globalNetworkId,
      OwnerAccountId: accountId,
      State: networkManagerState(view.state(core)),
      Tags: jsonTags(tagPairs(view.name(core), view.tags(core))),
    };
    const detail = {
      GlobalNetworkId: globalNetworkId,
      CoreNetworkId: id,
      CoreNetworkArn: arn,
      CreatedAt: CREATED_AT,
      State: summary.State,
      Segments: segments.map((name) => ({
        Name: name,
        EdgeLocations: policy?.segments.find((s) => s.name === name)?.['edge-locations'] ?? edgeRegions,
      })),
      NetworkFunctionGroups: groups.map((name) => ({
        Name: name,
        EdgeLocations: edgeRegions,
        Segments: insertionSegments(policy, name),
      })),
      Edges: edges.map((edge) => ({
        EdgeLocation: edge.region,
        Asn: edge.asn,
        InsideCidrBlocks: insideCidrs(policy, edge.region),
      })),
      Tags: summary.Tags,
    };
    const entry: CoreNetworkEntry = {
      id,
      index: core,
      arn,
      globalNetworkId,
      arnAccountId,
      edgeRegions,
      segmentNames: segments,
      functionGroupNames: groups,
      summaryJson: JSON.stringify(summary),
      detailJson: JSON.stringify(detail),
      policyDocument: policy === undefined ? undefined : JSON.stringify(policy),
    };
    entries.push(entry);
    const asns = new Map<string, number>();
    for (const edge of edges) {
      if (edge.index >= 0) coreOfEdge.set(edge.index, entry);
      if (edge.asn !== undefined) asns.set(edge.region, edge.asn);
    }
    edgeAsn.set(id, asns);
  }
  return { entries, coreOfEdge, fallback: entries[0], edgeAsn };
}

/**
 * The core network's edges: the edge elements it contains (with a single core network, every edge
 * element), else the policy's edge locations, as AWS derives them from the policy.
 */
function edgesOf(
  view: TopologyView,
  core: number,
  coreCount: number,
  policy: CoreNetworkPolicy | undefined,
): Edge[] {
  const policyAsn = new Map<string, number>();
  for (const location of policy?.['core-network-configuration']?.['edge-locations'] ?? []) {
    if (location.asn !== undefined) policyAsn.set(location.location, location.asn);
  }
  const edges: Edge[] = [];
  for (const edge of view.elementsOfType('edge')) {
    const owner = source(view, edge, 'contains', 'core-network');
    if (owner === core || (owner < 0 && coreCount === 1)) {
      const region = view.region(edge) ?? plainName(view, edge, 'edge-');
      edges.push({ index: edge, region, asn: view.asn(edge) ?? policyAsn.get(region) });
    }
  }
  if (edges.length) return edges;
  return (policy?.['core-network-configuration']?.['edge-locations'] ?? []).map((location) => ({
    index: -1,
    region: location.location,
    asn: location.asn,
  }));
}

/** Names of the segments (or function groups) the core network contains; undefined when it contains none. */
function namesOf(
  view: TopologyView,
  core: number,
  coreCount: number,
  type: 'segment' | 'network-function-group',
  prefix: string,
): string[] | undefined {
  const names: string[] = [];
  for (const element of view.elementsOfType(type)) {
    const owner = source(view, element, 'contains', 'core-network');
    if (owner === core || (owner < 0 && coreCount === 1)) names.push(plainName(view, element, prefix));
  }
  return names.length ? names : undefined;
}

/** The segments whose send-via / send-to actions go through a function group (AWS ServiceInsertionSegments). */
function insertionSegments(
  policy: CoreNetworkPolicy | undefined,
  group: string,
): { SendVia: string[]; SendTo: string[] } {
  const sendVia: string[] = [];
  const sendTo: string[] = [];
  for (const action of policy?.['segment-actions'] ?? []) {
    if (!action.via?.['network-function-groups']?.includes(group)) continue;
    if (action.action === 'send-via' && !sendVia.includes(action.segment)) sendVia.push(action.segment);
    if (action.action === 'send-to' && !sendTo.includes(action.segment)) sendTo.push(action.segment);
  }
  return { SendVia: sendVia, SendTo: sendTo };
}

function insideCidrs(policy: CoreNetworkPolicy | undefined, region: string): string[] {
  const locations = policy?.['core-network-configuration']?.['edge-locations'] ?? [];
  return locations.find((l) => l.location === region)?.['inside-cidr-blocks'] ?? [];
}
