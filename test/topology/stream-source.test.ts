/**
 * The two ways the chunker reads a topology: the columnar store's own columns and records, and any
 * other view through its methods (its columns copied once per run). Both must give the same chunks,
 * byte for byte; plus the order of the connections phase and the state a view run holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionRecord, ElementRecord, TopologyView } from '../../src/topology/model.js';
import { generateTopology } from '../../src/topology/sources/generate.js';
import { StreamingTopologyManager, type TopologyChunk } from '../../src/topology/stream.js';
import { buildObjectTopology, buildTopology, type TopologyRecords } from './helpers.js';
import { randomRecords } from './store/random-records.js';

async function collect(view: TopologyView, chunkSize: number): Promise<TopologyChunk[]> {
  const chunks: TopologyChunk[] = [];
  for await (const chunk of new StreamingTopologyManager().streamChunks(view, { chunkSize }))
    chunks.push(chunk);
  return chunks;
}

/** Records a sink is given, in order, to feed both layouts the same data. */
function recorded(fill: (sink: Parameters<typeof generateTopology>[1]) => void): TopologyRecords {
  const records: Required<TopologyRecords> = { elements: [], connections: [], routes: [], policies: {} };
  fill({
    addElement: (e) => records.elements.push(e),
    addConnection: (c) => records.connections.push(c),
    addRoute: (r) => records.routes.push(r),
    setPolicy: (id, p) => {
      records.policies[id] = p;
    },
  });
  return records;
}

describe('stream sources', () => {
  const cases: Array<[string, () => TopologyRecords, number]> = [
    [
      'a generated Cloud WAN of 3,000 elements',
      () => recorded((s) => generateTopology({ elements: 3000, seed: 7 }, s)),
      97,
    ],
    // Non-ASCII ids and names, self-loops, repeated pairs, empty cidrs and tags objects.
    ['seeded random records', () => randomRecords(5, 600), 13],
  ];
  for (const [name, records, chunkSize] of cases) {
    it(`the store and a plain-object view give the same chunks: ${name}`, async () => {
      const data = records();
      const [fromStore, fromObjects] = await Promise.all([
        collect(buildTopology(data), chunkSize),
        collect(buildObjectTopology(data), chunkSize),
      ]);
      assert.ok(fromStore.length > 10, `only ${fromStore.length} chunks`);
      assert.equal(fromObjects.length, fromStore.length);
      for (let i = 0; i < fromStore.length; i++) {
        assert.equal(JSON.stringify(fromObjects[i]), JSON.stringify(fromStore[i]), `chunk ${i}`);
      }
      const elements = fromStore.reduce((n, c) => n + c.elements.length, 0);
      assert.equal(elements, data.elements.length);
    });
  }

  it('a view derived from the store is read through its own methods', async () => {
    const built = buildTopology({
      elements: [
        { id: 'gn', type: 'global-network', name: 'global' },
        { id: 'cn', type: 'core-network' },
      ],
      connections: [{ type: 'contains', source: 'gn', target: 'cn' }],
    });
    const view: TopologyView = Object.create(built);
    (view as { name: (e: number) => string }).name = (e) => `renamed-${built.id(e)}`;
    const chunks = await collect(view, 10);
    assert.deepEqual(
      chunks.flatMap((c) => c.elements),
      [
        { id: 'gn', type: 'global-network', name: 'renamed-gn' },
        { id: 'cn', type: 'core-network', name: 'renamed-cn' },
      ],
    );
  });

  it('a view that is not the store holds a copy of its columns, counted in stateBytes', async () => {
    const view = buildObjectTopology(randomRecords(9, 50));
    const manager = new StreamingTopologyManager();
    for await (const _ of manager.streamChunks(view)) {
      // drain
    }
    const e = view.elementCount;
    const c = view.connectionCount;
    // Group marks 4 bytes per element and hub bits 1 bit; types 1 per element and 1 per connection;
    // connection ends 4 + 4; adjacency 4 per connection and 4 per element + 4, each way.
    const marks = 4 * e + Math.ceil(e / 8);
    assert.equal(manager.stats()?.stateBytes, marks + e + c + 8 * c + 2 * (4 * c + 4 * (e + 1)));
    const store = new StreamingTopologyManager();
    for await (const _ of store.streamChunks(buildTopology(randomRecords(9, 50)))) {
      // drain
    }
    assert.equal(store.stats()?.stateBytes, marks);
  });

  it('the connections phase lists links by source element, then in connection order', async () => {
    const el = (id: string, type: ElementRecord['type'], region?: string): ElementRecord =>
      region ? { id, type, region } : { id, type };
    const link = (type: ConnectionRecord['type'], source: string, target: string): ConnectionRecord => ({
      type,
      source,
      target,
    });
    const view = buildTopology({
      elements: [
        el('gn', 'global-network'),
        el('cn', 'core-network'),
        el('e1', 'edge', 'r1'),
        el('vpc1', 'vpc', 'r1'),
        el('vpc2', 'vpc', 'r1'),
        { id: 'prod', type: 'segment', segment: 'prod' },
        { id: 'a1', type: 'vpc-attachment', region: 'r1', segment: 'prod' },
        { id: 'a2', type: 'vpc-attachment', region: 'r1', segment: 'prod' },
      ],
      // Links of one attachment far apart, as generators and snapshots write them.
      connections: [
        link('attached-to', 'a2', 'e1'),
        link('attached-to', 'a1', 'e1'),
        link('contains', 'cn', 'prod'),
        link('attachment-of', 'a1', 'vpc1'),
        link('contains', 'gn', 'cn'),
        link('attachment-of', 'a2', 'vpc2'),
        link('member-of', 'a1', 'prod'),
      ],
    });
    const chunks = await collect(view, 100);
    const cross = chunks.find((c) => c.type === 'connections');
    assert.deepEqual(
      cross?.connections.map((c) => `${c.type}:${c.source}>${c.target}`),
      [
        'contains:gn>cn',
        'contains:cn>prod',
        'attached-to:a1>e1',
        'attachment-of:a1>vpc1',
        'attached-to:a2>e1',
        'attachment-of:a2>vpc2',
      ],
    );
  });
});
