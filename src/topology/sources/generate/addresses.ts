/**
 * Address plans: the `i`-th block of a set of unique, non-overlapping prefixes, computed from `i`
 * alone. Blocks shrink as the count grows (a /16 per VPC at a few hundred VPCs, a /26 at hundreds of
 * thousands) and spill into IPv6 /56 blocks (RFC 4193 unique local space) once IPv4 runs out.
 */

import { FlatText } from './flat-text.js';

/** An IPv4 pool: its first address as a 32-bit number and its prefix length. */
export interface V4Pool {
  base: number;
  prefix: number;
}

const v4 = (a: number, b: number, c: number, d: number): number =>
  ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Where VPCs come from: RFC 1918 10/8 and 192.168/16, and the shared 100.64/10 that VPCs may use. */
export const VPC_POOLS: readonly V4Pool[] = [
  { base: v4(10, 0, 0, 0), prefix: 8 },
  { base: v4(100, 64, 0, 0), prefix: 10 },
  { base: v4(192, 168, 0, 0), prefix: 16 },
];
/** fd00::/9 for VPCs that IPv4 cannot hold. */
export const VPC_V6_BASE = 0xfd000000;

/** On-premises networks behind VPN, Connect, DX and TGWs: 172.16/12, kept apart from every VPC. */
export const ON_PREM_POOLS: readonly V4Pool[] = [{ base: v4(172, 16, 0, 0), prefix: 12 }];
/** fd80::/9 for on-premises prefixes that IPv4 cannot hold. */
export const ON_PREM_V6_BASE = 0xfd800000;

const SLASH: string[] = [];
for (let i = 0; i <= 128; i++) SLASH.push(`/${i}`);

/**
 * An IPv6 prefix whose last two 32-bit words are zero, in RFC 5952 form: the trailing run of zero
 * groups is always the longest (four or more), so it is the one written as `::`.
 */
export function formatV6(word0: number, word1: number, prefix: number): string {
  const groups = [word0 >>> 16, word0 & 0xffff, word1 >>> 16, word1 & 0xffff];
  let used = 4;
  while (used > 0 && groups[used - 1] === 0) used--;
  let text = '';
  for (let i = 0; i < used; i++) text += `${i ? ':' : ''}${(groups[i] as number).toString(16)}`;
  return `${text}::${SLASH[prefix]}`;
}

/** Where `addBlock` and `addSubnet` put a prefix (an ElementDraft): v4 as its address, v6 as its top two words. */
export interface CidrTarget {
  addV4(address: number, prefix: number): void;
  addV6(word0: number, word1: number, prefix: number): void;
}

export class AddressPlan {
  /** The IPv4 block length every block gets. */
  readonly prefix: number;
  /** Blocks 0..v4Blocks-1 are IPv4; the rest IPv6 /56. */
  readonly v4Blocks: number;
  /** Each block splits into 2^subnetBits subnets. */
  readonly subnetBits: number;
  private readonly blockSize: number;
  private readonly subnetSize: number;
  // Block i is in the first pool whose end is past i.
  private readonly poolBases: number[];
  private readonly poolEnds: number[];
  private readonly v6Base: number;
  /** IPv4 blocks and subnets are made flat: there are about as many as elements. */
  private readonly text = new FlatText();

  constructor(
    count: number,
    pools: readonly V4Pool[],
    prefixes: { min: number; max: number },
    v6Base: number,
    subnetBits = 0,
  ) {
    let prefix = prefixes.max;
    for (let p = prefixes.min; p <= prefixes.max; p++) {
      if (capacity(pools, p) >= count) {
        prefix = p;
        break;
      }
    }
    if (prefix + subnetBits > 32 || subnetBits > 8) throw new RangeError('address plan: subnets do not fit');
    this.prefix = prefix;
    this.v4Blocks = Math.min(count, capacity(pools, prefix));
    this.subnetBits = subnetBits;
    this.blockSize = 2 ** (32 - prefix);
    this.subnetSize = 2 ** (32 - prefix - subnetBits);
    this.poolBases = pools.map((pool) => pool.base);
    this.poolEnds = [];
    let end = 0;
    for (const pool of pools) {
      end += prefix >= pool.prefix ? 2 ** (prefix - pool.prefix) : 0;
      this.poolEnds.push(end);
    }
    this.v6Base = v6Base;
  }

  block(i: number): string {
    if (i < this.v4Blocks) return this.text.v4(this.v4Base(i), this.prefix);
    const j = i - this.v4Blocks;
    return formatV6(this.v6Word0(j), this.v6Word1(j), 56);
  }

  /** Subnet `k` (0 <= k < 2^subnetBits) of block `i`: an equal split of the IPv4 block, or a /64. */
  subnet(i: number, k: number): string {
    if (i < this.v4Blocks) {
      return this.text.v4(this.v4Base(i) + k * this.subnetSize, this.prefix + this.subnetBits);
    }
    const j = i - this.v4Blocks;
    return formatV6(this.v6Word0(j), this.v6Word1(j) + k, 64);
  }

  /** `block(i)` as numbers, added to `to` (no string made). */
  addBlock(i: number, to: CidrTarget): void {
    if (i < this.v4Blocks) to.addV4(this.v4Base(i), this.prefix);
    else to.addV6(this.v6Word0(i - this.v4Blocks), this.v6Word1(i - this.v4Blocks), 56);
  }

  /** `subnet(i, k)` as numbers, added to `to`. */
  addSubnet(i: number, k: number, to: CidrTarget): void {
    if (i < this.v4Blocks) to.addV4(this.v4Base(i) + k * this.subnetSize, this.prefix + this.subnetBits);
    else to.addV6(this.v6Word0(i - this.v4Blocks), this.v6Word1(i - this.v4Blocks) + k, 64);
  }

  private v4Base(i: number): number {
    let start = 0;
    for (let p = 0; p < this.poolEnds.length; p++) {
      const end = this.poolEnds[p] as number;
      if (i < end) return (this.poolBases[p] as number) + (i - start) * this.blockSize;
      start = end;
    }
    throw new RangeError(`address plan: block ${i} is past the IPv4 pools`);
  }

  // Block j of the /9 is bits 9..55: the high 23 in word 0, the low 24 at the top of word 1.
  private v6Word0(j: number): number {
    return (this.v6Base + Math.floor(j / 0x1000000)) >>> 0;
  }
  private v6Word1(j: number): number {
    return ((j % 0x1000000) * 256) >>> 0;
  }
}

function capacity(pools: readonly V4Pool[], prefix: number): number {
  let total = 0;
  for (const pool of pools) if (prefix >= pool.prefix) total += 2 ** (prefix - pool.prefix);
  return total;
}
