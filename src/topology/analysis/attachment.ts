/**
 * Walks from elements to attachments and back, through the connections, and the membership rules
 * the analysis applies (the simulation overlay, the core network an attachment belongs to).
 * Every walk reads a handful of connections of one element, so a route lookup stays O(matches).
 *
 * Modelling choices:
 * - An attachment propagates its own `cidrs`; when it has none, the CIDRs of the resource it
 *   attaches (`attachment-of`: the VPC's blocks, as AWS propagates a VPC attachment by default).
 * - Attachments whose state says they are not (or no longer) up do not propagate routes.
 * - An attachment's region is its own `region`, else the region of the edge it is attached to.
 */

import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../model.js';
import type { CoreNetworkAnalysis } from './core-network.js';

const ATTACHMENT_TYPE_SET: ReadonlySet<ElementType> = new Set(ATTACHMENT_TYPES);
const NOT_PROPAGATING: ReadonlySet<string> = new Set([
  'deleting',
  'deleted',
  'failed',
  'failing',
  'rejected',
  'pending-attachment-acceptance',
]);

export function isAttachment(view: TopologyView, element: number): boolean {
  return ATTACHMENT_TYPE_SET.has(view.type(element));
}

export function isPropagating(view: TopologyView, attachment: number): boolean {
  const state = view.state(attachment);
  return state === undefined || !NOT_PROPAGATING.has(state.toLowerCase().replaceAll('_', '-'));
}

export function attachmentRegion(view: TopologyView, attachment: number): string | undefined {
  const region = view.region(attachment);
  if (region !== undefined) return region;
  for (const c of view.outgoing(attachment)) {
    if (view.connectionType(c) === 'attached-to') return view.region(view.connectionTarget(c));
  }
  return undefined;
}

/** The resource an attachment attaches (VPC, TGW route table, DX gateway...), or -1. */
export function resourceOf(view: TopologyView, attachment: number): number {
  for (const c of view.outgoing(attachment)) {
    if (view.connectionType(c) === 'attachment-of') return view.connectionTarget(c);
  }
  return -1;
}

export function propagatedPrefixes(view: TopologyView, attachment: number): string[] {
  const own = view.cidrs(attachment);
  if (own.length > 0) return own;
  const resource = resourceOf(view, attachment);
  return resource < 0 ? [] : view.cidrs(resource);
}

/** Attachments that attach `resource`, in connection order. */
export function attachmentsOf(view: TopologyView, resource: number): number[] {
  const found: number[] = [];
  for (const c of view.incoming(resource)) {
    if (view.connectionType(c) !== 'attachment-of') continue;
    const source = view.connectionSource(c);
    if (isAttachment(view, source)) found.push(source);
  }
  return found;
}

/** The element of type `type` that contains `element` (a subnet's VPC), or -1. */
export function parentOf(view: TopologyView, element: number, type: ElementType): number {
  for (const c of view.incoming(element)) {
    if (view.connectionType(c) === 'contains' && view.type(view.connectionSource(c)) === type) {
      return view.connectionSource(c);
    }
  }
  return -1;
}

/** The segment (or function group) an attachment is in, after the simulation overlay. */
export function segmentOf(analysis: CoreNetworkAnalysis, attachment: number): string | undefined {
  return analysis.overrides.get(attachment) ?? analysis.view.segment(attachment);
}

/** Whether an attachment is attached to this core network (only checked when there are several). */
export function belongsToCore(analysis: CoreNetworkAnalysis, attachment: number): boolean {
  if (!analysis.multiCore) return true;
  const { view } = analysis;
  for (const c of view.outgoing(attachment)) {
    if (view.connectionType(c) === 'attached-to' && analysis.coreEdges.has(view.connectionTarget(c)))
      return true;
  }
  return false;
}

/** The attachments of a segment or function group, after the overlay (reads the view's segment index). */
export function* membersOf(analysis: CoreNetworkAnalysis, domain: string): Generator<number> {
  const { view, overrides } = analysis;
  for (const element of view.elementsInSegment(domain)) {
    if (overrides.has(element) || !isAttachment(view, element) || !belongsToCore(analysis, element)) continue;
    yield element;
  }
  for (const [attachment, segment] of overrides) if (segment === domain) yield attachment;
}

/** Attachments of a function group at one edge that can take traffic, lowest index first. */
export function functionGroupAttachmentsAt(
  analysis: CoreNetworkAnalysis,
  nfg: string,
  region: string,
): number[] {
  const found: number[] = [];
  for (const attachment of membersOf(analysis, nfg)) {
    if (isPropagating(analysis.view, attachment) && attachmentRegion(analysis.view, attachment) === region) {
      found.push(attachment);
    }
  }
  return found.sort((a, b) => a - b);
}

/** The prefix length of CIDR text, without parsing the address. */
export function prefixLength(prefix: string): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1));
}
