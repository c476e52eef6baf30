/**
 * The segment visibility matrix: for each segment (and network function group), whose propagated
 * routes its route table holds, and how. It is computed once per core network from the policy
 * alone (a few segments, never the attachments), so route lookups stay O(1) per candidate.
 *
 * Modelling choices (AWS Cloud WAN):
 * - A segment sees its own attachments' routes unless it has `isolate-attachments: true`.
 * - `share` is bidirectional. `share-with: "*"` is every other segment; `{except: [...]}` every
 *   other segment but those. Only attachment routes are shared (mode attachment-route), never the
 *   segment's static routes.
 * - `allow-filter` / `deny-filter` act on the receiving side: segment R takes routes shared from X
 *   only if X is in R's allow-filter (when R has one) and not in R's deny-filter. They apply to
 *   `share` only, not to service insertion.
 * - `send-via` from S `when-sent-to` T (bidirectional) replaces any share between S and T: the
 *   routes stay visible but their next hop is the function group. `"*"` means every segment,
 *   S included; traffic inside S goes through inspection only when S isolates its attachments (a
 *   non-isolated segment's attachments keep reaching each other directly). The first send-via
 *   that covers a pair wins.
 * - A network function group's own route table holds the routes of every segment that sends
 *   traffic to it (send-via or send-to), so inspected traffic can go on to its destination.
 */

import type { PolicyRules, SegmentRule, SendViaRule } from './policy-rules.js';

export type Reach =
  | { readonly kind: 'own' }
  | { readonly kind: 'shared'; readonly action: number }
  | { readonly kind: 'send-via'; readonly rule: SendViaRule }
  | { readonly kind: 'function-group' };

const OWN: Reach = { kind: 'own' };
const FUNCTION_GROUP: Reach = { kind: 'function-group' };

/** receiving domain -> source domain -> how the receiver sees the source's propagated routes. */
export type Visibility = Map<string, Map<string, Reach>>;

export function buildVisibility(rules: PolicyRules, warnings: string[]): Visibility {
  const segments = new Map<string, SegmentRule>(rules.segments.map((s) => [s.name, s]));
  const nfgs = new Set(rules.nfgs);
  const visibility: Visibility = new Map();
  for (const segment of rules.segments) {
    visibility.set(segment.name, segment.isolated ? new Map() : new Map([[segment.name, OWN]]));
  }
  for (const nfg of rules.nfgs) if (!visibility.has(nfg)) visibility.set(nfg, new Map());
  const known = () => `segments: ${[...segments.keys()].join(', ') || 'none'}`;

  for (const share of rules.shares) {
    const from = segments.get(share.segment);
    if (!from) {
      warnings.push(
        `/segment-actions/${share.action} shares segment '${share.segment}', which the policy does not define (${known()}); ignored`,
      );
      continue;
    }
    for (const name of shareTargets(share.shareWith, from.name, segments, share.action, warnings)) {
      const to = segments.get(name) as SegmentRule;
      const reach: Reach = { kind: 'shared', action: share.action };
      receive(visibility, to, from.name, reach, share.action, warnings);
      receive(visibility, from, to.name, reach, share.action, warnings);
    }
  }

  const covered = new Set<string>();
  for (const rule of rules.sendVia) {
    const from = segments.get(rule.segment);
    if (!from || !nfgs.has(rule.nfg)) {
      const what = from ? `network function group '${rule.nfg}'` : `segment '${rule.segment}'`;
      warnings.push(
        `/segment-actions/${rule.action} (send-via) names ${what}, which the policy does not define; ignored`,
      );
      continue;
    }
    const targets = rule.whenSentTo === '*' ? [...segments.keys()] : rule.whenSentTo;
    for (const name of targets) {
      const to = segments.get(name);
      if (!to) {
        warnings.push(
          `/segment-actions/${rule.action}/when-sent-to names segment '${name}', which the policy does not define (${known()})`,
        );
        continue;
      }
      if (to === from && !from.isolated) continue;
      const pair = from.name < to.name ? `${from.name}\n${to.name}` : `${to.name}\n${from.name}`;
      if (covered.has(pair)) continue;
      covered.add(pair);
      const reach: Reach = { kind: 'send-via', rule };
      visibility.get(from.name)?.set(to.name, reach);
      visibility.get(to.name)?.set(from.name, reach);
      visibility.get(rule.nfg)?.set(from.name, FUNCTION_GROUP);
      visibility.get(rule.nfg)?.set(to.name, FUNCTION_GROUP);
    }
  }

  for (const rule of rules.sendTo) {
    if (!segments.has(rule.segment) || !nfgs.has(rule.nfg)) {
      const what = segments.has(rule.segment)
        ? `network function group '${rule.nfg}'`
        : `segment '${rule.segment}'`;
      warnings.push(
        `/segment-actions/${rule.action} (send-to) names ${what}, which the policy does not define; ignored`,
      );
      continue;
    }
    visibility.get(rule.nfg)?.set(rule.segment, FUNCTION_GROUP);
  }
  return visibility;
}

/** The segments a share action names, resolved against the policy (unknown names warned, self dropped). */
export function shareTargets(
  shareWith: PolicyRules['shares'][number]['shareWith'],
  self: string,
  segments: ReadonlyMap<string, SegmentRule>,
  action: number,
  warnings: string[] | undefined,
): string[] {
  if (shareWith === '*') return [...segments.keys()].filter((name) => name !== self);
  if (!Array.isArray(shareWith)) {
    const except = new Set((shareWith as { except: readonly string[] }).except);
    return [...segments.keys()].filter((name) => name !== self && !except.has(name));
  }
  const names: string[] = [];
  for (const name of shareWith as readonly string[]) {
    if (!segments.has(name)) {
      warnings?.push(
        `/segment-actions/${action}/share-with names segment '${name}', which the policy does not define (segments: ${[...segments.keys()].join(', ')})`,
      );
    } else if (name !== self) names.push(name);
  }
  return names;
}

/** `to` takes `from`'s routes unless its filters refuse them or it already sees them another way. */
function receive(
  visibility: Visibility,
  to: SegmentRule,
  from: string,
  reach: Reach,
  action: number,
  warnings: string[],
): void {
  if ((to.allowFilter && !to.allowFilter.has(from)) || to.denyFilter?.has(from)) {
    const filter = to.denyFilter?.has(from) ? 'deny-filter' : 'allow-filter';
    warnings.push(
      `/segment-actions/${action}: segment '${to.name}' does not take routes from '${from}' (its ${filter})`,
    );
    return;
  }
  const seen = visibility.get(to.name);
  if (seen && !seen.has(from)) seen.set(from, reach);
}
