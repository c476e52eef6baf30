import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ElementRecord } from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { createSvgRenderer, renderTopology } from '../../../src/topology/render/index.js';
import { buildTopology } from '../helpers.js';
import { mermaidText, parseMermaid } from './scenario.js';

const DIR = new URL('../../fixtures/cloudwan-policies/', import.meta.url);
const INDEX = JSON.parse(readFileSync(new URL('INDEX.json', DIR), 'utf8')) as Array<{
  out: string;
  edges: number;
  segments: number;
  nfgs: number;
}>;

/** A core network that has only its policy (and one edge per edge location). */
function policyOnly(policy: CoreNetworkPolicy) {
  const elements: ElementRecord[] = [{ id: 'core', type: 'core-network' }];
  for (const edge of policy['core-network-configuration']['edge-locations']) {
    elements.push({ id: `edge-${edge.location}`, type: 'edge', region: edge.location });
  }
  return buildTopology({ elements, policies: { core: policy } });
}

describe('rendering the 30 fixture policies', () => {
  const svg = createSvgRenderer();
  for (const entry of INDEX) {
    it(entry.out, async () => {
      const policy = JSON.parse(readFileSync(new URL(entry.out, DIR), 'utf8')) as CoreNetworkPolicy;
      const view = policyOnly(policy);
      const shape = parseMermaid(await renderTopology(view, { format: 'mermaid' }));
      const labels = [...shape.nodes.values()].map(mermaidText);
      const segments = labels.filter((l) => /\nsegment/.test(l)).map((l) => l.split('\n')[0]);
      const groups = labels.filter((l) => /\nnetwork function group/.test(l)).map((l) => l.split('\n')[0]);
      assert.deepEqual(segments.sort(), policy.segments.map((s) => s.name).sort());
      assert.equal(segments.length, entry.segments);
      assert.equal(groups.length, entry.nfgs);
      assert.equal(labels.filter((l) => l.includes('\nedge')).length, entry.edges);
      // Every send-via / send-to is a dashed link from its segment to a function group, once per action.
      const sends = (policy['segment-actions'] ?? []).filter(
        (a) => a.action === 'send-via' || a.action === 'send-to',
      );
      const expected = new Set(
        sends.flatMap((a) =>
          (a.via?.['network-function-groups'] ?? []).map((g) => `n_s_${a.segment} ${a.action} n_f_${g}`),
        ),
      );
      const drawn = shape.edges.filter((e) => e.arrow === '-.->').map((e) => `${e.from} ${e.label} ${e.to}`);
      assert.deepEqual(drawn.sort(), [...expected].sort());
      await svg.render(await renderTopology(view, { format: 'dot' }));
    });
  }
});
