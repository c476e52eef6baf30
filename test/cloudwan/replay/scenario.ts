/**
 * A hand-built Cloud WAN account for the replay tests, small enough that every answer is known:
 * one core network at us-east-1 and eu-west-1, segments prod and dev (prod reaches dev through
 * the function group inspection), one attachment of each type, and a transit gateway route table with routes spread
 * over the address space (for the SearchTransitGatewayRoutes split).
 */

import type {
  ConnectionRecord,
  ElementRecord,
  RouteRecord,
  TopologyView,
} from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { buildTopology } from '../../topology/helpers.js';

export const US = 'us-east-1';
export const EU = 'eu-west-1';
export const CORE = 'core-network-0a1b2c3d4e5f60718';
export const GLOBAL = 'global-network-0f1e2d3c4b5a69788';
export const OWNER = '111111111111';
export const APP_ACCOUNT = '222222222222';
export const DX_GATEWAY = '5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

export const POLICY: CoreNetworkPolicy = {
  version: '2021.12',
  'core-network-configuration': {
    'asn-ranges': ['64512-65534'],
    'edge-locations': [
      { location: US, asn: 64512 },
      { location: EU, asn: 64513 },
    ],
  },
  segments: [
    { name: 'prod', 'require-attachment-acceptance': false },
    { name: 'dev', 'require-attachment-acceptance': false, 'edge-locations': [US, EU] },
  ],
  'network-function-groups': [{ name: 'inspection', 'require-attachment-acceptance': false }],
  'segment-actions': [
    {
      action: 'create-route',
      segment: 'prod',
      'destination-cidr-blocks': ['192.0.2.0/24'],
      destinations: ['blackhole'],
    },
    {
      action: 'send-via',
      segment: 'prod',
      mode: 'single-hop',
      'when-sent-to': { segments: ['dev'] },
      via: { 'network-function-groups': ['inspection'] },
    },
  ],
  'attachment-policies': [
    {
      'rule-number': 100,
      conditions: [{ type: 'tag-exists', key: 'segment' }],
      action: { 'association-method': 'tag', 'tag-value-of-key': 'segment' },
    },
  ],
};

/** Attachments in element order: the order ListAttachments pages through. */
export const ATTACHMENTS = [
  'attachment-0000000000000000a',
  'attachment-0000000000000000b',
  'attachment-0000000000000000c',
  'attachment-0000000000000000d',
  'attachment-0000000000000000e',
  'attachment-0000000000000000f',
  'attachment-00000000000000010',
] as const;
const [VPC_A, VPC_B, INSPECTION, VPN, CONNECT, DX, TGW_RTB_ATT] = ATTACHMENTS;

export { CONNECT, DX, INSPECTION, TGW_RTB_ATT, VPC_A, VPC_B, VPN };

/** Routes of tgw-rtb-0000000000000000a: four in 0.0.0.0/1, five in 128.0.0.0/1, a default, an IPv6 one. */
export const TGW_ROUTES: ReadonlyArray<[string, string | undefined]> = [
  ['0.0.0.0/0', 'peering-0000000000000000a'],
  ['10.1.0.0/16', VPC_A],
  ['10.2.0.0/16', VPC_B],
  ['10.8.0.0/16', 'peering-0000000000000000a'],
  ['10.9.0.0/16', 'peering-0000000000000000a'],
  ['172.20.0.0/24', TGW_RTB_ATT],
  ['172.20.1.0/24', TGW_RTB_ATT],
  ['172.20.2.0/24', TGW_RTB_ATT],
  ['192.0.2.0/24', undefined],
  ['200.1.0.0/16', 'peering-0000000000000000a'],
  ['2001:db8::/32', 'peering-0000000000000000a'],
];

export function scenarioRecords(): {
  elements: ElementRecord[];
  connections: ConnectionRecord[];
  routes: RouteRecord[];
  policies: Record<string, CoreNetworkPolicy>;
} {
  const elements: ElementRecord[] = [
    { id: GLOBAL, type: 'global-network', accountId: OWNER, state: 'available' },
    { id: CORE, type: 'core-network', name: 'corenet', accountId: OWNER, state: 'available' },
    { id: `edge-${US}`, type: 'edge', name: US, region: US, asn: 64512, state: 'available' },
    { id: `edge-${EU}`, type: 'edge', name: EU, region: EU, asn: 64513, state: 'available' },
    { id: 'segment-prod', type: 'segment', name: 'prod', segment: 'prod' },
    { id: 'segment-dev', type: 'segment', name: 'dev', segment: 'dev' },
    { id: 'nfg-inspection', type: 'network-function-group', name: 'inspection', segment: 'inspection' },
    vpc('vpc-0000000000000000a', US, ['10.1.0.0/16', '2600:1f18:aa00::/56'], 'app', { env: 'prod' }),
    vpc('vpc-0000000000000000b', EU, ['10.2.0.0/16'], 'api'),
    vpc('vpc-0000000000000000c', US, ['10.9.0.0/16'], 'firewall'),
    vpc('vpc-0000000000000000d', US, ['10.4.0.0/16'], 'unattached'),
    subnet('subnet-0000000000000000a', US, ['10.1.0.0/24', '2600:1f18:aa00::/64']),
    subnet('subnet-0000000000000000b', US, ['10.1.1.0/24']),
    subnet('subnet-0000000000000000c', EU, ['10.2.0.0/24']),
    attachment(VPC_A, 'vpc-attachment', US, 'prod', ['10.1.0.0/16', '2600:1f18:aa00::/56'], APP_ACCOUNT),
    attachment(VPC_B, 'vpc-attachment', EU, 'prod', ['10.2.0.0/16']),
    {
      ...attachment(INSPECTION, 'vpc-attachment', US, 'inspection', ['10.9.0.0/16']),
      tags: { nfg: 'inspection' },
    },
    {
      ...attachment(VPN, 'vpn-attachment', US, 'dev', ['172.16.0.0/20']),
      state: 'pending-attachment-acceptance',
    },
    attachment(CONNECT, 'connect-attachment', US, 'dev', ['172.17.0.0/20']),
    attachment(DX, 'dx-gateway-attachment', EU, 'dev', ['172.18.0.0/20']),
    attachment(TGW_RTB_ATT, 'tgw-route-table-attachment', US, 'dev', ['172.20.0.0/16']),
    {
      id: 'connect-peer-0000000000000000a',
      type: 'connect-peer',
      region: US,
      accountId: OWNER,
      state: 'available',
      asn: 65100,
    },
    { id: DX_GATEWAY, type: 'dx-gateway', name: 'dxgw-1', accountId: OWNER, state: 'available', asn: 64999 },
    {
      id: 'tgw-0000000000000000a',
      type: 'transit-gateway',
      name: 'tgw-east',
      region: US,
      accountId: OWNER,
      asn: 64600,
      state: 'available',
    },
    {
      id: 'tgw-rtb-0000000000000000a',
      type: 'tgw-route-table',
      name: 'rtb-east',
      region: US,
      accountId: OWNER,
      state: 'available',
    },
    {
      id: 'peering-0000000000000000a',
      type: 'tgw-peering',
      name: 'east-peering',
      region: US,
      accountId: OWNER,
      state: 'available',
    },
  ];
  const connections: ConnectionRecord[] = [
    link('contains', GLOBAL, CORE),
    link('contains', CORE, `edge-${US}`),
    link('contains', CORE, `edge-${EU}`),
    link('edge-mesh', `edge-${US}`, `edge-${EU}`),
    link('edge-mesh', `edge-${EU}`, `edge-${US}`),
    link('contains', CORE, 'segment-prod'),
    link('contains', CORE, 'segment-dev'),
    link('contains', CORE, 'nfg-inspection'),
    link('contains', 'vpc-0000000000000000a', 'subnet-0000000000000000a'),
    link('contains', 'vpc-0000000000000000a', 'subnet-0000000000000000b'),
    link('contains', 'vpc-0000000000000000b', 'subnet-0000000000000000c'),
    link('contains', 'tgw-0000000000000000a', 'tgw-rtb-0000000000000000a'),
    link('peering', 'peering-0000000000000000a', `edge-${US}`),
    link('peering', 'peering-0000000000000000a', 'tgw-0000000000000000a'),
    link('attachment-of', VPC_A, 'vpc-0000000000000000a'),
    link('attachment-of', VPC_B, 'vpc-0000000000000000b'),
    link('attachment-of', INSPECTION, 'vpc-0000000000000000c'),
    link('attachment-of', DX, DX_GATEWAY),
    link('attachment-of', TGW_RTB_ATT, 'tgw-rtb-0000000000000000a'),
    link('transport', CONNECT, VPC_A),
    link('connect-peer', CONNECT, 'connect-peer-0000000000000000a'),
  ];
  for (const id of ATTACHMENTS) {
    const element = elements.find((e) => e.id === id) as ElementRecord;
    connections.push(link('attached-to', id, `edge-${element.region}`));
    const group = element.segment === 'inspection';
    connections.push(link('member-of', id, group ? 'nfg-inspection' : `segment-${element.segment}`));
  }
  const routes: RouteRecord[] = TGW_ROUTES.map(([destination, target]) => ({
    table: 'tgw-rtb-0000000000000000a',
    destination,
    ...(target ? { target } : {}),
    state: target ? 'active' : 'blackhole',
    origin: target === TGW_RTB_ATT ? 'propagated' : 'static',
  }));
  return { elements, connections, routes, policies: { [CORE]: POLICY } };
}

export function scenario(): TopologyView {
  return buildTopology(scenarioRecords());
}

function vpc(
  id: string,
  region: string,
  cidrs: string[],
  name: string,
  tags?: Record<string, string>,
): ElementRecord {
  return {
    id,
    type: 'vpc',
    name,
    region,
    accountId: APP_ACCOUNT,
    state: 'available',
    cidrs,
    ...(tags ? { tags } : {}),
  };
}

function subnet(id: string, region: string, cidrs: string[]): ElementRecord {
  return { id, type: 'subnet', region, accountId: APP_ACCOUNT, state: 'available', cidrs };
}

function attachment(
  id: string,
  type: ElementRecord['type'],
  region: string,
  segment: string,
  cidrs: string[],
  accountId = OWNER,
): ElementRecord {
  return { id, type, region, segment, accountId, state: 'available', cidrs, tags: { segment } };
}

function link(type: ConnectionRecord['type'], source: string, target: string): ConnectionRecord {
  return { type, source, target };
}
