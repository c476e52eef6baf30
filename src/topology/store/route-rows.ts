/**
 * Route rows while building, resolved like connections (a route may name a table or target added
 * after it), then grouped by table: only the elements that have routes get a group, so a million
 * elements with a few thousand route tables pay nothing per element.
 */

import type { RecordLocation, RouteOrigin, RouteRecord, RouteState } from '../model.js';
import { groupBy } from './csr.js';
import { grow, trim } from './grow.js';
import { formatPrefix, isPrefixCode, isV6Code, parsePrefix } from './prefix.js';
import { indexRange, isIndex, type Problem, type Problems } from './problems.js';
import type { StringTable } from './string-table.js';

export const BLACKHOLE = 1;
export const STATIC = 2;
const DROPPED = 0x80;
const NO_TARGET = -1;

export interface RouteColumns {
  count: number;
  tables: Uint32Array;
  /** Element index, or -1 for none. */
  targets: Int32Array;
  /** The v4 address, or the index into `v6` (4 words each), with the length code of prefix.ts. */
  words: Uint32Array;
  codes: Uint8Array;
  v6: Uint32Array;
  /** BLACKHOLE | STATIC bits. */
  flags: Uint8Array;
  /** The elements that have routes, ascending, and their routes: items[start[k]..start[k + 1]]. */
  tableElements: Uint32Array;
  start: Uint32Array;
  items: Uint32Array;
}

/** `IndexedRouteRecord` with its destination parsed: a length code (prefix.ts) and `words` (4; v4 uses the first). */
export interface IndexedPrefixRoute {
  table: number;
  code: number;
  words: Uint32Array;
  target?: number;
  state: RouteState;
  origin: RouteOrigin;
}

/** A route whose table and target are given as element indexes (see TopologyBuilder.addRouteByIndex). */
export interface IndexedRouteRecord {
  table: number;
  destination: string;
  /** Left out for a blackhole. */
  target?: number;
  state: RouteState;
  origin: RouteOrigin;
}

export class RouteRows {
  count = 0;
  private tables = new Int32Array(16);
  private targets = new Int32Array(16);
  private words = new Uint32Array(16);
  private codes = new Uint8Array(16);
  private flags = new Uint8Array(16);
  private v6 = new Uint32Array(16);
  private v6Count = 0;
  private readonly scratch = new Uint32Array(4);
  /** Unresolved ends: row * 2 (+1 for the target), the id, where the record came from. */
  private readonly pendingEnds: number[] = [];
  private readonly pendingIds: string[] = [];
  private readonly pendingAt: Array<RecordLocation | undefined> = [];

  add(record: RouteRecord, at: RecordLocation | undefined, ids: StringTable): Problem | undefined {
    if (typeof record !== 'object' || record === null) {
      return { message: 'a route must be an object with "table", "destination", "state" and "origin"' };
    }
    const { table, destination, target, state, origin } = record;
    if (typeof table !== 'string' || table === '') {
      return {
        message: 'route has no "table"; give the id of the route table element it belongs to',
        field: '/table',
      };
    }
    const badTarget =
      target !== undefined && (typeof target !== 'string' || target === '')
        ? '"target" must be an element id, or left out for a blackhole'
        : undefined;
    const problem = this.addRow(this.parse(destination), destination, state, origin, table, badTarget, ids);
    if (problem) return problem;
    const row = this.count - 1;
    this.tables[row] = this.lookup(ids, table, row * 2, at);
    this.targets[row] = target === undefined ? NO_TARGET : this.lookup(ids, target, row * 2 + 1, at);
    return undefined;
  }

  /** `add` for a route whose table and target are indexes of elements already added. */
  addIndexed(record: IndexedRouteRecord, ids: StringTable): Problem | undefined {
    if (typeof record !== 'object' || record === null) {
      return { message: 'a route must be an object with "table", "destination", "state" and "origin"' };
    }
    const { destination } = record;
    return this.addIndexedRow(record, this.parse(destination), destination, ids);
  }

  /** `addIndexed` for a destination given parsed (`code` and `words`), as the generator has it. */
  addIndexedPrefix(route: IndexedPrefixRoute, ids: StringTable): Problem | undefined {
    const { code, words } = route;
    const valid = isPrefixCode(code, words, 0);
    for (let w = 0; w < 4; w++) this.scratch[w] = valid ? words[w]! : 0;
    const text = valid ? undefined : `length code ${code} with words ${[...words.subarray(0, 4)].join(', ')}`;
    return this.addIndexedRow(route, valid ? code : -1, text, ids);
  }

  /** The checks and row of `addIndexed`, its destination parsed into `scratch` (code -1 if it is not a prefix). */
  private addIndexedRow(
    route: Omit<IndexedRouteRecord, 'destination'>,
    code: number,
    destination: string | undefined,
    ids: StringTable,
  ): Problem | undefined {
    const { table, target, state, origin } = route;
    const count = ids.count;
    if (!isIndex(table, count)) {
      return {
        message: `route to ${JSON.stringify(destination ?? formatPrefix(code, this.scratch, 0))}: its table ${JSON.stringify(table)} is not the index of an element added before it (${indexRange(count)}); add the table first or pass its id to addRoute`,
        field: '/table',
      };
    }
    const badTarget =
      target !== undefined && !isIndex(target, count)
        ? `its target ${JSON.stringify(target)} is not the index of an element added before it (${indexRange(count)}); leave it out for a blackhole`
        : undefined;
    const problem = this.addRow(code, destination, state, origin, table, badTarget, ids);
    if (problem) return problem;
    const row = this.count - 1;
    this.tables[row] = table;
    this.targets[row] = target === undefined ? NO_TARGET : target;
    return undefined;
  }

  /** A destination for a message: as given, or (parsed by the source) as its text from `scratch`. */
  private named(code: number, given: unknown): unknown {
    return given === undefined && code >= 0 ? formatPrefix(code, this.scratch, 0) : given;
  }

  /** Parses a destination into `scratch` and returns its length code, or -1 when it is not a CIDR prefix. */
  private parse(destination: unknown): number {
    return typeof destination === 'string' ? parsePrefix(destination, this.scratch) : -1;
  }

  /**
   * Checks the destination, the target (`badTarget` says what is wrong with it, if anything), the
   * state and the origin, in that order, and when all are right adds a row with them, its table and
   * target still to be written. `table` (an id, or an element index in `ids`) names the route in
   * messages, looked up only when there is one to write.
   */
  private addRow(
    code: number,
    given: unknown,
    state: unknown,
    origin: unknown,
    tableRef: string | number,
    badTarget: string | undefined,
    ids: StringTable,
  ): Problem | undefined {
    if (code < 0) {
      return {
        message: `${describe(this.named(code, given), tableRef, ids)}: the destination is not a CIDR prefix (address/length with no host bits set, such as 10.0.0.0/16); fix it`,
        field: '/destination',
      };
    }
    if (badTarget !== undefined)
      return {
        message: `${describe(this.named(code, given), tableRef, ids)}: ${badTarget}`,
        field: '/target',
      };
    if (state !== 'active' && state !== 'blackhole') {
      return {
        message: `${describe(this.named(code, given), tableRef, ids)}: "state" must be "active" or "blackhole", not ${JSON.stringify(state)}`,
        field: '/state',
      };
    }
    if (origin !== 'propagated' && origin !== 'static') {
      return {
        message: `${describe(this.named(code, given), tableRef, ids)}: "origin" must be "propagated" or "static", not ${JSON.stringify(origin)}`,
        field: '/origin',
      };
    }
    const row = this.count++;
    if (row >= this.codes.length) this.growRows(row + 1);
    this.codes[row] = code;
    if (isV6Code(code)) {
      if ((this.v6Count + 1) * 4 > this.v6.length) this.v6 = grow(this.v6, (this.v6Count + 1) * 4);
      this.v6.set(this.scratch, this.v6Count * 4);
      this.words[row] = this.v6Count++;
    } else this.words[row] = this.scratch[0]!;
    this.flags[row] = (state === 'blackhole' ? BLACKHOLE : 0) | (origin === 'static' ? STATIC : 0);
    return undefined;
  }

  /** Resolves ids of elements added after the route; a still unknown id drops (or rejects) the route. */
  resolve(ids: StringTable, problems: Problems): void {
    let dropped = 0;
    for (let k = 0; k < this.pendingEnds.length; k++) {
      const slot = this.pendingEnds[k]!;
      const row = slot >>> 1;
      const index = ids.find(this.pendingIds[k]!);
      if (index >= 0) {
        (slot & 1 ? this.targets : this.tables)[row] = index;
        continue;
      }
      if (this.flags[row]! & DROPPED) continue;
      const end = slot & 1 ? 'target' : 'table';
      const destination = this.destinationOf(row);
      const message = `route to ${destination}: its ${end} "${this.pendingIds[k]}" is not an element id; add that element or correct the id`;
      problems.reject({ message }, this.pendingAt[k]);
      this.flags[row]! |= DROPPED;
      dropped++;
    }
    if (dropped > 0) this.compact();
  }

  /** The trimmed columns and the by-table groups (call after `resolve`). */
  finish(elementCount: number): RouteColumns {
    const count = this.count;
    const tables = new Uint32Array(trim(this.tables, count).buffer, 0, count);
    const grouped = groupBy(tables, count, elementCount);
    let tableCount = 0;
    for (let e = 0; e < elementCount; e++) if (grouped.start[e + 1]! > grouped.start[e]!) tableCount++;
    const tableElements = new Uint32Array(tableCount);
    const start = new Uint32Array(tableCount + 1);
    let k = 0;
    for (let e = 0; e < elementCount; e++) {
      if (grouped.start[e + 1]! === grouped.start[e]!) continue;
      tableElements[k] = e;
      start[++k] = grouped.start[e + 1]!;
    }
    return {
      count,
      tables,
      targets: trim(this.targets, count),
      words: trim(this.words, count),
      codes: trim(this.codes, count),
      v6: trim(this.v6, this.v6Count * 4),
      flags: trim(this.flags, count),
      tableElements,
      start,
      items: grouped.items,
    };
  }

  private lookup(ids: StringTable, id: string, slot: number, at: RecordLocation | undefined): number {
    const index = ids.find(id);
    if (index < 0) {
      this.pendingEnds.push(slot);
      this.pendingIds.push(id);
      this.pendingAt.push(at);
    }
    return index;
  }

  private destinationOf(row: number): string {
    const code = this.codes[row]!;
    return isV6Code(code)
      ? formatPrefix(code, this.v6, this.words[row]! * 4)
      : formatPrefix(code, this.words, row);
  }

  private growRows(needed: number): void {
    this.tables = grow(this.tables, needed);
    this.targets = grow(this.targets, needed);
    this.words = grow(this.words, needed);
    this.codes = grow(this.codes, needed);
    this.flags = grow(this.flags, needed);
  }

  /** Drops rejected rows; a dropped v6 destination leaves its 4 words unused in `v6`. */
  private compact(): void {
    let kept = 0;
    for (let row = 0; row < this.count; row++) {
      if (this.flags[row]! & DROPPED) continue;
      this.tables[kept] = this.tables[row]!;
      this.targets[kept] = this.targets[row]!;
      this.words[kept] = this.words[row]!;
      this.codes[kept] = this.codes[row]!;
      this.flags[kept++] = this.flags[row]!;
    }
    this.count = kept;
  }
}

/** Names a route for a message; `table` is its id, or its element index in `ids`. */
function describe(destination: unknown, table: string | number, ids: StringTable): string {
  return `route to ${JSON.stringify(destination)} in table "${typeof table === 'string' ? table : ids.get(table)}"`;
}
