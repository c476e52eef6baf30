import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSvgRenderer, renderTopology } from '../../../src/topology/render/index.js';
import { cloudWan, mermaidText, parseMermaid } from './scenario.js';

/** Names that would end a string, open a shape, start a new statement or inject markup if copied raw. */
const HOSTILE = [
  'quote " and \' quote',
  'brackets [x] {y} (z) ((w))',
  'new\nline\r\nand tab\t!',
  'arrow --> n_e_a1 ---|x| end',
  '<b>bold</b> &amp; <br/>',
  '#35; entity #quot; ;',
  'back\\slash \\N \\G \\"',
  'pipe | bar `tick` %% comment',
];

const hostileView = () =>
  cloudWan(
    HOSTILE.map((name, i) => ({
      id: `h${i}"]; x[`,
      name,
      region: i % 2 ? 'us-east-1' : 'eu-west-1',
      segment: 'prod',
    })),
  );

/** XML text as characters (Graphviz writes `-` as &#45; and the second of two spaces as &#160;). */
const decodeXml = (xml: string) =>
  xml
    .replace(/&#(\d+);/g, (_, code: string) => (code === '160' ? ' ' : String.fromCharCode(Number(code))))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** What a label shows: control characters become spaces. */
const shown = (name: string) => name.replace(/[\r\n\t]/g, ' ');

describe('escaping names in diagrams', () => {
  it('Mermaid: every line parses, ids are [A-Za-z0-9_], and labels decode to the names', async () => {
    for (const options of [{}, { segment: 'prod' }, { region: 'us-east-1' }]) {
      const text = await renderTopology(hostileView(), { format: 'mermaid', ...options });
      const shape = parseMermaid(text); // fails on any line outside the expected grammar
      for (const id of shape.nodes.keys()) assert.match(id, /^n_[A-Za-z0-9_]+$/);
      const labels = [...shape.nodes.values()].map((l) => mermaidText(l).split('\n')[0]);
      const expected = HOSTILE.filter((_, i) => !('region' in options) || i % 2 === 1).map(shown);
      for (const name of expected) assert.ok(labels.includes(name), `label for ${JSON.stringify(name)}`);
    }
  });

  it('Mermaid: a name cannot end a label, open markup or start a statement', async () => {
    const text = await renderTopology(hostileView(), { format: 'mermaid' });
    for (const line of text.split('\n')) {
      // Inside the quotes of a label, none of the special characters remain.
      for (const label of line.match(/"[^"]*"/g) ?? []) {
        assert.doesNotMatch(label.slice(1, -1).replace(/<br\/>/g, ' '), /[<>&|`]/);
      }
    }
    assert.doesNotMatch(text, /<b>/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('%%')).length, 1, 'no injected comment line');
  });

  it('ids stay unique when keys differ only in characters that are not allowed', async () => {
    const view = cloudWan([
      { id: 'a-b', region: 'us-east-1', segment: 'dev' },
      { id: 'a.b', region: 'us-east-1', segment: 'dev' },
      { id: 'a_b', region: 'us-east-1', segment: 'dev' },
    ]);
    const shape = parseMermaid(await renderTopology(view, { format: 'mermaid' }));
    const ids = [...shape.nodes.keys()].filter((id) => id.startsWith('n_e_a_b'));
    assert.deepEqual(ids.sort(), ['n_e_a_b', 'n_e_a_b_2', 'n_e_a_b_3']);
  });

  it('DOT: Graphviz reads it and draws the names as they are', async () => {
    const svg = createSvgRenderer();
    for (const options of [{}, { segment: 'prod' }]) {
      const dot = await renderTopology(hostileView(), { format: 'dot', ...options });
      assert.match(dot, /^digraph topology \{\n/);
      // Throws on any Graphviz error. The text nodes, decoded, must show each name as it is.
      const image = decodeXml(await svg.render(dot));
      for (const name of HOSTILE)
        assert.ok(image.includes(`>${shown(name)}<`), `SVG shows ${JSON.stringify(name)}`);
    }
  });

  it('cuts very long names, so one element cannot blow the size bound', async () => {
    const long = 'x'.repeat(100_000);
    const view = cloudWan([{ id: 'big', name: long, region: 'us-east-1', segment: 'dev' }]);
    const text = await renderTopology(view, { format: 'mermaid' });
    assert.ok(text.length < 10_000, `${text.length} characters`);
    assert.ok(text.includes(`${'x'.repeat(47)}…`));
  });
});

describe('SVG', () => {
  it('renders the overview and a drill-down through one renderer', async () => {
    const svg = createSvgRenderer();
    const view = cloudWan(
      Array.from({ length: 400 }, (_, i) => ({
        id: `att-${i}`,
        region: i % 2 ? 'us-east-1' : 'eu-west-1',
        segment: ['prod', 'dev', 'shared'][i % 3] as string,
      })),
    );
    const overview = await renderTopology(view, { format: 'svg', svg });
    assert.match(overview, /^(<\?xml|<svg)/);
    for (const name of ['prod', 'dev', 'shared', 'inspection'])
      assert.ok(overview.includes(`>${name}</text>`), name);
    const drill = await renderTopology(view, { format: 'svg', segment: 'dev', svg });
    assert.match(drill, /<svg/);
    assert.ok(drill.includes('+'), 'summary nodes drawn');
    assert.ok(drill.includes('more vpc&#45;attachments') || drill.includes('more vpc-attachments'));
  });
});
