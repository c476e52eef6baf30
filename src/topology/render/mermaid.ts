/**
 * Mermaid flowchart text from a diagram graph, written in pieces as it is produced. Ids come from
 * assignIds ([A-Za-z0-9_]); every label is a quoted string in which anything Mermaid could read as
 * syntax or markup is written as a numeric entity (`#34;`), which Mermaid turns back into the
 * character when it draws.
 */
import { assignIds, type DiagramGraph, type DiagramNode, type NodeKind } from './graph.js';
import { TextSink } from './text-sink.js';

const SHAPES: Record<NodeKind, [string, string]> = {
  'global-network': ['[(', ')]'],
  'core-network': ['{{', '}}'],
  edge: ['((', '))'],
  segment: ['([', '])'],
  'function-group': ['[[', ']]'],
  'transit-gateway': ['[/', '/]'],
  attachment: ['[', ']'],
  resource: ['(', ')'],
  summary: ['>', ']'],
};

const STYLES: Array<[NodeKind, string]> = [
  ['segment', 'fill:#e6f0ff,stroke:#3b6db3'],
  ['function-group', 'fill:#fff1e0,stroke:#c07a1a'],
  ['edge', 'fill:#eef7ee,stroke:#3f8f3f'],
  ['summary', 'fill:#f5f5f5,stroke:#999,stroke-dasharray:4 3'],
];

export async function writeMermaid(
  graph: DiagramGraph,
  write: (text: string) => void | Promise<void>,
): Promise<void> {
  const out = new TextSink(write);
  const ids = assignIds(graph.nodes);
  await out.line('flowchart LR');
  await out.line(`%% ${comment(graph.title)}`);
  if (graph.omittedNodes + graph.omittedEdges > 0) {
    await out.line(
      `%% left out to stay within the limits: ${graph.omittedNodes} nodes, ${graph.omittedEdges} links`,
    );
  }
  const byGroup = graph.groups.map((): DiagramNode[] => []);
  for (const node of graph.nodes) {
    if (node.group === undefined) await out.line(`  ${nodeText(node, ids)}`);
    else byGroup[node.group]?.push(node);
  }
  for (const [index, nodes] of byGroup.entries()) {
    if (nodes.length === 0) continue;
    await out.line(`  subgraph g${index}["${escapeMermaid(graph.groups[index] ?? '')}"]`);
    for (const node of nodes) await out.line(`    ${nodeText(node, ids)}`);
    await out.line('  end');
  }
  for (const edge of graph.edges) {
    const arrow = edge.dashed ? (edge.directed ? '-.->' : '-.-') : edge.directed ? '-->' : '---';
    const label = edge.label === undefined ? '' : `|"${escapeMermaid(edge.label)}"|`;
    await out.line(`  ${ids.get(edge.from)} ${arrow}${label} ${ids.get(edge.to)}`);
  }
  for (const [kind, style] of STYLES) {
    const members = graph.nodes.filter((n) => n.kind === kind).map((n) => ids.get(n.key));
    if (members.length === 0) continue;
    await out.line(`  classDef ${cssClass(kind)} ${style}`);
    await out.line(`  class ${members.join(',')} ${cssClass(kind)}`);
  }
  await out.end();
}

function nodeText(node: DiagramNode, ids: Map<string, string>): string {
  const [open, close] = SHAPES[node.kind];
  return `${ids.get(node.key)}${open}"${node.lines.map(escapeMermaid).join('<br/>')}"${close}`;
}

/**
 * Inside a quoted label only these matter: the quote ends it, `#` starts an entity, `<`, `>` and
 * `&` are HTML, a backtick starts Markdown, `|` ends an edge label.
 */
const SPECIAL = /["#&<>`|]/g;

export function escapeMermaid(text: string): string {
  return text.replace(SPECIAL, (c) => `#${c.charCodeAt(0)};`);
}

function comment(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

function cssClass(kind: NodeKind): string {
  return `k_${kind.replace(/-/g, '_')}`;
}
