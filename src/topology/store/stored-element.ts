/**
 * An element record read from the store on demand, for streaming. Building every field of a million
 * records costs more than the walk that finds them (each field is a read at a random place in its
 * column, and CIDRs and tags are made into new strings and objects), while most consumers read a
 * few fields: a renderer the id and type, the MCP tool the JSON. So `id` and `type` are plain own
 * properties, set when the record is made (the stream names the id in connections anyway), and
 * every other field is a getter on the prototype that reads its column when it is read.
 *
 * What a consumer sees: the fields read as on a plain record (`undefined` for one the element does
 * not have); `JSON.stringify` gives exactly the plain record's text (toJSON); `cidrs` and `tags` are
 * made once per record, so reading them twice gives the same array or object and changes to them
 * stay; assigning a field shadows the store's value (it then shows in `Object.keys` and the JSON).
 * What differs from a plain object: `Object.keys`, spreading and `structuredClone` give only the own
 * fields (`id`, `type`, and any assigned); use `toJSON()` for a plain copy of everything.
 */

import type { ElementRecord, ElementType } from '../model.js';
import type { RecordReader } from './record-reader.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class StoredElement implements ElementRecord {
  id: string;
  type: ElementType;
  readonly #reader: RecordReader;
  readonly #element: number;
  /** `cidrs` / `tags` once read; undefined before, or when the element has none. */
  #cidrs: string[] | undefined;
  #tags: Record<string, string> | undefined;

  /** The caller checks `element`. */
  constructor(reader: RecordReader, element: number) {
    this.id = reader.streamedId(element);
    this.type = reader.type(element);
    this.#reader = reader;
    this.#element = element;
  }

  get name(): string | undefined {
    return this.#reader.name(this.#element);
  }
  set name(value: string | undefined) {
    shadow(this, 'name', value);
  }

  get region(): string | undefined {
    return this.#reader.region(this.#element);
  }
  set region(value: string | undefined) {
    shadow(this, 'region', value);
  }

  get segment(): string | undefined {
    return this.#reader.segment(this.#element);
  }
  set segment(value: string | undefined) {
    shadow(this, 'segment', value);
  }

  get accountId(): string | undefined {
    return this.#reader.accountId(this.#element);
  }
  set accountId(value: string | undefined) {
    shadow(this, 'accountId', value);
  }

  get state(): string | undefined {
    return this.#reader.state(this.#element);
  }
  set state(value: string | undefined) {
    shadow(this, 'state', value);
  }

  get asn(): number | undefined {
    return this.#reader.asn(this.#element);
  }
  set asn(value: number | undefined) {
    shadow(this, 'asn', value);
  }

  /** Absent (undefined) when the element has none, as in the JSON. */
  get cidrs(): string[] | undefined {
    if (this.#cidrs === undefined && this.#reader.hasCidrs(this.#element)) {
      this.#cidrs = this.#reader.cidrs(this.#element);
    }
    return this.#cidrs;
  }
  set cidrs(value: string[] | undefined) {
    shadow(this, 'cidrs', value);
  }

  /** Absent (undefined) when the element has none, as in the JSON. */
  get tags(): Record<string, string> | undefined {
    if (this.#tags === undefined && this.#reader.hasTags(this.#element)) {
      this.#tags = this.#reader.tags(this.#element);
    }
    return this.#tags;
  }
  set tags(value: Record<string, string> | undefined) {
    shadow(this, 'tags', value);
  }

  /** The plain record: only the fields the element has, in the order a plain record has them. */
  toJSON(): ElementRecord {
    const record = this.#reader.record(this.#element, false, this.id);
    // The lists already handed out, so changes made to them show.
    if (this.#cidrs !== undefined) record.cidrs = this.#cidrs;
    if (this.#tags !== undefined) record.tags = this.#tags;
    // Own fields: `type`, and any assigned (a field the record has keeps its place, a new one goes last).
    for (const key of Object.keys(this) as Array<keyof ElementRecord>) {
      if (key === 'id') continue;
      const value = this[key];
      if (value === undefined) delete record[key];
      else (record as unknown as Record<string, unknown>)[key] = value;
    }
    return record;
  }

  /** console.log and util.inspect show the whole record, not just the own fields. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `StoredElement ${inspect(this.toJSON(), options)}`;
  }
}

/** An assigned field becomes an own property, like on a plain object, over the prototype's getter. */
function shadow(record: StoredElement, key: keyof ElementRecord, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
