/**
 * The core network itself: which one (the only one, or the one asked for), its global network,
 * edges, segments and network function groups, and its policy. The function groups are recovered
 * from the raw GetCoreNetwork body (the SDK drops them) and from the policy's
 * `network-function-groups`, whichever has them.
 */

import { CloudWanError } from '../../errors.js';
import type { CoreNetworkPolicy } from '../../topology/policy-types.js';
import { listCoreNetworks, lower, readCoreNetwork, readPolicy } from './network-manager.js';
import type { RouteTableKind } from './network-routes.js';
import { nameAndTags, record } from './records.js';
import { progress, type Run } from './run.js';
import type { CoreNetworkSummary } from './types.js';

export interface CoreFacts {
  coreNetworkId: string;
  globalNetworkId: string;
  ownerAccountId?: string;
  /** Edge regions, in the order AWS lists them. */
  edges: string[];
  segments: Set<string>;
  functionGroups: Set<string>;
  /** The route tables to read: each segment and function group at each of its edges. */
  tables: Array<{ kind: RouteTableKind; name: string; edge: string }>;
  policyVersionId?: number;
}

export async function chooseCoreNetwork(run: Run, wanted: string | undefined): Promise<CoreNetworkSummary> {
  const all = await listCoreNetworks(run.clients, run.signal);
  const where = `(Network Manager, ${run.clients.networkManagerRegion})`;
  const names = all.map((c) => `${c.coreNetworkId} (global network ${c.globalNetworkId})`).join(', ');
  if (all.length === 0) {
    throw new CloudWanError(
      `no core network found in this account ${where}; create one in AWS Cloud WAN, or use credentials of the account that owns it (AWS_PROFILE, AWS_ACCESS_KEY_ID)`,
    );
  }
  if (wanted !== undefined) {
    const found = all.find((c) => c.coreNetworkId === wanted);
    if (!found) {
      throw new CloudWanError(
        `core network "${wanted}" was not found in this account ${where}; core networks: ${names}`,
      );
    }
    return found;
  }
  if (all.length > 1) {
    throw new CloudWanError(
      `this account has ${all.length} core networks ${where}; choose one with the core network id option: ${names}`,
    );
  }
  return all[0]!;
}

/** Reads the core network and its policy and writes the core elements and their connections. */
export async function discoverCore(
  run: Run,
  summary: CoreNetworkSummary,
  policyVersion: number | undefined,
): Promise<CoreFacts> {
  const id = summary.coreNetworkId;
  const { core, functionGroups } = await readCoreNetwork(run.clients, id, run.signal);
  const globalNetworkId = core.GlobalNetworkId ?? summary.globalNetworkId;
  progress(run, 'core-network', 1, 1, `read core network ${id}`);

  let policy: CoreNetworkPolicy | undefined;
  let policyVersionId: number | undefined;
  const which = policyVersion === undefined ? 'the LIVE policy' : `policy version ${policyVersion}`;
  try {
    const read = await readPolicy(run.nm, id, policyVersion, run.signal);
    policyVersionId = read.versionId;
    try {
      policy = JSON.parse(read.document) as CoreNetworkPolicy;
    } catch (error) {
      run.problems.add(
        {
          service: 'networkmanager',
          operation: 'GetCoreNetworkPolicy',
          resource: id,
          consequence: () => `${which} (its document is not JSON)`,
        },
        'InvalidPolicyDocument',
        (error as Error).message,
      );
    }
  } catch (error) {
    run.problems.fail(error, {
      service: 'networkmanager',
      operation: 'GetCoreNetworkPolicy',
      resource: id,
      consequence: () =>
        `${which} of core network ${id}: policy checks, and function groups the API does not list`,
    });
  }
  if (policy) run.sink.setPolicy(id, policy);
  progress(run, 'policy', 1, 1, policy ? `read ${which}` : `could not read ${which}`);

  const ownerAccountId = summary.ownerAccountId;
  const { name, tags } = nameAndTags(core.Tags);
  run.sink.addElement(record(globalNetworkId, 'global-network', { accountId: ownerAccountId }));
  run.sink.addElement(
    record(id, 'core-network', {
      name: name ?? id,
      accountId: ownerAccountId,
      state: lower(core.State) ?? summary.state,
      tags,
    }),
  );
  run.sink.addConnection({ type: 'contains', source: globalNetworkId, target: id });

  const edges: string[] = [];
  for (const edge of core.Edges ?? []) {
    if (!edge.EdgeLocation || edges.includes(edge.EdgeLocation)) continue;
    edges.push(edge.EdgeLocation);
    run.sink.addElement(
      record(`edge-${edge.EdgeLocation}`, 'edge', {
        name: edge.EdgeLocation,
        region: edge.EdgeLocation,
        asn: edge.Asn,
      }),
    );
    run.sink.addConnection({ type: 'contains', source: id, target: `edge-${edge.EdgeLocation}` });
  }
  for (const from of edges) {
    for (const to of edges) {
      if (from !== to)
        run.sink.addConnection({ type: 'edge-mesh', source: `edge-${from}`, target: `edge-${to}` });
    }
  }

  const tables: CoreFacts['tables'] = [];
  const atEdges = (listed: string[] | undefined): string[] => {
    const known = (listed ?? []).filter((edge) => edges.includes(edge));
    return known.length > 0 ? known : edges;
  };
  const segments = new Set<string>();
  for (const segment of core.Segments ?? []) {
    if (!segment.Name || segments.has(segment.Name)) continue;
    segments.add(segment.Name);
    writeDomain(run, id, 'segment', segment.Name);
    for (const edge of atEdges(segment.EdgeLocations))
      tables.push({ kind: 'segment', name: segment.Name, edge });
  }
  const groups = new Map<string, string[] | undefined>();
  for (const group of functionGroups ?? []) groups.set(group.name, group.edgeLocations);
  for (const group of policy?.['network-function-groups'] ?? []) {
    if (typeof group?.name === 'string' && !groups.has(group.name)) groups.set(group.name, undefined);
  }
  for (const [name, listed] of groups) {
    writeDomain(run, id, 'network-function-group', name);
    for (const edge of atEdges(listed)) tables.push({ kind: 'network-function-group', name, edge });
  }

  const facts: CoreFacts = {
    coreNetworkId: id,
    globalNetworkId,
    edges,
    segments,
    functionGroups: new Set(groups.keys()),
    tables,
  };
  if (ownerAccountId !== undefined) facts.ownerAccountId = ownerAccountId;
  if (policyVersionId !== undefined) facts.policyVersionId = policyVersionId;
  return facts;
}

function writeDomain(run: Run, coreNetworkId: string, kind: RouteTableKind, name: string): void {
  const id = domainId(kind, name);
  run.sink.addElement(record(id, kind, { name, segment: name }));
  run.sink.addConnection({ type: 'contains', source: coreNetworkId, target: id });
}

/** `segment-<name>` or `nfg-<name>`. */
export function domainId(kind: RouteTableKind, name: string): string {
  return kind === 'segment' ? `segment-${name}` : `nfg-${name}`;
}
