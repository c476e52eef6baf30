/** Hand-built Cloud WAN topologies for the render tests, and structural checks of the output. */
import assert from 'node:assert/strict';
import type { ConnectionRecord, ElementRecord, TopologyView } from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { buildTopology } from '../helpers.js';

export const POLICY: CoreNetworkPolicy = {
  version: '2021.12',
  'core-network-configuration': {
    'asn-ranges': ['64512-64555'],
    'edge-locations': [{ location: 'us-east-1' }, { location: 'eu-west-1' }, { location: 'ap-south-1' }],
  },
  segments: [{ name: 'prod', 'isolate-attachments': true }, { name: 'dev' }, { name: 'shared' }],
  'network-function-groups': [{ name: 'inspection' }],
  'segment-actions': [
    { action: 'share', mode: 'attachment-route', segment: 'shared', 'share-with': '*' },
    { action: 'share', mode: 'attachment-route', segment: 'dev', 'share-with': ['shared'] },
    {
      action: 'send-via',
      segment: 'prod',
      mode: 'single-hop',
      via: { 'network-function-groups': ['inspection'] },
    },
  ],
};

export interface Attachment {
  id: string;
  type?: ElementRecord['type'];
  region: string;
  segment: string;
  name?: string;
}

/**
 * A core network with edges in us-east-1 and eu-west-1 (ap-south-1 is in the policy only), the
 * policy's segments and function group as elements, a peered transit gateway, and the given
 * attachments, each with its own VPC.
 */
export function cloudWan(attachments: Attachment[]): TopologyView {
  const elements: ElementRecord[] = [
    { id: 'gn-1', type: 'global-network', name: 'global' },
    { id: 'core-1', type: 'core-network', name: 'core' },
    { id: 'edge-use1', type: 'edge', region: 'us-east-1', asn: 64512 },
    { id: 'edge-euw1', type: 'edge', region: 'eu-west-1', asn: 64513 },
    { id: 'seg-prod', type: 'segment', name: 'prod', segment: 'prod' },
    { id: 'seg-dev', type: 'segment', name: 'dev', segment: 'dev' },
    { id: 'seg-shared', type: 'segment', name: 'shared', segment: 'shared' },
    { id: 'nfg-inspection', type: 'network-function-group', name: 'inspection', segment: 'inspection' },
    { id: 'tgw-1', type: 'transit-gateway', name: 'legacy-tgw', region: 'us-east-1' },
    { id: 'peer-1', type: 'tgw-peering', region: 'us-east-1' },
  ];
  const connections: ConnectionRecord[] = [
    { type: 'contains', source: 'gn-1', target: 'core-1' },
    { type: 'contains', source: 'core-1', target: 'edge-use1' },
    { type: 'contains', source: 'core-1', target: 'edge-euw1' },
    { type: 'edge-mesh', source: 'edge-use1', target: 'edge-euw1' },
    { type: 'edge-mesh', source: 'edge-euw1', target: 'edge-use1' },
    { type: 'peering', source: 'peer-1', target: 'edge-use1' },
    { type: 'peering', source: 'peer-1', target: 'tgw-1' },
  ];
  for (const a of attachments) {
    elements.push({ id: `vpc-of-${a.id}`, type: 'vpc', region: a.region, cidrs: ['10.0.0.0/24'] });
    const record: ElementRecord = {
      id: a.id,
      type: a.type ?? 'vpc-attachment',
      region: a.region,
      segment: a.segment,
    };
    if (a.name !== undefined) record.name = a.name;
    elements.push(record);
    const edge = a.region === 'us-east-1' ? 'edge-use1' : 'edge-euw1';
    connections.push(
      { type: 'attached-to', source: a.id, target: edge },
      { type: 'attachment-of', source: a.id, target: `vpc-of-${a.id}` },
      {
        type: 'member-of',
        source: a.id,
        target: a.segment === 'inspection' ? 'nfg-inspection' : `seg-${a.segment}`,
      },
    );
  }
  return buildTopology({ elements, connections, policies: { 'core-1': POLICY } });
}

/** `count` attachments spread over both regions and the three segments. */
export function manyAttachments(count: number): Attachment[] {
  const segments = ['prod', 'dev', 'shared'];
  return Array.from({ length: count }, (_, i) => ({
    id: `att-${i}`,
    type: i % 10 === 0 ? 'vpn-attachment' : 'vpc-attachment',
    region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1',
    segment: segments[i % 3] as string,
  }));
}

export interface MermaidShape {
  /** Node id -> label text (entities left as written). */
  nodes: Map<string, string>;
  edges: Array<{ from: string; to: string; arrow: string; label?: string }>;
  subgraphs: string[];
}

const NODE =
  /^ {2,4}(n_[A-Za-z0-9_]+)(\[\(|\{\{|\(\(|\(\[|\[\[|\[\/|\[|\(|>)"([^"\n]*)"(\)\]|\}\}|\)\)|\]\)|\]\]|\/\]|\]|\))$/;
const EDGE = /^ {2}(n_[A-Za-z0-9_]+) (-->|---|-\.->|-\.-)(?:\|"([^"\n]*)"\|)? (n_[A-Za-z0-9_]+)$/;

/**
 * Parses the subset of Mermaid the writer emits, line by line; any other line fails the test, so a
 * label that leaks syntax (a quote, a newline) is caught. Checks ids are unique and every edge end
 * is declared.
 */
export function parseMermaid(text: string): MermaidShape {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  assert.equal(lines[0], 'flowchart LR');
  const shape: MermaidShape = { nodes: new Map(), edges: [], subgraphs: [] };
  let depth = 0;
  for (const line of lines.slice(1)) {
    const node = NODE.exec(line);
    const edge = EDGE.exec(line);
    const subgraph = /^ {2}subgraph g\d+\["([^"\n]*)"\]$/.exec(line);
    if (node) {
      const [, id, , label] = node as unknown as [string, string, string, string];
      assert.ok(!shape.nodes.has(id), `node ${id} declared twice`);
      shape.nodes.set(id, label);
    } else if (edge) {
      const [, from, arrow, label, to] = edge as unknown as [
        string,
        string,
        string,
        string | undefined,
        string,
      ];
      shape.edges.push(label === undefined ? { from, to, arrow } : { from, to, arrow, label });
    } else if (subgraph) {
      assert.equal(depth, 0, 'subgraphs are not nested');
      depth++;
      shape.subgraphs.push(subgraph[1] as string);
    } else if (line === '  end') {
      assert.equal(depth, 1);
      depth--;
    } else if (!/^%% [^\n]*$/.test(line) && !/^ {2}class(Def)? [^\n]+$/.test(line)) {
      assert.fail(`unexpected Mermaid line: ${JSON.stringify(line)}`);
    }
  }
  assert.equal(depth, 0, 'every subgraph ends');
  for (const edge of shape.edges) {
    assert.ok(shape.nodes.has(edge.from), `edge from undeclared ${edge.from}`);
    assert.ok(shape.nodes.has(edge.to), `edge to undeclared ${edge.to}`);
  }
  return shape;
}

/** Mermaid label text back to plain text: entities decoded, line breaks as newlines. */
export function mermaidText(label: string): string {
  return label
    .replace(/<br\/>/g, '\n')
    .replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
