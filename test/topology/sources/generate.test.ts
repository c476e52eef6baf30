import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortedError, TopologyError } from '../../../src/errors.js';
import {
  type ElementFields,
  type IndexedPrefixRoute,
  TopologyBuilder,
} from '../../../src/topology/builder.js';
import { type Cidr, cidrContains, cidrsOverlap, parseCidr } from '../../../src/topology/cidr.js';
import {
  ATTACHMENT_TYPES,
  type ConnectionRecord,
  type ElementRecord,
  type TopologySink,
  type TopologyView,
} from '../../../src/topology/model.js';
import {
  type GenerateOptions,
  generateSteps,
  generateTopology,
  planGeneration,
} from '../../../src/topology/sources/generate.js';
import { CountingSink, RecordingSink } from './recording-sink.js';

function generate(
  options: GenerateOptions,
): RecordingSink & { summary: ReturnType<typeof generateTopology> } {
  const sink = new RecordingSink();
  const summary = generateTopology(options, sink);
  return Object.assign(sink, { summary });
}

function byType(sink: RecordingSink): Map<string, ElementRecord[]> {
  const map = new Map<string, ElementRecord[]>();
  for (const e of sink.elements) {
    const list = map.get(e.type) ?? [];
    list.push(e);
    map.set(e.type, list);
  }
  return map;
}

const count = (map: Map<string, ElementRecord[]>, type: string): number => map.get(type)?.length ?? 0;

describe('generateTopology: determinism', () => {
  it('gives identical records for the same seed', () => {
    const a = generate({ elements: 1500, seed: 42 });
    const b = generate({ elements: 1500, seed: 42 });
    assert.deepEqual(a.elements, b.elements);
    assert.deepEqual(a.connections, b.connections);
    assert.deepEqual(a.routes, b.routes);
    assert.deepEqual([...a.policies], [...b.policies]);
  });

  it('gives different topologies for different seeds, with the same counts', () => {
    const a = generate({ elements: 1500, seed: 1 });
    const b = generate({ elements: 1500, seed: 2 });
    assert.notDeepEqual(
      a.elements.map((e) => e.id),
      b.elements.map((e) => e.id),
    );
    assert.notDeepEqual(
      a.elements.map((e) => e.segment),
      b.elements.map((e) => e.segment),
    );
    assert.equal(a.elements.length, b.elements.length);
    assert.equal(a.connections.length, b.connections.length);
  });
});

describe('generateTopology: counts', () => {
  for (const elements of [1, 2, 3, 4, 7, 10, 33, 100, 999, 1000, 1001, 4321, 20_000]) {
    it(`writes exactly ${elements} elements, and exactly what planGeneration promised`, () => {
      const sink = new CountingSink();
      const summary = generateTopology({ elements }, sink);
      const plan = planGeneration({ elements });
      assert.equal(sink.elements, elements);
      assert.equal(summary.elements, elements);
      assert.equal(sink.connections, summary.connections);
      assert.equal(sink.connections, plan.connections, 'connections: plan and output differ');
      assert.equal(sink.routes, plan.routes, 'routes: plan and output differ');
      assert.equal(
        Object.values(summary.elementsByType).reduce((a, b) => a + b, 0),
        elements,
      );
    });
  }

  it('writes 2 connections per element by default and exactly the count asked for', () => {
    assert.equal(generate({ elements: 1000 }).connections.length, 2000);
    assert.equal(generate({ elements: 1000, connections: 3456 }).connections.length, 3456);
  });

  it('never writes fewer than the structural connections, and says what was asked', () => {
    const { summary } = generate({ elements: 1000, connections: 0 });
    assert.equal(summary.requestedConnections, 0);
    assert.ok(summary.connections > 1000, `structure alone has ${summary.connections}`);
    assert.equal(summary.connectionsByType.association, 5); // one per TGW route table attachment
    const more = generate({ elements: 1000, connections: 5000 }).summary;
    assert.equal(more.connectionsByType.association - 5, (5000 - summary.connections) / 2);
  });
});

describe('generateTopology: the mix at about 1,000 elements', () => {
  const sink = generate({ elements: 1000 });
  const types = byType(sink);

  it('reports per type exactly what it wrote', () => {
    const reported = Object.entries(sink.summary.elementsByType).filter(([, n]) => n > 0);
    const written = [...types].map(([type, list]) => [type, list.length]);
    assert.deepEqual(reported.sort(), written.sort());
  });

  it('has one global network, one core network, an edge per region and the segments', () => {
    assert.equal(count(types, 'global-network'), 1);
    assert.equal(count(types, 'core-network'), 1);
    assert.equal(count(types, 'edge'), 5);
    assert.deepEqual(
      types.get('edge')?.map((e) => e.region),
      ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'us-west-2', 'eu-central-1'],
    );
    assert.equal(count(types, 'segment'), 8);
    assert.equal(count(types, 'network-function-group'), 2);
  });

  it('has VPC attachments each with its VPC and subnets, and the other attachment kinds', () => {
    const vpcAttachments = count(types, 'vpc-attachment');
    assert.ok(vpcAttachments >= 250 && vpcAttachments <= 350, `${vpcAttachments} VPC attachments`);
    assert.equal(count(types, 'vpc'), vpcAttachments);
    assert.ok(count(types, 'subnet') >= vpcAttachments);
    assert.ok(count(types, 'vpn-attachment') >= 10);
    assert.ok(count(types, 'connect-attachment') >= 3);
    assert.equal(count(types, 'connect-peer'), 2 * count(types, 'connect-attachment'));
    assert.ok(count(types, 'dx-gateway') >= 2);
    assert.equal(count(types, 'dx-gateway-attachment'), count(types, 'dx-gateway'));
    const tgws = count(types, 'transit-gateway');
    assert.ok(tgws >= 3);
    assert.equal(count(types, 'tgw-route-table'), 2 * tgws);
    assert.equal(count(types, 'tgw-peering'), tgws);
    assert.equal(count(types, 'tgw-route-table-attachment'), tgws);
  });

  it('gives every VPC one or more subnets (contains connections)', () => {
    const subnets = new Map<string, number>();
    for (const c of sink.connections) {
      if (c.type === 'contains' && c.source.startsWith('vpc-'))
        subnets.set(c.source, (subnets.get(c.source) ?? 0) + 1);
    }
    for (const vpc of types.get('vpc') ?? [])
      assert.ok((subnets.get(vpc.id) ?? 0) >= 1, `${vpc.id} has no subnet`);
  });

  it('puts every attachment in a segment or function group and tags it to match', () => {
    const segments = new Set(types.get('segment')?.map((s) => s.name));
    const groups = new Set(types.get('network-function-group')?.map((s) => s.name));
    for (const e of sink.elements) {
      if (!ATTACHMENT_TYPES.includes(e.type)) continue;
      const segment = e.segment as string;
      if (groups.has(segment)) assert.deepEqual(e.tags, { nfg: segment }, e.id);
      else {
        assert.ok(segments.has(segment), `${e.id} is in unknown segment ${segment}`);
        assert.deepEqual(e.tags, { segment }, e.id);
      }
    }
    assert.equal(
      sink.elements.filter((e) => e.type === 'vpc-attachment' && groups.has(e.segment ?? '')).length,
      10,
    );
  });
});

describe('generateTopology: connections and routes', () => {
  const sink = generate({ elements: 3000, seed: 7 });
  const ids = new Map(sink.elements.map((e) => [e.id, e]));
  const at = (id: string): ElementRecord => {
    const e = ids.get(id);
    assert.ok(e, `no element ${id}`);
    return e;
  };

  it('has unique element ids', () => {
    assert.equal(ids.size, sink.elements.length);
  });

  it('joins element types the way each connection type means', () => {
    const allowed: Record<string, string[]> = {
      contains: [
        'global-network>core-network',
        'core-network>edge',
        'core-network>segment',
        'core-network>network-function-group',
        'transit-gateway>tgw-route-table',
        'vpc>subnet',
      ],
      'edge-mesh': ['edge>edge'],
      peering: ['tgw-peering>edge', 'tgw-peering>transit-gateway'],
      'connect-peer': ['connect-attachment>connect-peer'],
      transport: ['connect-attachment>vpc-attachment'],
      'attachment-of': [
        'vpc-attachment>vpc',
        'tgw-route-table-attachment>tgw-route-table',
        'dx-gateway-attachment>dx-gateway',
      ],
    };
    for (const c of sink.connections) {
      const source = at(c.source);
      const target = at(c.target);
      const pair = `${source.type}>${target.type}`;
      if (c.type === 'attached-to') {
        assert.ok(ATTACHMENT_TYPES.includes(source.type) && target.type === 'edge', pair);
        if (source.type !== 'dx-gateway-attachment') assert.equal(target.region, source.region, c.source);
      } else if (c.type === 'member-of') {
        assert.ok(ATTACHMENT_TYPES.includes(source.type), pair);
        assert.equal(target.name, source.segment, `${c.source} member of ${c.target}`);
      } else if (c.type === 'association' || c.type === 'propagation') {
        assert.ok(ATTACHMENT_TYPES.includes(source.type) && target.type === 'tgw-route-table', pair);
      } else {
        assert.ok(allowed[c.type]?.includes(pair), `${c.type}: ${pair}`);
      }
    }
  });

  it('meshes the edges fully: one edge-mesh connection per ordered pair of regions', () => {
    const mesh = sink.connections.filter((c) => c.type === 'edge-mesh').map((c) => `${c.source}>${c.target}`);
    const edges = sink.elements.filter((e) => e.type === 'edge').map((e) => e.id);
    assert.equal(new Set(mesh).size, edges.length * (edges.length - 1));
  });

  it('routes from existing tables to existing targets, with propagated routes matching propagations', () => {
    const propagations = new Set(
      sink.connections.filter((c) => c.type === 'propagation').map((c) => `${c.source}>${c.target}`),
    );
    assert.ok(sink.routes.length > 0);
    for (const r of sink.routes) {
      assert.equal(at(r.table).type, 'tgw-route-table');
      assert.ok(parseCidr(r.destination), r.destination);
      if (r.state === 'blackhole') {
        assert.equal(r.target, undefined);
        continue;
      }
      const target = at(r.target as string);
      if (r.origin === 'propagated') {
        assert.ok(
          propagations.has(`${target.id}>${r.table}`),
          `${target.id} does not propagate to ${r.table}`,
        );
        assert.ok(
          target.cidrs?.includes(r.destination),
          `${r.destination} is not advertised by ${target.id}`,
        );
      } else assert.equal(target.type, 'tgw-peering');
    }
    assert.ok(sink.routes.some((r) => r.state === 'blackhole'));
    assert.ok(sink.routes.some((r) => r.origin === 'static' && r.state === 'active'));
  });
});

describe('generateTopology: addresses', () => {
  function checkAddresses(sink: RecordingSink, expectedPrefix: number): void {
    const vpcs = new Map<string, Cidr>();
    const blocks: Array<{ id: string; cidr: Cidr }> = [];
    for (const e of sink.elements) {
      if (
        e.type !== 'vpc' &&
        e.type !== 'vpn-attachment' &&
        e.type !== 'dx-gateway-attachment' &&
        e.type !== 'connect-attachment'
      )
        continue;
      for (const text of e.cidrs ?? []) {
        const cidr = parseCidr(text);
        assert.ok(cidr, `${e.id}: ${text}`);
        blocks.push({ id: e.id, cidr });
        if (e.type === 'vpc') {
          vpcs.set(e.id, cidr);
          assert.equal(cidr.prefix, expectedPrefix, `${e.id}: ${text}`);
        }
      }
    }
    // Sorted by first address, no block may reach into the next one.
    const key = (c: Cidr): bigint =>
      c.words.reduce((a, w) => (a << 32n) | BigInt(w), BigInt(c.version) << 128n);
    blocks.sort((a, b) => (key(a.cidr) < key(b.cidr) ? -1 : 1));
    for (let i = 1; i < blocks.length; i++) {
      const a = blocks[i - 1] as { id: string; cidr: Cidr };
      const b = blocks[i] as { id: string; cidr: Cidr };
      assert.ok(!cidrsOverlap(a.cidr, b.cidr), `${a.id} and ${b.id} overlap`);
    }
    const byId = new Map(sink.elements.map((e) => [e.id, e]));
    for (const c of sink.connections) {
      if (c.type !== 'contains' || !vpcs.has(c.source)) continue;
      const vpc = vpcs.get(c.source) as Cidr;
      const subnet = byId.get(c.target);
      const cidr = parseCidr(subnet?.cidrs?.[0] ?? '');
      assert.ok(
        cidr && cidr.prefix > vpc.prefix && cidrContains(vpc, cidr),
        `${c.target} is not inside ${c.source}`,
      );
    }
  }

  it('gives each VPC a unique /16 at 1,000 elements, subnets inside, on-premises prefixes apart', () => {
    checkAddresses(generate({ elements: 1000 }), 16);
  });

  it('shrinks the blocks as the VPCs multiply (a /23 each at 100,000 elements)', () => {
    checkAddresses(generate({ elements: 100_000 }), 23);
  });

  it('gives VPC attachments their VPC block and hybrid attachments on-premises prefixes', () => {
    const sink = generate({ elements: 1000 });
    const vpcOf = new Map(
      sink.connections.filter((c) => c.type === 'attachment-of').map((c) => [c.source, c.target]),
    );
    const byId = new Map(sink.elements.map((e) => [e.id, e]));
    for (const e of sink.elements) {
      if (e.type === 'vpc-attachment') assert.deepEqual(e.cidrs, byId.get(vpcOf.get(e.id) as string)?.cidrs);
      if (e.type === 'vpn-attachment') {
        assert.equal(e.cidrs?.length, 2);
        for (const c of e.cidrs ?? [])
          assert.ok(cidrContains(parseCidr('172.16.0.0/12') as Cidr, parseCidr(c) as Cidr), c);
      }
    }
  });
});

describe('generateTopology: the policy', () => {
  const sink = generate({ elements: 1000 });
  const [coreId, policy] = [...sink.policies][0] ?? [];

  it('is set once, for the core network element, in version 2021.12', () => {
    assert.equal(sink.policies.size, 1);
    assert.equal(sink.elements.find((e) => e.type === 'core-network')?.id, coreId);
    assert.equal(policy?.version, '2021.12');
  });

  it('has the regions as edge locations and the generated segments and function groups', () => {
    const names = (type: string) => sink.elements.filter((e) => e.type === type).map((e) => e.name);
    assert.deepEqual(
      policy?.['core-network-configuration']['edge-locations'].map((l) => l.location),
      names('edge'),
    );
    assert.deepEqual(
      policy?.segments.map((s) => s.name),
      names('segment'),
    );
    assert.deepEqual(
      policy?.['network-function-groups']?.map((g) => g.name),
      names('network-function-group'),
    );
    assert.deepEqual(
      policy?.segments.filter((s) => s['isolate-attachments']).map((s) => s.name),
      ['production', 'sandbox', 'pci'],
    );
  });

  it('shares, creates a static route to a real attachment of its segment and a blackhole, and sends via a group', () => {
    const actions = policy?.['segment-actions'] ?? [];
    const share = actions.find((a) => a.action === 'share');
    assert.equal(share?.segment, 'shared');
    assert.deepEqual(share?.['share-with'], [
      'production',
      'hybrid',
      'development',
      'staging',
      'testing',
      'sandbox',
      'pci',
    ]);
    const routes = actions.filter((a) => a.action === 'create-route');
    const blackhole = routes.find((a) => a.destinations?.[0] === 'blackhole');
    assert.equal(blackhole?.segment, 'development');
    const staticRoute = routes.find((a) => a !== blackhole);
    const target = sink.elements.find((e) => e.id === staticRoute?.destinations?.[0]);
    assert.equal(target?.type, 'vpc-attachment');
    assert.equal(target?.segment, staticRoute?.segment);
    const sendVia = actions.find((a) => a.action === 'send-via');
    assert.equal(sendVia?.segment, 'production');
    assert.deepEqual(sendVia?.via?.['network-function-groups'], ['inspection']);
  });

  it('attaches by the segment tag the attachments carry, and adds nfg-tagged ones to their group', () => {
    const rules = policy?.['attachment-policies'] ?? [];
    assert.deepEqual(rules.at(-1)?.action, { 'association-method': 'tag', 'tag-value-of-key': 'segment' });
    assert.deepEqual(
      rules.slice(0, -1).map((r) => [r.conditions[0]?.value, r.action['add-to-network-function-group']]),
      [
        ['inspection', 'inspection'],
        ['egress', 'egress'],
      ],
    );
  });
});

describe('generateTopology: options', () => {
  const rejects = (options: unknown, pattern: RegExp) =>
    assert.throws(
      () => generateTopology(options as GenerateOptions, new CountingSink()),
      (error: unknown) =>
        error instanceof TopologyError && error.source === 'generator' && pattern.test(error.message),
    );

  it('names the option and the allowed range', () => {
    rejects({ elements: 0 }, /option elements must be a whole number from 1 to 50,000,000 \(got 0\)/);
    rejects({ elements: 1.5 }, /elements .*got 1\.5/);
    rejects({ elements: '10' }, /elements .*got "10"/);
    rejects({ elements: 50_000_001 }, /elements/);
    rejects({ elements: 10, connections: -1 }, /option connections/);
    rejects({ elements: 10, seed: -1 }, /option seed/);
    rejects({ elements: 10, seed: 2 ** 32 }, /option seed/);
    rejects({ elements: 10, regions: 0 }, /option regions must be a whole number from 1 to 30/);
    rejects({ elements: 10, regions: ['us-east-1', 'us-east-1'] }, /regions\[1\] repeats us-east-1/);
    rejects({ elements: 10, regions: ['moon-base'] }, /regions\[0\] is "moon-base", not a region name/);
    rejects({ element: 10 }, /element is not a generator option \(did you mean elements\?\)/);
  });

  it('uses the regions given', () => {
    const sink = generate({ elements: 500, regions: ['eu-west-3', 'sa-east-1'] });
    assert.deepEqual(
      sink.elements.filter((e) => e.type === 'edge').map((e) => e.id),
      ['edge-eu-west-3', 'edge-sa-east-1'],
    );
    assert.deepEqual(generate({ elements: 500, regions: 3 }).summary.regions, [
      'us-east-1',
      'eu-west-1',
      'ap-southeast-1',
    ]);
  });

  it('stops with AbortedError when the signal fires', () => {
    const controller = new AbortController();
    controller.abort();
    assert.throws(
      () => generateTopology({ elements: 100, signal: controller.signal }, new CountingSink()),
      AbortedError,
    );
  });

  it('steps in batches of at most 16,384 records, checking the signal between them', () => {
    const sink = new CountingSink();
    const controller = new AbortController();
    const steps = generateSteps({ elements: 100_000, signal: controller.signal }, sink);
    let previous = 0;
    for (let batch = 1; batch <= 3; batch++) {
      assert.equal(steps.next().done, false);
      const now = sink.elements + sink.connections + sink.routes;
      assert.equal(now - previous, 16_384, `batch ${batch}`);
      previous = now;
    }
    controller.abort();
    assert.throws(() => steps.next(), AbortedError);
    assert.equal(sink.elements, 3 * 16_384);
  });
});

/** Forwards the four TopologySink calls only, so the generator sees no index path and sends ids. */
function idsOnly(builder: TopologyBuilder): TopologySink {
  return {
    addElement: (e) => builder.addElement(e),
    addConnection: (c) => builder.addConnection(c),
    addRoute: (r) => builder.addRoute(r),
    setPolicy: (id, p) => builder.setPolicy(id, p),
  };
}

/** Counts the calls of the index path, so a test knows which path the generator took. */
class CountingBuilder extends TopologyBuilder {
  newElements = 0;
  connectionsByIndex = 0;
  routesByIndex = 0;
  override addNewElementFields(fields: ElementFields): void {
    this.newElements++;
    super.addNewElementFields(fields);
  }
  override addConnectionByIndexCode(type: number, source: number, target: number): void {
    this.connectionsByIndex++;
    super.addConnectionByIndexCode(type, source, target);
  }
  override addRouteByIndexPrefix(route: IndexedPrefixRoute): void {
    this.routesByIndex++;
    super.addRouteByIndexPrefix(route);
  }
}

/** Every connection and route of a store, with ids for ends: equal lists mean the same topology. */
function links(view: TopologyView): { connections: string[]; routes: string[] } {
  const connections: string[] = [];
  for (let c = 0; c < view.connectionCount; c++) {
    const [s, t] = [view.connectionSource(c), view.connectionTarget(c)];
    connections.push(`${view.connectionType(c)} ${view.id(s)}@${s} ${view.id(t)}@${t}`);
  }
  const routes: string[] = [];
  for (let r = 0; r < view.routeCount; r++) {
    const { table, destination, target, state, origin } = view.route(r);
    const to = target < 0 ? '-' : `${view.id(target)}@${target}`;
    routes.push(`${view.id(table)}@${table} ${destination} ${to} ${state} ${origin}`);
  }
  return { connections, routes };
}

describe('generateTopology into a TopologyBuilder: links by element index', () => {
  const cases: GenerateOptions[] = [
    ...[1, 2, 3, 4, 5, 6, 7, 10, 33, 100, 999, 1000, 4321, 20_000].map((elements) => ({ elements })),
    { elements: 1000, connections: 0 },
    { elements: 1000, connections: 7000 },
    { elements: 800, regions: 1 },
    { elements: 3000, regions: ['eu-west-1', 'us-east-1', 'ap-south-1'], seed: 7 },
  ];
  for (const options of cases) {
    it(`gives the same store as ids do: ${JSON.stringify(options)}`, () => {
      const fast = new CountingBuilder();
      const summary = generateTopology(options, fast);
      const slow = new TopologyBuilder();
      generateTopology(options, idsOnly(slow));
      const [a, b] = [fast.build(), slow.build()];
      assert.equal(fast.newElements, summary.elements);
      assert.equal(fast.connectionsByIndex, summary.connections);
      assert.equal(fast.routesByIndex, summary.routes);
      assert.equal(a.connectionCount, summary.connections);
      assert.equal(a.routeCount, summary.routes);
      assert.deepEqual(links(a), links(b));
      // Elements went in as fields, not records: every element, and every byte, must be the same.
      for (let e = 0; e < a.elementCount; e++) assert.deepEqual(a.element(e), b.element(e), `element ${e}`);
      assert.deepEqual(a.byteSize(), b.byteSize());
      assert.deepEqual([a.regions(), a.segments()], [b.regions(), b.segments()]);
    });
  }

  it('counts from the elements the builder already holds', () => {
    const fast = new CountingBuilder();
    const slow = new TopologyBuilder();
    for (const b of [fast, slow]) {
      b.addElement({ id: 'vpc-mine', type: 'vpc' });
      b.addElement({ id: 'subnet-mine', type: 'subnet' });
    }
    const summary = generateTopology({ elements: 1200, seed: 3 }, fast);
    generateTopology({ elements: 1200, seed: 3 }, idsOnly(slow));
    // Its ids could clash with the ones there, so they are checked one by one; links go by index.
    assert.equal(fast.newElements, 0);
    assert.equal(fast.connectionsByIndex, summary.connections);
    const store = fast.build();
    assert.deepEqual(links(store), links(slow.build()));
    // The first generated element (the global network) is at index 2, and its connection says so.
    assert.equal(store.connectionSource(0), 2);
    assert.equal(store.type(2), 'global-network');
  });

  it('falls back to ids when the builder refused a generated element (a duplicate id)', () => {
    const generated = new RecordingSink();
    generateTopology({ elements: 500 }, generated);
    const taken = generated.elements[40] as ElementRecord;
    const warnings: string[] = [];
    const fast = new CountingBuilder({ lenient: true, onWarning: (w) => warnings.push(w.message) });
    fast.addElement({ id: taken.id, type: taken.type });
    const summary = generateTopology({ elements: 500 }, fast);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /duplicate element id/);
    assert.equal(fast.connectionsByIndex, 0);
    assert.equal(fast.routesByIndex, 0);
    const store = fast.build();
    // Every link still names the right element: the one already there takes the refused one's place.
    assert.equal(store.connectionCount, summary.connections);
    const byId = new Map(generated.elements.map((e) => [e.id, e]));
    for (let c = 0; c < store.connectionCount; c++) {
      const record = generated.connections[c] as ConnectionRecord;
      assert.equal(store.id(store.connectionSource(c)), record.source);
      assert.equal(store.id(store.connectionTarget(c)), record.target);
      assert.ok(byId.has(record.source));
    }
  });
});
