/**
 * The element columns while a topology is being built: one slot per element in each typed array,
 * grown by doubling. A record is checked completely before anything is written, so a rejected
 * record (lenient mode) leaves no trace.
 */

import { ELEMENT_TYPES, type ElementRecord } from '../model.js';
import { Dictionary } from './dictionary.js';
import {
  type ElementFields,
  FIELD_CIDRS,
  FIELD_TAGS,
  FIELD_TEXT_BYTES,
  type FieldValue,
} from './element-fields.js';
import { grow, narrow, setBit, trim } from './grow.js';
import type { ElementParts } from './parts.js';
import { isPrefixCode, isV6Code, parsePrefix } from './prefix.js';
import type { Problem } from './problems.js';
import { StringTable } from './string-table.js';

export const ELEMENT_TYPE_CODES: ReadonlyMap<string, number> = new Map(
  ELEMENT_TYPES.map((type, code) => [type, code]),
);

const OPTIONAL_STRINGS = ['name', 'region', 'segment', 'accountId', 'state'] as const;

export class ElementColumns {
  count = 0;
  types: Uint8Array;
  regions: Uint32Array;
  segments: Uint32Array;
  accounts: Uint32Array;
  states: Uint32Array;
  /** ASNs repeat (one per TGW, edge or VPN gateway), so they are dictionary codes too. */
  asns: Uint32Array;
  hasName: Uint8Array;
  /** Whether the record had a `cidrs` list / `tags` object, so an empty one comes back as given. */
  hasCidrList: Uint8Array;
  hasTagObject: Uint8Array;
  readonly ids: StringTable;
  /** Every element has a name slot ('' when it has none, told apart by `hasName`). */
  readonly names: StringTable;
  readonly regionNames = new Dictionary();
  readonly segmentNames = new Dictionary();
  readonly accountIds = new Dictionary();
  readonly stateNames = new Dictionary();
  readonly asnValues = new Dictionary<number>();

  /** CIDRs of element e are entries cidrStart[e]..cidrStart[e + 1]. */
  cidrStart: Uint32Array;
  cidrCount = 0;
  /** Per entry: the v4 address, or for v6 the entry's index into `cidrV6` (4 words each). */
  cidrWords: Uint32Array;
  /** Per entry: the length code of prefix.ts. */
  cidrCodes: Uint8Array;
  cidrV6: Uint32Array;
  v6Count = 0;

  /** Tags of element e are pairs tagStart[e]..tagStart[e + 1]. */
  tagStart: Uint32Array;
  tagCount = 0;
  tagKeyCodes: Uint32Array;
  tagValueCodes: Uint32Array;
  readonly tagKeys = new Dictionary();
  /** Tag values can be as many as elements (a Name tag), so they are packed, not kept as JS strings. */
  readonly tagValues = new StringTable({ indexed: true });

  /** IPv6 entries among the CIDRs `parseCidrs` wrote last. */
  private parsedV6 = 0;
  private readonly words = new Uint32Array(4);

  constructor(expected: number) {
    const size = Math.max(16, expected);
    this.types = new Uint8Array(size);
    this.regions = new Uint32Array(size);
    this.segments = new Uint32Array(size);
    this.accounts = new Uint32Array(size);
    this.states = new Uint32Array(size);
    this.asns = new Uint32Array(size);
    this.hasName = new Uint8Array((size + 7) >>> 3);
    this.hasCidrList = new Uint8Array((size + 7) >>> 3);
    this.hasTagObject = new Uint8Array((size + 7) >>> 3);
    this.cidrStart = new Uint32Array(size + 1);
    this.tagStart = new Uint32Array(size + 1);
    this.cidrWords = new Uint32Array(size);
    this.cidrCodes = new Uint8Array(size);
    this.cidrV6 = new Uint32Array(64);
    this.tagKeyCodes = new Uint32Array(64);
    this.tagValueCodes = new Uint32Array(64);
    this.ids = new StringTable({ indexed: true, expectedCount: expected, expectedBytes: expected * 24 });
    this.names = new StringTable({ indexed: false, expectedCount: expected, expectedBytes: expected * 16 });
  }

  /**
   * Adds a valid element and returns undefined, or returns what is wrong and adds nothing. Each
   * field is read once: records from a parser come in many shapes, so every read is a slow lookup.
   * With `newId` the caller vouches that the id is not taken (StringTable.addNew): it is not checked
   * here, and a broken promise shows in `ids.repeats`.
   */
  add(record: ElementRecord, newId = false): Problem | undefined {
    if (typeof record !== 'object' || record === null) {
      return { message: 'an element must be an object with at least "id" and "type"' };
    }
    const { id, name, region, segment, accountId, state, asn, tags } = record;
    if (typeof id !== 'string' || id === '') {
      return { message: 'element has no "id"; give it a non-empty string id', field: '/id' };
    }
    const type = ELEMENT_TYPE_CODES.get(record.type);
    if (type === undefined) {
      return {
        message: `element "${id}" has unknown type ${JSON.stringify(record.type)}; use one of ${ELEMENT_TYPES.join(', ')}`,
        field: '/type',
      };
    }
    if (!isOptionalString(name) || !isOptionalString(region) || !isOptionalString(segment)) {
      return mistypedString(id, record);
    }
    if (!isOptionalString(accountId) || !isOptionalString(state)) return mistypedString(id, record);
    if (asn !== undefined && !(Number.isInteger(asn) && asn >= 0 && asn <= 0xffffffff)) {
      return {
        message: `element "${id}": "asn" must be an integer from 0 to 4294967295, not ${JSON.stringify(asn)}`,
        field: '/asn',
      };
    }
    const list = record.cidrs;
    const cidrs = list === undefined ? 0 : this.parseCidrs(id, list);
    if (typeof cidrs !== 'number') return cidrs;
    if (tags !== undefined) {
      const problem = checkTags(id, tags);
      if (problem) return problem;
    }
    const index = newId ? this.ids.addNew(id) : this.ids.addUnique(id);
    if (index < 0) {
      return {
        message: `duplicate element id "${id}" (element ${-1 - index} already has it); ids must be unique, so rename or remove one`,
        field: '/id',
      };
    }
    // Valid: from here on every column gets its slot.
    if (index >= this.types.length) this.growElements(Math.max(index + 1, this.types.length * 2));
    this.count = index + 1;
    this.types[index] = type;
    this.names.addUnique(name ?? '');
    if (name !== undefined) setBit(this.hasName, index);
    if (region !== undefined) this.regions[index] = this.regionNames.intern(region);
    if (segment !== undefined) this.segments[index] = this.segmentNames.intern(segment);
    if (accountId !== undefined) this.accounts[index] = this.accountIds.intern(accountId);
    if (state !== undefined) this.states[index] = this.stateNames.intern(state);
    if (asn !== undefined) this.asns[index] = this.asnValues.intern(asn);
    if (list !== undefined) setBit(this.hasCidrList, index);
    if (cidrs > 0) this.keepCidrs(cidrs);
    this.cidrStart[index + 1] = this.cidrCount;
    if (tags !== undefined) {
      setBit(this.hasTagObject, index);
      this.commitTags(tags);
    }
    this.tagStart[index + 1] = this.tagCount;
    return undefined;
  }

  /** The code `addFields` takes for `value` of `field`, interning it now (see ElementFields). */
  valueCode(field: FieldValue, value: string): number {
    if (typeof value !== 'string')
      throw new TypeError(`the ${field} value must be a string, not ${typeof value}`);
    switch (field) {
      case 'region':
        return this.regionNames.intern(value);
      case 'segment':
        return this.segmentNames.intern(value);
      case 'accountId':
        return this.accountIds.intern(value);
      case 'state':
        return this.stateNames.intern(value);
      case 'tagKey':
        return this.tagKeys.intern(value);
      case 'tagValue':
        return this.tagValues.intern(value);
    }
    throw new RangeError(`no field ${JSON.stringify(field)} takes value codes`);
  }

  /**
   * `add(record, true)` for an element given as fields (element-fields.ts): the same columns, the
   * same checks of what the fields can get wrong (codes and CIDR words are checked, not parsed).
   */
  addFields(f: ElementFields): Problem | undefined {
    const problem = this.checkFields(f);
    if (problem) return problem;
    const cidrs = f.cidrCount;
    if (cidrs > 0) this.copyCidrs(f);
    const index = this.ids.addNewLatin1(f.id, f.idLength);
    if (index >= this.types.length) this.growElements(Math.max(index + 1, this.types.length * 2));
    this.count = index + 1;
    this.types[index] = f.type;
    this.names.addNewLatin1(f.name, Math.max(0, f.nameLength));
    if (f.nameLength >= 0) setBit(this.hasName, index);
    this.regions[index] = f.region;
    this.segments[index] = f.segment;
    this.accounts[index] = f.account;
    this.states[index] = f.state;
    if (f.asn >= 0) this.asns[index] = this.asnValues.intern(f.asn);
    if (cidrs >= 0) setBit(this.hasCidrList, index);
    if (cidrs > 0) this.keepCidrs(cidrs);
    this.cidrStart[index + 1] = this.cidrCount;
    if (f.tagCount >= 0) {
      setBit(this.hasTagObject, index);
      const needed = this.tagCount + f.tagCount;
      if (needed > this.tagKeyCodes.length) {
        this.tagKeyCodes = grow(this.tagKeyCodes, needed);
        this.tagValueCodes = grow(this.tagValueCodes, needed);
      }
      for (let k = 0; k < f.tagCount; k++) {
        this.tagKeyCodes[this.tagCount] = f.tagKeys[k]!;
        this.tagValueCodes[this.tagCount++] = f.tagValues[k]!;
      }
    }
    this.tagStart[index + 1] = this.tagCount;
    return undefined;
  }

  /** What is wrong with fields a source filled, before anything is written; undefined when nothing. */
  private checkFields(f: ElementFields): Problem | undefined {
    if (!(f.type >= 0 && f.type < ELEMENT_TYPES.length))
      return bad(`type code ${f.type} is not 0 to ${ELEMENT_TYPES.length - 1}`);
    if (!(f.idLength > 0 && f.idLength <= FIELD_TEXT_BYTES))
      return bad(`id length ${f.idLength} is not 1 to ${FIELD_TEXT_BYTES}`);
    if (!(f.nameLength >= -1 && f.nameLength <= FIELD_TEXT_BYTES))
      return bad(`name length ${f.nameLength} is not -1 to ${FIELD_TEXT_BYTES}`);
    if (!(f.region >= 0 && f.region <= this.regionNames.size))
      return bad(`region code ${f.region} was not given by valueCode`);
    if (!(f.segment >= 0 && f.segment <= this.segmentNames.size))
      return bad(`segment code ${f.segment} was not given by valueCode`);
    if (!(f.account >= 0 && f.account <= this.accountIds.size))
      return bad(`account code ${f.account} was not given by valueCode`);
    if (!(f.state >= 0 && f.state <= this.stateNames.size))
      return bad(`state code ${f.state} was not given by valueCode`);
    if (!(f.asn === -1 || (Number.isInteger(f.asn) && f.asn >= 0 && f.asn <= 0xffffffff)))
      return bad(`asn ${f.asn} is not -1 or 0 to 4294967295`);
    if (!(f.cidrCount >= -1 && f.cidrCount <= FIELD_CIDRS))
      return bad(`CIDR count ${f.cidrCount} is not -1 to ${FIELD_CIDRS}`);
    for (let k = 0; k < f.cidrCount; k++) {
      if (!isPrefixCode(f.cidrCodes[k]!, f.cidrWords, k * 4))
        return bad(`CIDR ${k} has length code ${f.cidrCodes[k]} and host bits set or an unknown length`);
    }
    if (!(f.tagCount >= -1 && f.tagCount <= FIELD_TAGS))
      return bad(`tag count ${f.tagCount} is not -1 to ${FIELD_TAGS}`);
    for (let k = 0; k < f.tagCount; k++) {
      const key = f.tagKeys[k]!;
      if (key < 1 || key > this.tagKeys.size || f.tagValues[k]! >= this.tagValues.count)
        return bad(`tag ${k} has codes that were not given by valueCode`);
    }
    return undefined;
  }

  /** The fields' CIDRs past the columns' ends, as `parseCidrs` leaves them for `keepCidrs`. */
  private copyCidrs(f: ElementFields): void {
    const count = f.cidrCount;
    const needed = this.cidrCount + count;
    if (needed > this.cidrWords.length) {
      this.cidrWords = grow(this.cidrWords, needed);
      this.cidrCodes = grow(this.cidrCodes, needed);
    }
    let v6 = 0;
    for (let k = 0; k < count; k++) {
      const code = f.cidrCodes[k]!;
      const entry = this.cidrCount + k;
      this.cidrCodes[entry] = code;
      if (!isV6Code(code)) {
        this.cidrWords[entry] = f.cidrWords[k * 4]!;
        continue;
      }
      const at = this.v6Count + v6++;
      if ((at + 1) * 4 > this.cidrV6.length) this.cidrV6 = grow(this.cidrV6, (at + 1) * 4);
      for (let w = 0; w < 4; w++) this.cidrV6[at * 4 + w] = f.cidrWords[k * 4 + w]!;
      this.cidrWords[entry] = at;
    }
    this.parsedV6 = v6;
  }

  private commitTags(tags: Record<string, string>): void {
    for (const key in tags) {
      if (this.tagCount >= this.tagKeyCodes.length) {
        this.tagKeyCodes = grow(this.tagKeyCodes, this.tagCount + 1);
        this.tagValueCodes = grow(this.tagValueCodes, this.tagCount + 1);
      }
      this.tagKeyCodes[this.tagCount] = this.tagKeys.intern(key);
      this.tagValueCodes[this.tagCount++] = this.tagValues.intern(tags[key]!);
    }
  }

  /**
   * Parses every CIDR straight into the columns past their ends (`cidrCount`, `v6Count`), which
   * move only when the record is accepted (`keepCidrs`): a rejected record leaves the entries to be
   * overwritten. Returns how many, or the first bad one.
   */
  private parseCidrs(id: string, cidrs: unknown): number | Problem {
    if (!Array.isArray(cidrs)) {
      return { message: `element "${id}": "cidrs" must be an array of CIDR strings`, field: '/cidrs' };
    }
    const needed = this.cidrCount + cidrs.length;
    if (needed > this.cidrWords.length) {
      this.cidrWords = grow(this.cidrWords, needed);
      this.cidrCodes = grow(this.cidrCodes, needed);
    }
    const words = this.words;
    let v6 = 0;
    for (let i = 0; i < cidrs.length; i++) {
      const text: unknown = cidrs[i];
      const code = typeof text === 'string' ? parsePrefix(text, words) : -1;
      if (code < 0) {
        return {
          message: `element "${id}": ${JSON.stringify(text)} in "cidrs" is not a valid CIDR prefix (address/length with no host bits set, such as 10.1.0.0/16 or 2600:1f14::/56); fix or remove it`,
          field: `/cidrs/${i}`,
        };
      }
      const entry = this.cidrCount + i;
      this.cidrCodes[entry] = code;
      if (!isV6Code(code)) {
        this.cidrWords[entry] = words[0]!;
        continue;
      }
      const at = this.v6Count + v6++;
      if ((at + 1) * 4 > this.cidrV6.length) this.cidrV6 = grow(this.cidrV6, (at + 1) * 4);
      for (let w = 0; w < 4; w++) this.cidrV6[at * 4 + w] = words[w]!;
      this.cidrWords[entry] = at;
    }
    this.parsedV6 = v6;
    return cidrs.length;
  }

  /** Keeps the `count` entries `parseCidrs` wrote last. */
  private keepCidrs(count: number): void {
    this.cidrCount += count;
    this.v6Count += this.parsedV6;
  }

  /** The trimmed columns, codes narrowed; nothing may be added afterwards. */
  finish(): ElementParts {
    const n = this.count;
    this.ids.finish();
    this.names.finish();
    this.tagValues.finish();
    return {
      count: n,
      types: trim(this.types, n),
      regions: narrow(this.regions, n, this.regionNames.size),
      segments: narrow(this.segments, n, this.segmentNames.size),
      accounts: narrow(this.accounts, n, this.accountIds.size),
      states: narrow(this.states, n, this.stateNames.size),
      asns: narrow(this.asns, n, this.asnValues.size),
      regionNames: this.regionNames,
      segmentNames: this.segmentNames,
      accountIds: this.accountIds,
      stateNames: this.stateNames,
      asnValues: this.asnValues,
      ids: this.ids,
      names: this.names,
      hasName: trim(this.hasName, (n + 7) >>> 3),
      hasCidrList: trim(this.hasCidrList, (n + 7) >>> 3),
      hasTagObject: trim(this.hasTagObject, (n + 7) >>> 3),
      cidrStart: trim(this.cidrStart, n + 1),
      cidrWords: trim(this.cidrWords, this.cidrCount),
      cidrCodes: trim(this.cidrCodes, this.cidrCount),
      cidrV6: trim(this.cidrV6, this.v6Count * 4),
      tagStart: trim(this.tagStart, n + 1),
      tagKeyCodes: narrow(this.tagKeyCodes, this.tagCount, this.tagKeys.size),
      tagValueCodes: trim(this.tagValueCodes, this.tagCount),
      tagKeys: this.tagKeys,
      tagValues: this.tagValues,
    };
  }

  /** Grows every per-element column together, so `types.length` bounds them all. */
  private growElements(needed: number): void {
    this.types = grow(this.types, needed);
    this.regions = grow(this.regions, needed);
    this.segments = grow(this.segments, needed);
    this.accounts = grow(this.accounts, needed);
    this.states = grow(this.states, needed);
    this.asns = grow(this.asns, needed);
    this.cidrStart = grow(this.cidrStart, needed + 1);
    this.tagStart = grow(this.tagStart, needed + 1);
    this.hasName = grow(this.hasName, (needed + 7) >>> 3);
    this.hasCidrList = grow(this.hasCidrList, (needed + 7) >>> 3);
    this.hasTagObject = grow(this.hasTagObject, (needed + 7) >>> 3);
  }
}

/** A closure per call would cost more than the checks (tsx names every function it makes). */
function bad(what: string): Problem {
  return { message: `element fields: ${what} (a bug in the source)` };
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** Named field by field only once a record is known to be bad, so good records pay one check each. */
function mistypedString(id: string, record: ElementRecord): Problem {
  const field = OPTIONAL_STRINGS.find((f) => !isOptionalString(record[f])) ?? 'name';
  return {
    message: `element "${id}": "${field}" must be a string, not ${typeof record[field]}`,
    field: `/${field}`,
  };
}

function checkTags(id: string, tags: unknown): Problem | undefined {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    return { message: `element "${id}": "tags" must be an object of string values`, field: '/tags' };
  }
  for (const key in tags) {
    const value = (tags as Record<string, unknown>)[key];
    if (typeof value !== 'string') {
      return {
        message: `element "${id}": tag "${key}" must have a string value, not ${typeof value}`,
        field: `/tags/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      };
    }
  }
  return undefined;
}
