/**
 * The value rules of the Cloud WAN policy format (from AWS's "Core network policy version
 * parameters" page), in one place so that structure checks and messages quote the same facts.
 */

import { formatCidr, maskWord, parseCidr, parseIp } from '../cidr.js';
import type { PolicyVersion } from '../policy-types.js';

export const POLICY_VERSIONS: readonly PolicyVersion[] = ['2021.12', '2025.11'];

/** Segment and network function group names: a letter, then letters and digits, 64 at most. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
export const NAME_RULE = 'use 1 to 64 letters and digits, starting with a letter';

/** AWS Region codes such as `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Core network attachment ids, the targets of a static route. */
export const ATTACHMENT_ID_PATTERN = /^attachment-[0-9a-f]{17}$/;

/** The private ASN ranges AWS lets a core network use; no others are accepted. */
export const ALLOWED_ASN_RANGES: readonly (readonly [number, number])[] = [
  [64512, 65534],
  [4200000000, 4294967294],
];
export const ALLOWED_ASN_TEXT = '64512-65534 or 4200000000-4294967294';
export const MAX_ASN = 4294967295;

export const SEGMENT_ACTIONS = ['share', 'create-route', 'send-via', 'send-to', 'associate-routing-policy'];
export const SEND_VIA_MODES = ['single-hop', 'dual-hop'];
export const CONDITION_TYPES = [
  'any',
  'account-id',
  'attachment-type',
  'region',
  'resource-id',
  'tag-exists',
  'tag-value',
  'routing-policy-label',
];
export const CONDITION_OPERATORS = ['equals', 'not-equals', 'contains', 'begins-with'];
export const ATTACHMENT_TYPE_VALUES = [
  'vpc',
  'site-to-site-vpn',
  'connect',
  'transit-gateway-route-table',
  'direct-connect-gateway',
];

export function isAllowedAsn(asn: number): boolean {
  return isAllowedAsnRange(asn, asn);
}

/** Whether `low-high` lies inside one of the allowed ranges. */
export function isAllowedAsnRange(low: number, high: number): boolean {
  return ALLOWED_ASN_RANGES.some(([min, max]) => low >= min && high <= max);
}

/** `low-high` with both ends valid 32-bit ASNs, or a sentence saying what is wrong. */
export function parseAsnRange(text: string): { low: number; high: number } | string {
  const match = /^(\d{1,10})-(\d{1,10})$/.exec(text);
  if (!match) return `ASN range "${text}" is not written as "low-high" (for example "64512-65534")`;
  const low = Number(match[1]);
  const high = Number(match[2]);
  for (const end of [low, high]) {
    if (end < 1 || end > MAX_ASN) return `ASN ${end} in "${text}" is not a 32-bit ASN (1 to ${MAX_ASN})`;
  }
  if (low > high) return `ASN range "${text}" starts above its end: write it as "${high}-${low}"`;
  return { low, high };
}

/** Why a CIDR does not parse, with the corrected prefix when only host bits are wrong. */
export function describeBadCidr(text: string): string {
  const slash = text.indexOf('/');
  const ip = slash > 0 ? parseIp(text.slice(0, slash)) : undefined;
  const prefix = Number(text.slice(slash + 1));
  if (!ip || !/^\d{1,3}$/.test(text.slice(slash + 1)) || prefix > (ip.version === 4 ? 32 : 128)) {
    return `"${text}" is not a CIDR block: write an address and a prefix length, such as "10.0.0.0/16" or "2001:db8::/56"`;
  }
  const words = ip.words.map((word, index) => (word & maskWord(prefix, index)) >>> 0);
  const fixed = parseCidr(formatCidr({ version: ip.version, words, prefix }));
  const suggestion = fixed ? `: did you mean "${formatCidr(fixed)}"?` : '';
  return `"${text}" has bits set below its /${prefix} prefix, which AWS refuses${suggestion}`;
}

/** `"a", "b", "c"` (at most `limit` names, then how many more), or `none` for an empty list. */
export function listNames(names: readonly string[], limit = 10): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown}, and ${names.length - limit} more` : shown;
}
