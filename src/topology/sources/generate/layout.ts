/**
 * Where everything is, as pure functions of ordinals: the id, region, segment and prefixes of the
 * n-th VPC, attachment, route table... Elements, connections and routes are written in separate
 * passes, and each pass recomputes what it needs here instead of remembering the earlier ones.
 *
 * Ordinal spaces: VPC units 0..vpcs-1 (the first `inspectionVpcs` in function groups); attachments
 * share one space because they share the `attachment-` id prefix: VPC units, then VPNs, Connects,
 * DX gateways, TGW route table attachments. Transit gateway t is in region t mod R and owns route
 * tables 2t and 2t+1; VPC unit u is in region u mod R.
 *
 * Ordinals say what an element is, not where it is written: the passes write in the order a
 * discovery lists the estate and a stream reads it (write-elements.ts), and the one thing that
 * order needs beyond arithmetic is the VPC attachments grouped by segment (`attachmentUnits`).
 */

import {
  AddressPlan,
  type CidrTarget,
  ON_PREM_POOLS,
  ON_PREM_V6_BASE,
  VPC_POOLS,
  VPC_V6_BASE,
} from './addresses.js';
import { FlatText } from './flat-text.js';
import { hash, hashAt, IdMaker, streamKey, UuidMaker } from './hash.js';
import type { GeneratePlan } from './plan.js';
import { kindOf, ordinalOf, REF, ref } from './refs.js';

/** Random streams, so that no two choices reuse the same hash. */
const Stream = { Segment: 1, Account: 2, Transport: 3, ExtraTable: 4, GlobalId: 5 } as const;

export class Layout {
  readonly plan: GeneratePlan;
  readonly seed: number;
  readonly R: number;
  readonly globalId: string;
  readonly coreId: string;
  readonly edgeIds: string[];
  readonly segmentIds: Map<string, string>;
  /** The same ids by ordinal (segments, then function groups), and each name's ordinal. */
  private readonly segmentIdList: string[];
  private readonly segmentOrdinals = new Map<string, number>();
  /** The ordinal of each of `plan.vpcSegments`. */
  private readonly vpcSegmentOrdinals: number[];
  readonly vpcAddresses: AddressPlan;
  readonly onPrem: AddressPlan;
  readonly accountIds: string[];
  /** Makes each VPC's name flat (flat-text.ts): the builder reads every char of it. */
  readonly text = new FlatText();
  // Attachment ordinal bases.
  readonly vpnBase: number;
  readonly connectBase: number;
  readonly dxBase: number;
  readonly tgwAttachmentBase: number;
  private readonly subnetBase: number;
  private readonly subnetExtra: number;
  /** The id maker of each element kind that has one (refs.ts REF), by kind. */
  private readonly makers: Array<IdMaker | undefined> = [];
  private readonly dxIds: UuidMaker;
  private readonly stride: number;
  private readonly offset: number;
  /** `stride`'s inverse modulo plan.attachments: the way back from an attachment to its extras. */
  private readonly strideInverse: number;
  /**
   * The order the VPC attachments are written in: grouped by segment, the segments by name and
   * then the function groups by name (the order stream/plan.ts visits them), ascending units within
   * a group. Group g is `attachmentUnits[groupStarts[g]..groupStarts[g + 1])`, all of segment
   * ordinal `groupOrdinals[g]`. The segment of a unit is a hash, so this is a table: with
   * `unitGroups`, the only one the generator keeps, 5 bytes per VPC.
   */
  readonly groupOrdinals: number[];
  readonly groupStarts: Uint32Array;
  readonly attachmentUnits: Uint32Array;
  /** Each VPC unit's group: its segment is a hash, worked out once. */
  private readonly unitGroups: Uint8Array;
  /** The segment ordinal of `plan.hybridSegment`, -1 when there is no segment. */
  readonly hybridOrdinal: number;

  constructor(plan: GeneratePlan, seed: number) {
    this.plan = plan;
    this.seed = seed;
    this.R = plan.regions.length;
    this.globalId = new IdMaker(seed, Stream.GlobalId, 'global-network-').id(0);
    this.coreId = new IdMaker(seed, Stream.GlobalId + 1, 'core-network-').id(0);
    this.edgeIds = plan.regions.map((r) => `edge-${r}`);
    this.segmentIds = new Map();
    for (const s of plan.segments) this.segmentIds.set(s, `segment-${s}`);
    for (const g of plan.functionGroups) this.segmentIds.set(g, `nfg-${g}`);
    this.segmentIdList = [...this.segmentIds.values()];
    for (const name of this.segmentIds.keys()) this.segmentOrdinals.set(name, this.segmentOrdinals.size);
    this.vpcSegmentOrdinals = plan.vpcSegments.map((s) => this.segmentOrdinal(s));
    const makers: Array<[number, number, string]> = [
      [REF.vpc, 10, 'vpc-'],
      [REF.subnet, 11, 'subnet-'],
      [REF.attachment, 12, 'attachment-'],
      [REF.tgw, 13, 'tgw-'],
      [REF.routeTable, 14, 'tgw-rtb-'],
      [REF.peering, 15, 'peering-'],
      [REF.connectPeer, 16, 'connect-peer-'],
    ];
    for (let kind = 0; kind <= REF.dxGateway; kind++) this.makers.push(undefined);
    for (const [kind, stream, prefix] of makers) this.makers[kind] = new IdMaker(seed, stream, prefix);
    this.dxIds = new UuidMaker(seed, 17);
    this.stride = coprimeStride(plan.attachments, seed);
    this.offset = seed % Math.max(1, plan.attachments);
    this.strideInverse = inverseModulo(this.stride, plan.attachments);
    this.vpnBase = plan.vpcs;
    this.connectBase = this.vpnBase + plan.vpns;
    this.dxBase = this.connectBase + plan.connects;
    this.tgwAttachmentBase = this.dxBase + plan.dxGateways;
    this.subnetBase = plan.vpcs > 0 ? Math.floor(plan.subnets / plan.vpcs) : 0;
    this.subnetExtra = plan.vpcs > 0 ? plan.subnets % plan.vpcs : 0;
    const maxSubnets = this.subnetBase + (this.subnetExtra > 0 ? 1 : 0);
    this.vpcAddresses = new AddressPlan(
      plan.vpcs,
      VPC_POOLS,
      { min: 16, max: 26 },
      VPC_V6_BASE,
      Math.ceil(Math.log2(Math.max(1, maxSubnets))),
    );
    this.onPrem = new AddressPlan(this.onPremBlocks(), ON_PREM_POOLS, { min: 20, max: 28 }, ON_PREM_V6_BASE);
    this.hybridOrdinal = plan.segments.length > 0 ? this.segmentOrdinal(plan.hybridSegment) : -1;
    this.groupOrdinals = [...[...plan.segments].sort(), ...[...plan.functionGroups].sort()].map((name) =>
      this.segmentOrdinal(name),
    );
    this.groupStarts = new Uint32Array(this.groupOrdinals.length + 1);
    this.unitGroups = this.groupsOfUnits();
    this.attachmentUnits = this.unitsByGroup();
    // 12-digit account ids, cached: a handful per thousand elements, reused by every record.
    this.accountIds = [];
    for (let i = 0; i < plan.accounts; i++) {
      this.accountIds.push(String(100_000_000_000 + (hash(seed, Stream.Account, i) % 800_000_000_000)));
    }
  }

  /**
   * The group of each VPC unit (its index in `groupOrdinals`), counted into `groupStarts`. Once per
   * VPC before anything is warm, so the loop is kept plain: locals, one hash call.
   */
  private groupsOfUnits(): Uint8Array {
    const p = this.plan;
    const groupOf = new Uint8Array(this.groupOrdinals.length); // of each segment ordinal; at most 48
    this.groupOrdinals.forEach((ordinal, g) => {
      groupOf[ordinal] = g;
    });
    const choices = Uint8Array.from(this.vpcSegmentOrdinals, (ordinal) => groupOf[ordinal]!);
    const key = streamKey(this.seed, Stream.Segment);
    const { inspectionVpcs, segments } = p;
    const groups = new Uint8Array(p.vpcs);
    const starts = this.groupStarts;
    for (let u = 0; u < groups.length; u++) {
      const g =
        u < inspectionVpcs
          ? groupOf[segments.length + Math.floor(u / this.R)]!
          : choices[hashAt(key, u) % choices.length]!;
      groups[u] = g;
      starts[g + 1]!++;
    }
    for (let g = 1; g < starts.length; g++) starts[g]! += starts[g - 1]!;
    return groups;
  }

  /** The VPC units in attachment order: a counting sort on their groups, ascending within each. */
  private unitsByGroup(): Uint32Array {
    const groups = this.unitGroups;
    const next = this.groupStarts.slice(0, -1);
    const units = new Uint32Array(groups.length);
    for (let u = 0; u < groups.length; u++) units[next[groups[u]!]!++] = u;
    return units;
  }

  /** Two on-premises prefixes per VPN, Connect and DX attachment, one per TGW route table attachment. */
  private onPremBlocks(): number {
    const p = this.plan;
    return p.transitGateways + 2 * (p.vpns + p.connects + p.dxGateways);
  }

  account(stream: number, i: number): string {
    return this.accountIds[this.accountIndex(stream, i)] as string;
  }

  /** The index in `accountIds` of `account(stream, i)`. */
  accountIndex(stream: number, i: number): number {
    return hash(this.seed, Stream.Account + stream * 16, i) % this.accountIds.length;
  }

  /** The network account: it owns the global network, the core network and the transit gateways. */
  get networkAccount(): string {
    return this.accountIds[0] as string;
  }

  region(ordinal: number): string {
    return this.plan.regions[ordinal % this.R] as string;
  }

  // VPC units

  subnetCount(u: number): number {
    return this.subnetBase + (u < this.subnetExtra ? 1 : 0);
  }
  firstSubnet(u: number): number {
    return u * this.subnetBase + Math.min(u, this.subnetExtra);
  }
  /**
   * The segment, or for an inspection VPC its function group: the first `inspectionVpcs` units are
   * one per group per region, the others in one of `plan.vpcSegments` by a hash.
   */
  unitSegment(u: number): string {
    return this.segmentName(this.unitSegmentOrdinal(u));
  }
  /** The ordinal (for REF.segment) of `unitSegment(u)`. */
  unitSegmentOrdinal(u: number): number {
    return this.groupOrdinals[this.unitGroups[u]!]!;
  }
  /** The segment or function group name of an ordinal (for REF.segment). */
  segmentName(ordinal: number): string {
    const p = this.plan;
    const name =
      ordinal < p.segments.length ? p.segments[ordinal] : p.functionGroups[ordinal - p.segments.length];
    if (name === undefined) throw new RangeError(`generator: no segment ordinal ${ordinal}`);
    return name;
  }

  /** The ordinal (for REF.segment) of a segment or function group name of the plan. */
  segmentOrdinal(name: string): number {
    const ordinal = this.segmentOrdinals.get(name);
    if (ordinal === undefined) throw new RangeError(`generator: no segment or function group "${name}"`);
    return ordinal;
  }

  /** The id of an element reference (refs.ts), joined from strings (see IdMaker). */
  idOf(reference: number): string {
    const maker = this.makers[kindOf(reference)];
    return maker !== undefined ? maker.id(ordinalOf(reference)) : this.fixedId(reference);
  }

  /** The same id as a flat string, for the element pass: the builder reads each one's chars. */
  elementId(reference: number): string {
    const maker = this.makers[kindOf(reference)];
    return maker !== undefined ? maker.flatId(ordinalOf(reference)) : this.fixedId(reference);
  }

  /** Writes the same id's chars into `out` as bytes and returns its length (no string for the many). */
  writeId(reference: number, out: Uint8Array): number {
    const maker = this.makers[kindOf(reference)];
    if (maker !== undefined) return maker.write(ordinalOf(reference), out);
    const id = this.fixedId(reference);
    for (let i = 0; i < id.length; i++) out[i] = id.charCodeAt(i);
    return id.length;
  }

  /** The id of an element kind without an id maker: made once, or few (DX gateways). */
  private fixedId(reference: number): string {
    const kind = kindOf(reference);
    const o = ordinalOf(reference);
    switch (kind) {
      case REF.global:
        return this.globalId;
      case REF.core:
        return this.coreId;
      case REF.edge:
        return this.edgeIds[o] as string;
      case REF.segment:
        return this.segmentIdList[o] as string;
      case REF.dxGateway:
        return this.dxIds.id(o);
    }
    throw new RangeError(`generator: no element kind ${kind} (a bug in the link passes)`);
  }

  // Attachments (one ordinal space)

  attachmentId(a: number): string {
    return this.idOf(ref(REF.attachment, a));
  }
  /** The region of attachment `a` (for DX, the first of its two). */
  attachmentRegion(a: number): number {
    if (a < this.vpnBase) return a % this.R;
    if (a < this.connectBase) return (a - this.vpnBase) % this.R;
    if (a < this.dxBase) return (a - this.connectBase) % this.R;
    if (a < this.tgwAttachmentBase) return (a - this.dxBase) % this.R;
    return (a - this.tgwAttachmentBase) % this.R;
  }
  /** The first prefix attachment `a` advertises: its VPC's block, or its first on-premises prefix. */
  attachmentPrefix(a: number): string {
    if (a < this.vpnBase) return this.vpcAddresses.block(a);
    if (a >= this.tgwAttachmentBase) return this.onPrem.block(a - this.tgwAttachmentBase);
    return this.onPrem.block(this.plan.transitGateways + 2 * (a - this.vpnBase));
  }
  /** `attachmentPrefix(a)` as numbers, added to `to` (no string made). */
  addAttachmentPrefix(a: number, to: CidrTarget): void {
    if (a < this.vpnBase) this.vpcAddresses.addBlock(a, to);
    else if (a >= this.tgwAttachmentBase) this.onPrem.addBlock(a - this.tgwAttachmentBase, to);
    else this.onPrem.addBlock(this.plan.transitGateways + 2 * (a - this.vpnBase), to);
  }
  /** `hybridPrefix(a, k)` as numbers, added to `to`. */
  addHybridPrefix(a: number, k: number, to: CidrTarget): void {
    this.onPrem.addBlock(this.plan.transitGateways + 2 * (a - this.vpnBase) + k, to);
  }
  /** On-premises prefix `k` (0 or 1) of a VPN, Connect or DX attachment. */
  hybridPrefix(a: number, k: number): string {
    return this.onPrem.block(this.plan.transitGateways + 2 * (a - this.vpnBase) + k);
  }

  /** The VPC attachment that carries Connect attachment `c`: a non-inspection VPC of its region if any. */
  transportOf(c: number): number {
    const p = this.plan;
    const r = c % this.R;
    const inRegion = p.vpcs > r ? Math.floor((p.vpcs - 1 - r) / this.R) + 1 : 0;
    const inspection = p.inspectionVpcs > r ? Math.floor((p.inspectionVpcs - 1 - r) / this.R) + 1 : 0;
    const h = hash(this.seed, Stream.Transport, c);
    if (inRegion > inspection) return r + this.R * (inspection + (h % (inRegion - inspection)));
    return h % p.vpcs;
  }

  dxGatewayId(d: number): string {
    return this.dxIds.id(d);
  }

  // Transit gateways

  /** A route table for extra connection `k` from an attachment in `region`: one of that region's TGWs if any. */
  extraTable(k: number, region: number): number {
    const T = this.plan.transitGateways;
    const h = hash(this.seed, Stream.ExtraTable, k);
    const inRegion = T > region ? Math.floor((T - 1 - region) / this.R) + 1 : 0;
    const tgw = inRegion > 0 ? region + this.R * (h % inRegion) : h % T;
    return 2 * tgw + (h >>> 31);
  }

  /**
   * The attachment that extra connection `k` starts from. Extras go in pairs (association, then
   * propagation) and walk every attachment once, in a seeded order, before any repeats. (k names
   * an extra and picks its table; the link pass writes them attachment by attachment.)
   */
  extraAttachment(k: number): number {
    const A = this.plan.attachments;
    return (((k >>> 1) % A) * this.stride + this.offset) % A;
  }

  /**
   * The first pair of extra connections (k = 2i and 2i + 1) that starts from attachment `a`; its
   * later pairs are i + A, i + 2A... (see extraAttachment). The link pass writes each attachment's
   * extras with its other links, so this goes from the attachment to its pairs.
   */
  firstExtraPair(a: number): number {
    const A = this.plan.attachments;
    return (((a - this.offset + A) % A) * this.strideInverse) % A;
  }
}

/** A step coprime to n, so that i*step mod n visits every residue once. */
function coprimeStride(n: number, seed: number): number {
  if (n <= 2) return 1;
  let step = (Math.floor(n * 0.618) + (seed % 7)) % n || 1;
  for (let i = 0; i < 64 && gcd(step, n) !== 1; i++) step = (step + 1) % n || 1;
  return gcd(step, n) === 1 ? step : 1;
}

/** x with x * a mod n = 1, for a coprime to n (extended Euclid); 0 when n < 2. */
function inverseModulo(a: number, n: number): number {
  if (n < 2) return 0;
  let [r0, r1, x0, x1] = [n, a % n, 0, 1];
  for (let i = 0; i < 64 && r1 !== 0; i++) {
    const q = Math.floor(r0 / r1);
    [r0, r1, x0, x1] = [r1, r0 - q * r1, x1, x0 - q * x1];
  }
  return ((x0 % n) + n) % n;
}

function gcd(a: number, b: number): number {
  for (let i = 0; i < 64 && b !== 0; i++) [a, b] = [b, a % b];
  return a;
}
