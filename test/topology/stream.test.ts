import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, MemoryPressureError, TopologyError } from '../../src/errors.js';
import { MemoryLimiter } from '../../src/memory/limiter.js';
import {
  type ConnectionRecord,
  ELEMENT_TYPES,
  type ElementRecord,
  type TopologyView,
} from '../../src/topology/model.js';
import { type ChunkStats, StreamingTopologyManager, type TopologyChunk } from '../../src/topology/stream.js';
import { buildTopology } from './helpers.js';

const el = (id: string, type: ElementRecord['type'], extra: Partial<ElementRecord> = {}): ElementRecord => ({
  id,
  type,
  ...extra,
});
const link = (type: ConnectionRecord['type'], source: string, target: string): ConnectionRecord => ({
  type,
  source,
  target,
});

/** A small Cloud WAN: two regions, two segments, one function group, a connect peer, a DX gateway. */
function scenario(): TopologyView {
  const east = { region: 'us-east-1' };
  const west = { region: 'eu-west-1' };
  return buildTopology({
    elements: [
      el('gn', 'global-network'),
      el('cn', 'core-network'),
      el('e1', 'edge', east),
      el('e2', 'edge', west),
      el('tgw1', 'transit-gateway', east),
      el('rtb1', 'tgw-route-table', east),
      el('p1', 'tgw-peering', east),
      el('vpc1', 'vpc', { ...east, cidrs: ['10.1.0.0/16'] }),
      el('s1', 'subnet', { ...east, cidrs: ['10.1.0.0/24'] }),
      el('vpc2', 'vpc', west),
      el('s2', 'subnet', west),
      el('vpc3', 'vpc', east),
      el('vpc4', 'vpc'), // no region: swept up after the regions
      el('prod', 'segment', { segment: 'prod', name: 'prod' }),
      el('dev', 'segment', { segment: 'dev', name: 'dev' }),
      el('a1', 'vpc-attachment', { ...east, segment: 'prod' }),
      el('a2', 'vpc-attachment', { ...west, segment: 'dev' }),
      el('ca', 'connect-attachment', { ...east, segment: 'prod' }),
      el('cp1', 'connect-peer'),
      el('dxa', 'dx-gateway-attachment', { ...east, segment: 'prod' }),
      el('dxgw', 'dx-gateway'),
      el('insp', 'network-function-group', { segment: 'inspection', name: 'inspection' }),
      el('a3', 'vpc-attachment', { ...east, segment: 'inspection' }),
    ],
    connections: [
      link('contains', 'gn', 'cn'),
      link('contains', 'cn', 'e1'),
      link('contains', 'cn', 'e2'),
      link('edge-mesh', 'e1', 'e2'),
      link('edge-mesh', 'e2', 'e1'),
      link('contains', 'tgw1', 'rtb1'),
      link('peering', 'p1', 'e1'),
      link('peering', 'p1', 'tgw1'),
      link('contains', 'vpc1', 's1'),
      link('contains', 'vpc2', 's2'),
      link('contains', 'cn', 'prod'),
      link('contains', 'cn', 'dev'),
      link('attached-to', 'a1', 'e1'),
      link('attachment-of', 'a1', 'vpc1'),
      link('member-of', 'a1', 'prod'),
      link('attached-to', 'a2', 'e2'),
      link('attachment-of', 'a2', 'vpc2'),
      link('member-of', 'a2', 'dev'),
      link('member-of', 'ca', 'prod'),
      link('connect-peer', 'ca', 'cp1'),
      link('transport', 'ca', 'a1'),
      link('member-of', 'dxa', 'prod'),
      link('attachment-of', 'dxa', 'dxgw'),
      link('member-of', 'a3', 'insp'),
      link('attached-to', 'a3', 'e1'),
      link('attachment-of', 'a3', 'vpc3'),
    ],
  });
}

async function collect(iterable: AsyncIterable<TopologyChunk>): Promise<TopologyChunk[]> {
  const chunks: TopologyChunk[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return chunks;
}

const key = (c: ConnectionRecord) => `${c.type}:${c.source}>${c.target}`;
const keys = (chunk: TopologyChunk) => chunk.connections.map(key).sort();

/** Every element and every connection exactly once, and no connection before both of its ends. */
function assertComplete(view: TopologyView, chunks: TopologyChunk[], chunkSize: number): void {
  const seen = new Set<string>();
  const connections = new Map<string, number>();
  for (const chunk of chunks) {
    assert.ok(chunk.elements.length + chunk.connections.length <= chunkSize, `${chunk.id} too big`);
    assert.ok(chunk.elements.length + chunk.connections.length > 0, `${chunk.id} empty`);
    for (const e of chunk.elements) {
      assert.ok(!seen.has(e.id), `${e.id} emitted twice`);
      seen.add(e.id);
    }
    for (const c of chunk.connections) {
      assert.ok(seen.has(c.source) && seen.has(c.target), `${key(c)} arrived before its ends`);
      connections.set(key(c), (connections.get(key(c)) ?? 0) + 1);
    }
  }
  assert.equal(seen.size, view.elementCount);
  const expected = new Map<string, number>();
  for (let c = 0; c < view.connectionCount; c++) {
    const k = `${view.connectionType(c)}:${view.id(view.connectionSource(c))}>${view.id(view.connectionTarget(c))}`;
    expected.set(k, (expected.get(k) ?? 0) + 1);
  }
  assert.deepEqual(connections, expected);
  const priorities = chunks.map((c) => c.priority);
  assert.deepEqual(
    priorities,
    [...priorities].sort((a, b) => a - b),
    'chunk types in stream order',
  );
  assert.deepEqual(
    chunks.map((c) => c.metadata.batchIndex),
    chunks.map((_, i) => i),
  );
}

describe('StreamingTopologyManager.streamChunks', () => {
  it('emits the groups in order, each element with the connections inside its group', async () => {
    const view = scenario();
    const chunks = await collect(new StreamingTopologyManager().streamChunks(view, { chunkSize: 100 }));
    const summary = chunks.map((c) => ({
      type: c.type,
      where: c.metadata.region ?? c.metadata.segment,
      elements: c.elements.map((e) => e.id),
    }));
    assert.deepEqual(summary, [
      { type: 'global-network', where: undefined, elements: ['gn'] },
      { type: 'core-network', where: undefined, elements: ['cn', 'e1', 'e2'] },
      { type: 'transit-gateways', where: 'us-east-1', elements: ['tgw1', 'rtb1', 'p1'] },
      { type: 'vpcs', where: 'eu-west-1', elements: ['vpc2', 's2'] },
      { type: 'vpcs', where: 'us-east-1', elements: ['vpc1', 's1', 'vpc3'] },
      { type: 'vpcs', where: undefined, elements: ['vpc4'] },
      { type: 'segments', where: 'dev', elements: ['dev', 'a2'] },
      { type: 'segments', where: 'prod', elements: ['prod', 'a1', 'ca', 'cp1', 'dxa', 'dxgw'] },
      { type: 'connections', where: undefined, elements: [] },
      { type: 'network-function-groups', where: 'inspection', elements: ['insp', 'a3'] },
    ]);
    const at = (i: number) => chunks[i] as TopologyChunk;
    const [global, core, tgw, west, east, dev, prod, cross, nfg] = [0, 1, 2, 3, 4, 6, 7, 8, 9].map(at) as [
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
      TopologyChunk,
    ];
    assert.deepEqual(keys(global), []);
    assert.deepEqual(keys(core), ['contains:cn>e1', 'contains:cn>e2', 'edge-mesh:e1>e2', 'edge-mesh:e2>e1']);
    assert.deepEqual(keys(tgw), ['contains:tgw1>rtb1', 'peering:p1>tgw1']);
    assert.deepEqual(keys(west), ['contains:vpc2>s2']);
    assert.deepEqual(keys(east), ['contains:vpc1>s1']);
    assert.deepEqual(keys(dev), ['member-of:a2>dev']);
    assert.deepEqual(keys(prod), [
      'attachment-of:dxa>dxgw',
      'connect-peer:ca>cp1',
      'member-of:a1>prod',
      'member-of:ca>prod',
      'member-of:dxa>prod',
      'transport:ca>a1',
    ]);
    // Between groups, both ends out: everything but the function group attachment's links.
    assert.deepEqual(keys(cross), [
      'attached-to:a1>e1',
      'attached-to:a2>e2',
      'attachment-of:a1>vpc1',
      'attachment-of:a2>vpc2',
      'contains:cn>dev',
      'contains:cn>prod',
      'contains:gn>cn',
      'peering:p1>e1',
    ]);
    assert.deepEqual(keys(nfg), ['attached-to:a3>e1', 'attachment-of:a3>vpc3', 'member-of:a3>insp']);
    assert.deepEqual(nfg.metadata, { batchIndex: 9, totalElements: 23, segment: 'inspection' });
    assert.equal(nfg.priority, 6);
    assert.equal(global.priority, 0);
    assert.deepEqual(
      chunks.map((c) => c.id),
      [
        '0:global-network',
        '1:core-network',
        '2:transit-gateways:us-east-1',
        '3:vpcs:eu-west-1',
        '4:vpcs:us-east-1',
        '5:vpcs',
        '6:segments:dev',
        '7:segments:prod',
        '8:connections',
        '9:network-function-groups:inspection',
      ],
    );
    assertComplete(view, chunks, 100);
  });

  it('attachments of a function group that only the policy names stream with that group', async () => {
    const view = buildTopology({
      elements: [
        el('core', 'core-network'),
        el('fw1', 'vpc-attachment', { region: 'us-east-1', segment: 'firewall' }),
        el('a1', 'vpc-attachment', { region: 'us-east-1', segment: 'prod' }),
      ],
      policies: {
        core: {
          version: '2021.12',
          'core-network-configuration': { 'asn-ranges': ['64512-64520'], 'edge-locations': [] },
          segments: [{ name: 'prod' }],
          'network-function-groups': [{ name: 'firewall' }],
        },
      },
    });
    const chunks = await collect(new StreamingTopologyManager().streamChunks(view));
    assert.deepEqual(
      chunks.map((c) => [c.type, c.metadata.segment, c.elements.map((e) => e.id)]),
      [
        ['core-network', undefined, ['core']],
        ['segments', 'prod', ['a1']],
        ['network-function-groups', 'firewall', ['fw1']],
      ],
    );
  });

  it('records leave out fields the element does not have', async () => {
    const chunks = await collect(new StreamingTopologyManager().streamChunks(scenario()));
    const all = chunks.flatMap((c) => c.elements);
    // Store records read their fields on demand (store/stored-element.ts): compared as JSON and
    // field by field, since they are not plain objects.
    const vpc1 = all.find((e) => e.id === 'vpc1');
    assert.deepEqual(JSON.parse(JSON.stringify(vpc1)), {
      id: 'vpc1',
      type: 'vpc',
      region: 'us-east-1',
      cidrs: ['10.1.0.0/16'],
    });
    assert.equal(vpc1?.region, 'us-east-1');
    assert.deepEqual(vpc1?.cidrs, ['10.1.0.0/16']);
    assert.equal(vpc1?.name, undefined);
    assert.equal(vpc1?.tags, undefined);
    const cp1 = all.find((e) => e.id === 'cp1');
    assert.deepEqual(Object.keys(cp1 ?? {}), ['id', 'type']);
    assert.equal(JSON.stringify(cp1), '{"id":"cp1","type":"connect-peer"}');
  });

  it('splits groups at chunkSize records and still emits everything exactly once', async () => {
    const view = scenario();
    for (const chunkSize of [1, 2, 3, 7]) {
      const chunks = await collect(new StreamingTopologyManager().streamChunks(view, { chunkSize }));
      assertComplete(view, chunks, chunkSize);
    }
    const ones = await collect(new StreamingTopologyManager().streamChunks(view, { chunkSize: 1 }));
    assert.equal(ones.length, view.elementCount + view.connectionCount);
  });

  it('covers a generated topology with hubs, self-loops, repeated pairs and unplaced elements', async () => {
    const view = randomTopology(1500, 4000, 7);
    const chunks = await collect(new StreamingTopologyManager().streamChunks(view, { chunkSize: 50 }));
    assertComplete(view, chunks, 50);
  });

  it('reports each chunk and a summary', async () => {
    const view = scenario();
    const seen: ChunkStats[] = [];
    const manager = new StreamingTopologyManager({ onChunkStats: (s) => seen.push(s) });
    assert.equal(manager.stats(), undefined);
    const chunks = await collect(manager.streamChunks(view, { chunkSize: 5 }));
    assert.equal(seen.length, chunks.length);
    assert.deepEqual(
      seen.map((s) => [s.id, s.records]),
      chunks.map((c) => [c.id, c.elements.length + c.connections.length]),
    );
    assert.ok(seen.every((s) => s.ms >= 0 && s.heapUsedBytes > 0));
    const stats = manager.stats();
    assert.ok(stats);
    assert.equal(stats.outcome, 'complete');
    assert.equal(stats.chunks, chunks.length);
    assert.equal(stats.elements, 23);
    assert.equal(stats.connections, 26);
    assert.equal(stats.stateBytes, 23 * 4 + 3); // one group mark and one hub bit per element
    assert.equal(stats.pressureWaits, 0);
    assert.equal(stats.breaker.state, 'closed');
    assert.equal(stats.breaker.successes, chunks.length + 1); // the last call finds the end
  });

  it('prepares up to `concurrency` chunks ahead of a slow consumer', async () => {
    const { maxAhead, manager } = await measureAhead(undefined, 3);
    assert.equal(maxAhead, 3);
    assert.equal(manager.stats()?.pressureWaits, 0);
  });

  it('under HIGH pressure waits until the chunks in flight are consumed before preparing more', async () => {
    const limiter = fakeLimiter(0.8); // 80% of the budget: HIGH
    const { maxAhead, manager, chunks } = await measureAhead(limiter, 3);
    assert.equal(maxAhead, 1); // only ever the chunk the consumer is waiting for
    assert.equal(manager.stats()?.pressureWaits, chunks + 1); // also before finding the end
    limiter.close();
  });

  it('stops with the breaker error when pressure reaches CRITICAL', async () => {
    const limiter = fakeLimiter(0.9);
    const manager = new StreamingTopologyManager({ limiter });
    await assert.rejects(collect(manager.streamChunks(scenario())), (error: unknown) => {
      assert.ok(error instanceof MemoryPressureError);
      assert.match(error.message, /CRITICAL/);
      return true;
    });
    assert.equal(manager.stats()?.outcome, 'failed');
    assert.equal(manager.stats()?.breaker.state, 'open');
    limiter.close();
  });

  it('honours memoryThresholdMb like pressure', async () => {
    const manager = new StreamingTopologyManager();
    const chunks = await collect(manager.streamChunks(scenario(), { memoryThresholdMb: 1 }));
    assert.equal(chunks.length, 10);
    assert.equal(manager.stats()?.pressureWaits, 11);
  });

  it('throws AbortedError when the signal fires, and stops preparing', async () => {
    const controller = new AbortController();
    const manager = new StreamingTopologyManager();
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of manager.streamChunks(scenario(), {
          chunkSize: 2,
          signal: controller.signal,
        })) {
          received.push(chunk.id);
          controller.abort();
        }
      })(),
      (error: unknown) => error instanceof AbortedError && error.code === 'HR_ABORTED',
    );
    assert.deepEqual(received, ['0:global-network']);
    assert.equal(manager.stats()?.outcome, 'failed');
    assert.ok((manager.stats()?.chunks ?? 0) <= 3);

    const aborted = AbortSignal.abort();
    await assert.rejects(collect(manager.streamChunks(scenario(), { signal: aborted })), AbortedError);
  });

  it('lets timers run during a long stream, so a timeout can abort it', async () => {
    const view = randomTopology(3000, 6000, 11);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1);
    let received = 0;
    await assert.rejects(
      (async () => {
        // A consumer that never awaits anything of its own.
        for await (const _ of new StreamingTopologyManager().streamChunks(view, {
          chunkSize: 1,
          signal: controller.signal,
        })) {
          received++;
        }
      })(),
      AbortedError,
    );
    assert.ok(received < view.elementCount + view.connectionCount, `received all ${received} chunks`);
  });

  it('a consumer that leaves early stops the producer', async () => {
    const manager = new StreamingTopologyManager();
    for await (const chunk of manager.streamChunks(scenario(), { chunkSize: 1, concurrency: 2 })) {
      assert.equal(chunk.id, '0:global-network');
      break;
    }
    const stats = manager.stats();
    assert.equal(stats?.outcome, 'stopped');
    assert.ok((stats?.chunks ?? 0) <= 3, `prepared ${stats?.chunks}`);
  });

  it('a connection with an end outside the topology is an error, not a silent gap', async () => {
    const built = buildTopology({
      elements: [el('a', 'vpc'), el('b', 'subnet')],
      connections: [link('contains', 'a', 'b'), link('contains', 'b', 'a')],
    });
    // Stores refuse such connections when built; a view that still has one must not be streamed short.
    const view: TopologyView = Object.create(built);
    (view as { connectionTarget: (c: number) => number }).connectionTarget = (c) =>
      c === 1 ? -1 : built.connectionTarget(c);
    await assert.rejects(collect(new StreamingTopologyManager().streamChunks(view)), (error: unknown) => {
      assert.ok(error instanceof TopologyError);
      assert.match(error.message, /connection 1 \(contains\) has an end that is not an element/);
      return true;
    });
  });

  it('rejects bad options with the option named', async () => {
    const manager = new StreamingTopologyManager();
    await assert.rejects(
      collect(manager.streamChunks(scenario(), { chunkSize: 0 })),
      /chunkSize must be an integer >= 1/,
    );
    await assert.rejects(collect(manager.streamChunks(scenario(), { concurrency: 1.5 })), /concurrency/);
    await assert.rejects(
      collect(manager.streamChunks(scenario(), { memoryThresholdMb: -1 })),
      /memoryThresholdMb must be a positive number/,
    );
  });
});

/** A limiter whose usage is a fixed share of a 1,000-byte budget. */
function fakeLimiter(ratio: number): MemoryLimiter {
  return new MemoryLimiter({
    budgetBytes: 1000,
    readUsage: () => ratio * 1000,
    gcTrigger: 'never',
    sampleEvery: 1,
  });
}

/**
 * Streams the scenario in chunks of 4 records to a consumer that takes 2 ms per chunk, and returns
 * the most chunks ever prepared but not yet handed to the consumer (counting the one just prepared).
 */
async function measureAhead(limiter: MemoryLimiter | undefined, concurrency: number) {
  let prepared = 0;
  let handed = 0;
  let maxAhead = 0;
  const manager = new StreamingTopologyManager({
    ...(limiter ? { limiter } : {}),
    onChunkStats: () => {
      prepared++;
      maxAhead = Math.max(maxAhead, prepared - handed);
    },
  });
  let chunks = 0;
  for await (const _ of manager.streamChunks(scenario(), { chunkSize: 4, concurrency })) {
    handed++;
    chunks++;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { maxAhead, manager, chunks };
}

/** A seeded random topology of every element type, with hubs, self-loops and repeated pairs. */
function randomTopology(elements: number, connections: number, seed: number): TopologyView {
  let state = seed;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const types: readonly ElementRecord['type'][] = ELEMENT_TYPES;
  const regions = ['r1', 'r2', 'r3', undefined];
  const segments = ['s1', 's2', 'f1', 'ghost', undefined];
  const records: ElementRecord[] = [];
  for (let i = 0; i < elements; i++) {
    const type = types[random(types.length)] as ElementRecord['type'];
    const record: ElementRecord = { id: `x${i}`, type };
    const region = regions[random(regions.length)];
    if (region) record.region = region;
    if (type === 'segment') record.segment = random(2) ? 's1' : 's2';
    else if (type === 'network-function-group') record.segment = 'f1';
    else {
      const segment = segments[random(segments.length)];
      if (segment) record.segment = segment;
    }
    records.push(record);
  }
  const links: ConnectionRecord[] = [];
  const kinds: ConnectionRecord['type'][] = [
    'contains',
    'member-of',
    'attachment-of',
    'connect-peer',
    'peering',
  ];
  for (let c = 0; c < connections; c++) {
    // A third of the links touch one of three hubs.
    const source = random(3) === 0 ? random(3) : random(elements);
    const target = random(50) === 0 ? source : random(elements);
    links.push(link(kinds[random(kinds.length)] as ConnectionRecord['type'], `x${source}`, `x${target}`));
  }
  return buildTopology({ elements: records, connections: links });
}
