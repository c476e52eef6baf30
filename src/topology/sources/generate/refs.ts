/**
 * Element references for the connection and route passes: which element a link names, as one small
 * integer (the kind in the low 4 bits, the ordinal of layout.ts above them). A reference becomes an
 * id (`Layout.idOf`) for an ordinary sink, or an element index (`ElementIndex.of`) for a sink that
 * takes links by index, so the passes are written once and neither form is made when not needed.
 *
 * The index is where the element pass wrote the element, counted from `base` (the sink's element
 * count before the generator started): it mirrors the order of write-elements.ts, which a test
 * checks record by record against the ids.
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
  // transit gateway blocks (TGW, two route tables, peering, route table attachment), VPC units
  // (VPC, its subnets, its attachment), VPNs, Connect blocks (attachment, peers), DX pairs.
  private readonly global: number;
  private readonly core: number;
  private readonly edges: number;
  private readonly segments: number;
  private readonly tgws: number;
  private readonly vpcs: number;
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

  constructor(layout: Layout, base: number) {
    const p = layout.plan;
    this.global = base;
    this.core = base + (p.hasGlobal ? 1 : 0);
    this.edges = this.core + (p.hasCore ? 1 : 0);
    this.segments = this.edges + layout.R;
    this.tgws = this.segments + p.segments.length + p.functionGroups.length;
    this.vpcs = this.tgws + 5 * p.transitGateways;
    this.vpns = this.vpcs + 2 * p.vpcs + p.subnets;
    this.connects = this.vpns + p.vpns;
    this.dx = this.connects + (1 + PEERS_PER_CONNECT) * p.connects;
    this.vpnBase = layout.vpnBase;
    this.connectBase = layout.connectBase;
    this.dxBase = layout.dxBase;
    this.tgwAttachmentBase = layout.tgwAttachmentBase;
    this.subnetBase = p.vpcs > 0 ? Math.floor(p.subnets / p.vpcs) : 0;
    this.subnetExtra = p.vpcs > 0 ? p.subnets % p.vpcs : 0;
  }

  /** The index of a reference; the kinds go from the most frequent in links to the least. */
  of(reference: number): number {
    const kind = reference & KIND_MASK;
    const o = reference >>> 4;
    if (kind === REF.attachment) return this.attachment(o);
    if (kind === REF.subnet) return this.vpcs + 2 * this.unitOfSubnet(o) + o + 1;
    if (kind === REF.vpc) return this.vpcs + 2 * o + this.firstSubnet(o);
    if (kind === REF.routeTable) return this.tgws + 5 * (o >>> 1) + 1 + (o & 1);
    if (kind === REF.edge) return this.edges + o;
    if (kind === REF.segment) return this.segments + o;
    if (kind === REF.tgw) return this.tgws + 5 * o;
    if (kind === REF.peering) return this.tgws + 5 * o + 3;
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

  private attachment(a: number): number {
    if (a < this.vpnBase) return this.vpcs + 2 * a + this.firstSubnet(a + 1) + 1;
    if (a < this.connectBase) return this.vpns + (a - this.vpnBase);
    if (a < this.dxBase) return this.connects + (1 + PEERS_PER_CONNECT) * (a - this.connectBase);
    if (a < this.tgwAttachmentBase) return this.dx + 2 * (a - this.dxBase) + 1;
    return this.tgws + 5 * (a - this.tgwAttachmentBase) + 4;
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
