/**
 * The connection and route passes. Connections: what contains what and who attaches to what, plus
 * extra associations and propagations up to the requested count; then routes: per transit gateway
 * a default route to its peering, a blackhole and its route table attachment's prefix, and a
 * propagated route for each extra propagation on an attachment's first pass. Elements are named
 * by reference (refs.ts); `Out` turns them into ids or indexes.
 *
 * Connections follow the element pass (write-elements.ts): the transit gateways' and the VPCs'
 * region by region, then each attachment's, its extras included, in the attachments' order. A
 * store lists an element's connections by connection index, so a stream that reads the elements
 * in order then reads their connections nearly in order too. Routes keep their order (by transit
 * gateway, then by k): the stream does not read them.
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
  yield* attachmentLinks(l, out);
}

function* transitGatewayLinks(l: Layout, out: Out): Generator<void, void, void> {
  const T = l.plan.transitGateways;
  const segment = ref(REF.segment, l.hybridOrdinal);
  for (let region = 0; region < l.R; region++) {
    for (let t = region; t < T; t += l.R) {
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
}

function* vpcLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  for (let region = 0; region < l.R; region++) {
    for (let u = region; u < p.vpcs; u += l.R) {
      const vpc = ref(REF.vpc, u);
      const first = l.firstSubnet(u);
      const count = l.subnetCount(u);
      for (let k = 0; k < count; k++) if (out.link(LINK.contains, vpc, ref(REF.subnet, first + k))) yield;
    }
  }
}

/** The attachments' links, in their element order: group by group, the hybrid block after its group. */
function* attachmentLinks(l: Layout, out: Out): Generator<void, void, void> {
  const units = l.attachmentUnits;
  const extras = l.plan.extraConnections;
  const A = l.plan.attachments;
  for (let g = 0; g < l.groupOrdinals.length; g++) {
    const segment = ref(REF.segment, l.groupOrdinals[g] as number);
    for (let i = l.groupStarts[g] as number, end = l.groupStarts[g + 1] as number; i < end; i++) {
      const u = units[i] as number;
      const vpcAttachment = attachment(u);
      const region = u % l.R;
      if (out.link(LINK['attached-to'], vpcAttachment, edge(l, region))) yield;
      if (out.link(LINK['attachment-of'], vpcAttachment, ref(REF.vpc, u))) yield;
      if (out.link(LINK['member-of'], vpcAttachment, segment)) yield;
      // extraLinks(u), inline: a generator per VPC attachment would cost more than its links.
      for (let k = 2 * l.firstExtraPair(u); k < extras; k += 2 * A) {
        if (out.link(LINK.association, vpcAttachment, routeTable(l.extraTable(k, region)))) yield;
        if (k + 1 === extras) break; // an odd count ends on an association
        if (out.link(LINK.propagation, vpcAttachment, routeTable(l.extraTable(k + 1, region)))) yield;
      }
    }
    if (l.groupOrdinals[g] === l.hybridOrdinal) yield* hybridLinks(l, out);
  }
}

function* hybridLinks(l: Layout, out: Out): Generator<void, void, void> {
  const p = l.plan;
  const segment = ref(REF.segment, l.hybridOrdinal);
  for (let v = 0; v < p.vpns; v++) {
    const vpn = attachment(l.vpnBase + v);
    if (out.link(LINK['attached-to'], vpn, edge(l, v))) yield;
    if (out.link(LINK['member-of'], vpn, segment)) yield;
    yield* extraLinks(l, out, l.vpnBase + v);
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
    yield* extraLinks(l, out, l.connectBase + c);
  }
  for (let d = 0; d < p.dxGateways; d++) {
    const dx = attachment(l.dxBase + d);
    if (out.link(LINK['attachment-of'], dx, ref(REF.dxGateway, d))) yield;
    // A DX gateway attachment spans edge locations; two neighbouring regions here.
    if (out.link(LINK['attached-to'], dx, edge(l, d))) yield;
    if (l.R > 1 && out.link(LINK['attached-to'], dx, edge(l, d + 1))) yield;
    if (out.link(LINK['member-of'], dx, segment)) yield;
    yield* extraLinks(l, out, l.dxBase + d);
  }
}

/**
 * The extra associations and propagations from attachment `a` (of the VPC, VPN, Connect and DX
 * ones), written with its other links rather than in the order of k (Layout.extraAttachment), so
 * that all of an attachment's connections sit together.
 */
function* extraLinks(l: Layout, out: Out, a: number): Generator<void, void, void> {
  const extras = l.plan.extraConnections;
  const from = attachment(a);
  const region = l.attachmentRegion(a);
  for (let k = 2 * l.firstExtraPair(a); k < extras; k += 2 * l.plan.attachments) {
    if (out.link(LINK.association, from, routeTable(l.extraTable(k, region)))) yield;
    if (k + 1 === extras) break; // an odd count ends on an association
    if (out.link(LINK.propagation, from, routeTable(l.extraTable(k + 1, region)))) yield;
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
