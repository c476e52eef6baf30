/**
 * The element pass: every element of the plan, each written once, parents before children. Each
 * element is described in the one ElementDraft of `Out` (draft.ts), which makes it a record or the
 * builder's fields.
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
  yield* hybrid(l, out);
}

function* transitGateways(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const segment = p.transitGateways > 0 ? l.segmentOrdinal(p.hybridSegment) : -1;
  const parts: Array<[number, number, string]> = [
    [TYPE['tgw-route-table'], REF.routeTable, '-default'],
    [TYPE['tgw-route-table'], REF.routeTable, '-shared'],
    [TYPE['tgw-peering'], REF.peering, '-peering'],
  ];
  for (let t = 0; t < p.transitGateways; t++) {
    const region = t % l.R;
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

function* vpcs(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  const plan = l.vpcAddresses;
  for (let u = 0; u < p.vpcs; u++) {
    const region = u % l.R;
    const account = l.accountIndex(0, u);
    const segment = l.unitSegmentOrdinal(u);
    d.begin(TYPE.vpc, ref(REF.vpc, u));
    d.name = l.segmentName(segment);
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
    d.begin(TYPE['vpc-attachment'], ref(REF.attachment, u));
    d.region = region;
    d.segment = segment;
    d.account = account;
    d.state = true;
    plan.addBlock(u, d);
    d.tagKey = u < p.inspectionVpcs ? TAG.nfg : TAG.segment;
    d.tagValue = segment;
    if (out.element(d)) yield;
  }
}

function* hybrid(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const d = out.draft;
  if (p.vpns + p.connects + p.dxGateways === 0) return; // and there may be no segment to name
  const segment = l.segmentOrdinal(p.hybridSegment);
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
