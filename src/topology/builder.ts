/**
 * `TopologyBuilder` takes records from a source in any order and builds a `MemoryOptimizedTopology`.
 * Elements go straight into growable columns; connection and route ends are resolved to element
 * indexes as they arrive when possible, the rest in `build()`, which then trims every column and
 * derives the adjacency, the indexes and the prefix tries.
 *
 * A source that knows more than ids (the generator) can skip the id lookups, which are most of the
 * cost at a million elements: `addNewElement` for elements whose ids are unique by construction,
 * and `addConnectionByIndex` / `addRouteByIndex` for links whose ends it knows as element indexes.
 */

import { TopologyError } from '../errors.js';
import {
  type ConnectionRecord,
  type ConnectionType,
  ELEMENT_TYPES,
  type ElementRecord,
  type RecordLocation,
  type RouteRecord,
  type TopologySink,
} from './model.js';
import type { CoreNetworkPolicy } from './policy-types.js';
import { ConnectionRows } from './store/connection-rows.js';
import { groupBy } from './store/csr.js';
import { ElementColumns } from './store/element-columns.js';
import type { ElementFields, FieldValue } from './store/element-fields.js';
import type { ElementParts } from './store/parts.js';
import { isV6Code, prefixLength } from './store/prefix.js';
import { PrefixTrie } from './store/prefix-trie.js';
import { Problems, type TopologyWarning } from './store/problems.js';
import { type IndexedPrefixRoute, type IndexedRouteRecord, RouteRows } from './store/route-rows.js';
import { MemoryOptimizedTopology } from './store.js';

export { ElementFields, type FieldValue } from './store/element-fields.js';
export type { TopologyWarning } from './store/problems.js';
export type { IndexedPrefixRoute, IndexedRouteRecord } from './store/route-rows.js';

export interface TopologyBuilderOptions {
  /** How errors name the input (a file name, `generator`); default `topology`. */
  source?: string;
  /** Skip bad records with a warning instead of throwing on the first. */
  lenient?: boolean;
  onWarning?: (warning: TopologyWarning) => void;
  /** Sizes to allocate up front; the columns grow past them when needed. */
  expectedElements?: number;
  expectedConnections?: number;
}

/** Larger sizes up front would be typed arrays over the 2^31-byte limit of a buffer. */
const MAX_EXPECTED = 2 ** 28;

export class TopologyBuilder implements TopologySink {
  private readonly problems: Problems;
  // Replaced by empty ones once built, so a builder kept around does not pin its growable arrays.
  private elements: ElementColumns;
  private connections: ConnectionRows;
  private routes = new RouteRows();
  private policies = new Map<string, CoreNetworkPolicy>();
  private built = false;

  constructor(options: TopologyBuilderOptions = {}) {
    for (const option of ['expectedElements', 'expectedConnections'] as const) {
      const value = options[option];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= MAX_EXPECTED)) {
        throw new RangeError(
          `TopologyBuilder option ${option} must be an integer from 0 to ${MAX_EXPECTED}, not ${value}`,
        );
      }
    }
    this.problems = new Problems(options.source ?? 'topology', options.lenient ?? false, options.onWarning);
    this.elements = new ElementColumns(options.expectedElements ?? 0);
    this.connections = new ConnectionRows(options.expectedConnections ?? 0);
  }

  /** Records skipped so far in lenient mode. */
  get skipped(): number {
    return this.problems.skipped;
  }

  addElement(element: ElementRecord, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.elements.add(element);
    if (problem) this.problems.reject(problem, at);
  }

  /**
   * `addElement` for a source whose ids are unique by construction (among themselves and against
   * every element added before), as the generator's are on an empty builder. The id is not looked
   * up first, and such ids are indexed together when the index is first needed (a lookup, or
   * `build()`): at a million elements, indexing one id at a time is a cache miss on a random slot of
   * a large table each, while together they are placed in slot order. Should an id repeat after
   * all, a later `addNewElement` or `build()` throws rather than build a store with two equal ids.
   */
  addNewElement(element: ElementRecord, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.elements.add(element, true);
    if (problem) this.problems.reject(problem, at);
    if (this.elements.ids.repeats.length > 0) this.failOnRepeat();
  }

  /**
   * `addNewElement` for an element given as fields (store/element-fields.ts) rather than a record:
   * the id and name as latin1 bytes, values as codes from `valueCode`, CIDRs as words. The source
   * fills one `ElementFields` in place per element; the store is the same as from the records.
   */
  addNewElementFields(fields: ElementFields, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.elements.addFields(fields);
    if (problem) this.problems.reject(problem, at);
    if (this.elements.ids.repeats.length > 0) this.failOnRepeat();
  }

  /**
   * The code that `addNewElementFields` takes for `value` of `field`, interned now. Values get codes
   * in the order they are first asked for, so a source that asks just before it first uses one gets
   * the codes the records would have.
   */
  valueCode(field: FieldValue, value: string): number {
    this.assertOpen();
    return this.elements.valueCode(field, value);
  }

  addConnection(connection: ConnectionRecord, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.connections.add(connection, at, this.elements.ids);
    if (problem) this.problems.reject(problem, at);
  }

  addRoute(route: RouteRecord, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.routes.add(route, at, this.elements.ids);
    if (problem) this.problems.reject(problem, at);
  }

  /** Elements accepted so far; the next accepted element gets this index. */
  get elementCount(): number {
    return this.elements.count;
  }

  /**
   * A connection whose ends are given as element indexes (the order elements were accepted in,
   * from 0) instead of ids, for a source that knows them, as the generator does. It skips the two id
   * lookups that are most of the cost of a connection at a million elements (each is a few cache
   * misses). Both ends must be elements already accepted; anything else is a bad record.
   */
  addConnectionByIndex(type: ConnectionType, source: number, target: number, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.connections.addIndexed(type, source, target, this.elements.count);
    if (problem) this.problems.reject(problem, at);
  }

  /**
   * `addConnectionByIndex` with the type as its code, its index in CONNECTION_TYPES (the generator
   * keeps types as codes): the same checks and the same row, without a lookup of the type's name.
   */
  addConnectionByIndexCode(type: number, source: number, target: number, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.connections.addIndexedCode(type, source, target, this.elements.count);
    if (problem) this.problems.reject(problem, at);
  }

  /** A route whose table and target are element indexes, as for `addConnectionByIndex`. */
  addRouteByIndex(route: IndexedRouteRecord, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.routes.addIndexed(route, this.elements.ids);
    if (problem) this.problems.reject(problem, at);
  }

  /** `addRouteByIndex` for a destination the source has parsed already (a length code and words). */
  addRouteByIndexPrefix(route: IndexedPrefixRoute, at?: RecordLocation): void {
    this.assertOpen();
    const problem = this.routes.addIndexedPrefix(route, this.elements.ids);
    if (problem) this.problems.reject(problem, at);
  }

  /** A later policy for the same core network replaces the earlier one. */
  setPolicy(coreNetworkId: string, policy: CoreNetworkPolicy): void {
    this.assertOpen();
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
      this.problems.reject(
        { message: `the policy of core network "${coreNetworkId}" must be a JSON object` },
        undefined,
      );
      return;
    }
    this.policies.set(coreNetworkId, policy);
  }

  /** Resolves every id, checks for dangling ends, and returns the store; the builder is spent after. */
  build(): MemoryOptimizedTopology {
    this.assertOpen();
    this.built = true;
    const ids = this.elements.ids;
    this.connections.resolve(ids, this.problems);
    this.routes.resolve(ids, this.problems);
    const policies = new Map<number, CoreNetworkPolicy>();
    let policyBytes = 0;
    for (const [id, policy] of this.policies) {
      const index = ids.find(id);
      if (index < 0) {
        const message = `a policy is given for core network "${id}", but no element has that id; add the core-network element or correct the id`;
        this.problems.reject({ message }, undefined);
        continue;
      }
      policies.set(index, policy);
      policyBytes += JSON.stringify(policy).length;
    }
    const elements = this.elements.finish();
    if (elements.ids.repeats.length > 0) this.failOnRepeat();
    const n = elements.count;
    const connections = this.connections.finish();
    const [trie4, trie6] = buildTries(elements);
    const routes = this.routes.finish(n);
    this.elements = new ElementColumns(0);
    this.connections = new ConnectionRows(0);
    this.routes = new RouteRows();
    this.policies = new Map();
    return new MemoryOptimizedTopology({
      elements,
      connections,
      outgoing: groupBy(connections.sources, connections.count, n),
      incoming: groupBy(connections.targets, connections.count, n),
      byType: groupBy(elements.types, n, ELEMENT_TYPES.length),
      byRegion: groupBy(elements.regions, n, elements.regionNames.size + 1, 1),
      bySegment: groupBy(elements.segments, n, elements.segmentNames.size + 1, 1),
      trie4,
      trie6,
      routes,
      policies,
      policyBytes,
    });
  }

  /** A source broke its promise of new ids (`addNewElement`): a bug in the source, not bad input. */
  private failOnRepeat(): never {
    const ids = this.elements.ids;
    const [code = 0, earlier = 0] = ids.repeats;
    const id = ids.get(code);
    throw new TopologyError(
      this.problems.source,
      `${this.problems.source}: element ${code} was added as new with id "${id}", but element ${earlier} already has it; the source must give each element a unique id`,
    );
  }

  private assertOpen(): void {
    if (this.built)
      throw new Error('this TopologyBuilder has already built its topology; create a new builder');
  }
}

/** One trie per address family over every element's CIDRs. */
function buildTries(e: ElementParts): [PrefixTrie, PrefixTrie] {
  const total = e.cidrCodes.length;
  const v6 = e.cidrV6.length / 4;
  const v4 = total - v6;
  const four = {
    words: new Uint32Array(v4),
    lengths: new Uint8Array(v4),
    elements: new Uint32Array(v4),
    count: 0,
  };
  const six = {
    words: new Uint32Array(v6 * 4),
    lengths: new Uint8Array(v6),
    elements: new Uint32Array(v6),
    count: 0,
  };
  for (let element = 0; element < e.count; element++) {
    for (let entry = e.cidrStart[element]!; entry < e.cidrStart[element + 1]!; entry++) {
      const code = e.cidrCodes[entry]!;
      const into = isV6Code(code) ? six : four;
      const k = into.count++;
      if (into === six)
        into.words.set(e.cidrV6.subarray(e.cidrWords[entry]! * 4, e.cidrWords[entry]! * 4 + 4), k * 4);
      else into.words[k] = e.cidrWords[entry]!;
      into.lengths[k] = prefixLength(code);
      into.elements[k] = element;
    }
  }
  return [PrefixTrie.build(four, 1), PrefixTrie.build(six, 4)];
}
