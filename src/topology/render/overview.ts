/**
 * The overview of a topology too large to draw whole: the core network and its edges (the mesh
 * drawn once per pair), segments and function groups with their attachments counted by type,
 * what the policy shares and sends through inspection, and transit gateways peered to edges.
 * Every category gets a fair share of the node budget; the rest of a category is one summary node.
 */
import type { TopologyView } from '../model.js';
import { shareOut } from './budget.js';
import { countsLine, type DiagramGraph, GraphBuilder, type GraphLimits } from './graph.js';
import { attachmentCounts, elementLines, groupNames, keyOf } from './names.js';
import { policyLinks, shares } from './policy-links.js';

export function overviewGraph(view: TopologyView, limits: GraphLimits): DiagramGraph {
  const links = policyLinks(view);
  const names = groupNames(view, links);
  const graph = new GraphBuilder(
    `Cloud WAN overview: ${view.elementCount} elements, ${view.connectionCount} connections`,
    limits.maxNodes,
    limits.maxEdges,
  );
  const globals = view.elementsOfType('global-network');
  const cores = view.elementsOfType('core-network');
  const edges = view.elementsOfType('edge');
  const peered = peeredTransitGateways(view);
  const tgws = [...peered.keys()];
  const [globalCount, coreCount, edgeCount, segmentCount, groupCount, tgwCount] = shareOut(
    [
      globals.length,
      cores.length,
      edges.length,
      names.segments.length,
      names.functionGroups.length,
      tgws.length,
    ],
    limits.maxNodes,
  ) as [number, number, number, number, number, number];

  const shownGlobals = globals.subarray(0, globalCount);
  const shownEdges = edges.subarray(0, edgeCount);
  drawCore(view, graph, shownGlobals, globals.length, cores, coreCount, shownEdges, edges.length);
  const shownSegments = names.segments.slice(0, segmentCount);
  const segmentGroup = graph.group('segments');
  for (const name of shownSegments) {
    const kind = links.isolated.has(name) ? 'segment, isolated attachments' : 'segment';
    const lines = [name, kind, countsLine(attachmentCounts(view, name))];
    graph.node(keyOf.segment(name), 'segment', lines, segmentGroup);
  }
  graph.summary('segments', names.segments.length - segmentCount, segmentGroup);
  const functionGroup = graph.group('network function groups');
  for (const name of names.functionGroups.slice(0, groupCount)) {
    const lines = [name, 'network function group', countsLine(attachmentCounts(view, name))];
    graph.node(keyOf.functionGroup(name), 'function-group', lines, functionGroup);
  }
  graph.summary('network function groups', names.functionGroups.length - groupCount, functionGroup);
  for (const tgw of tgws.slice(0, tgwCount)) {
    graph.node(keyOf.element(view, tgw), 'transit-gateway', elementLines(view, tgw, view.region(tgw)));
  }
  graph.summary('peered transit gateways', tgws.length - tgwCount);

  // Links, most telling first, in case the link cap is reached; ends not drawn are skipped.
  for (const share of links.shares) {
    for (const other of shownSegments) {
      if (!shares(share, other)) continue;
      graph.edge(keyOf.segment(share.segment), keyOf.segment(other), { label: 'share', directed: false });
    }
  }
  for (const send of links.sends) {
    const to = keyOf.functionGroup(send.functionGroup);
    graph.edge(keyOf.segment(send.segment), to, { label: send.action, dashed: true });
  }
  for (const [tgw, edgesOfTgw] of peered) {
    for (const edge of edgesOfTgw) {
      graph.edge(keyOf.element(view, tgw), keyOf.element(view, edge), { label: 'peering', directed: false });
    }
  }
  for (const edge of shownEdges) {
    for (const connection of view.outgoing(edge)) {
      if (view.connectionType(connection) !== 'edge-mesh') continue;
      const other = view.connectionTarget(connection);
      graph.edge(keyOf.element(view, edge), keyOf.element(view, other), { directed: false });
    }
  }
  return graph.build();
}

/** Global networks, then a cluster with the core network(s) and the edges. */
function drawCore(
  view: TopologyView,
  graph: GraphBuilder,
  globals: Uint32Array,
  globalTotal: number,
  cores: Uint32Array,
  coreCount: number,
  edges: Uint32Array,
  edgeTotal: number,
): void {
  for (const global of globals)
    graph.node(keyOf.element(view, global), 'global-network', elementLines(view, global));
  graph.summary('global networks', globalTotal - globals.length);
  const first = cores[0];
  const cluster = graph.group(
    cores.length === 1 && first !== undefined
      ? `core network ${view.name(first) ?? view.id(first)}`
      : 'core networks',
  );
  for (const core of cores.subarray(0, coreCount)) {
    const key = keyOf.element(view, core);
    graph.node(key, 'core-network', elementLines(view, core, asnRanges(view, core)), cluster);
    for (const global of globals) graph.edge(keyOf.element(view, global), key);
  }
  graph.summary('core networks', cores.length - coreCount, cluster);
  for (const edge of edges) {
    const asn = view.asn(edge);
    const lines = elementLines(view, edge, view.region(edge), asn === undefined ? undefined : `ASN ${asn}`);
    graph.node(keyOf.element(view, edge), 'edge', lines, cluster);
  }
  graph.summary('edges', edgeTotal - edges.length, cluster);
}

function asnRanges(view: TopologyView, core: number): string | undefined {
  const ranges = view.policy(core)?.['core-network-configuration']?.['asn-ranges'];
  return Array.isArray(ranges) && ranges.length > 0 ? `ASN ${ranges.join(', ')}` : undefined;
}

/** Transit gateways with the edges they are peered to, through `tgw-peering` elements. */
function peeredTransitGateways(view: TopologyView): Map<number, number[]> {
  const peered = new Map<number, number[]>();
  for (const peering of view.elementsOfType('tgw-peering')) {
    let edge = -1;
    let tgw = -1;
    for (const connection of view.outgoing(peering)) {
      if (view.connectionType(connection) !== 'peering') continue;
      const target = view.connectionTarget(connection);
      const type = view.type(target);
      if (type === 'edge') edge = target;
      else if (type === 'transit-gateway') tgw = target;
    }
    if (tgw < 0) continue;
    const list = peered.get(tgw) ?? [];
    if (edge >= 0 && !list.includes(edge)) list.push(edge);
    peered.set(tgw, list);
  }
  return peered;
}
