/**
 * EC2 resources per region, each an `<item>` of markup written once plus the values its Describe
 * filters match: VPCs, subnets, transit gateways, their route tables and the routes of each table.
 * Elements without a region (their own, or their parent's) cannot be asked for and are left out.
 */

import { parseCidr } from '../../../src/topology/cidr.js';
import type { ElementType, TopologyView } from '../../../src/topology/model.js';
import type { Ec2Item, RegionResources, TgwRouteItem } from './account.js';
import { CREATED_AT_ISO, DEFAULT_ACCOUNT_ID, ec2Arn, hexSuffix, tagPairs } from './aws-names.js';
import { source } from './walk.js';
import { el, itemSet, tagSet, wrap } from './xml.js';

interface MutableRegion {
  vpcs: Ec2Item[];
  subnets: Ec2Item[];
  transitGateways: Ec2Item[];
  routeTables: Ec2Item[];
  routesByTable: Map<string, TgwRouteItem[]>;
}

/** `resourceType` of a TGW route's attachment, by the model type of the route's target. */
const RESOURCE_TYPE: Partial<Record<ElementType, string>> = {
  'vpc-attachment': 'vpc',
  vpc: 'vpc',
  'vpn-attachment': 'vpn',
  'connect-attachment': 'connect',
  'dx-gateway-attachment': 'direct-connect-gateway',
  'dx-gateway': 'direct-connect-gateway',
  'tgw-peering': 'peering',
  'tgw-route-table-attachment': 'peering',
};

export function regionResources(view: TopologyView): ReadonlyMap<string, RegionResources> {
  const regions = new Map<string, MutableRegion>();
  const at = (region: string): MutableRegion => {
    let found = regions.get(region);
    if (!found) {
      found = { vpcs: [], subnets: [], transitGateways: [], routeTables: [], routesByTable: new Map() };
      regions.set(region, found);
    }
    return found;
  };
  for (const vpc of view.elementsOfType('vpc')) {
    const region = view.region(vpc);
    if (region !== undefined) at(region).vpcs.push(vpcItem(view, vpc));
  }
  for (const subnet of view.elementsOfType('subnet')) {
    const vpc = source(view, subnet, 'contains', 'vpc');
    const region = view.region(subnet) ?? (vpc >= 0 ? view.region(vpc) : undefined);
    if (region !== undefined) at(region).subnets.push(subnetItem(view, subnet, vpc, region));
  }
  for (const tgw of view.elementsOfType('transit-gateway')) {
    const region = view.region(tgw);
    if (region !== undefined) at(region).transitGateways.push(transitGatewayItem(view, tgw, region));
  }
  for (const table of view.elementsOfType('tgw-route-table')) {
    const tgw = source(view, table, 'contains', 'transit-gateway');
    const region = view.region(table) ?? (tgw >= 0 ? view.region(tgw) : undefined);
    if (region === undefined) continue;
    const resources = at(region);
    resources.routeTables.push(routeTableItem(view, table, tgw));
    resources.routesByTable.set(view.id(table), routeItems(view, table));
  }
  const out = new Map<string, RegionResources>();
  for (const [region, r] of regions) {
    out.set(region, {
      ...r,
      vpcById: byId(r.vpcs),
      subnetById: byId(r.subnets),
      transitGatewayById: byId(r.transitGateways),
      routeTableById: byId(r.routeTables),
    });
  }
  return out;
}

function byId<T extends Ec2Item>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(item.id)) map.set(item.id, item);
  return map;
}

/** The filters every tagged resource has: `tag:<key>` and `tag-key`. */
function tagFilters(pairs: ReadonlyArray<readonly [string, string]>, into: Record<string, string[]>): void {
  into['tag-key'] = pairs.map(([key]) => key);
  for (const [key, value] of pairs) into[`tag:${key}`] = [value];
}

function splitCidrs(cidrs: readonly string[]): { v4: string[]; v6: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const cidr of cidrs) (cidr.includes(':') ? v6 : v4).push(cidr);
  return { v4, v6 };
}

function ipv6Associations(id: string, v6: readonly string[]): string {
  return itemSet(
    'ipv6CidrBlockAssociationSet',
    v6.map(
      (cidr, i) =>
        el(
          'associationId',
          `${id.startsWith('vpc') ? 'vpc' : 'subnet'}-cidr-assoc-${hexSuffix(`${id}/6/${i}`)}`,
        ) +
        el('ipv6CidrBlock', cidr) +
        wrap('ipv6CidrBlockState', el('state', 'associated')),
    ),
  );
}

function vpcItem(view: TopologyView, vpc: number): Ec2Item {
  const id = view.id(vpc);
  const owner = view.accountId(vpc) ?? DEFAULT_ACCOUNT_ID;
  const state = view.state(vpc) ?? 'available';
  const { v4, v6 } = splitCidrs(view.cidrs(vpc));
  const tags = tagPairs(view.name(vpc), view.tags(vpc));
  const xml =
    el('vpcId', id) +
    el('ownerId', owner) +
    el('state', state) +
    el('cidrBlock', v4[0]) +
    itemSet(
      'cidrBlockAssociationSet',
      v4.map(
        (cidr, i) =>
          el('associationId', `vpc-cidr-assoc-${hexSuffix(`${id}/4/${i}`)}`) +
          el('cidrBlock', cidr) +
          wrap('cidrBlockState', el('state', 'associated')),
      ),
    ) +
    (v6.length ? ipv6Associations(id, v6) : '') +
    el('dhcpOptionsId', 'default') +
    el('instanceTenancy', 'default') +
    el('isDefault', false) +
    tagSet(tags);
  const filters: Record<string, string[]> = {
    'vpc-id': [id],
    'owner-id': [owner],
    state: [state],
    'is-default': ['false'],
    cidr: v4.slice(0, 1),
    'cidr-block-association.cidr-block': v4,
    'ipv6-cidr-block-association.ipv6-cidr-block': v6,
  };
  tagFilters(tags, filters);
  return { id, xml, filters };
}

function subnetItem(view: TopologyView, subnet: number, vpc: number, region: string): Ec2Item {
  const id = view.id(subnet);
  const owner = view.accountId(subnet) ?? (vpc >= 0 ? view.accountId(vpc) : undefined) ?? DEFAULT_ACCOUNT_ID;
  const state = view.state(subnet) ?? 'available';
  const vpcId = vpc >= 0 ? view.id(vpc) : undefined;
  const { v4, v6 } = splitCidrs(view.cidrs(subnet));
  const tags = tagPairs(view.name(subnet), view.tags(subnet));
  const prefix = v4[0] === undefined ? undefined : Number(v4[0].slice(v4[0].indexOf('/') + 1));
  // AWS keeps 5 addresses of every subnet for itself.
  const available = prefix === undefined ? undefined : Math.max(0, 2 ** (32 - prefix) - 5);
  const zone = `${region}a`;
  const xml =
    el('subnetId', id) +
    el('subnetArn', ec2Arn(region, owner, 'subnet', id)) +
    el('state', state) +
    el('vpcId', vpcId) +
    el('cidrBlock', v4[0]) +
    // EC2 lists an empty IPv6 set for an IPv4-only subnet (but leaves it out of an IPv4-only VPC).
    ipv6Associations(id, v6) +
    el('availableIpAddressCount', available) +
    el('availabilityZone', zone) +
    el('ownerId', owner) +
    el('defaultForAz', false) +
    el('mapPublicIpOnLaunch', false) +
    tagSet(tags);
  const filters: Record<string, string[]> = {
    'subnet-id': [id],
    'vpc-id': vpcId === undefined ? [] : [vpcId],
    'owner-id': [owner],
    state: [state],
    'cidr-block': v4.slice(0, 1),
    cidr: v4.slice(0, 1),
    'ipv6-cidr-block-association.ipv6-cidr-block': v6,
    'availability-zone': [zone],
  };
  tagFilters(tags, filters);
  return { id, xml, filters };
}

function transitGatewayItem(view: TopologyView, tgw: number, region: string): Ec2Item {
  const id = view.id(tgw);
  const owner = view.accountId(tgw) ?? DEFAULT_ACCOUNT_ID;
  const state = view.state(tgw) ?? 'available';
  const asn = view.asn(tgw);
  const tags = tagPairs(view.name(tgw), view.tags(tgw));
  const xml =
    el('transitGatewayId', id) +
    el('transitGatewayArn', ec2Arn(region, owner, 'transit-gateway', id)) +
    el('state', state) +
    el('ownerId', owner) +
    el('creationTime', CREATED_AT_ISO) +
    wrap(
      'options',
      el('amazonSideAsn', asn) +
        el('autoAcceptSharedAttachments', 'disable') +
        el('defaultRouteTableAssociation', 'disable') +
        el('defaultRouteTablePropagation', 'disable') +
        el('vpnEcmpSupport', 'enable') +
        el('dnsSupport', 'enable') +
        el('multicastSupport', 'disable'),
    ) +
    tagSet(tags);
  const filters: Record<string, string[]> = {
    'transit-gateway-id': [id],
    'owner-id': [owner],
    state: [state],
    'options.amazon-side-asn': asn === undefined ? [] : [String(asn)],
  };
  tagFilters(tags, filters);
  return { id, xml, filters };
}

function routeTableItem(view: TopologyView, table: number, tgw: number): Ec2Item {
  const id = view.id(table);
  const tgwId = tgw >= 0 ? view.id(tgw) : undefined;
  const state = view.state(table) ?? 'available';
  const tags = tagPairs(view.name(table), view.tags(table));
  const xml =
    el('transitGatewayRouteTableId', id) +
    el('transitGatewayId', tgwId) +
    el('state', state) +
    el('defaultAssociationRouteTable', false) +
    el('defaultPropagationRouteTable', false) +
    el('creationTime', CREATED_AT_ISO) +
    tagSet(tags);
  const filters: Record<string, string[]> = {
    'transit-gateway-route-table-id': [id],
    'transit-gateway-id': tgwId === undefined ? [] : [tgwId],
    state: [state],
    'default-association-route-table': ['false'],
    'default-propagation-route-table': ['false'],
  };
  tagFilters(tags, filters);
  return { id, xml, filters };
}

/**
 * A table's routes. The target's element id goes in `resourceId` and a stable `tgw-attach-<hex>` made
 * from it in `transitGatewayAttachmentId`, so discovery can name the model's target.
 */
function routeItems(view: TopologyView, table: number): TgwRouteItem[] {
  const items: TgwRouteItem[] = [];
  for (const r of view.routesOf(table)) {
    const route = view.route(r);
    const type = route.origin;
    let attachment = '';
    const filters: Record<string, string[]> = { state: [route.state], type: [type] };
    if (route.target >= 0) {
      const resourceId = view.id(route.target);
      const attachmentId = `tgw-attach-${hexSuffix(resourceId)}`;
      const resourceType = RESOURCE_TYPE[view.type(route.target)] ?? 'vpc';
      attachment = itemSet('transitGatewayAttachments', [
        el('resourceId', resourceId) +
          el('transitGatewayAttachmentId', attachmentId) +
          el('resourceType', resourceType),
      ]);
      filters['attachment.resource-id'] = [resourceId];
      filters['attachment.transit-gateway-attachment-id'] = [attachmentId];
      filters['attachment.resource-type'] = [resourceType];
    }
    items.push({
      id: `${route.destination}`,
      xml:
        el('destinationCidrBlock', route.destination) +
        attachment +
        el('type', type) +
        el('state', route.state),
      filters,
      cidr: parseCidr(route.destination),
    });
  }
  return items;
}
