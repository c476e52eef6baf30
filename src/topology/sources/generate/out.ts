/**
 * The generator's pen: hands records to the sink, counts them, and says when a batch is full so the
 * step generator can yield (to check the abort signal and let an async writer drain).
 *
 * Links and routes name their elements by reference (refs.ts). A sink that takes them by element
 * index (the TopologyBuilder: see `IndexedSink`) gets indexes, once every generated element is
 * known to be in it at the index the element pass implies; any other sink gets ids. Such a sink,
 * when empty, also gets the elements as new (`addNewElement`): generated ids are unique by
 * construction (a bijection of ordinals under a prefix per kind), so none needs a lookup first.
 */

import type { IndexedPrefixRoute } from '../../builder.js';
import {
  CONNECTION_TYPES,
  type ConnectionType,
  ELEMENT_TYPES,
  type ElementRecord,
  type RouteOrigin,
  type RouteState,
  type TopologySink,
} from '../../model.js';
import { ElementFields, type FieldValue } from '../../store/element-fields.js';
import { V6_LENGTH_BASE } from '../../store/prefix.js';
import { formatV6 } from './addresses.js';
import { ElementDraft, type PrefixDraft, STATE, TAG, TAG_KEYS, TYPE } from './draft.js';
import { writeAscii } from './flat-text.js';
import type { Layout } from './layout.js';
import { ElementIndex } from './refs.js';

/** Connection type codes, so the hot path counts by index. */
export const LINK = Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, i])) as Record<
  ConnectionType,
  number
>;

/** A route with no target (a blackhole). */
export const NO_TARGET = -1;

/** The optional part of a sink that takes new elements, and connections and routes by element index. */
export interface IndexedSink extends TopologySink {
  readonly elementCount: number;
  /** New elements as fields (store/element-fields.ts), their values as codes from `valueCode`. */
  addNewElementFields(fields: ElementFields): void;
  valueCode(field: FieldValue, value: string): number;
  /** A connection by its type's index in CONNECTION_TYPES and its ends' element indexes. */
  addConnectionByIndexCode(type: number, source: number, target: number): void;
  addRouteByIndexPrefix(route: IndexedPrefixRoute): void;
}

function isIndexed(sink: TopologySink): sink is IndexedSink {
  const s = sink as Partial<IndexedSink>;
  return (
    typeof s.elementCount === 'number' &&
    typeof s.addNewElementFields === 'function' &&
    typeof s.valueCode === 'function' &&
    typeof s.addConnectionByIndexCode === 'function' &&
    typeof s.addRouteByIndexPrefix === 'function'
  );
}

/** Edges and TGWs have always had their ASN before their state: kept, so snapshots stay byte-identical. */
const ASN_FIRST = new Uint8Array(ELEMENT_TYPES.length);
ASN_FIRST[TYPE.edge] = 1;
ASN_FIRST[TYPE['transit-gateway']] = 1;

// The fields a draft has, as bits (Out.record).
const NAME = 1;
const REGION = 2;
const SEGMENT = 4;
const ACCOUNT = 8;
const STATE_BIT = 16;
const ASN = 32;
const CIDRS = 64;
const TAGS = 128;
const SUBNET_FIELDS = REGION | ACCOUNT | STATE_BIT | CIDRS;
const VPC_FIELDS = NAME | SUBNET_FIELDS;
const ATTACHMENT_FIELDS = SUBNET_FIELDS | SEGMENT | TAGS;

export class Out {
  elements = 0;
  connections = 0;
  routes = 0;
  // Connections per type code (the index in CONNECTION_TYPES): a typed array, as this is per record.
  private readonly counts = new Float64Array(CONNECTION_TYPES.length);
  private readonly sink: TopologySink;
  private readonly batch: number;
  private readonly layout: Layout;
  /** The one element description the element pass fills, element by element. */
  readonly draft = new ElementDraft();
  /** The sink's element count before the first element, when it takes links by index. */
  private readonly base: number;
  /** The sink, when it was empty and takes elements as new. */
  private readonly fresh: IndexedSink | undefined;
  private indexed: IndexedSink | undefined;
  private readonly elementFields = new ElementFields();
  /** The one route the indexed path fills, route by route (words 2 and 3 stay zero: see PrefixDraft). */
  private readonly indexedRoute: IndexedPrefixRoute = {
    table: 0,
    code: 0,
    words: new Uint32Array(4),
    state: 'active',
    origin: 'static',
  };
  // The fresh sink's value codes by layout ordinal, filled as first used (see `code`).
  private readonly regionCodes: Int32Array;
  private readonly segmentCodes: Int32Array;
  private readonly accountCodes: Int32Array;
  private readonly stateCodes = new Int32Array(1);
  private readonly tagKeyCodes = new Int32Array(TAG_KEYS.length);
  private readonly tagValueCodes: Int32Array;
  private index: ElementIndex | undefined;
  private pauseAt: number;

  constructor(sink: TopologySink, batch: number, layout: Layout) {
    this.sink = sink;
    this.batch = batch;
    this.pauseAt = batch;
    this.layout = layout;
    this.base = isIndexed(sink) ? sink.elementCount : -1;
    this.fresh = this.base === 0 ? (sink as IndexedSink) : undefined;
    const segments = layout.plan.segments.length + layout.plan.functionGroups.length;
    this.regionCodes = new Int32Array(layout.R);
    this.segmentCodes = new Int32Array(segments);
    this.accountCodes = new Int32Array(layout.accountIds.length);
    this.tagValueCodes = new Int32Array(segments);
  }

  get connectionsByType(): Record<ConnectionType, number> {
    return Object.fromEntries(CONNECTION_TYPES.map((t, i) => [t, this.counts[i]])) as Record<
      ConnectionType,
      number
    >;
  }

  /**
   * Called once every element is written: links go by index from here on if the sink takes them and
   * holds exactly the generated elements after its earlier ones (none was refused as a duplicate).
   */
  elementsDone(): void {
    const sink = this.sink;
    if (this.base >= 0 && isIndexed(sink) && sink.elementCount === this.base + this.elements) {
      this.indexed = sink;
      this.index = new ElementIndex(this.layout, this.base);
    }
  }

  /** Each of these returns true when a batch is full: the caller yields then. */
  element(draft: ElementDraft): boolean {
    if (this.fresh !== undefined) this.fresh.addNewElementFields(this.fields(draft));
    else this.sink.addElement(this.record(draft));
    return ++this.elements + this.connections + this.routes >= this.pauseAt && this.pause();
  }

  /**
   * The draft as a record. Adding fields one by one to records of many shapes makes each add a slow
   * megamorphic transition, so the three field sets that are nearly all records (subnets, VPCs,
   * attachments) are made by one literal each, chosen by the fields the draft has.
   */
  private record(d: ElementDraft): ElementRecord {
    const l = this.layout;
    const mask =
      (d.name !== undefined ? NAME : 0) |
      (d.region >= 0 ? REGION : 0) |
      (d.segment >= 0 ? SEGMENT : 0) |
      (d.account >= 0 ? ACCOUNT : 0) |
      (d.state ? STATE_BIT : 0) |
      (d.asn >= 0 ? ASN : 0) |
      (d.cidrCount >= 0 ? CIDRS : 0) |
      (d.tagKey >= 0 ? TAGS : 0);
    const id = l.elementId(d.id);
    const type = ELEMENT_TYPES[d.type]!;
    // Never read at -1: an array read out of bounds takes a slow path.
    const region = mask & REGION ? l.plan.regions[d.region]! : '';
    const accountId = mask & ACCOUNT ? l.accountIds[d.account]! : '';
    const cidrs = mask & CIDRS ? this.cidrTexts(d) : undefined;
    if (mask === SUBNET_FIELDS) return { id, type, region, accountId, state: STATE, cidrs };
    if (mask === VPC_FIELDS) {
      const name = d.nameNumber < 0 ? d.name : l.text.dashNumber(d.name!, d.nameNumber);
      return { id, type, name, region, accountId, state: STATE, cidrs };
    }
    const segment = mask & SEGMENT ? l.segmentName(d.segment) : '';
    const tagValue = mask & TAGS ? l.segmentName(d.tagValue) : '';
    const tags: Record<string, string> | undefined =
      mask & TAGS ? (d.tagKey === TAG.nfg ? { nfg: tagValue } : { segment: tagValue }) : undefined;
    if (mask === ATTACHMENT_FIELDS)
      return { id, type, region, segment, accountId, state: STATE, cidrs, tags };
    const record: ElementRecord = { id, type };
    if (mask & NAME) record.name = d.nameNumber < 0 ? d.name : l.text.dashNumber(d.name!, d.nameNumber);
    if (mask & REGION) record.region = region;
    if (mask & SEGMENT) record.segment = segment;
    if (mask & ACCOUNT) record.accountId = accountId;
    if (mask & ASN && ASN_FIRST[d.type] === 1) record.asn = d.asn;
    if (mask & STATE_BIT) record.state = STATE;
    if (mask & ASN) record.asn = d.asn;
    if (cidrs !== undefined) record.cidrs = cidrs;
    if (tags !== undefined) record.tags = tags;
    return record;
  }

  private cidrTexts(d: ElementDraft): string[] {
    const l = this.layout;
    const cidrs: string[] = [];
    for (let k = 0; k < d.cidrCount; k++) {
      const w0 = d.cidrWords[2 * k]!;
      const prefix = d.cidrPrefix[k]!;
      cidrs.push(d.cidrV6[k] ? formatV6(w0, d.cidrWords[2 * k + 1]!, prefix) : l.text.v4(w0, prefix));
    }
    return cidrs;
  }

  /** The draft as the builder's fields, in the one ElementFields this Out reuses. */
  private fields(d: ElementDraft): ElementFields {
    const f = this.elementFields;
    const l = this.layout;
    f.type = d.type;
    f.idLength = l.writeId(d.id, f.id);
    f.nameLength = d.name === undefined ? -1 : writeAscii(f.name, d.name, d.nameNumber);
    f.region = d.region < 0 ? 0 : this.code('region', this.regionCodes, d.region, l.plan.regions[d.region]!);
    f.segment = d.segment < 0 ? 0 : this.segmentCode(d.segment);
    f.account =
      d.account < 0 ? 0 : this.code('accountId', this.accountCodes, d.account, l.accountIds[d.account]!);
    f.state = d.state ? this.code('state', this.stateCodes, 0, STATE) : 0;
    f.asn = d.asn;
    f.cidrCount = d.cidrCount;
    for (let k = 0; k < d.cidrCount; k++) {
      const v6 = d.cidrV6[k] === 1;
      f.cidrCodes[k] = v6 ? V6_LENGTH_BASE + d.cidrPrefix[k]! : d.cidrPrefix[k]!;
      f.cidrWords[4 * k] = d.cidrWords[2 * k]!;
      f.cidrWords[4 * k + 1] = d.cidrWords[2 * k + 1]!;
      f.cidrWords[4 * k + 2] = 0;
      f.cidrWords[4 * k + 3] = 0;
    }
    f.tagCount = d.tagKey < 0 ? -1 : 1;
    if (d.tagKey >= 0) {
      f.tagKeys[0] = this.code('tagKey', this.tagKeyCodes, d.tagKey, TAG_KEYS[d.tagKey]!);
      // Tag value codes count from 0, so the cache keeps code + 1.
      f.tagValues[0] =
        this.code('tagValue', this.tagValueCodes, d.tagValue, l.segmentName(d.tagValue), 1) - 1;
    }
    return f;
  }

  private segmentCode(ordinal: number): number {
    return this.code('segment', this.segmentCodes, ordinal, this.layout.segmentName(ordinal));
  }

  /**
   * The builder's code of vocabulary entry `ordinal`, asked for the first time it is used (so codes
   * come in the order the records would give them) and kept in `cache` (0 = not asked yet).
   */
  private code(field: FieldValue, cache: Int32Array, ordinal: number, value: string, shift = 0): number {
    const known = cache[ordinal]!;
    if (known !== 0) return known;
    const code = (this.fresh as IndexedSink).valueCode(field, value) + shift;
    cache[ordinal] = code;
    return code;
  }

  /** A connection of type code `code` between two element references. */
  link(code: number, source: number, target: number): boolean {
    if (this.index !== undefined) this.linkByIndex(code, source, target);
    else {
      const type = CONNECTION_TYPES[code] as ConnectionType;
      this.sink.addConnection({ type, source: this.layout.idOf(source), target: this.layout.idOf(target) });
    }
    this.counts[code] = (this.counts[code] as number) + 1;
    return this.elements + ++this.connections + this.routes >= this.pauseAt && this.pause();
  }

  private linkByIndex(code: number, source: number, target: number): void {
    const index = this.index as ElementIndex;
    (this.sink as IndexedSink).addConnectionByIndexCode(code, index.of(source), index.of(target));
  }

  /**
   * A route in the table `table` (a reference) to `target` (a reference, or NO_TARGET). The
   * destination is read from `destination` before this returns, so the caller may refill it.
   */
  route(
    table: number,
    destination: PrefixDraft,
    target: number,
    state: RouteState,
    origin: RouteOrigin,
  ): boolean {
    if (this.indexed !== undefined && this.index !== undefined) {
      const r = this.indexedRoute;
      const d = destination;
      r.table = this.index.of(table);
      r.code = d.v6 ? V6_LENGTH_BASE + d.prefix : d.prefix;
      r.words[0] = d.word0;
      r.words[1] = d.word1;
      r.target = target === NO_TARGET ? undefined : this.index.of(target);
      r.state = state;
      r.origin = origin;
      this.indexed.addRouteByIndexPrefix(r);
    } else {
      const l = this.layout;
      const d = destination;
      const text = d.v6 ? formatV6(d.word0, d.word1, d.prefix) : l.text.v4(d.word0, d.prefix);
      this.sink.addRoute(
        target === NO_TARGET
          ? { table: l.idOf(table), destination: text, state, origin }
          : { table: l.idOf(table), destination: text, target: l.idOf(target), state, origin },
      );
    }
    return this.elements + this.connections + ++this.routes >= this.pauseAt && this.pause();
  }

  private pause(): true {
    this.pauseAt += this.batch;
    return true;
  }
}
