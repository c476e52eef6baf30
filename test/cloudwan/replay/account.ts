/**
 * A topology seen as an AWS account: everything the replay server answers, computed once from the
 * view (following the Cloud WAN <-> AWS mapping in README.md), so that a request only filters and
 * slices arrays of ready-made JSON and XML strings. Network routes are the exception: they are
 * computed per segment x edge on first request, by the server (see network-routes.ts).
 */

import type { Cidr } from '../../../src/topology/cidr.js';
import type { TopologyView } from '../../../src/topology/model.js';
import { attachmentEntries, connectPeerEntries, peeringEntries } from './account-attachments.js';
import { coreNetworkEntries } from './account-core.js';
import { regionResources } from './account-ec2.js';

export type AttachmentType =
  | 'VPC'
  | 'SITE_TO_SITE_VPN'
  | 'CONNECT'
  | 'TRANSIT_GATEWAY_ROUTE_TABLE'
  | 'DIRECT_CONNECT_GATEWAY';

export interface CoreNetworkEntry {
  readonly id: string;
  /** The core network's element index in the view (what the analysis takes). */
  readonly index: number;
  readonly arn: string;
  readonly globalNetworkId: string | undefined;
  /** The owner used in ARNs: the model's account, else the default account. */
  readonly arnAccountId: string;
  readonly edgeRegions: readonly string[];
  readonly segmentNames: readonly string[];
  readonly functionGroupNames: readonly string[];
  /** CoreNetworkSummary (ListCoreNetworks) and CoreNetwork (GetCoreNetwork), as JSON text. */
  readonly summaryJson: string;
  readonly detailJson: string;
  /** The policy as GetCoreNetworkPolicy returns it in PolicyDocument; undefined when the model has none. */
  readonly policyDocument: string | undefined;
}

export interface AttachmentEntry {
  readonly id: string;
  readonly coreNetworkId: string | undefined;
  readonly attachmentType: AttachmentType;
  readonly edgeLocation: string | undefined;
  /** Network Manager state (upper-case), undefined when the model has none. */
  readonly state: string | undefined;
  readonly segmentName: string | undefined;
  readonly functionGroupName: string | undefined;
  /** The Attachment object, as JSON text. */
  readonly json: string;
  /** The other members of the per-type Get answer (SubnetArns, TransportAttachmentId, PeeringId, ...). */
  readonly details: Readonly<Record<string, unknown>>;
  /** What a network route destination says about the attached resource. */
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;
}

export interface ConnectPeerEntry {
  readonly id: string;
  readonly coreNetworkId: string | undefined;
  readonly connectAttachmentId: string | undefined;
  /** ConnectPeerSummary (ListConnectPeers) and ConnectPeer (GetConnectPeer), as JSON text. */
  readonly summaryJson: string;
  readonly detailJson: string;
}

export interface PeeringEntry {
  readonly id: string;
  readonly coreNetworkId: string | undefined;
  readonly peeringType: 'TRANSIT_GATEWAY';
  readonly edgeLocation: string | undefined;
  readonly state: string | undefined;
  /** The Peering object, as JSON text. */
  readonly json: string;
  readonly transitGatewayArn: string | undefined;
  readonly transitGatewayPeeringAttachmentId: string;
}

/** One EC2 resource: its `<item>` markup and the values its Describe filters match on. */
export interface Ec2Item {
  readonly id: string;
  readonly xml: string;
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

export interface TgwRouteItem extends Ec2Item {
  /** The destination, parsed once for the route-search filters (undefined if the model's text is not a CIDR). */
  readonly cidr: Cidr | undefined;
}

export interface RegionResources {
  readonly vpcs: readonly Ec2Item[];
  readonly vpcById: ReadonlyMap<string, Ec2Item>;
  readonly subnets: readonly Ec2Item[];
  readonly subnetById: ReadonlyMap<string, Ec2Item>;
  readonly transitGateways: readonly Ec2Item[];
  readonly transitGatewayById: ReadonlyMap<string, Ec2Item>;
  readonly routeTables: readonly Ec2Item[];
  readonly routeTableById: ReadonlyMap<string, Ec2Item>;
  readonly routesByTable: ReadonlyMap<string, readonly TgwRouteItem[]>;
}

export interface ReplayAccount {
  readonly kind: 'replay-account';
  readonly view: TopologyView;
  readonly coreNetworks: readonly CoreNetworkEntry[];
  readonly coreNetworkById: ReadonlyMap<string, CoreNetworkEntry>;
  /** In element order, which is the order ListAttachments pages through. */
  readonly attachments: readonly AttachmentEntry[];
  readonly attachmentById: ReadonlyMap<string, AttachmentEntry>;
  readonly connectPeers: readonly ConnectPeerEntry[];
  readonly connectPeerById: ReadonlyMap<string, ConnectPeerEntry>;
  readonly peerings: readonly PeeringEntry[];
  readonly peeringById: ReadonlyMap<string, PeeringEntry>;
  /** EC2 resources by region: each region's endpoint sees only its own. */
  readonly regions: ReadonlyMap<string, RegionResources>;
}

export function isReplayAccount(value: TopologyView | ReplayAccount): value is ReplayAccount {
  return (value as ReplayAccount).kind === 'replay-account';
}

export function accountFromTopology(view: TopologyView): ReplayAccount {
  const cores = coreNetworkEntries(view);
  const peerings = peeringEntries(view, cores);
  const attachments = attachmentEntries(view, cores, peerings.peeringOfTransitGateway);
  const connectPeers = connectPeerEntries(view, cores);
  return {
    kind: 'replay-account',
    view,
    coreNetworks: cores.entries,
    coreNetworkById: byId(cores.entries),
    attachments,
    attachmentById: byId(attachments),
    connectPeers,
    connectPeerById: byId(connectPeers),
    peerings: peerings.entries,
    peeringById: byId(peerings.entries),
    regions: regionResources(view),
  };
}

function byId<T extends { id: string }>(entries: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const entry of entries) if (!map.has(entry.id)) map.set(entry.id, entry);
  return map;
}
