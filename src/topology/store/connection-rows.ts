/**
 * Connection rows while building. Ends are resolved to element indexes when the connection arrives
 * if the element is already known (the usual order), otherwise kept by id until `resolve`, so a
 * connection may name an element added after it.
 */

import {
  CONNECTION_TYPES,
  type ConnectionRecord,
  type ConnectionType,
  type RecordLocation,
} from '../model.js';
import { grow, trim } from './grow.js';
import { indexRange, isIndex, type Problem, type Problems } from './problems.js';
import { RecentIds } from './recent-ids.js';
import type { StringTable } from './string-table.js';

export const CONNECTION_TYPE_CODES: ReadonlyMap<string, number> = new Map(
  CONNECTION_TYPES.map((type, code) => [type, code]),
);

/** A row whose end could not be resolved (lenient mode) until it is compacted away. */
const DROPPED = 0xff;

export interface ConnectionColumns {
  count: number;
  sources: Uint32Array;
  targets: Uint32Array;
  types: Uint8Array;
}

export class ConnectionRows {
  count = 0;
  private sources: Int32Array;
  private targets: Int32Array;
  private types: Uint8Array;
  /** Unresolved ends: row * 2 (+1 for the target), the id, and where the record came from. */
  private readonly pendingEnds: number[] = [];
  private readonly pendingIds: string[] = [];
  private readonly pendingAt: Array<RecordLocation | undefined> = [];
  private readonly recent = new RecentIds();

  constructor(expected: number) {
    const size = Math.max(16, expected);
    this.sources = new Int32Array(size);
    this.targets = new Int32Array(size);
    this.types = new Uint8Array(size);
  }

  add(record: ConnectionRecord, at: RecordLocation | undefined, ids: StringTable): Problem | undefined {
    if (typeof record !== 'object' || record === null) {
      return { message: 'a connection must be an object with "type", "source" and "target"' };
    }
    const { source, target } = record;
    const type = CONNECTION_TYPE_CODES.get(record.type);
    if (type === undefined) {
      return {
        message: `connection from ${JSON.stringify(source)} to ${JSON.stringify(target)} has unknown type ${JSON.stringify(record.type)}; use one of ${CONNECTION_TYPES.join(', ')}`,
        field: '/type',
      };
    }
    const missing =
      typeof source !== 'string' || source === ''
        ? 'source'
        : typeof target !== 'string' || target === ''
          ? 'target'
          : undefined;
    if (missing !== undefined) {
      return {
        message: `${record.type} connection has no "${missing}"; give the id of the element it ${missing === 'source' ? 'starts' : 'ends'} at`,
        field: `/${missing}`,
      };
    }
    const row = this.count++;
    if (row >= this.types.length) this.growRows(row + 1);
    this.types[row] = type;
    this.sources[row] = this.lookup(ids, source, row * 2, at);
    this.targets[row] = this.lookup(ids, target, row * 2 + 1, at);
    return undefined;
  }

  /** `add` for a connection whose ends are indexes of elements already added (`elementCount` so far). */
  addIndexed(
    typeName: ConnectionType,
    source: number,
    target: number,
    elementCount: number,
  ): Problem | undefined {
    const type = CONNECTION_TYPE_CODES.get(typeName);
    if (type === undefined) {
      return {
        message: `connection from element ${source} to element ${target} has unknown type ${JSON.stringify(typeName)}; use one of ${CONNECTION_TYPES.join(', ')}`,
        field: '/type',
      };
    }
    return this.addIndexedCode(type, source, target, elementCount);
  }

  /**
   * `addIndexed` with the type as its code (its index in CONNECTION_TYPES), for a source that
   * counts by code anyway: a million connections then cost no Map lookup of their type name each.
   */
  addIndexedCode(type: number, source: number, target: number, elementCount: number): Problem | undefined {
    if (!(Number.isInteger(type) && type >= 0 && type < CONNECTION_TYPES.length)) {
      return {
        message: `connection from element ${source} to element ${target} has type code ${JSON.stringify(type)}, not 0 to ${CONNECTION_TYPES.length - 1} (an index in CONNECTION_TYPES)`,
        field: '/type',
      };
    }
    const typeName = CONNECTION_TYPES[type]!;
    if (!isIndex(source, elementCount)) return badEnd(typeName, 'source', source, elementCount);
    if (!isIndex(target, elementCount)) return badEnd(typeName, 'target', target, elementCount);
    const row = this.count++;
    if (row >= this.types.length) this.growRows(row + 1);
    this.types[row] = type;
    this.sources[row] = source;
    this.targets[row] = target;
    return undefined;
  }

  /** Resolves the ends that named elements added later; a still unknown id is a dangling end. */
  resolve(ids: StringTable, problems: Problems): void {
    let dropped = 0;
    for (let k = 0; k < this.pendingEnds.length; k++) {
      const slot = this.pendingEnds[k]!;
      const row = slot >>> 1;
      const index = ids.find(this.pendingIds[k]!);
      if (index >= 0) {
        (slot & 1 ? this.targets : this.sources)[row] = index;
        continue;
      }
      if (this.types[row] === DROPPED) continue;
      problems.reject({ message: this.danglingMessage(ids, row, k) }, this.pendingAt[k]);
      this.types[row] = DROPPED;
      dropped++;
    }
    if (dropped > 0) this.compact();
  }

  /** The trimmed columns; every end resolved (call after `resolve`). */
  finish(): ConnectionColumns {
    const count = this.count;
    const sources = trim(this.sources, count);
    const targets = trim(this.targets, count);
    return {
      count,
      sources: new Uint32Array(sources.buffer, 0, count),
      targets: new Uint32Array(targets.buffer, 0, count),
      types: trim(this.types, count),
    };
  }

  private lookup(ids: StringTable, id: string, slot: number, at: RecordLocation | undefined): number {
    const cached = this.recent.get(id);
    if (cached >= 0) return cached;
    const index = ids.find(id);
    if (index >= 0) this.recent.set(id, index);
    else {
      this.pendingEnds.push(slot);
      this.pendingIds.push(id);
      this.pendingAt.push(at);
    }
    return index;
  }

  private growRows(needed: number): void {
    this.sources = grow(this.sources, needed);
    this.targets = grow(this.targets, needed);
    this.types = grow(this.types, needed);
  }

  private danglingMessage(ids: StringTable, row: number, k: number): string {
    const type = CONNECTION_TYPES[this.types[row]!];
    const missing = this.pendingIds[k]!;
    const end = this.pendingEnds[k]! & 1 ? 'target' : 'source';
    const other = end === 'source' ? this.targets[row]! : this.sources[row]!;
    const otherId = other >= 0 ? ids.get(other) : (this.pendingIds[k + 1] ?? '?');
    const [from, to] = end === 'source' ? [missing, otherId] : [otherId, missing];
    return `${type} connection from "${from}" to "${to}": its ${end} "${missing}" is not an element id; add that element or correct the id`;
  }

  private compact(): void {
    let kept = 0;
    for (let row = 0; row < this.count; row++) {
      if (this.types[row] === DROPPED) continue;
      this.sources[kept] = this.sources[row]!;
      this.targets[kept] = this.targets[row]!;
      this.types[kept++] = this.types[row]!;
    }
    this.count = kept;
  }
}

function badEnd(type: string, end: 'source' | 'target', index: unknown, elementCount: number): Problem {
  return {
    message: `${type} connection: its ${end} ${JSON.stringify(index)} is not the index of an element added before it (${indexRange(elementCount)}); add the element first or pass its id to addConnection`,
    field: `/${end}`,
  };
}
