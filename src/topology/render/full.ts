/**
 * A topology small enough to draw whole: every element, every connection (the edge mesh once per
 * pair), elements clustered by region, plus what the policy shares and sends through inspection.
 * The caps still apply, so a small topology with a great many connections stays bounded.
 */
import type { ElementType, TopologyView } from '../model.js';
import { type DiagramGraph, GraphBuilder, type GraphLimits, type NodeKind } from './graph.js';
import { elementLines, groupNames, isAttachmentType, keyOf, ownName } from './names.js';
import { policyLinks, shares } from './policy-links.js';

export function fullGraph(view: TopologyView, limits: GraphLimits): DiagramGraph {
  const links = policyLinks(view);
  const names = groupNames(view, links);
  const graph = new GraphBuilder(
    `Cloud WAN topology: ${view.elementCount} elements, ${view.connectionCount} connections`,
    limits.maxNodes,
    limits.maxEdges,
  );
  const regionGroups = new Map<string, number>();
  for (const region of view.regions()) regionGroups.set(region, graph.group(`region ${region}`));

  const keyFor = (element: number): string => {
    const type = view.type(element);
    if (type === 'segment') return keyOf.segment(ownName(view, element));
    if (type === 'network-function-group') return keyOf.functionGroup(ownName(view, element));
    return keyOf.element(view, element);
  };
  for (let element = 0; element < view.elementCount; element++) {
    const region = view.region(element);
    const group = region === undefined ? undefined : regionGroups.get(region);
    const type = view.type(element);
    const lines =
      type === 'segment' && links.isolated.has(ownName(view, element))
        ? [...elementLines(view, element), 'isolated attachments']
        : elementLines(view, element, view.cidrs(element)[0]);
    graph.node(keyFor(element), kindOf(type), lines, group);
  }
  // Segments and function groups the policy declares but no element stands for.
  for (const name of names.segments) graph.node(keyOf.segment(name), 'segment', [name, 'segment (policy)']);
  for (const name of names.functionGroups) {
    graph.node(keyOf.functionGroup(name), 'function-group', [name, 'network function group (policy)']);
  }

  for (const share of links.shares) {
    for (const other of names.segments) {
      if (shares(share, other)) {
        graph.edge(keyOf.segment(share.segment), keyOf.segment(other), { label: 'share', directed: false });
      }
    }
  }
  for (const send of links.sends) {
    graph.edge(keyOf.segment(send.segment), keyOf.functionGroup(send.functionGroup), {
      label: send.action,
      dashed: true,
    });
  }
  for (let connection = 0; connection < view.connectionCount; connection++) {
    const type = view.connectionType(connection);
    const from = keyFor(view.connectionSource(connection));
    const to = keyFor(view.connectionTarget(connection));
    if (type === 'edge-mesh') graph.edge(from, to, { directed: false });
    else if (type === 'contains') graph.edge(from, to);
    else graph.edge(from, to, { label: type, dashed: type === 'attachment-of' || type === 'peering' });
  }
  return graph.build();
}

function kindOf(type: ElementType): NodeKind {
  if (type === 'global-network' || type === 'core-network' || type === 'edge' || type === 'segment')
    return type;
  if (type === 'transit-gateway') return 'transit-gateway';
  if (type === 'network-function-group') return 'function-group';
  return isAttachmentType(type) ? 'attachment' : 'resource';
}
