/**
 * AWS responses -> the model's element records, following the Cloud WAN <-> AWS mapping: states
 * lower-cased, tags as a record, names from the `Name` tag, ids and regions as AWS gives them.
 */

import type { Subnet, TransitGateway, TransitGatewayRouteTable, Vpc } from '@aws-sdk/client-ec2';
import type { ElementRecord, ElementType } from '../../topology/model.js';
import { lower, type Tag, tagsOf } from './network-manager.js';

/** Attachment.AttachmentType -> model element type. */
export const ATTACHMENT_TYPE: Record<string, ElementType> = {
  VPC: 'vpc-attachment',
  SITE_TO_SITE_VPN: 'vpn-attachment',
  CONNECT: 'connect-attachment',
  TRANSIT_GATEWAY_ROUTE_TABLE: 'tgw-route-table-attachment',
  DIRECT_CONNECT_GATEWAY: 'dx-gateway-attachment',
};

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** `vpc`, `transit-gateway`, `transit-gateway-route-table`, `dx-gateway`, ... */
  resourceType: string;
  id: string;
}

/** `arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0abc` -> its parts; undefined when it is not one. */
export function parseArn(arn: string | undefined): Arn | undefined {
  if (!arn?.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  if (slash < 0) return undefined;
  return {
    partition: parts[1] ?? '',
    service: parts[2] ?? '',
    region: parts[3] ?? '',
    account: parts[4] ?? '',
    resourceType: resource.slice(0, slash),
    id: resource.slice(slash + 1),
  };
}

/** A record with the optional fields set only when known (the builder stores absent as absent). */
export function record(
  id: string,
  type: ElementType,
  fields: {
    name?: string | undefined;
    region?: string | undefined;
    segment?: string | undefined;
    accountId?: string | undefined;
    state?: string | undefined;
    asn?: number | undefined;
    cidrs?: string[] | undefined;
    tags?: Record<string, string> | undefined;
  },
): ElementRecord {
  const out: ElementRecord = { id, type };
  if (fields.name !== undefined) out.name = fields.name;
  if (fields.region !== undefined) out.region = fields.region;
  if (fields.segment !== undefined) out.segment = fields.segment;
  if (fields.accountId !== undefined) out.accountId = fields.accountId;
  if (fields.state !== undefined) out.state = fields.state;
  if (fields.asn !== undefined) out.asn = fields.asn;
  if (fields.cidrs !== undefined && fields.cidrs.length > 0) out.cidrs = fields.cidrs;
  if (fields.tags !== undefined && Object.keys(fields.tags).length > 0) out.tags = fields.tags;
  return out;
}

/**
 * The `Name` tag becomes the element's name and is not repeated in its tags. Attachments keep all
 * their tags instead (see attachments.ts): attachment policies match on them.
 */
export function nameAndTags(tags: readonly Tag[] | undefined): {
  name?: string;
  tags: Record<string, string>;
} {
  const all = tagsOf(tags);
  const name = all.Name;
  if (name === undefined) return { tags: all };
  delete all.Name;
  return { name, tags: all };
}

/** The associated IPv4 blocks (the primary first) and IPv6 blocks of a VPC. */
export function vpcCidrs(vpc: Vpc): string[] {
  const cidrs: string[] = [];
  for (const block of vpc.CidrBlockAssociationSet ?? []) {
    if (block.CidrBlock && (block.CidrBlockState?.State ?? 'associated') === 'associated')
      cidrs.push(block.CidrBlock);
  }
  if (cidrs.length === 0 && vpc.CidrBlock) cidrs.push(vpc.CidrBlock);
  for (const block of vpc.Ipv6CidrBlockAssociationSet ?? []) {
    const state = block.Ipv6CidrBlockState?.State ?? 'associated';
    if (block.Ipv6CidrBlock && state === 'associated') cidrs.push(block.Ipv6CidrBlock);
  }
  return cidrs;
}

export function vpcRecord(vpc: Vpc & { VpcId: string }, region: string, cidrs: string[]): ElementRecord {
  const { name, tags } = nameAndTags(vpc.Tags);
  return record(vpc.VpcId, 'vpc', {
    name,
    region,
    accountId: vpc.OwnerId,
    state: lower(vpc.State),
    cidrs,
    tags,
  });
}

export function subnetRecord(subnet: Subnet & { SubnetId: string }, region: string): ElementRecord {
  const { name, tags } = nameAndTags(subnet.Tags);
  const cidrs: string[] = subnet.CidrBlock ? [subnet.CidrBlock] : [];
  for (const block of subnet.Ipv6CidrBlockAssociationSet ?? []) {
    const state = block.Ipv6CidrBlockState?.State ?? 'associated';
    if (block.Ipv6CidrBlock && state === 'associated') cidrs.push(block.Ipv6CidrBlock);
  }
  return record(subnet.SubnetId, 'subnet', {
    name,
    region,
    accountId: subnet.OwnerId,
    state: lower(subnet.State),
    cidrs,
    tags,
  });
}

export function gatewayRecord(
  gateway: TransitGateway & { TransitGatewayId: string },
  region: string,
): ElementRecord {
  const { name, tags } = nameAndTags(gateway.Tags);
  return record(gateway.TransitGatewayId, 'transit-gateway', {
    name,
    region,
    accountId: gateway.OwnerId,
    state: lower(gateway.State),
    asn: gateway.Options?.AmazonSideAsn,
    tags,
  });
}

export function routeTableRecord(
  table: TransitGatewayRouteTable & { TransitGatewayRouteTableId: string },
  region: string,
  accountId: string | undefined,
): ElementRecord {
  const { name, tags } = nameAndTags(table.Tags);
  return record(table.TransitGatewayRouteTableId, 'tgw-route-table', {
    name,
    region,
    accountId,
    state: lower(table.State),
    tags,
  });
}
