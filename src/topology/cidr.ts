/**
 * IPv4 and IPv6 addresses and prefixes as 32-bit words (one for v4, four for v6, most significant
 * first), so containment and longest-prefix match are integer work with no BigInt and no strings.
 */

export interface IpAddress {
  version: 4 | 6;
  words: number[];
}

export interface Cidr extends IpAddress {
  prefix: number;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 or an IPv6 address (with `::` and an embedded IPv4 tail); undefined if invalid. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const words = parseV6(text);
    return words && { version: 6, words };
  }
  const m = V4.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || ((m[i] as string).length > 1 && (m[i] as string)[0] === '0')) return undefined;
    value = value * 256 + octet;
  }
  return { version: 4, words: [value >>> 0] };
}

function parseV6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIp(piece);
        if (v4?.version !== 4) return undefined;
        const w = v4.words[0] as number;
        out.push(w >>> 16, w & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else return undefined;
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((((all[i] as number) << 16) | (all[i + 1] as number)) >>> 0);
  return words;
}

/** Parses `address/prefix`. Host bits set below the prefix make it invalid, as AWS treats them. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (ip.version === 4 ? 32 : 128)) return undefined;
  const cidr = { ...ip, prefix };
  for (let i = 0; i < ip.words.length; i++) {
    if (((ip.words[i] as number) & ~maskWord(prefix, i)) !== 0) return undefined;
  }
  return cidr;
}

/** The mask of word `index` (0-based) for a prefix length. */
export function maskWord(prefix: number, index: number): number {
  const bits = Math.min(32, Math.max(0, prefix - index * 32));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Whether `ip` falls inside `cidr` (false across versions). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version !== ip.version) return false;
  for (let i = 0; i < cidr.words.length; i++) {
    const mask = maskWord(cidr.prefix, i);
    if (((ip.words[i] as number) & mask) >>> 0 !== (cidr.words[i] as number)) return false;
  }
  return true;
}

/** Whether two prefixes share any address (one contains the other). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.prefix <= b.prefix ? cidrContains(a, b) : cidrContains(b, a);
}

export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    const w = ip.words[0] as number;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const groups: number[] = [];
  for (const w of ip.words) groups.push(w >>> 16, w & 0xffff);
  // RFC 5952: the longest run of two or more zero groups becomes `::`.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr)}/${cidr.prefix}`;
}
