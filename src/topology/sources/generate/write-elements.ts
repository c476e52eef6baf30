/**
 * The element pass: every element of the plan, each written once, parents before children. Each
 * element is described in the one ElementDraft of `Out` (draft.ts), which makes it a record or the
 * builder's fields.
 *
 * The order is the one a discovery lists the estate in, which is also the order the stream reads
 * it (stream/plan.ts): the networks, edges and segments; then what EC2 lists per region, the
 * transit gateways region by region (each with its route tables, peering and route table
 * attachment), then the VPCs region by region (each with its subnets); then the attachments, which
 * Cloud WAN lists from the core network, grouped by segment: the segments by name, the function
 * groups by name after them (Layout.attachmentUnits), the hybrid segment's VPN, Connect and DX
 * gateway attachments as one block after its VPC attachments. A store keeps elements in the order
 * they come, so the stream then reads each of its phases nearly front to back instead of jumping
 * between regions and segments: at a million elements that jumping was most of its cost. refs.ts
 * mirrors this order.
 *
 * The TGW route table attachments stay in their transit gateway's block: in the hybrid block the
 * stream measured no faster, and generating was slower (the first attachment then came after
 * 600,000 elements, and the record code compiled without it had to be compiled again).
 */

import { TAG, TYPE } from './draft.js';
import type { Layout } from './layout.js';
import type { Out } from './out.js';
import { PEERS_PER_CONNECT } from './plan.js';
import { REF, ref } from './refs.js';

/** Private ASN ranges (RFC 6996) per kind, so no two kinds of element share an ASN. */
const EDGE_ASN = 64512;
const VPN_ASN = 4_200_000_000;
const PEER_ASN = 4_210_000_000;
const TGW_ASN = 4_220_000_000;
const DX_ASN = 4_230_000_000;
/** The network account (accountIds[0]) owns the global network, the core network and the TGWs' peers. */
const NETWORK_ACCOUNT = 0;

export function* writeElements(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  if (p.hasGlobal) {
    d.begin(TYPE['global-network'], ref(REF.global, 0));
    d.name = 'global-network';
    d.account = NETWORK_ACCOUNT;
    d.state = true;
    if (out.element(d)) yield;
  }
  if (p.hasCore) {
    d.begin(TYPE['core-network'], ref(REF.core, 0));
    d.name = 'core-network';
    d.account = NETWORK_ACCOUNT;
    d.state = true;
    if (out.element(d)) yield;
  }
  for (let i = 0; i < l.R; i++) {
    d.begin(TYPE.edge, ref(REF.edge, i));
    d.name = p.regions[i] as string;
    d.region = i;
    d.asn = EDGE_ASN + i;
    d.state = true;
    if (out.element(d)) yield;
  }
  const segments = p.segments.length;
  for (let s = 0; s < segments + p.functionGroups.length; s++) {
    d.begin(s < segments ? TYPE.segment : TYPE['network-function-group'], ref(REF.segment, s));
    d.name = l.segmentName(s);
    d.segment = s;
    if (out.element(d)) yield;
  }
  yield* transitGateways(l, out);
  yield* vpcs(l, out);
  yield* attachments(l, out);
}

function* transitGateways(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const segment = l.hybridOrdinal;
  const parts: Array<[number, number, string]> = [
    [TYPE['tgw-route-table'], REF.routeTable, '-default'],
    [TYPE['tgw-route-table'], REF.routeTable, '-shared'],
    [TYPE['tgw-peering'], REF.peering, '-peering'],
  ];
  for (let region = 0; region < l.R; region++) {
    for (let t = region; t < p.transitGateways; t += l.R) {
      const account = l.accountIndex(1, t);
      const name = `tgw-${p.regions[region]}-${t}`;
      d.begin(TYPE['transit-gateway'], ref(REF.tgw, t));
      d.name = name;
      d.region = region;
      d.account = account;
      d.asn = TGW_ASN + t;
      d.state = true;
      if (out.element(d)) yield;
      for (let k = 0; k < parts.length; k++) {
        const [type, kind, suffix] = parts[k] as [number, number, string];
        d.begin(type, ref(kind, kind === REF.routeTable ? 2 * t + k : t));
        d.name = name + suffix;
        d.region = region;
        d.account = account;
        d.state = true;
        if (out.element(d)) yield;
      }
      const a = l.tgwAttachmentBase + t;
      d.begin(TYPE['tgw-route-table-attachment'], ref(REF.attachment, a));
      d.region = region;
      d.segment = segment;
      d.account = account;
      d.state = true;
      l.addAttachmentPrefix(a, d);
      d.tagKey = TAG.segment;
      d.tagValue = segment;
      if (out.element(d)) yield;
    }
  }
}

function* vpcs(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const plan = l.vpcAddresses;
  for (let region = 0; region < l.R; region++) {
    for (let u = region; u < p.vpcs; u += l.R) {
      const account = l.accountIndex(0, u);
      d.begin(TYPE.vpc, ref(REF.vpc, u));
      d.name = l.segmentName(l.unitSegmentOrdinal(u));
      d.nameNumber = u;
      d.region = region;
      d.account = account;
      d.state = true;
      plan.addBlock(u, d);
      if (out.element(d)) yield;
      const first = l.firstSubnet(u);
      const count = l.subnetCount(u);
      for (let k = 0; k < count; k++) {
        d.begin(TYPE.subnet, ref(REF.subnet, first + k));
        d.region = region;
        d.account = account;
        d.state = true;
        plan.addSubnet(u, k, d);
        if (out.element(d)) yield;
      }
    }
  }
}

/** The VPC attachments group by group, and the hybrid block after the hybrid segment's. */
function* attachments(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const plan = l.vpcAddresses;
  const units = l.attachmentUnits;
  for (let g = 0; g < l.groupOrdinals.length; g++) {
    const segment = l.groupOrdinals[g] as number;
    for (let i = l.groupStarts[g] as number, end = l.groupStarts[g + 1] as number; i < end; i++) {
      const u = units[i] as number;
      d.begin(TYPE['vpc-attachment'], ref(REF.attachment, u));
      d.region = u % l.R;
      d.segment = segment;
      d.account = l.accountIndex(0, u);
      d.state = true;
      plan.addBlock(u, d);
      d.tagKey = u < p.inspectionVpcs ? TAG.nfg : TAG.segment;
      d.tagValue = segment;
      if (out.element(d)) yield;
    }
    if (segment === l.hybridOrdinal) yield* hybrid(l, out);
  }
}

/**
 * The hybrid segment's VPN, Connect (each with its peers) and DX gateway attachments (each after
 * its gateway), in attachment ordinal order.
 */
function* hybrid(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const segment = l.hybridOrdinal;
  /** An attachment of the hybrid segment with its two on-premises prefixes. */
  const attachment = (type: number, a: number, ordinal: number, account: number): void => {
    d.begin(type, ref(REF.attachment, a));
    d.region = ordinal % l.R;
    d.segment = segment;
    d.account = account;
    d.state = true;
    l.addHybridPrefix(a, 0, d);
    l.addHybridPrefix(a, 1, d);
    d.tagKey = TAG.segment;
    d.tagValue = segment;
  };
  for (let v = 0; v < p.vpns; v++) {
    attachment(TYPE['vpn-attachment'], l.vpnBase + v, v, l.accountIndex(2, v));
    d.asn = VPN_ASN + v;
    if (out.element(d)) yield;
  }
  for (let c = 0; c < p.connects; c++) {
    const account = l.accountIndex(3, c);
    attachment(TYPE['connect-attachment'], l.connectBase + c, c, account);
    if (out.element(d)) yield;
    for (let k = 0; k < PEERS_PER_CONNECT; k++) {
      const q = PEERS_PER_CONNECT * c + k;
      d.begin(TYPE['connect-peer'], ref(REF.connectPeer, q));
      d.region = c % l.R;
      d.account = account;
      d.state = true;
      d.asn = PEER_ASN + q;
      if (out.element(d)) yield;
    }
  }
  for (let x = 0; x < p.dxGateways; x++) {
    const account = l.accountIndex(4, x);
    d.begin(TYPE['dx-gateway'], ref(REF.dxGateway, x));
    d.name = 'dxgw';
    d.nameNumber = x;
    d.account = account;
    d.state = true;
    d.asn = DX_ASN + x;
    if (out.element(d)) yield;
    attachment(TYPE['dx-gateway-attachment'], l.dxBase + x, x, account);
    if (out.element(d)) yield;
  }
}
