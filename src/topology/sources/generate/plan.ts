/**
 * How many of each element a topology of N elements gets, from AWS quotas and the shape of real
 * estates: for ~1,000 elements one global and one core network, ~5 edges, ~8 segments, 2 network
 * function groups, 5 transit gateways, ~15 VPNs, ~5 Connect attachments, ~4 DX gateways and ~300
 * VPC attachments each with its VPC and one or two subnets. Counts grow sub-linearly where a quota
 * caps them (regions, segments, function groups) and linearly elsewhere. The total is exactly N:
 * every type takes what it wants from what is left, in dependency order, and VPCs take the rest.
 */

import {
  functionGroupName,
  ISOLATED_SEGMENTS,
  MAX_FUNCTION_GROUPS,
  MAX_SEGMENTS,
  segmentName,
} from './names.js';

export interface PlanInput {
  elements: number;
  connections: number;
  regions: readonly string[];
  /** Whether the caller chose the regions (then all are used, budget permitting). */
  regionsGiven: boolean;
}

export interface GeneratePlan {
  elements: number;
  hasGlobal: boolean;
  hasCore: boolean;
  regions: string[];
  segments: string[];
  functionGroups: string[];
  isolatedSegments: string[];
  /** Where VPN, Connect, DX and TGW route table attachments go. */
  hybridSegment: string;
  /** Segments VPC attachments spread over. */
  vpcSegments: string[];
  transitGateways: number;
  vpns: number;
  connects: number;
  connectPeers: number;
  dxGateways: number;
  vpcs: number;
  subnets: number;
  /** The first `inspectionVpcs` VPCs belong to function groups: one per group per region. */
  inspectionVpcs: number;
  accounts: number;
  /** Attachments that extra associations and propagations start from: VPC, VPN, Connect, DX. */
  attachments: number;
  structuralConnections: number;
  extraConnections: number;
  connections: number;
  routes: number;
}

/** Connect peers per Connect attachment (AWS allows 4; two, for redundancy, is the usual choice). */
export const PEERS_PER_CONNECT = 2;
/** A transit gateway brings two route tables, a peering and a route table attachment. */
const TGW_BLOCK = 5;

export function planTopology(input: PlanInput): GeneratePlan {
  const n = input.elements;
  const scale = n / 1000;
  let left = n;
  const take = (wanted: number, size = 1): number => {
    const count = Math.max(0, Math.min(wanted, Math.floor(left / size)));
    left -= count * size;
    return count;
  };

  const hasGlobal = take(1) === 1;
  const hasCore = take(1) === 1;
  const wantedRegions = input.regionsGiven
    ? input.regions.length
    : clamp(Math.round(5 * scale ** 0.25), 1, input.regions.length);
  const regions = input.regions.slice(0, take(wantedRegions));
  const segmentCount = take(clamp(Math.round(8 * scale ** 0.3), 1, MAX_SEGMENTS));
  const groupCount = take(clamp(Math.round(2 * scale ** 0.15), 1, MAX_FUNCTION_GROUPS));
  const transitGateways = take(Math.round(n * 0.005), TGW_BLOCK);
  let vpns = take(Math.round(n * 0.015));
  const connects = take(Math.round(n * 0.005), 1 + PEERS_PER_CONNECT);
  const dxGateways = take(Math.round(n * 0.004), 2);
  // A VPC unit is an attachment, its VPC and at least one subnet.
  let vpcs = 0;
  let subnets = 0;
  if (left >= 3) {
    vpcs = Math.max(1, Math.floor(left * 0.32));
    subnets = left - 2 * vpcs;
  } else {
    vpns += left; // too few for a VPC; a VPN attachment needs nothing else
  }
  left = 0;

  const segments = Array.from({ length: segmentCount }, (_, i) => segmentName(i));
  const functionGroups = Array.from({ length: groupCount }, (_, i) => functionGroupName(i));
  const hybridSegment = segmentCount >= 3 ? 'hybrid' : (segments[0] ?? '');
  const vpcSegments = segmentCount >= 3 ? segments.filter((s) => s !== 'hybrid') : segments;
  const R = regions.length;
  const attachments = vpcs + vpns + connects + dxGateways;

  const structural =
    (hasGlobal && hasCore ? 1 : 0) +
    (hasCore ? R + segmentCount + groupCount : 0) +
    R * (R - 1) +
    transitGateways * 9 + // 2 contains, 2 peering, attached-to, attachment-of, member-of, association, propagation
    vpcs * 3 +
    subnets +
    vpns * 2 +
    connects * (3 + PEERS_PER_CONNECT) -
    (vpcs === 0 ? connects : 0) + // no VPC to carry the Connect transport
    dxGateways * (2 + Math.min(2, R));
  // Extra associations and propagations need route tables to point at.
  const extra = transitGateways > 0 && attachments > 0 ? Math.max(0, input.connections - structural) : 0;

  return {
    elements: n,
    hasGlobal,
    hasCore,
    regions,
    segments,
    functionGroups,
    isolatedSegments: segments.filter((s) => ISOLATED_SEGMENTS.has(s)),
    hybridSegment,
    vpcSegments,
    transitGateways,
    vpns,
    connects,
    connectPeers: connects * PEERS_PER_CONNECT,
    dxGateways,
    vpcs,
    subnets,
    inspectionVpcs: Math.min(vpcs, groupCount * R),
    accounts: clamp(Math.ceil(n / 250), 1, 10_000),
    attachments,
    structuralConnections: structural,
    extraConnections: extra,
    connections: structural + extra,
    // Per TGW: a default route to the peering, a blackhole, the route table attachment's prefix;
    // then one propagated route per extra propagation until every attachment has one.
    routes: transitGateways * 3 + Math.min(Math.floor(extra / 2), attachments),
  };
}

/** Elements of each type the plan writes, keyed by element type. */
export function plannedElementCounts(plan: GeneratePlan): Record<string, number> {
  const t = plan.transitGateways;
  return {
    'global-network': plan.hasGlobal ? 1 : 0,
    'core-network': plan.hasCore ? 1 : 0,
    edge: plan.regions.length,
    'transit-gateway': t,
    'tgw-route-table': 2 * t,
    vpc: plan.vpcs,
    subnet: plan.subnets,
    segment: plan.segments.length,
    'vpc-attachment': plan.vpcs,
    'vpn-attachment': plan.vpns,
    'connect-attachment': plan.connects,
    'connect-peer': plan.connectPeers,
    'tgw-route-table-attachment': t,
    'dx-gateway-attachment': plan.dxGateways,
    'dx-gateway': plan.dxGateways,
    'tgw-peering': t,
    'network-function-group': plan.functionGroups.length,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
