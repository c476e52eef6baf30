/**
 * Element references for the connection and route passes: which element a link names, as one small
 * integer (the kind in the low 4 bits, the ordinal of layout.ts above them). A reference becomes an
 * id (`Layout.idOf`) for an ordinary sink, or an element index (`ElementIndex.of`) for a sink that
 * takes links by index, so the passes are written once and neither form is made when not needed.
 *
 * The index is where the element pass wrote the element, counted from `base` (the sink's element
 * count before the generator started): it mirrors the order of write-elements.ts, which a test
 * checks record by record against the ids. That order is by region and by segment, not by ordinal:
 * a VPC unit's place is still arithmetic (a run per region), but the index keeps where each
 * transit gateway and each VPC attachment went, 4 bytes each.
 */

import type { Layout } from './layout.js';
import { PEERS_PER_CONNECT } from './plan.js';

export const REF = {
  global: 0,
  core: 1,
  /** Ordinal 0..R-1. */
  edge: 2,
  /** Ordinal: the plan's segments, then its network function groups. */
  segment: 3,
  tgw: 4,
  routeTable: 5,
  peering: 6,
  attachment: 7,
  vpc: 8,
  subnet: 9,
  connectPeer: 10,
  dxGateway: 11,
} as const;

const KIND_MASK = 15;

/** The reference to element `ordinal` of `kind`; ordinals stay below 2^26, so it is a small integer. */
export function ref(kind: number, ordinal: number): number {
  return ordinal * 16 + kind;
}

export function kindOf(reference: number): number {
  return reference & KIND_MASK;
}

export function ordinalOf(reference: number): number {
  return reference >>> 4;
}

/** Element indexes of references, as the element pass wrote them into a sink that had `base` elements. */
export class ElementIndex {
  // Where each run of write-elements.ts starts: networks, edges, segments and function groups,
  // then transit gateway blocks, VPC units and attachments (below).
  private readonly global: number;
  private readonly core: number;
  private readonly edges: number;
  private readonly segments: number;
  /** Where each transit gateway's block went (TGW, two route tables, peering, route table attachment). */
  private readonly tgws: Uint32Array;
  // VPC units (a VPC, then its subnets) go region by region: where each region's run starts, and
  // how many of its units have an extra subnet (the first `subnetExtra` units do).
  private readonly unitStarts: Uint32Array;
  private readonly unitsWithExtra: Uint32Array;
  /** Where each VPC attachment went, by unit. */
  private readonly vpcAttachments: Uint32Array;
  // The hybrid block, among the attachments: VPNs, Connect blocks (attachment, peers), DX pairs
  // (gateway, attachment).
  private readonly vpns: number;
  private readonly connects: number;
  private readonly dx: number;
  // The attachment ordinal space (layout.ts) and the subnet split, copied so `of` calls nothing.
  private readonly vpnBase: number;
  private readonly connectBase: number;
  private readonly dxBase: number;
  private readonly tgwAttachmentBase: number;
  private readonly subnetBase: number;
  private readonly subnetExtra: number;
  private readonly R: number;

  constructor(layout: Layout, base: number) {
    const p = layout.plan;
    const R = layout.R;
    this.R = R;
    this.subnetBase = p.vpcs > 0 ? Math.floor(p.subnets / p.vpcs) : 0;
    this.subnetExtra = p.vpcs > 0 ? p.subnets % p.vpcs : 0;
    this.vpnBase = layout.vpnBase;
    this.connectBase = layout.connectBase;
    this.dxBase = layout.dxBase;
    this.tgwAttachmentBase = layout.tgwAttachmentBase;
    this.global = base;
    this.core = base + (p.hasGlobal ? 1 : 0);
    this.edges = this.core + (p.hasCore ? 1 : 0);
    this.segments = this.edges + R;
    // The rest as the element pass writes it: region by region, then group by group.
    let at = this.segments + p.segments.length + p.functionGroups.length;
    this.tgws = new Uint32Array(p.transitGateways);
    for (let r = 0; r < R; r++) {
      for (let t = r; t < p.transitGateways; t += R) {
        this.tgws[t] = at;
        at += 5;
      }
    }
    this.unitStarts = new Uint32Array(R);
    this.unitsWithExtra = new Uint32Array(R);
    for (let r = 0; r < R; r++) {
      this.unitStarts[r] = at;
      this.unitsWithExtra[r] = inRegion(this.subnetExtra, r, R);
      at += (1 + this.subnetBase) * inRegion(p.vpcs, r, R) + this.unitsWithExtra[r]!;
    }
    // Plain locals: this loop runs once per VPC, before anything is warm.
    const vpcAttachments = new Uint32Array(p.vpcs);
    const units = layout.attachmentUnits;
    const starts = layout.groupStarts;
    let hybrid = at;
    for (let g = 0; g < layout.groupOrdinals.length; g++) {
      for (let i = starts[g]!, end = starts[g + 1]!; i < end; i++) vpcAttachments[units[i]!] = at++;
      if (layout.groupOrdinals[g] === layout.hybridOrdinal) {
        hybrid = at;
        at += p.vpns + (1 + PEERS_PER_CONNECT) * p.connects + 2 * p.dxGateways;
      }
    }
    this.vpcAttachments = vpcAttachments;
    this.vpns = hybrid;
    this.connects = this.vpns + p.vpns;
    this.dx = this.connects + (1 + PEERS_PER_CONNECT) * p.connects;
  }

  /**
   * The index of a reference. The kinds nearly every link names come first, in few enough lines
   * that the link passes get this inlined (measured: 8% of the connection pass); the rest after.
   */
  of(reference: number): number {
    const kind = reference & KIND_MASK;
    const o = reference >>> 4;
    if (kind === REF.attachment) {
      return o < this.vpnBase ? this.vpcAttachments[o]! : this.otherAttachment(o);
    }
    if (kind === REF.subnet) {
      const u = this.unitOfSubnet(o);
      return this.unit(u) + 1 + o - this.firstSubnet(u);
    }
    if (kind === REF.vpc) return this.unit(o);
    if (kind === REF.routeTable) return this.tgws[o >>> 1]! + 1 + (o & 1);
    if (kind === REF.edge) return this.edges + o;
    if (kind === REF.segment) return this.segments + o;
    return this.ofFew(kind, o);
  }

  private ofFew(kind: number, o: number): number {
    if (kind === REF.tgw) return this.tgws[o]!;
    if (kind === REF.peering) return this.tgws[o]! + 3;
    if (kind === REF.connectPeer) {
      return (
        this.connects +
        (1 + PEERS_PER_CONNECT) * Math.floor(o / PEERS_PER_CONNECT) +
        1 +
        (o % PEERS_PER_CONNECT)
      );
    }
    if (kind === REF.dxGateway) return this.dx + 2 * o;
    if (kind === REF.global) return this.global;
    if (kind === REF.core) return this.core;
    throw new RangeError(`generator: no element kind ${kind} (a bug in the link passes)`);
  }

  /** A VPN, Connect, DX gateway or TGW route table attachment. */
  private otherAttachment(a: number): number {
    if (a < this.connectBase) return this.vpns + (a - this.vpnBase);
    if (a < this.dxBase) return this.connects + (1 + PEERS_PER_CONNECT) * (a - this.connectBase);
    if (a < this.tgwAttachmentBase) return this.dx + 2 * (a - this.dxBase) + 1;
    return this.tgws[a - this.tgwAttachmentBase]! + 4;
  }

  /** VPC unit u: the (u div R)-th of its region's run, after the units with an extra subnet before it. */
  private unit(u: number): number {
    const k = Math.floor(u / this.R);
    const r = u - k * this.R;
    return this.unitStarts[r]! + (1 + this.subnetBase) * k + Math.min(k, this.unitsWithExtra[r]!);
  }

  /** As Layout.firstSubnet: the first `subnetExtra` units have one subnet more. */
  private firstSubnet(u: number): number {
    return u * this.subnetBase + Math.min(u, this.subnetExtra);
  }

  /** The VPC unit that subnet `s` belongs to. */
  private unitOfSubnet(s: number): number {
    const big = this.subnetExtra * (this.subnetBase + 1);
    if (s < big) return Math.floor(s / (this.subnetBase + 1));
    return this.subnetExtra + Math.floor((s - big) / this.subnetBase);
  }
}

/** How many of the ordinals 0..count-1 are in region r (ordinal o is in region o mod R). */
function inRegion(count: number, r: number, R: number): number {
  return count > r ? Math.floor((count - 1 - r) / R) + 1 : 0;
}
