/**
 * The connection and route passes. Structural connections first (what contains what, who attaches
 * to what), then extra associations and propagations up to the requested count, then routes: per
 * transit gateway a default route to its peering, a blackhole and its route table attachment's
 * prefix, and a propagated route for each extra propagation on an attachment's first pass.
 */

import type { Layout } from './layout.js';
import { LINK, type Out } from './out.js';
import { PEERS_PER_CONNECT } from './plan.js';

/** The documentation range (RFC 5737) that every TGW blackholes: a typical "never route this" entry. */
export const TGW_BLACKHOLE = '192.0.2.0/24';

export function* writeConnections(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  if (p.hasGlobal && p.hasCore && out.link(LINK.contains, l.globalId, l.coreId)) yield;
  if (p.hasCore) {
    for (const edge of l.edgeIds) if (out.link(LINK.contains, l.coreId, edge)) yield;
    for (const id of l.segmentIds.values()) if (out.link(LINK.contains, l.coreId, id)) yield;
  }
  for (const a of l.edgeIds) {
    for (const b of l.edgeIds) if (a !== b && out.link(LINK['edge-mesh'], a, b)) yield;
  }
  yield* transitGatewayLinks(l, out);
  yield* vpcLinks(l, out);
  yield* hybridLinks(l, out);
  for (let k = 0; k < p.extraConnections; k++) {
    const a = l.extraAttachment(k);
    const table = l.routeTableId(l.extraTable(k, l.attachmentRegion(a)));
    if (out.link(k & 1 ? LINK.propagation : LINK.association, l.attachmentId(a), table)) yield;
  }
}

function* transitGatewayLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const segment = l.segmentIds.get(p.hybridSegment) as string;
  for (let t = 0; t < p.transitGateways; t++) {
    const tgw = l.tgwId(t);
    const defaultTable = l.routeTableId(2 * t);
    const sharedTable = l.routeTableId(2 * t + 1);
    const peering = l.peeringId(t);
    const edge = l.edgeId(t);
    const attachment = l.attachmentId(l.tgwAttachmentBase + t);
    if (out.link(LINK.contains, tgw, defaultTable)) yield;
    if (out.link(LINK.contains, tgw, sharedTable)) yield;
    if (out.link(LINK.peering, peering, edge)) yield;
    if (out.link(LINK.peering, peering, tgw)) yield;
    if (out.link(LINK['attached-to'], attachment, edge)) yield;
    if (out.link(LINK['attachment-of'], attachment, defaultTable)) yield;
    if (out.link(LINK['member-of'], attachment, segment)) yield;
    if (out.link(LINK.association, attachment, defaultTable)) yield;
    if (out.link(LINK.propagation, attachment, sharedTable)) yield;
  }
}

function* vpcLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  for (let u = 0; u < p.vpcs; u++) {
    const attachment = l.attachmentId(u);
    const vpc = l.vpcId(u);
    if (out.link(LINK['attached-to'], attachment, l.edgeId(u))) yield;
    if (out.link(LINK['attachment-of'], attachment, vpc)) yield;
    if (out.link(LINK['member-of'], attachment, l.segmentIds.get(l.unitSegment(u)) as string)) yield;
    const first = l.firstSubnet(u);
    const count = l.subnetCount(u);
    for (let k = 0; k < count; k++) if (out.link(LINK.contains, vpc, l.subnetId(first + k))) yield;
  }
}

function* hybridLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const segment = l.segmentIds.get(p.hybridSegment) as string;
  for (let v = 0; v < p.vpns; v++) {
    const attachment = l.attachmentId(l.vpnBase + v);
    if (out.link(LINK['attached-to'], attachment, l.edgeId(v))) yield;
    if (out.link(LINK['member-of'], attachment, segment)) yield;
  }
  for (let c = 0; c < p.connects; c++) {
    const attachment = l.attachmentId(l.connectBase + c);
    if (out.link(LINK['attached-to'], attachment, l.edgeId(c))) yield;
    if (out.link(LINK['member-of'], attachment, segment)) yield;
    if (p.vpcs > 0 && out.link(LINK.transport, attachment, l.attachmentId(l.transportOf(c)))) yield;
    for (let k = 0; k < PEERS_PER_CONNECT; k++) {
      if (out.link(LINK['connect-peer'], attachment, l.connectPeerId(PEERS_PER_CONNECT * c + k))) yield;
    }
  }
  for (let d = 0; d < p.dxGateways; d++) {
    const attachment = l.attachmentId(l.dxBase + d);
    if (out.link(LINK['attachment-of'], attachment, l.dxGatewayId(d))) yield;
    // A DX gateway attachment spans edge locations; two neighbouring regions here.
    if (out.link(LINK['attached-to'], attachment, l.edgeId(d))) yield;
    if (l.R > 1 && out.link(LINK['attached-to'], attachment, l.edgeId(d + 1))) yield;
    if (out.link(LINK['member-of'], attachment, segment)) yield;
  }
}

export function* writeRoutes(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  for (let t = 0; t < p.transitGateways; t++) {
    const defaultTable = l.routeTableId(2 * t);
    const sharedTable = l.routeTableId(2 * t + 1);
    const a = l.tgwAttachmentBase + t;
    const toPeering = {
      table: defaultTable,
      destination: '0.0.0.0/0',
      target: l.peeringId(t),
      state: 'active' as const,
      origin: 'static' as const,
    };
    if (out.route(toPeering)) yield;
    if (out.route({ table: sharedTable, destination: TGW_BLACKHOLE, state: 'blackhole', origin: 'static' }))
      yield;
    const propagated = {
      table: sharedTable,
      destination: l.attachmentPrefix(a),
      target: l.attachmentId(a),
      state: 'active' as const,
      origin: 'propagated' as const,
    };
    if (out.route(propagated)) yield;
  }
  // Odd extras are propagations; the first pass over the attachments gives each one a route.
  const propagations = Math.min(Math.floor(p.extraConnections / 2), p.attachments);
  for (let i = 0; i < propagations; i++) {
    const k = 2 * i + 1;
    const a = l.extraAttachment(k);
    const table = l.routeTableId(l.extraTable(k, l.attachmentRegion(a)));
    const route = {
      table,
      destination: l.attachmentPrefix(a),
      target: l.attachmentId(a),
      state: 'active' as const,
      origin: 'propagated' as const,
    };
    if (out.route(route)) yield;
  }
}
