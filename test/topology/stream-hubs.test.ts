/**
 * Hubs in the stream: an element with many incoming connections takes the ones from its own group
 * from the chunker's pending list instead of reading every source (stream/chunker.ts). The chunks
 * must be what reading every source gives: checked against a brute-force walk of the same rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectionRecord, ElementRecord, TopologyView } from '../../src/topology/model.js';
import { MAX_LINKS, PendingLinks } from '../../src/topology/stream/pending.js';
import { StreamingTopologyManager, type TopologyChunk } from '../../src/topology/stream.js';
import { buildObjectTopology, buildTopology, type TopologyRecords } from './helpers.js';

const EDGES = 60;
const ATTACHMENTS_PER_EDGE = 40;
const EXTRA = 4200;

/**
 * A core network whose edges are hubs: each meets every other edge (edge-mesh both ways, so about
 * 1,800 connections are pending in the core-network group, past the list's first size) and has 40
 * attachments from the segments group, plus a few repeated links and a self-loop.
 */
function hubRecords(): TopologyRecords {
  const elements: ElementRecord[] = [{ id: 'cn', type: 'core-network' }];
  const connections: ConnectionRecord[] = [];
  for (let e = 0; e < EDGES; e++) elements.push({ id: `e${e}`, type: 'edge', region: `r${e}` });
  elements.push({ id: 'prod', type: 'segment', segment: 'prod' });
  for (let e = 0; e < EDGES; e++) {
    for (let a = 0; a < ATTACHMENTS_PER_EDGE; a++) {
      const id = `a${e}-${a}`;
      elements.push({ id, type: 'vpc-attachment', region: `r${e}`, segment: 'prod' });
      connections.push({ type: 'attached-to', source: id, target: `e${e}` });
      connections.push({ type: 'member-of', source: id, target: 'prod' });
    }
  }
  // Links inside the group, in an order unlike the emission order, so the connection order shows.
  for (let e = EDGES - 1; e >= 0; e--) {
    for (let f = 0; f < EDGES; f++)
      if (f !== e) connections.push({ type: 'edge-mesh', source: `e${e}`, target: `e${f}` });
    connections.push({ type: 'contains', source: 'cn', target: `e${e}` });
  }
  connections.push({ type: 'edge-mesh', source: 'e3', target: 'e40' }); // a repeated pair
  connections.push({ type: 'edge-mesh', source: 'e7', target: 'e7' }); // a self-loop
  return { elements, connections };
}

/**
 * The rule read the slow way: in emission order, each element's outgoing connections to elements
 * already out in its chunk group (or itself), then its incoming ones from such elements, each list
 * in connection order.
 */
function bruteForce(view: TopologyView, order: number[]): string[] {
  const out = new Set<number>();
  const keys: string[] = [];
  const name = (c: number) =>
    `${view.connectionType(c)}:${view.id(view.connectionSource(c))}>${view.id(view.connectionTarget(c))}`;
  for (const element of order) {
    out.add(element);
    for (const c of view.outgoing(element)) {
      const target = view.connectionTarget(c);
      if (target === element || out.has(target)) keys.push(name(c));
    }
    for (const c of view.incoming(element)) {
      const source = view.connectionSource(c);
      if (source !== element && out.has(source)) keys.push(name(c));
    }
  }
  return keys;
}

async function collect(view: TopologyView, chunkSize: number): Promise<TopologyChunk[]> {
  const chunks: TopologyChunk[] = [];
  for await (const chunk of new StreamingTopologyManager().streamChunks(view, { chunkSize }))
    chunks.push(chunk);
  return chunks;
}

describe('hubs in the stream', () => {
  it('take their links from their own group in connection order, as reading every source would', async () => {
    const view = buildTopology(hubRecords());
    for (const chunkSize of [10_000, 37]) {
      const chunks = await collect(view, chunkSize);
      const core = chunks.filter((c) => c.type === 'core-network');
      const order = core.flatMap((c) => c.elements.map((e) => view.indexOf(e.id)));
      assert.equal(order.length, 1 + EDGES);
      const keys = core.flatMap((c) => c.connections.map((l) => `${l.type}:${l.source}>${l.target}`));
      // Every edge-mesh link both ways, the repeated one and the self-loop, and the contains links.
      assert.equal(keys.length, EDGES * (EDGES - 1) + 2 + EDGES);
      assert.deepEqual(keys, bruteForce(view, order));
      // The attachments' links to the hubs are not lost: they come with the connections phase.
      const cross = chunks.filter((c) => c.type === 'connections').flatMap((c) => c.connections);
      assert.equal(cross.filter((l) => l.type === 'attached-to').length, EDGES * ATTACHMENTS_PER_EDGE);
    }
  });

  it('read every source when their group has more pending links than the list holds', async () => {
    // 70,000 links from the core network to VPCs of a later group: past the list's 65,536 entries.
    const records = hubRecords();
    for (let v = 0; v < 70_000; v++) {
      records.elements.push({ id: `v${v}`, type: 'vpc' });
      records.connections?.push({ type: 'contains', source: 'cn', target: `v${v}` });
    }
    // And the last edge out a hub big enough (over 4,096 incoming) that a list that long would be
    // read for it, though the links from the edges before it came after the list was full.
    const last = EDGES - 1;
    for (let a = 0; a < EXTRA; a++) {
      records.elements.push({ id: `x${a}`, type: 'vpc-attachment', region: `r${last}`, segment: 'prod' });
      records.connections?.push({ type: 'attached-to', source: `x${a}`, target: `e${last}` });
    }
    const view = buildTopology(records);
    const chunks = await collect(view, 5000);
    const core = chunks.filter((c) => c.type === 'core-network');
    const order = core.flatMap((c) => c.elements.map((e) => view.indexOf(e.id)));
    const keys = core.flatMap((c) => c.connections.map((l) => `${l.type}:${l.source}>${l.target}`));
    assert.equal(keys.length, EDGES * (EDGES - 1) + 2 + EDGES);
    assert.deepEqual(keys, bruteForce(view, order));
    const vpcs = chunks.filter((c) => c.type === 'vpcs');
    assert.equal(
      vpcs.reduce((n, c) => n + c.connections.length, 0) +
        chunks.filter((c) => c.type === 'connections').reduce((n, c) => n + c.connections.length, 0),
      70_000 + EDGES * ATTACHMENTS_PER_EDGE + EXTRA,
    );
  });

  it('give the same chunks from the store and from a plain-object view', async () => {
    const records = hubRecords();
    const [fromStore, fromObjects] = await Promise.all([
      collect(buildTopology(records), 29),
      collect(buildObjectTopology(records), 29),
    ]);
    assert.equal(JSON.stringify(fromStore), JSON.stringify(fromObjects));
  });
});

describe('PendingLinks', () => {
  const take = (pending: PendingLinks, target: number) => {
    const n = pending.take(target); // first: the buffer may be replaced
    return Array.from(pending.taken.subarray(0, n));
  };

  it('gives each target exactly its links, once and in ascending order, through growth and a new group', () => {
    const pending = new PendingLinks();
    // 3,000 targets spread far apart and 6,000 links: past the first 1,024 slots and links.
    const target = (t: number) => t * 7919;
    for (let c = 0; c < 6000; c++) pending.add(target(c % 3000), c);
    assert.equal(pending.complete, true);
    for (let t = 0; t < 3000; t++) {
      assert.deepEqual(take(pending, target(t)), [t, t + 3000], `target ${t}`);
      assert.deepEqual(take(pending, target(t)), []);
    }
    assert.deepEqual(take(pending, 12345678), []);
    pending.add(target(1), 1);
    pending.reset();
    assert.deepEqual(take(pending, target(1)), [], 'a new group starts empty');
    // More links for one target than the buffer first holds, added out of order.
    const many = Array.from({ length: 100 }, (_, k) => (k * 37) % 101);
    for (const c of many) pending.add(7, c);
    assert.deepEqual(
      take(pending, 7),
      many.sort((a, b) => a - b),
    );
  });

  it('gives up, and says so, past MAX_LINKS links in one group; a new group starts over', () => {
    const pending = new PendingLinks();
    for (let c = 0; c < MAX_LINKS; c++) pending.add(c, c);
    assert.equal(pending.complete, true);
    pending.add(MAX_LINKS, MAX_LINKS);
    assert.equal(pending.complete, false);
    pending.reset();
    assert.equal(pending.complete, true);
    pending.add(5, 50);
    assert.deepEqual(take(pending, 5), [50]);
  });
});
