/**
 * One route lookup in a segment's route table, without building the table: the static routes of
 * the segment (a few, most specific first) against the propagated routes found through the view's
 * prefix matches, filtered by the visibility matrix. Cost: O(statics + owners of the matching
 * prefixes), independent of how many attachments the topology has.
 *
 * Precedence: the longest prefix wins; at equal length a static route (create-route, blackholes
 * included) beats a propagated one, and a create-route beats the send-to default route. Among
 * propagated routes of equal length, the segment's own attachment wins, then the lowest index (the
 * others are counted as equal-cost paths).
 */

import { cidrContains, type IpAddress } from '../cidr.js';
import {
  attachmentsOf,
  belongsToCore,
  isAttachment,
  isPropagating,
  prefixLength,
  segmentOf,
} from './attachment.js';
import type { CoreNetworkAnalysis, DomainFacts, ResolvedStatic } from './core-network.js';
import { MAX_OWNERS_PER_PREFIX, type PrefixMatches } from './locate.js';
import type { SendToRule } from './policy-rules.js';
import type { Reach } from './visibility.js';

export type RouteDecision =
  | { readonly kind: 'static'; readonly route: ResolvedStatic }
  | { readonly kind: 'send-to'; readonly rule: SendToRule; readonly destination: string }
  | {
      readonly kind: 'propagated';
      readonly prefix: string;
      readonly attachment: number;
      readonly domain: string;
      readonly reach: Reach;
      readonly equalCost: number;
    };

/** A more specific route that exists but that this route table does not hold, and why. */
export interface HiddenRoute {
  readonly prefix: string;
  readonly attachment: number;
  readonly domain: string | undefined;
  readonly why: 'isolated' | 'not-shared' | 'unknown-segment' | 'not-propagating';
}

export interface Lookup {
  readonly decision?: RouteDecision;
  /** The most specific hidden routes (a few), for explaining an unexpected or missing route. */
  readonly hidden: readonly HiddenRoute[];
}

const MAX_HIDDEN = 5;

export function lookupRoute(
  analysis: CoreNetworkAnalysis,
  facts: DomainFacts,
  address: IpAddress,
  matches: PrefixMatches,
): Lookup {
  const route = facts.statics.find((candidate) => cidrContains(candidate.cidr, address));
  const sendTo = facts.sendTo;
  const bestStatic: RouteDecision | undefined = route
    ? { kind: 'static', route }
    : sendTo
      ? { kind: 'send-to', rule: sendTo, destination: address.version === 4 ? '0.0.0.0/0' : '::/0' }
      : undefined;
  const staticLength = route ? route.cidr.prefix : sendTo ? 0 : -1;

  const hidden: HiddenRoute[] = [];
  const candidates: number[] = [];
  for (const match of matches) {
    if (prefixLength(match.prefix) <= staticLength) break;
    routeSources(analysis, match.elements, candidates);
    let best = -1;
    let bestReach: Reach | undefined;
    let equalCost = 0;
    for (const attachment of candidates) {
      const domain = segmentOf(analysis, attachment);
      const reach = domain === undefined ? undefined : facts.sees.get(domain);
      if (!reach || !isPropagating(analysis.view, attachment)) {
        const why = reach ? 'not-propagating' : hiddenReason(analysis, facts, domain);
        if (hidden.length < MAX_HIDDEN) hidden.push({ prefix: match.prefix, attachment, domain, why });
        continue;
      }
      equalCost++;
      const better =
        best < 0 ||
        (reach.kind === 'own' && bestReach?.kind !== 'own') ||
        ((reach.kind === 'own') === (bestReach?.kind === 'own') && attachment < best);
      if (better) [best, bestReach] = [attachment, reach];
    }
    if (best >= 0 && bestReach) {
      const domain = segmentOf(analysis, best) as string;
      return {
        decision: {
          kind: 'propagated',
          prefix: match.prefix,
          attachment: best,
          domain,
          reach: bestReach,
          equalCost,
        },
        hidden,
      };
    }
  }
  return bestStatic ? { decision: bestStatic, hidden } : { hidden };
}

function hiddenReason(
  analysis: CoreNetworkAnalysis,
  facts: DomainFacts,
  domain: string | undefined,
): HiddenRoute['why'] {
  if (domain === undefined || !analysis.domains.has(domain)) return 'unknown-segment';
  return domain === facts.name && facts.isolated ? 'isolated' : 'not-shared';
}

/**
 * Attachments that propagate a prefix owned by `owners`: attachments advertising it themselves, and
 * attachments without CIDRs of their own attaching a resource that owns it. Subnets are not routes.
 * `out` is cleared and reused.
 */
function routeSources(analysis: CoreNetworkAnalysis, owners: readonly number[], out: number[]): void {
  const { view } = analysis;
  out.length = 0;
  const count = Math.min(owners.length, MAX_OWNERS_PER_PREFIX);
  for (let i = 0; i < count; i++) {
    const owner = owners[i] as number;
    const type = view.type(owner);
    if (type === 'subnet' || type === 'core-network' || type === 'edge') continue;
    if (isAttachment(view, owner)) {
      if (belongsToCore(analysis, owner) && !out.includes(owner)) out.push(owner);
      continue;
    }
    for (const attachment of attachmentsOf(view, owner)) {
      if (view.cidrs(attachment).length > 0 || !belongsToCore(analysis, attachment)) continue;
      if (!out.includes(attachment)) out.push(attachment);
    }
  }
}
