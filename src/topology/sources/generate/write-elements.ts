/** The element pass: every element of the plan, each written once, parents before children. */

import type { Layout } from './layout.js';
import type { Out } from './out.js';
import { PEERS_PER_CONNECT } from './plan.js';
import { REF, ref } from './refs.js';

const STATE = 'available';
/** Private ASN ranges (RFC 6996) per kind, so no two kinds of element share an ASN. */
const EDGE_ASN = 64512;
const VPN_ASN = 4_200_000_000;
const PEER_ASN = 4_210_000_000;
const TGW_ASN = 4_220_000_000;
const DX_ASN = 4_230_000_000;

export function* writeElements(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const network = l.networkAccount;
  if (
    p.hasGlobal &&
    out.element({
      id: l.globalId,
      type: 'global-network',
      name: 'global-network',
      accountId: network,
      state: STATE,
    })
  )
    yield;
  if (
    p.hasCore &&
    out.element({
      id: l.coreId,
      type: 'core-network',
      name: 'core-network',
      accountId: network,
      state: STATE,
    })
  )
    yield;
  for (let i = 0; i < l.R; i++) {
    const region = p.regions[i] as string;
    if (
      out.element({
        id: l.edgeIds[i] as string,
        type: 'edge',
        name: region,
        region,
        asn: EDGE_ASN + i,
        state: STATE,
      })
    )
      yield;
  }
  for (const name of p.segments) {
    if (out.element({ id: l.segmentIds.get(name) as string, type: 'segment', name, segment: name })) yield;
  }
  for (const name of p.functionGroups) {
    if (
      out.element({
        id: l.segmentIds.get(name) as string,
        type: 'network-function-group',
        name,
        segment: name,
      })
    )
      yield;
  }
  yield* transitGateways(l, out);
  yield* vpcs(l, out);
  yield* hybrid(l, out);
}

function* transitGateways(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const segment = p.hybridSegment;
  for (let t = 0; t < p.transitGateways; t++) {
    const region = l.region(t);
    const accountId = l.account(1, t);
    const name = `tgw-${region}-${t}`;
    if (
      out.element({
        id: l.elementId(ref(REF.tgw, t)),
        type: 'transit-gateway',
        name,
        region,
        accountId,
        asn: TGW_ASN + t,
        state: STATE,
      })
    )
      yield;
    if (
      out.element({
        id: l.elementId(ref(REF.routeTable, 2 * t)),
        type: 'tgw-route-table',
        name: `${name}-default`,
        region,
        accountId,
        state: STATE,
      })
    )
      yield;
    if (
      out.element({
        id: l.elementId(ref(REF.routeTable, 2 * t + 1)),
        type: 'tgw-route-table',
        name: `${name}-shared`,
        region,
        accountId,
        state: STATE,
      })
    )
      yield;
    if (
      out.element({
        id: l.elementId(ref(REF.peering, t)),
        type: 'tgw-peering',
        name: `${name}-peering`,
        region,
        accountId,
        state: STATE,
      })
    )
      yield;
    const a = l.tgwAttachmentBase + t;
    const attachment = {
      id: l.elementId(ref(REF.attachment, a)),
      type: 'tgw-route-table-attachment' as const,
      region,
      segment,
      accountId,
      state: STATE,
      cidrs: [l.attachmentPrefix(a)],
      tags: { segment },
    };
    if (out.element(attachment)) yield;
  }
}

function* vpcs(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const plan = l.vpcAddresses;
  for (let u = 0; u < p.vpcs; u++) {
    const region = l.region(u);
    const accountId = l.account(0, u);
    const segment = l.unitSegment(u);
    const block = plan.block(u);
    if (
      out.element({
        id: l.elementId(ref(REF.vpc, u)),
        type: 'vpc',
        name: l.text.dashNumber(segment, u),
        region,
        accountId,
        state: STATE,
        cidrs: [block],
      })
    )
      yield;
    const first = l.firstSubnet(u);
    const count = l.subnetCount(u);
    for (let k = 0; k < count; k++) {
      if (
        out.element({
          id: l.elementId(ref(REF.subnet, first + k)),
          type: 'subnet',
          region,
          accountId,
          state: STATE,
          cidrs: [plan.subnet(u, k)],
        })
      )
        yield;
    }
    const tags: Record<string, string> = u < p.inspectionVpcs ? { nfg: segment } : { segment };
    const attachment = {
      id: l.elementId(ref(REF.attachment, u)),
      type: 'vpc-attachment' as const,
      region,
      segment,
      accountId,
      state: STATE,
      cidrs: [block],
      tags,
    };
    if (out.element(attachment)) yield;
  }
}

function* hybrid(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const segment = p.hybridSegment;
  for (let v = 0; v < p.vpns; v++) {
    const a = l.vpnBase + v;
    const cidrs = [l.hybridPrefix(a, 0), l.hybridPrefix(a, 1)];
    const record = {
      id: l.elementId(ref(REF.attachment, a)),
      type: 'vpn-attachment' as const,
      region: l.region(v),
      segment,
      accountId: l.account(2, v),
      state: STATE,
      asn: VPN_ASN + v,
      cidrs,
      tags: { segment },
    };
    if (out.element(record)) yield;
  }
  for (let c = 0; c < p.connects; c++) {
    const a = l.connectBase + c;
    const region = l.region(c);
    const accountId = l.account(3, c);
    const cidrs = [l.hybridPrefix(a, 0), l.hybridPrefix(a, 1)];
    if (
      out.element({
        id: l.elementId(ref(REF.attachment, a)),
        type: 'connect-attachment',
        region,
        segment,
        accountId,
        state: STATE,
        cidrs,
        tags: { segment },
      })
    )
      yield;
    for (let k = 0; k < PEERS_PER_CONNECT; k++) {
      const q = PEERS_PER_CONNECT * c + k;
      if (
        out.element({
          id: l.elementId(ref(REF.connectPeer, q)),
          type: 'connect-peer',
          region,
          accountId,
          state: STATE,
          asn: PEER_ASN + q,
        })
      )
        yield;
    }
  }
  for (let d = 0; d < p.dxGateways; d++) {
    const a = l.dxBase + d;
    const accountId = l.account(4, d);
    if (
      out.element({
        id: l.dxGatewayId(d),
        type: 'dx-gateway',
        name: `dxgw-${d}`,
        accountId,
        state: STATE,
        asn: DX_ASN + d,
      })
    )
      yield;
    const cidrs = [l.hybridPrefix(a, 0), l.hybridPrefix(a, 1)];
    if (
      out.element({
        id: l.elementId(ref(REF.attachment, a)),
        type: 'dx-gateway-attachment',
        region: l.region(d),
        segment,
        accountId,
        state: STATE,
        cidrs,
        tags: { segment },
      })
    )
      yield;
  }
}
