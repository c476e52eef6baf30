/**
 * Counter-based randomness: every random choice is a hash of (seed, stream, ordinal), so any record
 * can be recomputed from its ordinal alone. That is what lets connections and routes name elements
 * written long before without the generator keeping a table of them (memory stays flat at 10M).
 */

/** The murmur3 32-bit finalizer: a bijection on 32-bit integers with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit value for ordinal `i` of random stream `stream` under `seed`. */
export function hash(seed: number, stream: number, i: number): number {
  return hashAt(streamKey(seed, stream), i);
}

/** `hash(seed, stream, i)` is `hashAt(streamKey(seed, stream), i)`: a loop over one stream mixes its key once. */
export function streamKey(seed: number, stream: number): number {
  return fmix32(seed ^ Math.imul(stream + 1, 0x9e3779b1));
}

export function hashAt(key: number, i: number): number {
  return fmix32(key ^ Math.imul(i, 0x27d4eb2f));
}

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** Eight lower-case hex digits. */
export function hex8(value: number): string {
  return (
    (HEX2[value >>> 24] as string) +
    (HEX2[(value >>> 16) & 255] as string) +
    (HEX2[(value >>> 8) & 255] as string) +
    (HEX2[value & 255] as string)
  );
}

/** Char codes of the hex digits. */
const HEX_CODES: number[] = [];
for (let i = 0; i < 16; i++) HEX_CODES.push(i.toString(16).charCodeAt(0));

/**
 * AWS-style ids (`vpc-0` + 16 hex digits) that are unique per kind: the last eight digits are a
 * seeded bijection of the ordinal, so two ordinals never share an id, and the rest is fixed per kind.
 *
 * Two ways to make the same id. Joined from strings (`id`), an id of 13 or more chars is a rope in
 * V8 (a cons string): cheapest to make, but whoever reads its chars (the builder's hash) first has it
 * copied flat, at more than the saving. So element ids, which the builder hashes one by one, are
 * made flat from char codes (`flatId`); link ends, which a builder takes by index and other sinks
 * mostly pass along, are joined.
 */
export class IdMaker {
  private readonly head: string;
  /** The id's char codes: the head, then 8 hex digits rewritten per id. */
  private readonly codes: number[];
  private readonly salt: number;

  constructor(seed: number, kind: number, prefix: string) {
    this.salt = hash(seed, 1000 + kind, 0);
    this.head = `${prefix}0${hex8(hash(seed, 2000 + kind, 0)).slice(0, 8)}`;
    this.codes = Array.from(`${this.head}00000000`, (c) => c.charCodeAt(0));
  }

  id(ordinal: number): string {
    return this.head + hex8(fmix32((ordinal ^ this.salt) >>> 0));
  }

  /** Writes the same id's chars into `out` as bytes and returns its length. */
  write(ordinal: number, out: Uint8Array): number {
    const v = fmix32((ordinal ^ this.salt) >>> 0);
    const codes = this.codes;
    const at = this.head.length;
    for (let i = 0; i < at; i++) out[i] = codes[i] as number;
    for (let k = 0; k < 8; k++) out[at + k] = HEX_CODES[(v >>> (28 - 4 * k)) & 15] as number;
    return at + 8;
  }

  /** The same id as a flat string. */
  flatId(ordinal: number): string {
    const v = fmix32((ordinal ^ this.salt) >>> 0);
    const codes = this.codes;
    const at = this.head.length;
    for (let k = 0; k < 8; k++) codes[at + k] = HEX_CODES[(v >>> (28 - 4 * k)) & 15] as number;
    return String.fromCharCode(...codes);
  }
}

/** A UUID-shaped id (Direct Connect gateway ids are UUIDs), unique per ordinal for the same reason. */
export class UuidMaker {
  private readonly tail: string;
  private readonly salt: number;

  constructor(seed: number, kind: number) {
    this.salt = hash(seed, 1000 + kind, 0);
    const a = hex8(hash(seed, 2000 + kind, 1));
    const b = hex8(hash(seed, 2000 + kind, 2));
    this.tail = `-${a.slice(0, 4)}-4${a.slice(5, 8)}-8${b.slice(0, 3)}-${b.slice(3, 8)}${a.slice(0, 4)}${b.slice(0, 3)}`;
  }

  id(ordinal: number): string {
    return hex8(fmix32((ordinal ^ this.salt) >>> 0)) + this.tail;
  }
}
