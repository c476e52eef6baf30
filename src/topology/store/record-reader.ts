/**
 * Element fields and whole records read straight from the element columns, for the store's
 * accessors and for streaming, where a million records are built in a row. Everything reused is
 * shared rather than made again: dictionary values are the dictionary's own strings, tag values
 * (few distinct) come from a small cache, an element without CIDRs or tags gets one frozen empty
 * array or object, and IPv4 prefixes are put together from precomputed octet strings.
 * The caller checks element indexes; nothing here does.
 */

import { ELEMENT_TYPES, type ElementRecord, type ElementType } from '../model.js';
import { hasBit } from './grow.js';
import type { ElementParts } from './parts.js';
import { formatPrefix, isV6Code } from './prefix.js';
import { TextReader } from './text-reader.js';

/** What `cidrs()` / `tags()` return for an element without any: frozen, so a caller cannot change everyone's. */
export const NO_CIDRS: string[] = Object.freeze([]) as unknown as string[];
export const NO_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** "0." .. "255." and "0" .. "255": a v4 prefix is four of these and a length. */
const OCTET_DOT: readonly string[] = Array.from({ length: 256 }, (_, n) => `${n}.`);
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, n) => `${n}`);
const SLASH_LENGTH: readonly string[] = Array.from({ length: 33 }, (_, n) => `/${n}`);

/** Slots of the tag value cache; tag values repeat (environment, owner, function group). */
const TAG_SLOTS = 1024;

export class RecordReader {
  private readonly e: ElementParts;
  private readonly ids: TextReader;
  private readonly names: TextReader;
  private readonly tagValues: TextReader;
  private readonly tagCodes = new Int32Array(TAG_SLOTS).fill(-1);
  private readonly tagStrings: string[] = new Array<string>(TAG_SLOTS).fill('');
  /** Dictionary values by code (index 0 = none), read once per record field. */
  private readonly regionOf: ReadonlyArray<string | undefined>;
  private readonly segmentOf: ReadonlyArray<string | undefined>;
  private readonly accountOf: ReadonlyArray<string | undefined>;
  private readonly stateOf: ReadonlyArray<string | undefined>;
  private readonly asnOf: ReadonlyArray<number | undefined>;
  private readonly tagKeyOf: ReadonlyArray<string | undefined>;

  constructor(elements: ElementParts) {
    this.e = elements;
    this.ids = new TextReader(elements.ids);
    this.names = new TextReader(elements.names);
    this.tagValues = new TextReader(elements.tagValues);
    this.regionOf = [undefined, ...elements.regionNames.values];
    this.segmentOf = [undefined, ...elements.segmentNames.values];
    this.accountOf = [undefined, ...elements.accountIds.values];
    this.stateOf = [undefined, ...elements.stateNames.values];
    this.asnOf = [undefined, ...elements.asnValues.values];
    this.tagKeyOf = [undefined, ...elements.tagKeys.values];
  }

  id(element: number): string {
    return this.ids.get(element);
  }

  /** The id for a stream's record: see TextReader.getInOrder. */
  streamedId(element: number): string {
    return this.ids.getInOrder(element);
  }

  type(element: number): ElementType {
    return ELEMENT_TYPES[this.e.types[element]!]!;
  }

  name(element: number): string | undefined {
    return hasBit(this.e.hasName, element) ? this.names.get(element) : undefined;
  }

  region(element: number): string | undefined {
    return this.regionOf[this.e.regions[element]!];
  }

  segment(element: number): string | undefined {
    return this.segmentOf[this.e.segments[element]!];
  }

  accountId(element: number): string | undefined {
    return this.accountOf[this.e.accounts[element]!];
  }

  state(element: number): string | undefined {
    return this.stateOf[this.e.states[element]!];
  }

  asn(element: number): number | undefined {
    return this.asnOf[this.e.asns[element]!];
  }

  /** Whether the element has at least one prefix / tag. */
  hasCidrs(element: number): boolean {
    const { cidrStart } = this.e;
    return cidrStart[element + 1]! > cidrStart[element]!;
  }

  hasTags(element: number): boolean {
    const { tagStart } = this.e;
    return tagStart[element + 1]! > tagStart[element]!;
  }

  /** The element's prefixes in canonical text, in the order given; `NO_CIDRS` when none. */
  cidrs(element: number): string[] {
    const { cidrStart } = this.e;
    const from = cidrStart[element]!;
    const to = cidrStart[element + 1]!;
    if (from === to) return NO_CIDRS;
    const out = new Array<string>(to - from);
    for (let entry = from; entry < to; entry++) out[entry - from] = this.prefix(entry);
    return out;
  }

  /** The element's tags; `NO_TAGS` when none. */
  tags(element: number): Record<string, string> {
    const { tagStart, tagKeyCodes, tagValueCodes } = this.e;
    const from = tagStart[element]!;
    const to = tagStart[element + 1]!;
    if (from === to) return NO_TAGS;
    const out: Record<string, string> = {};
    for (let pair = from; pair < to; pair++) {
      const key = this.tagKeyOf[tagKeyCodes[pair]!]!;
      const value = this.tagValue(tagValueCodes[pair]!);
      // A "__proto__" tag key (JSON.parse makes it an own property) must stay a property here too.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }

  /**
   * The record with only the fields the element has. `keepEmpty`: an empty `cidrs` list or `tags`
   * object the record was given stays (a fresh one); otherwise it is left out, as a field the
   * element does not have. `id`: the element's id when the caller has it already.
   */
  record(element: number, keepEmpty: boolean, id?: string): ElementRecord {
    const e = this.e;
    // Starts empty: V8 gives an empty literal four in-object slots (a literal of two fields gets two),
    // so fewer fields spill into a separate property store (measured: 5% less allocated streaming).
    const record = {} as ElementRecord;
    record.id = id ?? this.ids.get(element);
    record.type = ELEMENT_TYPES[e.types[element]!]!;
    if (hasBit(e.hasName, element)) record.name = this.names.get(element);
    const region = e.regions[element]!;
    if (region !== 0) record.region = this.regionOf[region]!;
    const segment = e.segments[element]!;
    if (segment !== 0) record.segment = this.segmentOf[segment]!;
    const account = e.accounts[element]!;
    if (account !== 0) record.accountId = this.accountOf[account]!;
    const state = e.states[element]!;
    if (state !== 0) record.state = this.stateOf[state]!;
    const asn = e.asns[element]!;
    if (asn !== 0) record.asn = this.asnOf[asn]!;
    if (e.cidrStart[element + 1]! > e.cidrStart[element]!) record.cidrs = this.cidrs(element);
    else if (keepEmpty && hasBit(e.hasCidrList, element)) record.cidrs = [];
    if (e.tagStart[element + 1]! > e.tagStart[element]!) record.tags = this.tags(element);
    else if (keepEmpty && hasBit(e.hasTagObject, element)) record.tags = {};
    return record;
  }

  private prefix(entry: number): string {
    const { cidrCodes, cidrWords, cidrV6 } = this.e;
    const code = cidrCodes[entry]!;
    if (isV6Code(code)) return formatPrefix(code, cidrV6, cidrWords[entry]! * 4);
    const w = cidrWords[entry]!;
    return (
      OCTET_DOT[w >>> 24]! +
      OCTET_DOT[(w >>> 16) & 255]! +
      OCTET_DOT[(w >>> 8) & 255]! +
      OCTET[w & 255]! +
      SLASH_LENGTH[code]!
    );
  }

  private tagValue(code: number): string {
    const slot = code & (TAG_SLOTS - 1);
    if (this.tagCodes[slot] === code) return this.tagStrings[slot]!;
    const value = this.tagValues.get(code);
    this.tagCodes[slot] = code;
    this.tagStrings[slot] = value;
    return value;
  }
}
