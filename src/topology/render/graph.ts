/**
 * The diagram before it becomes text: nodes, edges and clusters, built under hard caps so that the
 * text written from it is bounded whatever the topology. Builders add the important things first;
 * what does not fit is counted, and the writers say how much was left out.
 */

export type NodeKind =
  | 'global-network'
  | 'core-network'
  | 'edge'
  | 'segment'
  | 'function-group'
  | 'transit-gateway'
  | 'attachment'
  | 'resource'
  | 'summary';

export interface DiagramNode {
  /** Unique within the graph; writers turn it into an id valid for their format. */
  key: string;
  kind: NodeKind;
  /** Plain text lines, already cut to LABEL_MAX characters; writers escape them. */
  lines: string[];
  /** Index into `groups`, or undefined for the top level. */
  group?: number;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label?: string;
  dashed: boolean;
  directed: boolean;
}

/** The caps every diagram is built under. */
export interface GraphLimits {
  maxNodes: number;
  maxEdges: number;
}

export interface DiagramGraph {
  title: string;
  groups: string[];
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  omittedNodes: number;
  omittedEdges: number;
}

/** Characters kept of one label line: names can be any length, the diagram cannot. */
export const LABEL_MAX = 48;
const TITLE_MAX = 160;
const MAX_LINES = 4;

export class GraphBuilder {
  private readonly nodes = new Map<string, DiagramNode>();
  private readonly edges: DiagramEdge[] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly groups: string[] = [];
  private omittedNodes = 0;
  private omittedEdges = 0;

  constructor(
    private readonly title: string,
    private readonly maxNodes: number,
    private readonly maxEdges: number,
  ) {}

  get nodeCount(): number {
    return this.nodes.size;
  }
  get room(): number {
    return this.maxNodes - this.nodes.size;
  }

  group(label: string): number {
    this.groups.push(clip(label));
    return this.groups.length - 1;
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  /** Adds a node unless the cap is reached; true when the node is (now or already) in the graph. */
  node(key: string, kind: NodeKind, lines: string[], group?: number): boolean {
    if (this.nodes.has(key)) return true;
    if (this.nodes.size >= this.maxNodes) {
      this.omittedNodes++;
      return false;
    }
    const node: DiagramNode = { key, kind, lines: lines.slice(0, MAX_LINES).map((line) => clip(line)) };
    if (group !== undefined) node.group = group;
    this.nodes.set(key, node);
    return true;
  }

  /** Adds a "+N more <what>" node when `count` things were left out. */
  summary(what: string, count: number, group?: number): void {
    if (count > 0) this.node(`more:${what}`, 'summary', [`+${count} more ${what}`], group);
  }

  /** Adds an edge between two nodes in the graph, once per pair and label (either way round when undirected). */
  edge(
    from: string,
    to: string,
    options: { label?: string; dashed?: boolean; directed?: boolean } = {},
  ): void {
    if (!this.nodes.has(from) || !this.nodes.has(to)) return;
    const directed = options.directed ?? true;
    const [a, b] = directed || from < to ? [from, to] : [to, from];
    const key = `${directed ? '>' : '-'}${a}\u0000${b}\u0000${options.label ?? ''}`;
    if (this.edgeKeys.has(key)) return;
    if (this.edges.length >= this.maxEdges) {
      this.omittedEdges++;
      return;
    }
    this.edgeKeys.add(key);
    const edge: DiagramEdge = { from: a, to: b, dashed: options.dashed ?? false, directed };
    if (options.label !== undefined) edge.label = clip(options.label);
    this.edges.push(edge);
  }

  build(): DiagramGraph {
    return {
      title: clip(this.title, TITLE_MAX),
      groups: this.groups,
      nodes: [...this.nodes.values()],
      edges: this.edges,
      omittedNodes: this.omittedNodes,
      omittedEdges: this.omittedEdges,
    };
  }
}

/** One line of plain text: control characters (newlines included) become spaces, long text is cut. */
export function clip(text: string, max = LABEL_MAX): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Ids valid in Mermaid and DOT alike ([A-Za-z0-9_], not starting with a digit, never a keyword
 * such as `end`), readable from the key and unique within the graph.
 */
export function assignIds(nodes: readonly DiagramNode[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const node of nodes) {
    const base = `n_${node.key.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(node.key, id);
  }
  return ids;
}

/** "3 vpc, 1 vpn" style counts; types shortened so a segment label stays one line. */
export function countsLine(counts: ReadonlyMap<string, number>): string {
  const parts: string[] = [];
  for (const [type, count] of counts) if (count > 0) parts.push(`${count} ${shortType(type)}`);
  return parts.length > 0 ? parts.join(', ') : 'no attachments';
}

export function shortType(type: string): string {
  return type
    .replace(/-attachment$/, '')
    .replace('tgw-route-table', 'tgw-rt')
    .replace('dx-gateway', 'dx');
}
