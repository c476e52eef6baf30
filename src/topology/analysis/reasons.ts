/**
 * The sentences a trace gives for its hops and for stopping: which table a lookup used, how a route
 * was learned, and why there is no route (the most specific hidden route says why it is hidden).
 */

import type { CoreNetworkAnalysis, DomainFacts } from './core-network.js';
import type { HiddenRoute } from './route-lookup.js';
import type { Reach } from './visibility.js';

/** "segment production" or "network function group inspectionVpcs". */
export function tableName(facts: DomainFacts): string {
  return facts.kind === 'segment' ? `segment ${facts.name}` : `network function group ${facts.name}`;
}

/** How a table learned a route, as the trace says it: "own segment", "shared from shared", ... */
export function reachText(reach: Reach, domain: string): string {
  switch (reach.kind) {
    case 'own':
      return 'own segment';
    case 'shared':
      return `shared from ${domain}`;
    case 'send-via':
      return `in segment ${domain}`;
    case 'function-group':
      return `segment ${domain}, which sends traffic through this group`;
  }
}

/** Why a lookup found nothing, from the most specific route it had to hide. */
export function noRouteReason(
  analysis: CoreNetworkAnalysis,
  hidden: readonly HiddenRoute[],
  facts: DomainFacts,
  ip: string,
  table: string,
): string {
  const first = hidden[0];
  if (!first) return `no route to ${ip} in ${table}`;
  const holder = analysis.view.id(first.attachment);
  switch (first.why) {
    case 'isolated':
      return `isolated segment: attachments of ${facts.name} do not reach each other (${ip} is in ${first.prefix} of ${holder}); no route to ${ip} in ${table}`;
    case 'not-shared':
      return `no route to ${ip} in ${table}: ${first.prefix} belongs to ${holder} in segment ${first.domain}, which ${facts.name} neither shares with nor sends via`;
    case 'unknown-segment':
      return `no route to ${ip} in ${table}: ${first.prefix} belongs to ${holder}, whose segment '${first.domain ?? '(none)'}' the policy does not define`;
    case 'not-propagating':
      return `no route to ${ip} in ${table}: ${holder} holds ${first.prefix} but its state '${analysis.view.state(first.attachment)}' does not propagate routes`;
  }
}
