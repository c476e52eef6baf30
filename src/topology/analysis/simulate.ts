/**
 * `simulateAttachmentChange`: what an attachment would gain and lose by moving to another segment,
 * computed on an overlay (the analysis with that attachment's segment overridden), so the view is
 * never touched and the same overlay can be traced (`withSegmentOverrides`).
 *
 * Modelling choices: an attachment reaches a segment when both sides hold each other's routes
 * (its segment sees the other's and the other sees its segment: traffic needs the way back), plus
 * its segment's send-to egress and static routes. Route changes are the tables (per segment or
 * function group, at every edge where it is present) that gain or lose the attachment's CIDRs.
 */

import { TopologyError } from '../../errors.js';
import { formatCount } from '../../util/count.js';
import { ATTACHMENT_TYPES } from '../model.js';
import {
  attachmentRegion,
  isAttachment,
  isPropagating,
  membersOf,
  propagatedPrefixes,
  segmentOf,
} from './attachment.js';
import { type CoreNetworkAnalysis, withSegmentOverrides } from './core-network.js';
import type { Reach } from './visibility.js';

export interface AttachmentChange {
  attachmentId: string;
  segment: string;
}

/** A segment (with how many attachments it holds besides this one), a send-to group, or a static route. */
export interface ReachItem {
  segment?: string;
  destination?: string;
  attachments?: number;
  how: string;
}

export interface RouteChange {
  /** The segment or function group whose route tables change. */
  segment: string;
  added: string[];
  removed: string[];
  /** Set when the routes stay but their next hop changes (e.g. now through inspection). */
  note?: string;
}

export interface SimulationResult {
  attachment: string;
  from: string | undefined;
  to: string;
  gained: ReachItem[];
  lost: ReachItem[];
  routeChanges: RouteChange[];
  warnings: string[];
  summary: string;
}

const MAX_LISTED = 10;

export function simulateAttachmentChange(
  analysis: CoreNetworkAnalysis,
  change: AttachmentChange,
): SimulationResult {
  const { view } = analysis;
  const attachment = view.indexOf(change.attachmentId);
  if (attachment < 0 || !isAttachment(view, attachment)) {
    throw new TopologyError('simulate', `${unknownAttachment(analysis, change.attachmentId)}`);
  }
  const to = change.segment;
  if (!analysis.domains.has(to)) {
    const groups = analysis.functionGroupNames.length
      ? `; network function groups: ${analysis.functionGroupNames.join(', ')}`
      : '';
    throw new TopologyError(
      'simulate',
      `unknown segment '${to}' in core network ${analysis.coreNetworkId}; segments: ${analysis.segmentNames.join(', ')}${groups}`,
    );
  }
  const from = segmentOf(analysis, attachment);
  const after = withSegmentOverrides(analysis, new Map([[attachment, to]]));
  const before = reachOf(analysis, from, attachment);
  const now = reachOf(after, to, attachment);
  const gained = [...now].filter(([key]) => !before.has(key)).map(([, item]) => item);
  const lost = [...before].filter(([key]) => !now.has(key)).map(([, item]) => item);
  const prefixes = propagatedPrefixes(view, attachment);
  const routeChanges = changesOf(analysis, from, to, prefixes);

  const warnings: string[] = [];
  const region = attachmentRegion(view, attachment);
  const target = analysis.domains.get(to);
  if (from === to) warnings.push(`${change.attachmentId} is already in ${to}; nothing changes`);
  if (region !== undefined && target && !target.edges.includes(region)) {
    warnings.push(
      `${to} is not present at ${region}, where ${change.attachmentId} is attached: it would get no route table there`,
    );
  }
  if (!isPropagating(view, attachment)) {
    warnings.push(
      `${change.attachmentId} is in state '${view.state(attachment)}' and propagates no routes in either segment`,
    );
  }
  const summary = summarize(change.attachmentId, from, to, gained, lost, routeChanges, prefixes);
  return { attachment: change.attachmentId, from, to, gained, lost, routeChanges, warnings, summary };
}

/** What an attachment in `domain` reaches, keyed so that before and after compare by identity. */
function reachOf(
  analysis: CoreNetworkAnalysis,
  domain: string | undefined,
  self: number,
): Map<string, ReachItem> {
  const items = new Map<string, ReachItem>();
  const facts = domain === undefined ? undefined : analysis.domains.get(domain);
  if (!facts || domain === undefined) return items;
  for (const [other, reach] of facts.sees) {
    if (!analysis.domains.get(other)?.sees.has(domain)) continue;
    let attachments = 0;
    for (const member of membersOf(analysis, other)) if (member !== self) attachments++;
    items.set(`segment\n${other}\n${reachKey(reach)}`, {
      segment: other,
      attachments,
      how: describeReach(reach, other),
    });
  }
  if (facts.sendTo) {
    const nfg = facts.sendTo.nfg;
    items.set(`send-to\n${nfg}`, {
      segment: nfg,
      how: `default route (send-to ${nfg}, set by segment ${domain})`,
    });
  }
  for (const route of facts.statics) {
    const target = route.blackhole ? 'blackhole' : route.targets.join(', ');
    items.set(`static\n${route.destination}\n${target}`, {
      destination: route.destination,
      how: `static route to ${target} (create-route in ${domain})`,
    });
  }
  return items;
}

function changesOf(
  analysis: CoreNetworkAnalysis,
  from: string | undefined,
  to: string,
  prefixes: string[],
): RouteChange[] {
  const changes: RouteChange[] = [];
  if (from === to) return changes;
  for (const facts of analysis.domains.values()) {
    const was = from === undefined ? undefined : facts.sees.get(from);
    const will = facts.sees.get(to);
    if (was && !will) changes.push({ segment: facts.name, added: [], removed: [...prefixes] });
    else if (!was && will) changes.push({ segment: facts.name, added: [...prefixes], removed: [] });
    else if (was && will && reachKey(was) !== reachKey(will)) {
      changes.push({
        segment: facts.name,
        added: [],
        removed: [],
        note: `the routes stay, learned ${describeReach(will, to)} instead of ${describeReach(was, from as string)}`,
      });
    }
  }
  return changes;
}

function reachKey(reach: Reach): string {
  return reach.kind === 'send-via' ? `send-via ${reach.rule.nfg} ${reach.rule.mode}` : reach.kind;
}

function describeReach(reach: Reach, segment: string): string {
  switch (reach.kind) {
    case 'own':
      return 'own segment';
    case 'shared':
      return `shared with ${segment}`;
    case 'send-via':
      return `through ${reach.rule.nfg} (send-via, ${reach.rule.mode})`;
    case 'function-group':
      return `as segment ${segment}, which sends traffic through this group`;
  }
}

function summarize(
  id: string,
  from: string | undefined,
  to: string,
  gained: ReachItem[],
  lost: ReachItem[],
  changes: RouteChange[],
  prefixes: string[],
): string {
  const describe = (item: ReachItem): string => {
    if (item.destination) return `${item.destination} (${item.how})`;
    const count = item.attachments === undefined ? '' : `${item.attachments} attachments, `;
    return `${item.segment} (${count}${item.how})`;
  };
  const list = (items: ReachItem[]) => (items.length === 0 ? 'nothing' : items.map(describe).join(', '));
  const names = (pick: (c: RouteChange) => boolean) =>
    changes
      .filter(pick)
      .map((c) => c.segment)
      .join(', ') || 'none';
  const routes = prefixes.length
    ? ` Routes for ${prefixes.join(', ')}: added to ${names((c) => c.added.length > 0)}; removed from ${names((c) => c.removed.length > 0)}.`
    : ' It propagates no CIDRs.';
  return `Moving ${id} from ${from ?? '(no segment)'} to ${to}: gains ${list(gained)}; loses ${list(lost)}.${routes}`;
}

function unknownAttachment(analysis: CoreNetworkAnalysis, id: string): string {
  const { view } = analysis;
  const known: string[] = [];
  let total = 0;
  for (const type of ATTACHMENT_TYPES) {
    const elements = view.elementsOfType(type);
    total += elements.length;
    for (let i = 0; i < elements.length && known.length < MAX_LISTED; i++)
      known.push(view.id(elements[i] as number));
  }
  const index = view.indexOf(id);
  const what =
    index >= 0 ? `${id} is a ${view.type(index)}, not an attachment` : `unknown attachment '${id}'`;
  const more = total > known.length ? ` (${formatCount(total)} in all)` : '';
  return `${what}; known attachments: ${known.join(', ') || 'none'}${more}`;
}
