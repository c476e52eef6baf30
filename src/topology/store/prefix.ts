/**
 * CIDR prefixes as the store keeps them: one Uint8 "length code" per prefix, 0..32 for IPv4 and
 * 33 + length for IPv6 (so /0../128 fit beside the v4 lengths in one byte), with the address as one
 * u32 word (v4) or four (v6). Plain dotted IPv4 text is parsed here without allocating; anything
 * else goes through `parseCidr`/`parseIp`, which stay the single authority on what is valid.
 */

import { formatIp, parseCidr, parseIp } from '../cidr.js';

export const V6_LENGTH_BASE = 33;

export function isV6Code(code: number): boolean {
  return code >= V6_LENGTH_BASE;
}

/** Prefix length of a length code. */
export function prefixLength(code: number): number {
  return code >= V6_LENGTH_BASE ? code - V6_LENGTH_BASE : code;
}

/**
 * Parses CIDR text into `words` (words[0] for v4, words[0..3] for v6) and returns its length code,
 * or -1 when the text is not a valid prefix (host bits set included).
 */
export function parsePrefix(text: string, words: Uint32Array): number {
  const end = scanV4(text, 0, words);
  if (end > 0 && end < text.length && text.charCodeAt(end) === 47) {
    const length = scanNumber(text, end + 1, text.length, 32);
    const value = words[0]!;
    if (length >= 0 && (length === 32 || (value & (0xffffffff >>> length)) === 0)) return length;
  }
  const cidr = parseCidr(text);
  if (cidr === undefined) return -1;
  if (cidr.version === 4) {
    words[0] = cidr.words[0]!;
    return cidr.prefix;
  }
  for (let i = 0; i < 4; i++) words[i] = cidr.words[i]!;
  return V6_LENGTH_BASE + cidr.prefix;
}

/** Whether a length code and its words (4 from `at`; v4 uses the first) are a prefix with no host bits set. */
export function isPrefixCode(code: number, words: ArrayLike<number>, at: number): boolean {
  if (!(Number.isInteger(code) && code >= 0)) return false;
  const v6 = isV6Code(code);
  const length = v6 ? code - V6_LENGTH_BASE : code;
  if (length > (v6 ? 128 : 32)) return false;
  for (let w = 0; w < (v6 ? 4 : 1); w++) {
    const bits = length - w * 32; // of this word, inside the prefix
    if (bits >= 32) continue;
    const host = bits <= 0 ? 0xffffffff : 0xffffffff >>> bits;
    if ((words[at + w]! & host) !== 0) return false;
  }
  return true;
}

/** Parses an address into `words`; returns 4 or 6, or 0 when it is not an address. */
export function parseAddress(text: string, words: Uint32Array): 0 | 4 | 6 {
  if (scanV4(text, 0, words) === text.length) return 4;
  const ip = parseIp(text);
  if (ip === undefined) return 0;
  for (let i = 0; i < ip.words.length; i++) words[i] = ip.words[i]!;
  return ip.version;
}

/** CIDR text of a prefix, in canonical form (RFC 5952 for v6). */
export function formatPrefix(code: number, words: ArrayLike<number>, at: number): string {
  if (code < V6_LENGTH_BASE) {
    const w = words[at]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}/${code}`;
  }
  const v6 = [words[at]!, words[at + 1]!, words[at + 2]!, words[at + 3]!];
  return `${formatIp({ version: 6, words: v6 })}/${code - V6_LENGTH_BASE}`;
}

/**
 * Reads `a.b.c.d` from `start` into words[0] (the same rules as `parseIp`: 1-3 digits, no leading
 * zero, at most 255) and returns where it stopped, or -1.
 */
function scanV4(text: string, start: number, words: Uint32Array): number {
  let at = start;
  let value = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(at) !== 46) return -1;
      at++;
    }
    let digits = 0;
    let part = 0;
    while (digits < 4 && at < text.length) {
      const c = text.charCodeAt(at);
      if (c < 48 || c > 57) break;
      part = part * 10 + (c - 48);
      digits++;
      at++;
    }
    if (digits === 0 || digits > 3 || part > 255 || (digits > 1 && text.charCodeAt(at - digits) === 48))
      return -1;
    value = value * 256 + part;
  }
  words[0] = value >>> 0;
  return at;
}

/** A 1-3 digit decimal filling text[start..end) and at most `max`, or -1. */
function scanNumber(text: string, start: number, end: number, max: number): number {
  if (end - start < 1 || end - start > 3) return -1;
  let value = 0;
  for (let at = start; at < end; at++) {
    const c = text.charCodeAt(at);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value <= max ? value : -1;
}
