import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../../../src/errors.js';
import { renderTopology, renderTopologyTo } from '../../../src/topology/render/index.js';
import { cloudWan, manyAttachments, mermaidText, parseMermaid } from './scenario.js';

/** Output bound for the default 150 nodes with realistic names; also under Mermaid's default maxTextSize of 50,000. */
const BOUND_BYTES = 40_000;

const bytes = (text: string) => Buffer.byteLength(text);
/** Edges as sorted text; an undirected edge reads the same either way round. */
const arrowsOf = (text: string) =>
  parseMermaid(text)
    .edges.map((e) => {
      const [from, to] = e.arrow.endsWith('>') || e.from < e.to ? [e.from, e.to] : [e.to, e.from];
      return `${from} ${e.arrow}${e.label ? ` ${e.label}` : ''} ${to}`;
    })
    .sort();
const labels = (text: string) => [...parseMermaid(text).nodes.values()].map(mermaidText);

const small = () =>
  cloudWan([
    { id: 'a1', region: 'us-east-1', segment: 'prod', name: 'payments' },
    { id: 'a2', region: 'eu-west-1', segment: 'dev' },
    { id: 'a3', region: 'us-east-1', segment: 'shared', type: 'vpn-attachment' },
    { id: 'a4', region: 'us-east-1', segment: 'inspection' },
  ]);

describe('renderTopology: a small topology in full', () => {
  it('draws every element, every connection once, and the policy links', async () => {
    const view = small();
    const output = await renderTopology(view, { format: 'mermaid' });
    const shape = parseMermaid(output);
    assert.equal(shape.nodes.size, view.elementCount);
    assert.deepEqual(shape.subgraphs, ['region eu-west-1', 'region us-east-1']);
    const text = labels(output);
    assert.ok(text.includes('payments\nvpc-attachment'), 'named element: name and type');
    assert.ok(text.includes('a3\nvpn-attachment'), 'unnamed element: id and type');
    assert.ok(text.includes('prod\nsegment\nisolated attachments'));
    const arrows = arrowsOf(output);
    assert.deepEqual(
      arrows.filter((a) => a.includes(' share ')),
      ['n_s_dev --- share n_s_shared', 'n_s_prod --- share n_s_shared'],
    );
    assert.ok(arrows.includes('n_s_prod -.-> send-via n_f_inspection'));
    assert.equal(arrows.filter((a) => a === 'n_e_edge_euw1 --- n_e_edge_use1').length, 1);
    // 2 shares + send-via + mesh pair + 3 contains + 2 peering + 3 per attachment
    assert.equal(shape.edges.length, 2 + 1 + 1 + 3 + 2 + 12);
    assert.ok(arrows.includes('n_e_a4 --> member-of n_f_inspection'));
  });
});

describe('renderTopology: a large topology', () => {
  const view = cloudWan(manyAttachments(20_000));

  it('draws an overview: core network, edges, segments with counts, function groups, peered TGWs', async () => {
    const text = await renderTopology(view, { format: 'mermaid' });
    assert.ok(bytes(text) < BOUND_BYTES, `${bytes(text)} bytes`);
    const shape = parseMermaid(text);
    assert.deepEqual(labels(text).sort(), [
      'core\ncore-network\nASN 64512-64555',
      'dev\nsegment\n6000 vpc, 667 vpn',
      'edge-euw1\nedge\neu-west-1\nASN 64513',
      'edge-use1\nedge\nus-east-1\nASN 64512',
      'global\nglobal-network',
      'inspection\nnetwork function group\nno attachments',
      'legacy-tgw\ntransit-gateway\nus-east-1',
      'prod\nsegment, isolated attachments\n6000 vpc, 667 vpn',
      'shared\nsegment\n6000 vpc, 666 vpn',
    ]);
    assert.deepEqual(shape.subgraphs, ['core network core', 'segments', 'network function groups']);
    assert.deepEqual(arrowsOf(text), [
      'n_e_edge_euw1 --- n_e_edge_use1',
      'n_e_edge_use1 --- peering n_e_tgw_1',
      'n_e_gn_1 --> n_e_core_1',
      'n_s_dev --- share n_s_shared',
      'n_s_prod --- share n_s_shared',
      'n_s_prod -.-> send-via n_f_inspection',
    ]);
  });

  it('drills into a segment: attachments by region with their VPCs, the rest summarized', async () => {
    const text = await renderTopology(view, { format: 'mermaid', segment: 'prod' });
    assert.ok(bytes(text) < BOUND_BYTES, `${bytes(text)} bytes`);
    const shape = parseMermaid(text);
    assert.ok(shape.nodes.size <= 150, `${shape.nodes.size} nodes`);
    // prod is every third attachment: i = 0 mod 6 in us-east-1, i = 3 mod 6 in eu-west-1.
    assert.deepEqual(shape.subgraphs, [
      'region eu-west-1 (3333 attachments)',
      'region us-east-1 (3334 attachments)',
    ]);
    const text2 = labels(text);
    assert.ok(text2.includes('shared\nsegment'), 'shares with shared');
    assert.ok(text2.includes('inspection\nnetwork function group'), 'sends via inspection');
    const shown = text2.filter((l) => /\n(vpc|vpn)-attachment$/.test(l)).length;
    const vpcs = text2.filter((l) => l.endsWith('\nvpc\n10.0.0.0/24')).length;
    assert.equal(vpcs, shown, 'each attachment with its VPC');
    let hidden = 0;
    for (const l of text2.filter((x) => x.startsWith('+'))) {
      for (const m of l.matchAll(/\+(\d+) more (vpc|vpn)-attachments/g)) hidden += Number(m[1]);
    }
    assert.equal(shown + hidden, 6667);
    assert.ok(shown > 50, `${shown} attachments shown`);
  });

  it('drills into a region: attachments by segment', async () => {
    const text = await renderTopology(view, { format: 'mermaid', region: 'eu-west-1' });
    assert.ok(bytes(text) < BOUND_BYTES, `${bytes(text)} bytes`);
    const shape = parseMermaid(text);
    assert.ok(shape.nodes.size <= 150);
    assert.deepEqual(shape.subgraphs, [
      // eu-west-1 holds the odd attachments: dev i = 1, prod i = 3, shared i = 5 (mod 6)
      'segment dev (3334 attachments)',
      'segment prod (3333 attachments)',
      'segment shared (3333 attachments)',
    ]);
    assert.ok(labels(text).includes('edge-euw1\nedge\neu-west-1\nASN 64513'));
    assert.ok(labels(text).every((l) => !l.includes('us-east-1') || l.startsWith('+')));
  });

  it('keeps the output size flat as the topology grows tenfold', async () => {
    const smaller = cloudWan(manyAttachments(2_000));
    for (const options of [{}, { segment: 'prod' }, { region: 'us-east-1' }]) {
      const a = bytes(await renderTopology(smaller, { format: 'dot', ...options }));
      const b = bytes(await renderTopology(view, { format: 'dot', ...options }));
      assert.ok(Math.abs(a - b) < 200, `${JSON.stringify(options)}: ${a} vs ${b} bytes`);
      assert.ok(b < 1.5 * BOUND_BYTES, `DOT ${b} bytes`);
    }
  });

  it('stays bounded even when every name is as long as kept and made of characters that need escaping', async () => {
    const hostile = cloudWan(
      manyAttachments(20_000).map((a, i) => ({
        ...a,
        id: `"<>|${i}`.padEnd(200, '"'),
        name: '"'.repeat(500),
      })),
    );
    for (const options of [{}, { segment: 'prod' }, { region: 'eu-west-1' }]) {
      for (const format of ['mermaid', 'dot'] as const) {
        const size = bytes(await renderTopology(hostile, { format, ...options }));
        assert.ok(size < 64 * 1024, `${format} ${JSON.stringify(options)}: ${size} bytes`);
      }
    }
  });

  it('writes progressively: several pieces, in order, awaiting an async writer', async () => {
    const pieces: string[] = [];
    await renderTopologyTo(view, { format: 'mermaid', segment: 'dev', maxNodes: 2000 }, async (text) => {
      await new Promise((resolve) => setImmediate(resolve));
      pieces.push(text);
    });
    assert.ok(pieces.length > 3, `${pieces.length} pieces`);
    assert.equal(
      pieces.join(''),
      await renderTopology(view, { format: 'mermaid', segment: 'dev', maxNodes: 2000 }),
    );
    assert.ok(parseMermaid(pieces.join('')).nodes.size <= 2000);
  });
});

describe('renderTopology: drill-down under a tight budget', () => {
  // prod: two VPC attachments in eu-west-1, five mixed ones in us-east-1.
  const view = cloudWan([
    { id: 'e1', region: 'eu-west-1', segment: 'prod' },
    { id: 'e2', region: 'eu-west-1', segment: 'prod' },
    { id: 'u1', region: 'us-east-1', segment: 'prod' },
    { id: 'u2', region: 'us-east-1', segment: 'prod', type: 'vpn-attachment' },
    { id: 'u3', region: 'us-east-1', segment: 'prod' },
    { id: 'u4', region: 'us-east-1', segment: 'prod', type: 'vpn-attachment' },
    { id: 'u5', region: 'us-east-1', segment: 'prod' },
    { id: 'd1', region: 'us-east-1', segment: 'dev' },
  ]);

  it('shares the nodes fairly and summarizes the rest per group and type', async () => {
    // 12 nodes: prod, its partners shared and inspection, two edges as anchors leave 7, which
    // shareOut splits into one attachment (two nodes) and a summary per region.
    const text = await renderTopology(view, { format: 'mermaid', segment: 'prod', maxNodes: 12 });
    const shape = parseMermaid(text);
    const byId = Object.fromEntries([...shape.nodes].map(([id, label]) => [id, mermaidText(label)]));
    assert.deepEqual(byId, {
      n_s_prod: 'prod\nsegment, isolated attachments\n5 vpc, 2 vpn',
      n_s_shared: 'shared\nsegment',
      n_f_inspection: 'inspection\nnetwork function group',
      n_e_edge_euw1: 'edge-euw1\nedge\neu-west-1\nASN 64513',
      n_e_e1: 'e1\nvpc-attachment',
      n_e_vpc_of_e1: 'vpc-of-e1\nvpc\n10.0.0.0/24',
      n_e_edge_use1: 'edge-use1\nedge\nus-east-1\nASN 64512',
      n_e_u1: 'u1\nvpc-attachment',
      n_e_vpc_of_u1: 'vpc-of-u1\nvpc\n10.0.0.0/24',
      n_more_group_eu_west_1: '+1 more vpc-attachments',
      n_more_group_us_east_1: '+2 more vpc-attachments\n+2 more vpn-attachments',
    });
    assert.deepEqual(arrowsOf(text), [
      'n_e_e1 --> n_e_edge_euw1',
      'n_e_e1 -.-> n_e_vpc_of_e1',
      'n_e_edge_euw1 -.- n_s_prod',
      'n_e_edge_use1 -.- n_s_prod',
      'n_e_u1 --> n_e_edge_use1',
      'n_e_u1 -.-> n_e_vpc_of_u1',
      'n_s_prod --- share n_s_shared',
      'n_s_prod -.-> send-via n_f_inspection',
    ]);
  });

  it('draws everything when it fits, and a segment with its region', async () => {
    const shape = parseMermaid(
      await renderTopology(view, { format: 'mermaid', segment: 'prod', region: 'us-east-1' }),
    );
    const ids = [...shape.nodes.keys()];
    for (const id of ['u1', 'u2', 'u3', 'u4', 'u5']) assert.ok(ids.includes(`n_e_${id}`), id);
    assert.ok(!ids.includes('n_e_e1') && !ids.includes('n_e_d1'));
    assert.ok(!ids.some((id) => id.startsWith('n_more')));
  });

  it('a region of the policy without elements renders with a stand-in edge', async () => {
    const text = labels(await renderTopology(view, { format: 'mermaid', region: 'ap-south-1' }));
    assert.deepEqual(text, ['ap-south-1\nregion (no edge)']);
  });
});

describe('renderTopology: errors', () => {
  const view = small();

  it('an unknown segment or region names the known ones', async () => {
    await assert.rejects(renderTopology(view, { format: 'mermaid', segment: 'prd' }), (error: unknown) => {
      assert.ok(error instanceof TopologyError);
      assert.equal(error.code, 'HR_TOPOLOGY_INVALID');
      assert.match(error.message, /unknown segment 'prd'.*dev, prod, shared, inspection/);
      return true;
    });
    await assert.rejects(
      renderTopology(view, { format: 'dot', region: 'mars-1' }),
      /unknown region 'mars-1'; the topology has regions ap-south-1, eu-west-1, us-east-1/,
    );
  });

  it('rejects bad options with the option named', async () => {
    await assert.rejects(
      renderTopology(view, { format: 'mermaid', maxNodes: 5 }),
      /maxNodes must be an integer from 10/,
    );
    await assert.rejects(
      renderTopology(view, { format: 'png' as 'svg' }),
      (error: unknown) =>
        error instanceof TopologyError && /unknown diagram format 'png'/.test(error.message),
    );
  });
});
