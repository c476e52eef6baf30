/**
 * Which elements go into which chunk group, and in what order: global network, core network with
 * its edges, transit gateways by region, VPCs by region, segments, (connections), network function
 * groups. Groups are read from the view's indexes when their phase comes (the two by-region phases
 * sort their elements into regions then, 4 bytes per element of the phase, after reading every
 * element's region from the region index, 2 bytes per element); each phase ends with
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
  const regions = regionCodes(view, view.regions());
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
  regions: RegionCodes,
  type: 'transit-gateways' | 'vpcs',
  types: ElementType[],
): Generator<ElementGroup> {
  const ofTypes = types.map((t) => view.elementsOfType(t));
  const buckets = bucketByRegion(regions, mergeAscending(ofTypes, view.elementCount));
  for (let r = 0; r < regions.names.length; r++) {
    yield group(type, [buckets[r]!], any, 'children', { region: regions.names[r] });
  }
  yield group(type, ofTypes, any, 'children');
}

/** Each element's region as 1 + its index in `names`, 0 for none. */
interface RegionCodes {
  names: string[];
  of: Uint16Array | Uint32Array;
}

/**
 * Read from the view's region index, one list per region: asking each element for its region
 * name and looking the name up cost ~40 ns an element, the bulk of planning the two phases.
 */
function regionCodes(view: TopologyView, names: string[]): RegionCodes {
  const of = names.length < 0xffff ? new Uint16Array(view.elementCount) : new Uint32Array(view.elementCount);
  for (let r = 0; r < names.length; r++) {
    const members = view.elementsInRegion(names[r]!);
    for (let k = 0; k < members.length; k++) of[members[k]!] = r + 1;
  }
  return { names, of };
}

/** Elements by the index of their region; those without one are left out. */
function bucketByRegion({ names, of }: RegionCodes, elements: Uint32Array): Uint32Array[] {
  const counts = new Uint32Array(names.length + 1);
  for (let k = 0; k < elements.length; k++) counts[of[elements[k]!]!]!++;
  const buckets = Array.from(counts.subarray(1), (n) => new Uint32Array(n));
  const filled = new Uint32Array(names.length);
  for (let k = 0; k < elements.length; k++) {
    const element = elements[k]!;
    const r = of[element]! - 1;
    if (r >= 0) buckets[r]![filled[r]!++] = element;
  }
  return buckets;
}

/**
 * Ascending lists of distinct elements below `count`, merged into one ascending list: marked, then
 * read back in index order, which costs a pass over `count` rather than a comparison per list per
 * element.
 */
function mergeAscending(lists: Uint32Array[], count: number): Uint32Array {
  if (lists.length === 1) return lists[0]!;
  const marked = new Uint8Array(count);
  let total = 0;
  for (const list of lists) {
    for (let k = 0; k < list.length; k++) {
      const element = list[k]!;
      if (element < count && marked[element] === 0) {
        marked[element] = 1;
        total++;
      }
    }
  }
  const out = new Uint32Array(total);
  for (let element = 0, at = 0; at < total; element++) if (marked[element] === 1) out[at++] = element;
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
