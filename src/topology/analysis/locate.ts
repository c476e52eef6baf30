/**
 * Where an address lives: the subnet, VPC (or other resource) and attachment that own it, from the
 * view's prefix matches (most specific first). The most specific prefix owned by a place (subnet,
 * VPC, attachment, any resource) decides: an address inside an unattached VPC is in that VPC, even
 * when a wider prefix advertised by some attachment also covers it.
 */

import type { TopologyView } from '../model.js';
import {
  attachmentRegion,
  attachmentsOf,
  belongsToCore,
  isAttachment,
  parentOf,
  resourceOf,
  segmentOf,
} from './attachment.js';
import type { CoreNetworkAnalysis } from './core-network.js';

export type PrefixMatches = ReturnType<TopologyView['prefixMatches']>;

/** Owners looked at per matching prefix; a prefix shared by more owners than this is cut short. */
export const MAX_OWNERS_PER_PREFIX = 4096;

export interface Place {
  /** The attachment that carries the address into the core network, or -1 when there is none. */
  attachment: number;
  /** How many attachments attach that place (a VPC attached twice); the lowest index is used. */
  attachmentCount: number;
  subnet: number;
  /** The VPC or other resource holding the address, or -1 when only an attachment prefix matched. */
  resource: number;
  prefix: string;
}

export function locateAddress(analysis: CoreNetworkAnalysis, matches: PrefixMatches): Place | undefined {
  const { view } = analysis;
  for (const match of matches) {
    let unattached: Place | undefined;
    const owners = match.elements;
    const count = Math.min(owners.length, MAX_OWNERS_PER_PREFIX);
    for (let i = 0; i < count; i++) {
      const owner = owners[i] as number;
      const type = view.type(owner);
      if (
        type === 'core-network' ||
        type === 'edge' ||
        type === 'segment' ||
        type === 'network-function-group'
      )
        continue;
      const subnet = type === 'subnet' ? owner : -1;
      const attached = isAttachment(view, owner);
      const resource = attached
        ? resourceOf(view, owner)
        : subnet >= 0
          ? parentOf(view, owner, 'vpc')
          : owner;
      const attachments = attached ? [owner] : resource >= 0 ? attachmentsOf(view, resource) : [];
      const mine = attachments.filter((a) => belongsToCore(analysis, a));
      if (mine.length > 0) {
        const attachment = Math.min(...mine);
        return { attachment, attachmentCount: mine.length, subnet, resource, prefix: match.prefix };
      }
      unattached ??= {
        attachment: -1,
        attachmentCount: 0,
        subnet,
        resource: resource >= 0 || subnet >= 0 ? resource : owner,
        prefix: match.prefix,
      };
    }
    if (unattached) return unattached;
  }
  return undefined;
}

/** The subnet and resource of `attachment` that hold the address (for describing a destination). */
export function placeBehind(
  analysis: CoreNetworkAnalysis,
  matches: PrefixMatches,
  attachment: number,
): Place {
  const { view } = analysis;
  const resource = resourceOf(view, attachment);
  for (const match of matches) {
    let advertised = false;
    const owners = match.elements;
    const count = Math.min(owners.length, MAX_OWNERS_PER_PREFIX);
    for (let i = 0; i < count; i++) {
      const owner = owners[i] as number;
      if (owner === attachment) advertised = true;
      if (resource >= 0 && owner === resource) {
        return { attachment, attachmentCount: 1, subnet: -1, resource, prefix: match.prefix };
      }
      if (resource >= 0 && view.type(owner) === 'subnet' && parentOf(view, owner, 'vpc') === resource) {
        return { attachment, attachmentCount: 1, subnet: owner, resource, prefix: match.prefix };
      }
    }
    if (advertised) return { attachment, attachmentCount: 1, subnet: -1, resource: -1, prefix: match.prefix };
  }
  return { attachment, attachmentCount: 1, subnet: -1, resource: -1, prefix: '' };
}

/** Whether the address is inside `resource` (the resource itself or one of its subnets matches). */
export function isInside(analysis: CoreNetworkAnalysis, matches: PrefixMatches, resource: number): boolean {
  const { view } = analysis;
  for (const match of matches) {
    const owners = match.elements;
    const count = Math.min(owners.length, MAX_OWNERS_PER_PREFIX);
    for (let i = 0; i < count; i++) {
      const owner = owners[i] as number;
      if (owner === resource) return true;
      if (view.type(owner) === 'subnet' && parentOf(view, owner, view.type(resource)) === resource)
        return true;
    }
  }
  return false;
}

/** "10.1.2.3 is in subnet subnet-a of vpc-a, attached by attachment-a in segment production at us-east-1" */
export function describePlace(analysis: CoreNetworkAnalysis, ip: string, place: Place): string {
  const { view } = analysis;
  const parts = [ip];
  const resource = place.resource >= 0 ? `${view.type(place.resource)} ${view.id(place.resource)}` : '';
  if (place.subnet >= 0)
    parts.push(`is in subnet ${view.id(place.subnet)}${resource ? ` of ${resource}` : ''}`);
  else if (resource) parts.push(`is in ${resource} (${place.prefix})`);
  else if (place.prefix) parts.push(`is in ${place.prefix}`);
  if (place.attachment < 0) return parts.join(' ');
  const segment = segmentOf(analysis, place.attachment) ?? '(none)';
  const region = attachmentRegion(view, place.attachment) ?? '(unknown region)';
  const how = resource ? 'attached by' : 'advertised by';
  parts[parts.length - 1] += ',';
  parts.push(`${how} ${view.id(place.attachment)} in segment ${segment} at ${region}`);
  if (place.attachmentCount > 1) parts.push(`(the first of ${place.attachmentCount} attachments of it)`);
  return parts.join(' ');
}
