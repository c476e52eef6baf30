/**
 * The connection and route passes. Structural connections first (what contains what, who attaches
 * to what), then extra associations and propagations up to the requested count, then routes: per
 * transit gateway a default route to its peering, a blackhole and its route table attachment's
 * prefix, and a propagated route for each extra propagation on an attachment's first pass.
 * Elements are named by reference (refs.ts); `Out` turns them into ids or indexes.
 */

import { parsePrefix } from '../../store/prefix.js';
import { PrefixDraft } from './draft.js';
import type { Layout } from './layout.js';
import { LINK, NO_TARGET, type Out } from './out.js';
import { PEERS_PER_CONNECT } from './plan.js';
import { REF, ref } from './refs.js';

/** The documentation range (RFC 5737) that every TGW blackholes: a typical "never route this" entry. */
export const TGW_BLACKHOLE = '192.0.2.0/24';
const BLACKHOLE_WORDS = new Uint32Array(4);
const BLACKHOLE_LENGTH = parsePrefix(TGW_BLACKHOLE, BLACKHOLE_WORDS);

const GLOBAL = ref(REF.global, 0);
const CORE = ref(REF.core, 0);
const edge = (l: Layout, ordinal: number): number => ref(REF.edge, ordinal % l.R);
const attachment = (a: number): number => ref(REF.attachment, a);
const routeTable = (table: number): number => ref(REF.routeTable, table);

export function* writeConnections(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  if (p.hasGlobal && p.hasCore && out.link(LINK.contains, GLOBAL, CORE)) yield;
  if (p.hasCore) {
    for (let r = 0; r < l.R; r++) if (out.link(LINK.contains, CORE, edge(l, r))) yield;
    const segments = p.segments.length + p.functionGroups.length;
    for (let s = 0; s < segments; s++) if (out.link(LINK.contains, CORE, ref(REF.segment, s))) yield;
  }
  for (let a = 0; a < l.R; a++) {
    for (let b = 0; b < l.R; b++) if (a !== b && out.link(LINK['edge-mesh'], edge(l, a), edge(l, b))) yield;
  }
  yield* transitGatewayLinks(l, out);
  yield* vpcLinks(l, out);
  yield* hybridLinks(l, out);
  for (let k = 0; k < p.extraConnections; k++) {
    const a = l.extraAttachment(k);
    const table = routeTable(l.extraTable(k, l.attachmentRegion(a)));
    if (out.link(k & 1 ? LINK.propagation : LINK.association, attachment(a), table)) yield;
  }
}

function* transitGatewayLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  if (p.transitGateways === 0) return; // and there may be no segment to name
  const segment = ref(REF.segment, l.segmentOrdinal(p.hybridSegment));
  for (let t = 0; t < p.transitGateways; t++) {
    const tgw = ref(REF.tgw, t);
    const defaultTable = routeTable(2 * t);
    const sharedTable = routeTable(2 * t + 1);
    const peering = ref(REF.peering, t);
    const edgeOfTgw = edge(l, t);
    const tgwAttachment = attachment(l.tgwAttachmentBase + t);
    if (out.link(LINK.contains, tgw, defaultTable)) yield;
    if (out.link(LINK.contains, tgw, sharedTable)) yield;
    if (out.link(LINK.peering, peering, edgeOfTgw)) yield;
    if (out.link(LINK.peering, peering, tgw)) yield;
    if (out.link(LINK['attached-to'], tgwAttachment, edgeOfTgw)) yield;
    if (out.link(LINK['attachment-of'], tgwAttachment, defaultTable)) yield;
    if (out.link(LINK['member-of'], tgwAttachment, segment)) yield;
    if (out.link(LINK.association, tgwAttachment, defaultTable)) yield;
    if (out.link(LINK.propagation, tgwAttachment, sharedTable)) yield;
  }
}

function* vpcLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  for (let u = 0; u < p.vpcs; u++) {
    const vpcAttachment = attachment(u);
    const vpc = ref(REF.vpc, u);
    if (out.link(LINK['attached-to'], vpcAttachment, edge(l, u))) yield;
    if (out.link(LINK['attachment-of'], vpcAttachment, vpc)) yield;
    if (out.link(LINK['member-of'], vpcAttachment, ref(REF.segment, l.unitSegmentOrdinal(u)))) yield;
    const first = l.firstSubnet(u);
    const count = l.subnetCount(u);
    for (let k = 0; k < count; k++) if (out.link(LINK.contains, vpc, ref(REF.subnet, first + k))) yield;
  }
}

function* hybridLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  if (p.vpns + p.connects + p.dxGateways === 0) return; // and there may be no segment to name
  const segment = ref(REF.segment, l.segmentOrdinal(p.hybridSegment));
  for (let v = 0; v < p.vpns; v++) {
    const vpn = attachment(l.vpnBase + v);
    if (out.link(LINK['attached-to'], vpn, edge(l, v))) yield;
    if (out.link(LINK['member-of'], vpn, segment)) yield;
  }
  for (let c = 0; c < p.connects; c++) {
    const connect = attachment(l.connectBase + c);
    if (out.link(LINK['attached-to'], connect, edge(l, c))) yield;
    if (out.link(LINK['member-of'], connect, segment)) yield;
    if (p.vpcs > 0 && out.link(LINK.transport, connect, attachment(l.transportOf(c)))) yield;
    for (let k = 0; k < PEERS_PER_CONNECT; k++) {
      const peer = ref(REF.connectPeer, PEERS_PER_CONNECT * c + k);
      if (out.link(LINK['connect-peer'], connect, peer)) yield;
    }
  }
  for (let d = 0; d < p.dxGateways; d++) {
    const dx = attachment(l.dxBase + d);
    if (out.link(LINK['attachment-of'], dx, ref(REF.dxGateway, d))) yield;
    // A DX gateway attachment spans edge locations; two neighbouring regions here.
    if (out.link(LINK['attached-to'], dx, edge(l, d))) yield;
    if (l.R > 1 && out.link(LINK['attached-to'], dx, edge(l, d + 1))) yield;
    if (out.link(LINK['member-of'], dx, segment)) yield;
  }
}

export function* writeRoutes(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const destination = new PrefixDraft();
  for (let t = 0; t < p.transitGateways; t++) {
    const defaultTable = routeTable(2 * t);
    const sharedTable = routeTable(2 * t + 1);
    const a = l.tgwAttachmentBase + t;
    destination.addV4(0, 0); // 0.0.0.0/0
    if (out.route(defaultTable, destination, ref(REF.peering, t), 'active', 'static')) yield;
    destination.addV4(BLACKHOLE_WORDS[0]!, BLACKHOLE_LENGTH);
    if (out.route(sharedTable, destination, NO_TARGET, 'blackhole', 'static')) yield;
    l.addAttachmentPrefix(a, destination);
    if (out.route(sharedTable, destination, attachment(a), 'active', 'propagated')) yield;
  }
  // Odd extras are propagations; the first pass over the attachments gives each one a route.
  const propagations = Math.min(Math.floor(p.extraConnections / 2), p.attachments);
  for (let i = 0; i < propagations; i++) {
    const k = 2 * i + 1;
    const a = l.extraAttachment(k);
    const table = routeTable(l.extraTable(k, l.attachmentRegion(a)));
    l.addAttachmentPrefix(a, destination);
    if (out.route(table, destination, attachment(a), 'active', 'propagated')) yield;
  }
}
