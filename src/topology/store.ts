/**
 * The built topology: columns of typed arrays, dictionary-encoded strings, CSR adjacency and
 * indexes, and prefix tries for longest-prefix match. It is read-only; `TopologyBuilder` makes it.
 * Accessors read the columns directly; those returning lists of indexes return views, not copies.
 */

import {
  CONNECTION_TYPES,
  type ConnectionType,
  type ElementRecord,
  type ElementType,
  type RouteOrigin,
  type RouteState,
  type StoreBytes,
  type TopologyView,
} from './model.js';
import type { CoreNetworkPolicy } from './policy-types.js';
import { storeBytes } from './store/byte-size.js';
import { ELEMENT_TYPE_CODES } from './store/element-columns.js';
import type { ElementParts, StoreParts } from './store/parts.js';
import { formatPrefix, isV6Code, parseAddress, V6_LENGTH_BASE } from './store/prefix.js';
import { MAX_DEPTH, type PrefixTrie } from './store/prefix-trie.js';
import { RecordReader } from './store/record-reader.js';
import { BLACKHOLE, STATIC } from './store/route-rows.js';
import { StoredElement } from './store/stored-element.js';
import type { TraversalColumns } from './store/traversal.js';

export type { ReadonlyCsr, TraversalColumns } from './store/traversal.js';

const NONE = new Uint32Array(0);

export class MemoryOptimizedTopology implements TopologyView {
  readonly elementCount: number;
  readonly connectionCount: number;
  readonly routeCount: number;
  private readonly parts: StoreParts;
  private readonly e: ElementParts;
  private readonly reader: RecordReader;
  /** Lookup scratch (an address, and the prefixes found on its trie path); one per store. */
  private readonly address = new Uint32Array(4);
  private readonly found = new Int32Array(MAX_DEPTH + 1);

  /** Made by `TopologyBuilder.build()`. */
  constructor(parts: StoreParts) {
    this.parts = parts;
    this.e = parts.elements;
    this.reader = new RecordReader(parts.elements);
    this.elementCount = parts.elements.count;
    this.connectionCount = parts.connections.count;
    this.routeCount = parts.routes.count;
  }

  indexOf(id: string): number {
    return this.e.ids.find(id);
  }

  id(element: number): string {
    this.check(element);
    return this.reader.id(element);
  }

  type(element: number): ElementType {
    this.check(element);
    return this.reader.type(element);
  }

  name(element: number): string | undefined {
    this.check(element);
    return this.reader.name(element);
  }

  region(element: number): string | undefined {
    this.check(element);
    return this.reader.region(element);
  }

  segment(element: number): string | undefined {
    this.check(element);
    return this.reader.segment(element);
  }

  accountId(element: number): string | undefined {
    this.check(element);
    return this.reader.accountId(element);
  }

  state(element: number): string | undefined {
    this.check(element);
    return this.reader.state(element);
  }

  asn(element: number): number | undefined {
    this.check(element);
    return this.reader.asn(element);
  }

  /**
   * The element's prefixes in canonical text (RFC 5952 for IPv6), in the order they were given.
   * An element without any gets one shared frozen empty array.
   */
  cidrs(element: number): string[] {
    this.check(element);
    return this.reader.cidrs(element);
  }

  /** The element's tags; an element without any gets one shared frozen empty object. */
  tags(element: number): Record<string, string> {
    this.check(element);
    return this.reader.tags(element);
  }

  /** The record as given (fields it did not have stay absent), with CIDRs in canonical text. */
  element(element: number): ElementRecord {
    this.check(element);
    return this.reader.record(element, true);
  }

  /**
   * The record for output in bulk (streaming): only the fields the element has, so an empty
   * `cidrs` list or `tags` object is left out too.
   */
  leanElement(element: number): ElementRecord {
    this.check(element);
    return this.reader.record(element, false);
  }

  /**
   * The id, for a caller that reads elements mostly in index order and keeps the strings briefly,
   * as a stream does: see store/text-reader.ts getInOrder.
   */
  streamedId(element: number): string {
    this.check(element);
    return this.reader.streamedId(element);
  }

  /**
   * The record for streaming a whole topology: `id` and `type` are read now, every other field only
   * when it is read (store/stored-element.ts); `JSON.stringify` gives what `leanElement` would.
   */
  storedElement(element: number): ElementRecord {
    this.check(element);
    return new StoredElement(this.reader, element);
  }

  connectionType(connection: number): ConnectionType {
    this.checkConnection(connection);
    return CONNECTION_TYPES[this.parts.connections.types[connection]!]!;
  }

  connectionSource(connection: number): number {
    this.checkConnection(connection);
    return this.parts.connections.sources[connection]!;
  }

  connectionTarget(connection: number): number {
    this.checkConnection(connection);
    return this.parts.connections.targets[connection]!;
  }

  /** The store's own columns for loops over many elements (see store/traversal.ts); read-only. */
  traversal(): TraversalColumns {
    const c = this.parts.connections;
    return {
      elementTypes: this.e.types,
      connectionTypes: c.types,
      connectionSources: c.sources,
      connectionTargets: c.targets,
      outgoing: this.parts.outgoing,
      incoming: this.parts.incoming,
    };
  }

  /** Connection indexes leaving the element, ascending (a view into the adjacency array). */
  outgoing(element: number): Uint32Array {
    this.check(element);
    const { start, items } = this.parts.outgoing;
    return items.subarray(start[element]!, start[element + 1]!);
  }

  /** Connection indexes entering the element, ascending (a view into the adjacency array). */
  incoming(element: number): Uint32Array {
    this.check(element);
    const { start, items } = this.parts.incoming;
    return items.subarray(start[element]!, start[element + 1]!);
  }

  elementsOfType(type: ElementType): Uint32Array {
    const code = ELEMENT_TYPE_CODES.get(type);
    if (code === undefined) return NONE;
    const { start, items } = this.parts.byType;
    return items.subarray(start[code]!, start[code + 1]!);
  }

  elementsInRegion(region: string): Uint32Array {
    const code = this.e.regionNames.codeOf(region);
    if (code === 0) return NONE;
    const { start, items } = this.parts.byRegion;
    return items.subarray(start[code - 1]!, start[code]!);
  }

  elementsInSegment(segment: string): Uint32Array {
    const code = this.e.segmentNames.codeOf(segment);
    if (code === 0) return NONE;
    const { start, items } = this.parts.bySegment;
    return items.subarray(start[code - 1]!, start[code]!);
  }

  regions(): string[] {
    return [...this.e.regionNames.values].sort();
  }

  segments(): string[] {
    return [...this.e.segmentNames.values].sort();
  }

  longestPrefixMatch(ip: string): { elements: number[]; prefix: string } | undefined {
    const trie = this.lookup(ip);
    if (trie === undefined) return undefined;
    const count = trie.match(this.address, this.found);
    return count === 0 ? undefined : matchOf(trie, this.found[count - 1]!);
  }

  prefixMatches(ip: string): Array<{ elements: number[]; prefix: string }> {
    const trie = this.lookup(ip);
    if (trie === undefined) return [];
    const count = trie.match(this.address, this.found);
    const out: Array<{ elements: number[]; prefix: string }> = [];
    for (let k = count - 1; k >= 0; k--) out.push(matchOf(trie, this.found[k]!));
    return out;
  }

  /** Route indexes of a route table element, in the order they were added. */
  routesOf(table: number): Uint32Array {
    this.check(table);
    const { tableElements, start, items } = this.parts.routes;
    const k = binarySearch(tableElements, table);
    return k < 0 ? NONE : items.subarray(start[k]!, start[k + 1]!);
  }

  route(route: number): {
    table: number;
    destination: string;
    target: number;
    state: RouteState;
    origin: RouteOrigin;
  } {
    const r = this.parts.routes;
    if (!(route >>> 0 === route && route < r.count))
      throw new RangeError(`no route ${route} (${r.count} routes)`);
    const code = r.codes[route]!;
    const flags = r.flags[route]!;
    return {
      table: r.tables[route]!,
      destination: isV6Code(code)
        ? formatPrefix(code, r.v6, r.words[route]! * 4)
        : formatPrefix(code, r.words, route),
      target: r.targets[route]!,
      state: flags & BLACKHOLE ? 'blackhole' : 'active',
      origin: flags & STATIC ? 'static' : 'propagated',
    };
  }

  policy(coreNetwork: number): CoreNetworkPolicy | undefined {
    this.check(coreNetwork);
    return this.parts.policies.get(coreNetwork);
  }

  /**
   * Exact bytes per part: the byteLength of every typed array (each owns its buffer, trimmed when
   * built) and, for dictionary strings, 2 bytes per character plus the overhead stated in
   * store/dictionary.ts. `policies` is the policies' JSON length.
   */
  byteSize(): StoreBytes {
    return storeBytes(this.parts);
  }

  /** Parses `ip` into the address scratch and picks the trie of its family. */
  private lookup(ip: string): PrefixTrie | undefined {
    const version = parseAddress(ip, this.address);
    if (version === 0) return undefined;
    return version === 4 ? this.parts.trie4 : this.parts.trie6;
  }

  private check(element: number): void {
    if (!(element >>> 0 === element && element < this.elementCount)) {
      throw new RangeError(`no element ${element} (${this.elementCount} elements)`);
    }
  }

  private checkConnection(connection: number): void {
    if (!(connection >>> 0 === connection && connection < this.connectionCount)) {
      throw new RangeError(`no connection ${connection} (${this.connectionCount} connections)`);
    }
  }
}

function matchOf(trie: PrefixTrie, prefix: number): { elements: number[]; prefix: string } {
  const length = trie.lengths[prefix]!;
  const code = trie.width === 1 ? length : V6_LENGTH_BASE + length;
  return {
    elements: Array.from(trie.owners.subarray(trie.ownerStart[prefix]!, trie.ownerStart[prefix + 1]!)),
    prefix: formatPrefix(code, trie.words, prefix * trie.width),
  };
}

/** Index of `value` in ascending `sorted`, or -1. */
function binarySearch(sorted: Uint32Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle]!;
    if (at === value) return middle;
    if (at < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
