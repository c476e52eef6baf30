/**
 * Which elements go into which chunk group, and in what order: global network, core network with
 * its edges, transit gateways by region, VPCs by region, segments, (connections), network function
 * groups. Groups are read from the view's indexes when their phase comes (the two by-region phases
 * sort their elements into regions then, 4 bytes per element of the phase); each phase ends with
 * a sweep of its types for elements the indexes did not place (no region, no segment), and a last
 * sweep over everything guarantees every element is emitted.
 * Type tests compare strings directly: they run once or twice per element.
 */
import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../model.js';

export const CHUNK_TYPES = [
  'global-network',
  'core-network',
  'transit-gateways',
  'vpcs',
  'segments',
  'connections',
  'network-function-groups',
] as const;
export type ChunkType = (typeof CHUNK_TYPES)[number];

/** A run of elements that share a chunk type (and a region or segment). */
export interface ElementGroup {
  type: Exclude<ChunkType, 'connections'>;
  region: string | undefined;
  segment: string | undefined;
  /** Candidate element indexes, in order; `all` means 0..elementCount-1. */
  sources: Uint32Array[] | 'all';
  /** Called only for elements not emitted yet. */
  accept(element: number): boolean;
  /**
   * What an accepted element brings along right after it: `children` are what a VPC or transit
   * gateway contains (subnets, route tables), `peers` are a connect attachment's connect peers and a
   * DX gateway attachment's DX gateway.
   */
  follow: 'none' | 'children' | 'peers';
}

/** The connections phase sits between segments and network function groups. */
export const CONNECTIONS = 'connections';
export type PlanStep = ElementGroup | typeof CONNECTIONS;

const any = () => true;

/**
 * Every group has the same shape (absent fields are undefined, not missing), so the chunker's loop
 * over a group's elements sees one object map: with several, its optimized code was thrown away at
 * each new shape during the first stream of a process.
 */
function group(
  type: ElementGroup['type'],
  sources: ElementGroup['sources'],
  accept: ElementGroup['accept'],
  follow: ElementGroup['follow'],
  where: { region?: string; segment?: string } = {},
): ElementGroup {
  return { type, region: where.region, segment: where.segment, sources, accept, follow };
}

export function* planGroups(view: TopologyView): Generator<PlanStep> {
  yield group('global-network', [view.elementsOfType('global-network')], any, 'none');
  yield group(
    'core-network',
    [view.elementsOfType('core-network'), view.elementsOfType('edge')],
    any,
    'none',
  );
  const regions = view.regions();
  yield* byRegion(view, regions, 'transit-gateways', ['transit-gateway', 'tgw-route-table', 'tgw-peering']);
  yield* byRegion(view, regions, 'vpcs', ['vpc', 'subnet']);

  const segmentElements = namedElements(view, 'segment');
  const functionGroups = namedElements(view, 'network-function-group');
  // A policy may name a function group that no element stands for; its attachments still belong to it.
  for (const name of policyFunctionGroups(view)) if (!functionGroups.has(name)) functionGroups.set(name, []);
  // A name used by both a segment and a function group is treated as the segment.
  const functionGroupOnly = new Set([...functionGroups.keys()].filter((n) => !segmentElements.has(n)));
  const inSegmentPhase = (element: number): boolean => {
    const type = view.type(element);
    if (type === 'segment' || type === 'connect-peer' || type === 'dx-gateway') return true;
    return isAttachment(type) && !functionGroupOnly.has(view.segment(element) ?? '');
  };
  const segmentNames = new Set([...view.segments(), ...segmentElements.keys()]);
  for (const segment of [...segmentNames].sort()) {
    if (functionGroupOnly.has(segment)) continue;
    // The segment's own element first, so its member-of links travel with each attachment.
    const sources = [...(segmentElements.get(segment) ?? []), view.elementsInSegment(segment)];
    yield group('segments', sources, inSegmentPhase, 'peers', { segment });
  }
  yield group(
    'segments',
    (['segment', ...ATTACHMENT_TYPES, 'connect-peer', 'dx-gateway'] as ElementType[]).map((t) =>
      view.elementsOfType(t),
    ),
    // Peers and DX gateways of function group attachments wait for their group.
    (e) => inSegmentPhase(e) && !(isFollowed(view.type(e)) && reachedFrom(view, e, functionGroupOnly)),
    'peers',
  );

  yield CONNECTIONS;

  const inFunctionGroupPhase = (element: number): boolean => {
    const type = view.type(element);
    return type === 'network-function-group' || isAttachment(type) || isFollowed(type);
  };
  for (const name of [...functionGroups.keys()].sort()) {
    const sources = [...(functionGroups.get(name) ?? []), view.elementsInSegment(name)];
    yield group('network-function-groups', sources, inFunctionGroupPhase, 'peers', { segment: name });
  }
  // Whatever no index placed (data of unexpected shape): nothing may be left out.
  yield group('network-function-groups', 'all', any, 'peers');
}

export function isAttachment(type: ElementType): boolean {
  return (
    type === 'vpc-attachment' ||
    type === 'vpn-attachment' ||
    type === 'connect-attachment' ||
    type === 'tgw-route-table-attachment' ||
    type === 'dx-gateway-attachment'
  );
}

function isFollowed(type: ElementType): boolean {
  return type === 'connect-peer' || type === 'dx-gateway';
}

/**
 * One group per region, then the elements of these types without a region; each VPC or transit
 * gateway is followed by what it contains. The phase's elements are put in their regions' buckets
 * in one pass, in index order, so each region's group reads exactly its own elements (scanning a
 * list per region cost regions x elements: 28 x 20,000 checks for the transit gateways alone).
 */
function* byRegion(
  view: TopologyView,
  regions: string[],
  type: 'transit-gateways' | 'vpcs',
  types: ElementType[],
): Generator<ElementGroup> {
  const ofTypes = types.map((t) => view.elementsOfType(t));
  const buckets = bucketByRegion(view, regions, mergeAscending(ofTypes));
  for (let r = 0; r < regions.length; r++) {
    yield group(type, [buckets[r]!], any, 'children', { region: regions[r] });
  }
  yield group(type, ofTypes, any, 'children');
}

/** Elements by the index of their region in `regions`; those without one are left out. */
function bucketByRegion(view: TopologyView, regions: string[], elements: Uint32Array): Uint32Array[] {
  const index = new Map(regions.map((region, r) => [region, r]));
  const of = new Int32Array(elements.length);
  const counts = new Uint32Array(regions.length);
  for (let k = 0; k < elements.length; k++) {
    const region = view.region(elements[k]!);
    const r = region === undefined ? -1 : (index.get(region) ?? -1);
    of[k] = r;
    if (r >= 0) counts[r]!++;
  }
  const buckets = Array.from(counts, (n) => new Uint32Array(n));
  const filled = new Uint32Array(regions.length);
  for (let k = 0; k < elements.length; k++) {
    const r = of[k]!;
    if (r >= 0) buckets[r]![filled[r]!++] = elements[k]!;
  }
  return buckets;
}

/** Ascending lists (of distinct elements) merged into one ascending list. */
function mergeAscending(lists: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(lists.reduce((sum, list) => sum + list.length, 0));
  const at = new Uint32Array(lists.length);
  for (let k = 0; k < out.length; k++) {
    let best = -1;
    for (let l = 0; l < lists.length; l++) {
      if (at[l]! < lists[l]!.length && (best < 0 || lists[l]![at[l]!]! < lists[best]![at[best]!]!)) best = l;
    }
    out[k] = lists[best]![at[best]!++]!;
  }
  return out;
}

/** Segment or function group elements by name: their own segment field, else their name or id. */
function namedElements(
  view: TopologyView,
  type: 'segment' | 'network-function-group',
): Map<string, Uint32Array[]> {
  const byName = new Map<string, number[]>();
  for (const element of view.elementsOfType(type)) {
    const name = view.segment(element) ?? view.name(element) ?? view.id(element);
    const list = byName.get(name);
    if (list) list.push(element);
    else byName.set(name, [element]);
  }
  return new Map([...byName].map(([name, list]) => [name, [Uint32Array.from(list)]]));
}

function policyFunctionGroups(view: TopologyView): string[] {
  const names: string[] = [];
  for (const core of view.elementsOfType('core-network')) {
    const groups = view.policy(core)?.['network-function-groups'];
    if (!Array.isArray(groups)) continue;
    for (const group of groups) if (typeof group?.name === 'string') names.push(group.name);
  }
  return names;
}

/** True when an attachment in one of `groups` points at this element. */
function reachedFrom(view: TopologyView, element: number, groups: Set<string>): boolean {
  for (const connection of view.incoming(element)) {
    const source = view.connectionSource(connection);
    if (source >= 0 && isAttachment(view.type(source)) && groups.has(view.segment(source) ?? '')) return true;
  }
  return false;
}
