/**
 * Where service insertion inspects traffic: which edge (and which function group attachment there)
 * a send-via or send-to rule uses between two edges.
 *
 * Modelling choices:
 * - single-hop: one inspection. The edge is the `use-edge-location` of the first override whose
 *   edge set equals {source edge, destination edge} (["a","a"] and ["a"] both mean {a}); without
 *   one, the destination's edge, or the source's edge when the group has no attachment at the
 *   destination's.
 * - dual-hop: inspection at the source edge and at the destination edge (once when they are the
 *   same). An override whose edge set contains an edge moves that side's inspection to its
 *   `use-edge-location` (AWS needs an attachment of the group at every edge otherwise).
 * - send-to: the default route at an edge points at the group's attachments at that edge, or at
 *   the edge of the first override whose edge set contains it.
 * - With several attachments of the group at one edge, the lowest element index is shown.
 */

import { functionGroupAttachmentsAt } from './attachment.js';
import type { CoreNetworkAnalysis } from './core-network.js';
import type { OverrideRule, SendToRule, SendViaRule } from './policy-rules.js';

export interface InspectionPoint {
  readonly region: string;
  /** The function group attachment at that edge, or -1 when the group has none there. */
  readonly attachment: number;
  /** Why this edge: "source edge", "destination edge", "edge override for {a, b}", ... */
  readonly why: string;
}

/** The edges that inspect traffic of a send-via rule, in path order (one or two). */
export function sendViaInspection(
  analysis: CoreNetworkAnalysis,
  rule: SendViaRule,
  sourceRegion: string,
  destinationRegion: string,
): InspectionPoint[] {
  const at = (region: string, why: string): InspectionPoint => ({
    region,
    attachment: functionGroupAttachmentsAt(analysis, rule.nfg, region)[0] ?? -1,
    why,
  });
  if (rule.mode === 'single-hop') {
    const pair = new Set([sourceRegion, destinationRegion]);
    const override = rule.overrides.find((o) => o.sets.some((set) => sameSet(new Set(set), pair)));
    if (override) return [at(override.use, `edge override for {${[...pair].join(', ')}}`)];
    const destination = at(destinationRegion, 'destination edge, the single-hop default');
    if (destination.attachment >= 0 || sourceRegion === destinationRegion) return [destination];
    const source = at(sourceRegion, `source edge (the group has no attachment at ${destinationRegion})`);
    return [source.attachment >= 0 ? source : destination];
  }
  const side = (region: string, name: string): InspectionPoint => {
    const override = overrideContaining(rule.overrides, region);
    return override
      ? at(override.use, `edge override for ${region} (${name} side)`)
      : at(region, `${name} edge`);
  };
  const first = side(sourceRegion, 'source');
  const second = side(destinationRegion, 'destination');
  return first.region === second.region ? [first] : [first, second];
}

/** The edge whose function group attachment takes a segment's send-to default route at `region`. */
export function sendToInspection(
  analysis: CoreNetworkAnalysis,
  rule: SendToRule,
  region: string,
): InspectionPoint {
  const override = overrideContaining(rule.overrides, region);
  const use = override ? override.use : region;
  return {
    region: use,
    attachment: functionGroupAttachmentsAt(analysis, rule.nfg, use)[0] ?? -1,
    why: override ? `edge override for ${region}` : 'local edge',
  };
}

function overrideContaining(overrides: readonly OverrideRule[], region: string): OverrideRule | undefined {
  return overrides.find((o) => o.sets.some((set) => set.includes(region)));
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
