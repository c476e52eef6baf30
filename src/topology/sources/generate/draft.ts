/**
 * One generated element before it is written: ordinals into the layout's vocabularies (regions,
 * segments, accounts), the id as an element reference, CIDRs as numbers. The element pass fills one
 * draft in place per element; `Out` turns it into a record for an ordinary sink, or into a
 * builder's ElementFields without making a single string (out.ts). So both sinks get the same
 * element from one description of it.
 */

import { ELEMENT_TYPES, type ElementType } from '../../model.js';

/** Type codes (indexes in ELEMENT_TYPES), so the element pass names types without strings. */
export const TYPE = Object.fromEntries(ELEMENT_TYPES.map((t, i) => [t, i])) as Record<ElementType, number>;

/** The one state generated elements are in. */
export const STATE = 'available';

/** Tag keys, by `tagKey`. */
export const TAG_KEYS = ['segment', 'nfg'] as const;
export const TAG = { segment: 0, nfg: 1 } as const;

/** At most this many CIDRs per generated element (hybrid attachments have two). */
const MAX_CIDRS = 4;

export class ElementDraft {
  /** Index in ELEMENT_TYPES. */
  type = 0;
  /** The element reference (refs.ts) its id is made from. */
  id = 0;
  /** The name; with `nameNumber` >= 0 it is `${name}-${nameNumber}`. */
  name: string | undefined = undefined;
  nameNumber = -1;
  /** Ordinals: in plan.regions, in the layout's segment ordinals, in layout.accountIds; -1 for none. */
  region = -1;
  segment = -1;
  account = -1;
  /** Whether it has a state (STATE). */
  state = false;
  asn = -1;
  /** -1 for no CIDR list. Entry k: v6[k] (0 or 1), words[2k], words[2k + 1] (v6: the top two words, the rest zero), prefix length. */
  cidrCount = -1;
  readonly cidrV6 = new Uint8Array(MAX_CIDRS);
  readonly cidrWords = new Uint32Array(MAX_CIDRS * 2);
  readonly cidrPrefix = new Uint8Array(MAX_CIDRS);
  /** TAG code and the segment ordinal of its value; -1 for no tags. */
  tagKey = -1;
  tagValue = -1;

  /** Clears the draft for an element of type code `type` with the id of reference `id`; returns it. */
  begin(type: number, id: number): this {
    this.type = type;
    this.id = id;
    this.name = undefined;
    this.nameNumber = -1;
    this.region = -1;
    this.segment = -1;
    this.account = -1;
    this.state = false;
    this.asn = -1;
    this.cidrCount = -1;
    this.tagKey = -1;
    this.tagValue = -1;
    return this;
  }

  addV4(address: number, prefix: number): void {
    const k = this.nextCidr();
    this.cidrV6[k] = 0;
    this.cidrWords[2 * k] = address;
    this.cidrWords[2 * k + 1] = 0;
    this.cidrPrefix[k] = prefix;
  }

  addV6(word0: number, word1: number, prefix: number): void {
    const k = this.nextCidr();
    this.cidrV6[k] = 1;
    this.cidrWords[2 * k] = word0;
    this.cidrWords[2 * k + 1] = word1;
    this.cidrPrefix[k] = prefix;
  }

  private nextCidr(): number {
    const k = Math.max(this.cidrCount, 0);
    if (k >= MAX_CIDRS) throw new RangeError(`generator: more than ${MAX_CIDRS} CIDRs on one element`);
    this.cidrCount = k + 1;
    return k;
  }
}

/** One prefix as numbers (a route's destination): filled by AddressPlan.addBlock, or set directly. */
export class PrefixDraft {
  v6 = false;
  /** v4: the address; v6: the top two words (the rest are zero). */
  word0 = 0;
  word1 = 0;
  prefix = 0;

  addV4(address: number, prefix: number): void {
    this.v6 = false;
    this.word0 = address;
    this.word1 = 0;
    this.prefix = prefix;
  }

  addV6(word0: number, word1: number, prefix: number): void {
    this.v6 = true;
    this.word0 = word0;
    this.word1 = word1;
    this.prefix = prefix;
  }
}
