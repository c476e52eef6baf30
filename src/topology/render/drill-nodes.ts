/**
 * The nodes a drill-down is made of: the focus (a segment, a function group, a region's edge),
 * what the policy links a segment to, the transit gateways of a region, and attachments with the
 * resource each attaches. Each draws through the GraphBuilder, so the caps hold.
 */
import { TopologyError } from '../../errors.js';
import type { ElementType, TopologyView } from '../model.js';
import { countsLine, type GraphBuilder } from './graph.js';
import { elementLines, type GroupNames, keyOf, listSome } from './names.js';
import { type PolicyLinks, shares } from './policy-links.js';

/** Partners of a segment, or transit gateways of a region, drawn before the rest is summarized. */
const MAX_SIDE_NODES = 8;

export function checkFocus(
  view: TopologyView,
  focus: { segment?: string; region?: string },
  names: GroupNames,
  links: PolicyLinks,
): void {
  if (focus.segment !== undefined) {
    const known = [...names.segments, ...names.functionGroups];
    if (!known.includes(focus.segment)) {
      throw new TopologyError(
        'render',
        `unknown segment '${focus.segment}'; the topology has segments and function groups ${listSome(known)}. ` +
          'Pass one of these names.',
      );
    }
  }
  if (focus.region !== undefined) {
    const known = [...new Set([...view.regions(), ...links.edgeLocations])].sort();
    if (!known.includes(focus.region)) {
      throw new TopologyError(
        'render',
        `unknown region '${focus.region}'; the topology has regions ${listSome(known)}. Pass one of these names.`,
      );
    }
  }
}

/** A segment or function group node, with attachment counts when given. Returns its key. */
export function segmentNode(
  graph: GraphBuilder,
  name: string,
  names: GroupNames,
  links: PolicyLinks,
  counts?: Map<ElementType, number>,
  group?: number,
): string {
  const functionGroup = names.isFunctionGroup(name);
  const key = functionGroup ? keyOf.functionGroup(name) : keyOf.segment(name);
  let kind = 'segment';
  if (functionGroup) kind = 'network function group';
  else if (links.isolated.has(name)) kind = 'segment, isolated attachments';
  const lines = counts ? [name, kind, countsLine(counts)] : [name, kind];
  graph.node(key, functionGroup ? 'function-group' : 'segment', lines, group);
  return key;
}

export function edgesByRegion(view: TopologyView): Map<string, number> {
  const edges = new Map<string, number>();
  for (const edge of view.elementsOfType('edge')) {
    const region = view.region(edge);
    if (region !== undefined && !edges.has(region)) edges.set(region, edge);
  }
  return edges;
}

/** The region's edge, or a node standing for the region when the topology has no edge there. Returns its key. */
export function edgeNode(
  view: TopologyView,
  graph: GraphBuilder,
  region: string,
  edges: Map<string, number>,
  group?: number,
): string {
  const edge = edges.get(region);
  if (edge === undefined) {
    graph.node(`region:${region}`, 'edge', [region, 'region (no edge)'], group);
    return `region:${region}`;
  }
  const asn = view.asn(edge);
  const key = keyOf.element(view, edge);
  graph.node(
    key,
    'edge',
    elementLines(view, edge, region, asn === undefined ? undefined : `ASN ${asn}`),
    group,
  );
  return key;
}

interface Partner {
  key: string;
  name: string;
  functionGroup: boolean;
  label: string;
  dashed: boolean;
}

/** Segments the focus shares routes with, and function groups its traffic is sent through (or from). */
export function partners(graph: GraphBuilder, focus: string, names: GroupNames, links: PolicyLinks): void {
  const focusKey = names.isFunctionGroup(focus) ? keyOf.functionGroup(focus) : keyOf.segment(focus);
  const found = new Map<string, Partner>();
  const add = (name: string, functionGroup: boolean, label: string, dashed: boolean) => {
    const key = functionGroup ? keyOf.functionGroup(name) : keyOf.segment(name);
    if (key !== focusKey && !found.has(key)) found.set(key, { key, name, functionGroup, label, dashed });
  };
  for (const share of links.shares) {
    if (share.segment === focus) {
      for (const other of names.segments) if (shares(share, other)) add(other, false, 'share', false);
    } else if (shares(share, focus)) {
      add(share.segment, false, 'share', false);
    }
  }
  for (const send of links.sends) {
    if (send.segment === focus) add(send.functionGroup, true, send.action, true);
    else if (send.functionGroup === focus) add(send.segment, false, send.action, true);
  }
  const list = [...found.values()];
  for (const partner of list.slice(0, MAX_SIDE_NODES)) {
    const kind = partner.functionGroup ? 'network function group' : 'segment';
    graph.node(partner.key, partner.functionGroup ? 'function-group' : 'segment', [partner.name, kind]);
    // Sharing goes both ways; sending has a direction.
    graph.edge(focusKey, partner.key, {
      label: partner.label,
      dashed: partner.dashed,
      directed: partner.dashed,
    });
  }
  graph.summary('segments and function groups linked by the policy', list.length - MAX_SIDE_NODES);
}

/** Transit gateways of the region, joined to its edge when a peering links the two. */
export function transitGateways(
  view: TopologyView,
  graph: GraphBuilder,
  region: string,
  edgeKey: string,
): void {
  let count = 0;
  for (const element of view.elementsInRegion(region)) {
    if (view.type(element) !== 'transit-gateway') continue;
    if (++count > MAX_SIDE_NODES) continue;
    const key = keyOf.element(view, element);
    graph.node(key, 'transit-gateway', elementLines(view, element));
    if (peeredTo(view, element, edgeKey)) graph.edge(key, edgeKey, { label: 'peering', directed: false });
  }
  graph.summary('transit gateways', count - MAX_SIDE_NODES);
}

/** Whether a tgw-peering element links this transit gateway to the edge drawn as `edgeKey`. */
function peeredTo(view: TopologyView, tgw: number, edgeKey: string): boolean {
  for (const connection of view.incoming(tgw)) {
    if (view.connectionType(connection) !== 'peering') continue;
    for (const other of view.outgoing(view.connectionSource(connection))) {
      if (
        view.connectionType(other) === 'peering' &&
        keyOf.element(view, view.connectionTarget(other)) === edgeKey
      ) {
        return true;
      }
    }
  }
  return false;
}

/** An attachment linked to its group's anchor, with the one resource it attaches. */
export function attachmentNode(
  view: TopologyView,
  graph: GraphBuilder,
  attachment: number,
  group: number,
  anchor: string,
): void {
  const key = keyOf.element(view, attachment);
  if (!graph.node(key, 'attachment', elementLines(view, attachment, view.cidrs(attachment)[0]), group))
    return;
  graph.edge(key, anchor);
  for (const connection of view.outgoing(attachment)) {
    if (view.connectionType(connection) !== 'attachment-of') continue;
    const resource = view.connectionTarget(connection);
    const resourceKey = keyOf.element(view, resource);
    if (graph.node(resourceKey, 'resource', elementLines(view, resource, view.cidrs(resource)[0]), group)) {
      graph.edge(key, resourceKey, { dashed: true });
    }
    return; // one resource per attachment: the budget counts two nodes for each
  }
}
