/**
 * Graphviz DOT text from a diagram graph, written in pieces as it is produced. Every id and label
 * is a quoted string with backslashes and quotes escaped, so no name can end a string or insert an
 * escape sequence (`\N`, `\G`, ...) or an entity of its own.
 */
import { assignIds, type DiagramGraph, type DiagramNode, type NodeKind } from './graph.js';
import { TextSink } from './text-sink.js';

const NODE_ATTRIBUTES: Record<NodeKind, string> = {
  'global-network': 'shape=cylinder',
  'core-network': 'shape=hexagon, style=filled, fillcolor="#f0f0f0"',
  edge: 'shape=circle, style=filled, fillcolor="#eef7ee", color="#3f8f3f"',
  segment: 'shape=box, style="rounded,filled", fillcolor="#e6f0ff", color="#3b6db3"',
  'function-group': 'shape=component, style=filled, fillcolor="#fff1e0", color="#c07a1a"',
  'transit-gateway': 'shape=box3d',
  attachment: 'shape=box',
  resource: 'shape=box, style=rounded',
  summary: 'shape=note, style="dashed,filled", fillcolor="#f5f5f5", color="#999999"',
};

export async function writeDot(
  graph: DiagramGraph,
  write: (text: string) => void | Promise<void>,
): Promise<void> {
  const out = new TextSink(write);
  const ids = assignIds(graph.nodes);
  await out.line('digraph topology {');
  await out.line(
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label=${quote(graph.title)}];`,
  );
  await out.line('  node [fontname="Helvetica", fontsize=10];');
  await out.line('  edge [fontname="Helvetica", fontsize=9];');
  if (graph.omittedNodes + graph.omittedEdges > 0) {
    await out.line(
      `  // left out to stay within the limits: ${graph.omittedNodes} nodes, ${graph.omittedEdges} links`,
    );
  }
  const byGroup = graph.groups.map((): DiagramNode[] => []);
  for (const node of graph.nodes) {
    if (node.group === undefined) await out.line(`  ${nodeText(node, ids)}`);
    else byGroup[node.group]?.push(node);
  }
  for (const [index, nodes] of byGroup.entries()) {
    if (nodes.length === 0) continue;
    await out.line(`  subgraph cluster_${index} {`);
    await out.line(`    label=${quote(graph.groups[index] ?? '')}; style=rounded; color="#bbbbbb";`);
    for (const node of nodes) await out.line(`    ${nodeText(node, ids)}`);
    await out.line('  }');
  }
  for (const edge of graph.edges) {
    const attributes: string[] = [];
    if (edge.label !== undefined) attributes.push(`label=${quote(edge.label)}`);
    if (edge.dashed) attributes.push('style=dashed');
    if (!edge.directed) attributes.push('dir=none');
    const list = attributes.length > 0 ? ` [${attributes.join(', ')}]` : '';
    await out.line(`  ${quote(ids.get(edge.from) ?? '')} -> ${quote(ids.get(edge.to) ?? '')}${list};`);
  }
  await out.line('}');
  await out.end();
}

function nodeText(node: DiagramNode, ids: Map<string, string>): string {
  const label = node.lines.map(escapeDot).join('\\n');
  return `${quote(ids.get(node.key) ?? '')} [label="${label}", ${NODE_ATTRIBUTES[node.kind]}];`;
}

/** Graphviz also reads HTML entities in plain labels (`&amp;` shows as `&`), so `&` is written as one. */
export function escapeDot(text: string): string {
  return text.replace(/[\\"&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`));
}

function quote(text: string): string {
  return `"${escapeDot(text)}"`;
}
