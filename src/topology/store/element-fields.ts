/**
 * One element as a trusted source hands it to the builder without a record object: the id and name
 * as latin1 bytes (ASCII, for the generator), dictionary codes the source got from the builder (`TopologyBuilder.valueCode`),
 * CIDRs as parsed words. The source fills one of these in place for every element, so a million
 * elements cost no record, no strings for ids, names or CIDRs, and no dictionary lookups: the
 * ordinary path makes all of those only for the builder to take them apart again.
 */

/** Room per element; more is a bug in the source (the columns check these bounds). */
export const FIELD_TEXT_BYTES = 256;
export const FIELD_CIDRS = 8;
export const FIELD_TAGS = 8;

export class ElementFields {
  /** The type's index in ELEMENT_TYPES. */
  type = 0;
  /** id[0..idLength): latin1 (each byte one char), non-empty. */
  readonly id = new Uint8Array(FIELD_TEXT_BYTES);
  idLength = 0;
  /** name[0..nameLength): latin1; -1 for no name. */
  readonly name = new Uint8Array(FIELD_TEXT_BYTES);
  nameLength = -1;
  /** Dictionary codes from `valueCode` (1-based), 0 for none. */
  region = 0;
  segment = 0;
  account = 0;
  state = 0;
  /** 0 to 2^32-1, or -1 for none. */
  asn = -1;
  /** -1 for no `cidrs` list; else entries 0..cidrCount-1: a length code (prefix.ts) and 4 words each (v4 uses the first). */
  cidrCount = -1;
  readonly cidrCodes = new Uint8Array(FIELD_CIDRS);
  readonly cidrWords = new Uint32Array(FIELD_CIDRS * 4);
  /** -1 for no `tags` object; else pairs 0..tagCount-1 of a tag key code (1-based) and a tag value code (0-based). */
  tagCount = -1;
  readonly tagKeys = new Uint32Array(FIELD_TAGS);
  readonly tagValues = new Uint32Array(FIELD_TAGS);
}

/** The fields whose values a source interns through `valueCode` before it hands their codes over. */
export type FieldValue = 'region' | 'segment' | 'accountId' | 'state' | 'tagKey' | 'tagValue';
