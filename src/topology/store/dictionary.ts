/**
 * Dictionary encoding for low-cardinality values (regions, segments, accounts, states, tag keys, ASNs):
 * each distinct value is kept once and elements hold a small code. Code 0 means "none", so a
 * zero-filled code column already says "absent" for every element.
 */

/**
 * V8's cost of one kept string beyond its characters, as `byteSize()` counts it: a 16-byte string
 * header (map, hash, length, padded to 8 bytes), a 4-byte slot in the values array and about 20
 * bytes of the lookup Map's entry (key, value, chain link).
 */
export const STRING_OVERHEAD_BYTES = 40;
/** A kept number: an 8-byte double (ASNs above 2^31 are heap numbers), its array slot and Map entry. */
export const NUMBER_BYTES = 32;

export class Dictionary<T extends string | number = string> {
  /** values[code - 1] is the string of `code`. */
  readonly values: T[] = [];
  private readonly codes = new Map<T, number>();
  /**
   * The value interned last and its code: records in a row often share a value (a VPC, its subnets
   * and its attachment are in one region and account), and a compare is cheaper than a Map lookup.
   */
  private lastValue: T | undefined;
  private lastCode = 0;

  /** The code of `value` (1-based), adding it when new. */
  intern(value: T): number {
    if (value === this.lastValue) return this.lastCode;
    let code = this.codes.get(value);
    if (code === undefined) {
      this.values.push(value);
      code = this.values.length;
      this.codes.set(value, code);
    }
    this.lastValue = value;
    this.lastCode = code;
    return code;
  }

  /** The code of `value`, or 0 when it was never interned. */
  codeOf(value: T): number {
    return this.codes.get(value) ?? 0;
  }

  /** The string of a code from `intern`, or undefined for 0. */
  valueOf(code: number): T | undefined {
    return code === 0 ? undefined : this.values[code - 1];
  }

  get size(): number {
    return this.values.length;
  }

  /** Characters at 2 bytes each (UTF-16, the conservative case) plus the fixed per-value overhead. */
  byteSize(): number {
    let bytes = 0;
    for (const value of this.values) {
      bytes += typeof value === 'string' ? STRING_OVERHEAD_BYTES + 2 * value.length : NUMBER_BYTES;
    }
    return bytes;
  }
}
