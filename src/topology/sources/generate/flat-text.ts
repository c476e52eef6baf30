/**
 * Short ASCII strings built from char codes in one call. Joined strings (`a + b`, template literals)
 * of 13 or more chars are ropes in V8 (cons strings), and every reader of a rope (the builder's id
 * hash and CIDR parser, a JSON writer) first copies it into a flat string: more than it costs to
 * make the string flat here. Each maker of prefixes or names owns one of these (no shared state).
 */

/** The digit codes of 0..255, for octets and prefix lengths. */
const NUMBER_CODES: number[][] = [];
for (let i = 0; i < 256; i++) NUMBER_CODES.push(Array.from(String(i), (c) => c.charCodeAt(0)));

const DOT = 46;
const SLASH = 47;
const DASH = 45;
const ZERO = 48;

export class FlatText {
  /** An array of each length asked for so far: the chars are written straight into the right one. */
  private readonly byLength: number[][] = [];

  /** `a.b.c.d/prefix` of an IPv4 address (a 32-bit number). */
  v4(address: number, prefix: number): string {
    const a = NUMBER_CODES[address >>> 24] as number[];
    const b = NUMBER_CODES[(address >>> 16) & 255] as number[];
    const c = NUMBER_CODES[(address >>> 8) & 255] as number[];
    const d = NUMBER_CODES[address & 255] as number[];
    const p = NUMBER_CODES[prefix] as number[];
    const out = this.chars(a.length + b.length + c.length + d.length + p.length + 4);
    let at = put(out, 0, a);
    out[at++] = DOT;
    at = put(out, at, b);
    out[at++] = DOT;
    at = put(out, at, c);
    out[at++] = DOT;
    at = put(out, at, d);
    out[at++] = SLASH;
    put(out, at, p);
    return String.fromCharCode(...out);
  }

  /** `text-n` for a whole number n, such as a VPC's name `production-42`; `text` must be ASCII. */
  dashNumber(text: string, n: number): string {
    let digits = 1;
    for (let rest = Math.floor(n / 10); rest > 0 && digits < 16; rest = Math.floor(rest / 10)) digits++;
    const out = this.chars(text.length + 1 + digits);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    out[text.length] = DASH;
    let rest = n;
    for (let at = out.length - 1; at > text.length; at--) {
      out[at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    return String.fromCharCode(...out);
  }

  /** The array of `length` chars, to be overwritten. */
  private chars(length: number): number[] {
    for (let n = this.byLength.length; n <= length; n++) this.byLength.push(new Array<number>(n).fill(0));
    return this.byLength[length] as number[];
  }
}

/** Writes `codes` at `at` and returns where they end. */
function put(out: number[], at: number, codes: number[]): number {
  for (let i = 0; i < codes.length; i++) out[at + i] = codes[i] as number;
  return at + codes.length;
}

/**
 * Writes `text` (ASCII), or `text-n` when n >= 0, into `out` as bytes and returns the length: the
 * bytes of `FlatText.dashNumber` without the string.
 */
export function writeAscii(out: Uint8Array, text: string, n = -1): number {
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  if (n < 0) return text.length;
  out[text.length] = DASH;
  let digits = 1;
  for (let rest = Math.floor(n / 10); rest > 0 && digits < 16; rest = Math.floor(rest / 10)) digits++;
  const end = text.length + 1 + digits;
  let rest = n;
  for (let at = end - 1; at > text.length; at--) {
    out[at] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}
