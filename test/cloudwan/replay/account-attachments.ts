/**
 * Attachments, connect peers and transit gateway peerings as Network Manager describes them. Each
 * entry keeps its JSON text, so ListAttachments and friends join strings. Raw-body-only members
 * (NetworkFunctionGroupName, a Direct Connect attachment's EdgeLocations) are written like any other:
 * the 3.523 SDK parser drops them, discovery reads them from the body.
 */

import type { ElementType, TopologyView } from '../../../src/topology/model.js';
import type {
  AttachmentEntry,
  AttachmentType,
  ConnectPeerEntry,
  CoreNetworkEntry,
  PeeringEntry,
} from './account.js';
import type { CoreNetworks } from './account-core.js';
import {
  CREATED_AT,
  DEFAULT_ACCOUNT_ID,
  dxGatewayArn,
  ec2Arn,
  hexSuffix,
  jsonTags,
  networkManagerState,
  tagPairs,
} from './aws-names.js';
import { source, target, targets } from './walk.js';

const ATTACHMENT_TYPE: Partial<Record<ElementType, AttachmentType>> = {
  'vpc-attachment': 'VPC',
  'vpn-attachment': 'SITE_TO_SITE_VPN',
  'connect-attachment': 'CONNECT',
  'tgw-route-table-attachment': 'TRANSIT_GATEWAY_ROUTE_TABLE',
  'dx-gateway-attachment': 'DIRECT_CONNECT_GATEWAY',
};

/** The core network of an element attached to (or peered with) an edge. */
function coreOf(cores: CoreNetworks, edge: number): CoreNetworkEntry | undefined {
  return (edge >= 0 ? cores.coreOfEdge.get(edge) : undefined) ?? cores.fallback;
}

export function peeringEntries(
  view: TopologyView,
  cores: CoreNetworks,
): { entries: PeeringEntry[]; peeringOfTransitGateway: ReadonlyMap<number, string> } {
  const entries: PeeringEntry[] = [];
  const peeringOfTransitGateway = new Map<number, string>();
  for (const peering of view.elementsOfType('tgw-peering')) {
    const id = view.id(peering);
    const edge = target(view, peering, 'peering', 'edge');
    const tgw = target(view, peering, 'peering', 'transit-gateway');
    const core = coreOf(cores, edge);
    const region = view.region(peering) ?? (edge >= 0 ? view.region(edge) : undefined);
    const accountId = view.accountId(peering);
    let transitGatewayArn: string | undefined;
    if (tgw >= 0) {
      if (!peeringOfTransitGateway.has(tgw)) peeringOfTransitGateway.set(tgw, id);
      const tgwRegion = view.region(tgw) ?? region ?? '';
      transitGatewayArn = ec2Arn(
        tgwRegion,
        view.accountId(tgw) ?? accountId ?? DEFAULT_ACCOUNT_ID,
        'transit-gateway',
        view.id(tgw),
      );
    }
    const state = networkManagerState(view.state(peering));
    const json = JSON.stringify({
      CoreNetworkId: core?.id,
      CoreNetworkArn: core?.arn,
      PeeringId: id,
      OwnerAccountId: accountId,
      PeeringType: 'TRANSIT_GATEWAY',
      State: state,
      EdgeLocation: region,
      ResourceArn: transitGatewayArn,
      Tags: jsonTags(tagPairs(view.name(peering), view.tags(peering))),
      CreatedAt: CREATED_AT,
    });
    entries.push({
      id,
      coreNetworkId: core?.id,
      peeringType: 'TRANSIT_GATEWAY',
      edgeLocation: region,
      state,
      json,
      transitGatewayArn,
      transitGatewayPeeringAttachmentId: `tgw-attach-${hexSuffix(id)}`,
    });
  }
  return { entries, peeringOfTransitGateway };
}

export function attachmentEntries(
  view: TopologyView,
  cores: CoreNetworks,
  peeringOfTransitGateway: ReadonlyMap<number, string>,
): AttachmentEntry[] {
  const entries: AttachmentEntry[] = [];
  for (let element = 0; element < view.elementCount; element++) {
    const attachmentType = ATTACHMENT_TYPE[view.type(element)];
    if (attachmentType === undefined) continue;
    entries.push(attachmentEntry(view, cores, peeringOfTransitGateway, element, attachmentType));
  }
  return entries;
}

function attachmentEntry(
  view: TopologyView,
  cores: CoreNetworks,
  peeringOfTransitGateway: ReadonlyMap<number, string>,
  element: number,
  attachmentType: AttachmentType,
): AttachmentEntry {
  const id = view.id(element);
  const edge = target(view, element, 'attached-to', 'edge');
  const core = coreOf(cores, edge);
  const region = view.region(element) ?? (edge >= 0 ? view.region(edge) : undefined);
  const accountId = view.accountId(element);
  const arnAccount = accountId ?? core?.arnAccountId ?? DEFAULT_ACCOUNT_ID;
  const domain = view.segment(element);
  const group = target(view, element, 'member-of', 'network-function-group');
  const inGroup =
    domain !== undefined && (group >= 0 || (core?.functionGroupNames.includes(domain) ?? false));
  const resource = target(view, element, 'attachment-of');
  const resourceAccount = resource >= 0 ? (view.accountId(resource) ?? arnAccount) : arnAccount;
  const details: Record<string, unknown> = {};
  let resourceArn: string | undefined;
  let resourceType: string | undefined;
  let resourceId: string | undefined;

  if (attachmentType === 'VPC' && resource >= 0) {
    resourceId = view.id(resource);
    resourceType = 'vpc';
    const vpcRegion = view.region(resource) ?? region ?? '';
    resourceArn = ec2Arn(vpcRegion, resourceAccount, 'vpc', resourceId);
    details.SubnetArns = targets(view, resource, 'contains', 'subnet').map((subnet) =>
      ec2Arn(view.region(subnet) ?? vpcRegion, resourceAccount, 'subnet', view.id(subnet)),
    );
    details.Options = {
      Ipv6Support: view.cidrs(resource).some((cidr) => cidr.includes(':')),
      ApplianceModeSupport: inGroup,
    };
  } else if (attachmentType === 'SITE_TO_SITE_VPN') {
    resourceId = `vpn-${hexSuffix(id)}`;
    resourceType = 'vpn';
    resourceArn = ec2Arn(region ?? '', arnAccount, 'vpn-connection', resourceId);
    details.VpnConnectionArn = resourceArn;
  } else if (attachmentType === 'CONNECT') {
    resourceType = 'connect';
    const transport = target(view, element, 'transport');
    if (transport >= 0) details.TransportAttachmentId = view.id(transport);
    details.Options = { Protocol: 'GRE' };
  } else if (attachmentType === 'TRANSIT_GATEWAY_ROUTE_TABLE' && resource >= 0) {
    resourceId = view.id(resource);
    resourceType = 'transit-gateway-route-table';
    const tgw = source(view, resource, 'contains', 'transit-gateway');
    const tableRegion = view.region(resource) ?? (tgw >= 0 ? view.region(tgw) : undefined) ?? region ?? '';
    resourceArn = ec2Arn(tableRegion, resourceAccount, 'transit-gateway-route-table', resourceId);
    details.TransitGatewayRouteTableArn = resourceArn;
    const peeringId = tgw >= 0 ? peeringOfTransitGateway.get(tgw) : undefined;
    if (peeringId !== undefined) details.PeeringId = peeringId;
  } else if (attachmentType === 'DIRECT_CONNECT_GATEWAY' && resource >= 0) {
    resourceId = view.id(resource);
    resourceType = 'direct-connect-gateway';
    resourceArn = dxGatewayArn(resourceAccount, resourceId);
    details.DirectConnectGatewayArn = resourceArn;
  }

  const state = networkManagerState(view.state(element));
  const dx = attachmentType === 'DIRECT_CONNECT_GATEWAY';
  const json = JSON.stringify({
    CoreNetworkId: core?.id,
    CoreNetworkArn: core?.arn,
    AttachmentId: id,
    OwnerAccountId: accountId,
    AttachmentType: attachmentType,
    State: state,
    // A Direct Connect gateway attachment spans edges: AWS lists them in EdgeLocations, not EdgeLocation.
    EdgeLocation: dx ? undefined : region,
    EdgeLocations: dx ? edgeRegions(view, element, region) : undefined,
    ResourceArn: resourceArn,
    SegmentName: inGroup ? undefined : domain,
    NetworkFunctionGroupName: inGroup ? domain : undefined,
    Tags: jsonTags(tagPairs(view.name(element), view.tags(element))),
    CreatedAt: CREATED_AT,
    UpdatedAt: CREATED_AT,
  });
  return {
    id,
    coreNetworkId: core?.id,
    attachmentType,
    edgeLocation: region,
    state,
    segmentName: inGroup ? undefined : domain,
    functionGroupName: inGroup ? domain : undefined,
    json,
    details,
    resourceType,
    resourceId,
  };
}

export function connectPeerEntries(view: TopologyView, cores: CoreNetworks): ConnectPeerEntry[] {
  const entries: ConnectPeerEntry[] = [];
  for (const peer of view.elementsOfType('connect-peer')) {
    const id = view.id(peer);
    const attachment = source(view, peer, 'connect-peer');
    const edge = attachment >= 0 ? target(view, attachment, 'attached-to', 'edge') : -1;
    const core = coreOf(cores, edge);
    const region =
      view.region(peer) ??
      (attachment >= 0 ? view.region(attachment) : undefined) ??
      (edge >= 0 ? view.region(edge) : undefined);
    const common = {
      CoreNetworkId: core?.id,
      ConnectAttachmentId: attachment >= 0 ? view.id(attachment) : undefined,
      ConnectPeerId: id,
      EdgeLocation: region,
    };
    const state = networkManagerState(view.state(peer));
    const tags = jsonTags(tagPairs(view.name(peer), view.tags(peer)));
    const coreAsn = core && region !== undefined ? cores.edgeAsn.get(core.id)?.get(region) : undefined;
    entries.push({
      id,
      coreNetworkId: core?.id,
      connectAttachmentId: common.ConnectAttachmentId,
      summaryJson: JSON.stringify({ ...common, ConnectPeerState: state, CreatedAt: CREATED_AT, Tags: tags }),
      detailJson: JSON.stringify({
        ...common,
        State: state,
        CreatedAt: CREATED_AT,
        Configuration: {
          Protocol: 'GRE',
          InsideCidrBlocks: [],
          BgpConfigurations: [{ CoreNetworkAsn: coreAsn, PeerAsn: view.asn(peer) }],
        },
        Tags: tags,
      }),
    });
  }
  return entries;
}

/** The regions of every edge an attachment is attached to (its own region first). */
function edgeRegions(view: TopologyView, attachment: number, region: string | undefined): string[] {
  const regions = region !== undefined ? [region] : [];
  for (const c of view.outgoing(attachment)) {
    if (view.connectionType(c) !== 'attached-to') continue;
    const edgeRegion = view.region(view.connectionTarget(c));
    if (edgeRegion !== undefined && !regions.includes(edgeRegion)) regions.push(edgeRegion);
  }
  return regions;
}
