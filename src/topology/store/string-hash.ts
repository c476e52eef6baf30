/**
 * UTF-8 encoding and the string hash of string-table.ts: FNV-1a over pairs, seeded with the length,
 * with a murmur finalizer. The hash of an ASCII string's char codes equals that of its UTF-8 bytes,
 * so a lookup key is hashed without being encoded first.
 */

const encoder = new TextEncoder();

/** Writes `text` as UTF-8 at `at`; `bytes` must have room for 3 bytes per UTF-16 unit. Returns the end. */
export function writeUtf8(text: string, bytes: Uint8Array, at: number): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    // Ids and tags are nearly always ASCII; the encoder is only worth its call for the rest.
    if (c >= 0x80) return at + encoder.encodeInto(text, bytes.subarray(at)).written;
    bytes[at + i] = c;
  }
  return at + length;
}

/**
 * FNV-1a taken two bytes (or two ASCII chars) at a time, seeded with the length, then a murmur
 * finalizer so the low bits (the slot) depend on every byte. Pairs halve the multiply chain, which
 * is most of the cost of hashing a 21-character id. Hashes are 31 bits, so -1 can mean "not ASCII"
 * and every hash is a small integer (no heap number when it is returned).
 */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function finish31(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET ^ (end - start);
  let i = start;
  for (; i + 1 < end; i += 2) h = Math.imul(h ^ (bytes[i]! | (bytes[i + 1]! << 16)), FNV_PRIME);
  if (i < end) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return finish31(h);
}

/** The same hash over an ASCII string's char codes (equal to its UTF-8 bytes), or -1 when it is not ASCII. */
export function hashAscii(text: string): number {
  const length = text.length;
  let h = FNV_OFFSET ^ length;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const pair = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    if ((pair & 0xff80ff80) !== 0) return -1;
    h = Math.imul(h ^ pair, FNV_PRIME);
  }
  if (i < length) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return finish31(h);
}

/**
 * Copies an ASCII `text` to bytes[at..] and returns its hash, reading each char once; -1 when it is
 * not ASCII (some bytes may then be written, to be overwritten by `writeUtf8`).
 */
export function copyAscii(text: string, bytes: Uint8Array, at: number): number {
  const length = text.length;
  let h = FNV_OFFSET ^ length;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    if ((a | b) >= 0x80) return -1;
    bytes[at + i] = a;
    bytes[at + i + 1] = b;
    h = Math.imul(h ^ (a | (b << 16)), FNV_PRIME);
  }
  if (i < length) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return -1;
    bytes[at + i] = c;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return finish31(h);
}

/**
 * `copyAscii` for text already in bytes: copies src[0..length) to bytes[at..] and returns its hash
 * (the same as of the string), or -1 when a byte is not ASCII.
 */
export function copyAsciiBytes(src: Uint8Array, length: number, bytes: Uint8Array, at: number): number {
  let h = FNV_OFFSET ^ length;
  let high = 0;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const a = src[i]!;
    const b = src[i + 1]!;
    high |= a | b;
    bytes[at + i] = a;
    bytes[at + i + 1] = b;
    h = Math.imul(h ^ (a | (b << 16)), FNV_PRIME);
  }
  if (i < length) {
    const c = src[i]!;
    high |= c;
    bytes[at + i] = c;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return high >= 0x80 ? -1 : finish31(h);
}

/**
 * `copyAsciiBytes` without the hash, for a table with no index (names): copies src[0..length) to
 * bytes[at..] and says whether every byte was ASCII. A million names then cost no hashing.
 */
export function copyAsciiBytesUnhashed(
  src: Uint8Array,
  length: number,
  bytes: Uint8Array,
  at: number,
): boolean {
  let high = 0;
  for (let i = 0; i < length; i++) {
    const c = src[i]!;
    high |= c;
    bytes[at + i] = c;
  }
  return high < 0x80;
}

/** Writes latin1 bytes src[0..length) as UTF-8 at bytes[at..] (room for 2 bytes each); returns the end. */
export function latin1ToUtf8(src: Uint8Array, length: number, bytes: Uint8Array, at: number): number {
  let end = at;
  for (let i = 0; i < length; i++) {
    const c = src[i]!;
    if (c < 0x80) bytes[end++] = c;
    else {
      bytes[end++] = 0xc0 | (c >>> 6);
      bytes[end++] = 0x80 | (c & 0x3f);
    }
  }
  return end;
}
