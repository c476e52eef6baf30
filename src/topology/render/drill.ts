/**
 * Drill-down into one segment (or function group), one region, or both: the attachments, grouped
 * by region for a segment and by segment for a region, each with the resource it attaches (VPC,
 * TGW route table, DX gateway). Two passes over the focus: one counts per group, one draws each
 * group's fair share of the nodes; the rest of a group is one "+N more <type>s" node.
 */
import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../model.js';
import { shareOut } from './budget.js';
import {
  attachmentNode,
  checkFocus,
  edgeNode,
  edgesByRegion,
  partners,
  segmentNode,
  transitGateways,
} from './drill-nodes.js';
import { type DiagramGraph, GraphBuilder, type GraphLimits } from './graph.js';
import { groupNames, isAttachmentType, keyOf } from './names.js';
import { policyLinks } from './policy-links.js';

export interface Focus {
  segment?: string;
  region?: string;
}

/** The group of attachments without a region (or segment). */
const NO_GROUP = '(none)';

/** Which attachments are drawn and how they are grouped. */
interface Scope {
  /** A segment's attachments are grouped by region; a region's by segment. */
  bySegment: boolean;
  candidates: Uint32Array;
  matches(element: number): boolean;
  groupOf(element: number): string;
}

interface Tally {
  perGroup: Map<string, number>;
  perType: Map<ElementType, number>;
  /** Sorted. */
  groups: string[];
  total: number;
}

interface Cluster {
  index: number;
  /** The node its attachments link to. */
  anchor: string;
  /** Attachments still to draw. */
  allowed: number;
  hidden: Map<ElementType, number>;
}

export function drillGraph(view: TopologyView, focus: Focus, limits: GraphLimits): DiagramGraph {
  const links = policyLinks(view);
  const names = groupNames(view, links);
  checkFocus(view, focus, names, links);
  const scope = scopeOf(view, focus);
  const tally = count(view, scope);
  const graph = new GraphBuilder(title(focus, tally), limits.maxNodes, limits.maxEdges);
  const edges = edgesByRegion(view);

  // The focus node: the segment, or (for a region alone) the region's edge.
  let focusKey: string;
  if (focus.segment !== undefined) {
    focusKey = segmentNode(graph, focus.segment, names, links, tally.perType);
    partners(graph, focus.segment, names, links);
  } else {
    focusKey = edgeNode(view, graph, focus.region ?? '', edges);
    transitGateways(view, graph, focus.region ?? '', focusKey);
  }

  const clusters = placeClusters(graph, scope, tally, (key, index) => {
    if (key === NO_GROUP) return focusKey;
    const anchor = scope.bySegment
      ? segmentNode(graph, key, names, links, undefined, index)
      : edgeNode(view, graph, key, edges, index);
    graph.edge(anchor, focusKey, { dashed: true, directed: false });
    return anchor;
  });
  for (const element of scope.candidates) {
    if (!scope.matches(element)) continue;
    const cluster = clusters.get(scope.groupOf(element));
    if (!cluster) continue;
    if (cluster.allowed > 0) {
      cluster.allowed--;
      attachmentNode(view, graph, element, cluster.index, cluster.anchor);
    } else {
      const type = view.type(element);
      cluster.hidden.set(type, (cluster.hidden.get(type) ?? 0) + 1);
    }
  }
  for (const [key, cluster] of clusters) {
    if (cluster.hidden.size === 0) continue;
    const lines = ATTACHMENT_TYPES.filter((t) => cluster.hidden.has(t)).map(
      (type) => `+${cluster.hidden.get(type)} more ${type}s`,
    );
    graph.node(keyOf.more(`group:${key}`), 'summary', lines, cluster.index);
  }
  return graph.build();
}

function scopeOf(view: TopologyView, { segment, region }: Focus): Scope {
  const bySegment = segment === undefined;
  return {
    bySegment,
    candidates: segment !== undefined ? view.elementsInSegment(segment) : view.elementsInRegion(region ?? ''),
    matches: (element) =>
      isAttachmentType(view.type(element)) && (region === undefined || view.region(element) === region),
    groupOf: (element) => (bySegment ? view.segment(element) : view.region(element)) ?? NO_GROUP,
  };
}

function count(view: TopologyView, scope: Scope): Tally {
  const perGroup = new Map<string, number>();
  const perType = new Map<ElementType, number>(ATTACHMENT_TYPES.map((t) => [t, 0]));
  let total = 0;
  for (const element of scope.candidates) {
    if (!scope.matches(element)) continue;
    const key = scope.groupOf(element);
    perGroup.set(key, (perGroup.get(key) ?? 0) + 1);
    const type = view.type(element);
    perType.set(type, (perType.get(type) ?? 0) + 1);
    total++;
  }
  return { perGroup, perType, groups: [...perGroup.keys()].sort(), total };
}

function title({ segment, region }: Focus, tally: Tally): string {
  return segment !== undefined
    ? `segment ${segment}${region ? ` in ${region}` : ''}: ${tally.total} attachments in ${tally.groups.length} regions`
    : `region ${region}: ${tally.total} attachments in ${tally.groups.length} segments`;
}

/**
 * One cluster per group while the nodes last (each needs an anchor, and at least an attachment
 * with its resource to be worth drawing), the attachments shared out fairly among them, and one
 * summary node for the groups left out.
 */
function placeClusters(
  graph: GraphBuilder,
  scope: Scope,
  tally: Tally,
  anchorOf: (key: string, index: number) => string,
): Map<string, Cluster> {
  const available = graph.room;
  const shown = tally.groups.slice(0, Math.max(1, Math.floor((available - 1) / 4)));
  const hidden = tally.groups.slice(shown.length);
  const allowance = shareOut(
    shown.map((key) => tally.perGroup.get(key) as number),
    available - shown.length - (hidden.length > 0 ? 1 : 0),
    2,
  );
  const clusters = new Map<string, Cluster>();
  shown.forEach((key, i) => {
    const what = scope.bySegment ? 'segment' : 'region';
    const index = graph.group(`${what} ${key} (${tally.perGroup.get(key)} attachments)`);
    clusters.set(key, { index, anchor: anchorOf(key, index), allowed: allowance[i] ?? 0, hidden: new Map() });
  });
  const hiddenAttachments = hidden.reduce((sum, key) => sum + (tally.perGroup.get(key) as number), 0);
  graph.summary(
    `${scope.bySegment ? 'segments' : 'regions'} (${hiddenAttachments} attachments)`,
    hidden.length,
  );
  return clusters;
}
