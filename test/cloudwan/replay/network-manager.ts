/**
 * Network Manager over restJson1: the GET/POST paths the SDK calls, JSON bodies with epoch-second
 * timestamps, errors as an HTTP status plus `x-amzn-errortype` and `{"message"}`. Lists page by
 * opaque NextToken; attachments, peers and peerings are ready-made JSON strings joined per page.
 */

import type { AttachmentType } from './account.js';
import { CREATED_AT } from './aws-names.js';
import { getNetworkRoutes } from './network-routes-request.js';
import { pageOf } from './paging.js';
import {
  coreOrError,
  invalid,
  jsonReply,
  type NetworkManagerRequest,
  networkManagerError,
  notFound,
  type Reply,
  type ServerState,
} from './reply.js';

type Handler = (state: ServerState, request: NetworkManagerRequest) => Reply;

const ROUTES: ReadonlyArray<[string, RegExp, string]> = [
  ['GET', /^\/core-networks$/, 'ListCoreNetworks'],
  ['GET', /^\/core-networks\/([^/]+)$/, 'GetCoreNetwork'],
  ['GET', /^\/core-networks\/([^/]+)\/core-network-policy$/, 'GetCoreNetworkPolicy'],
  ['GET', /^\/attachments$/, 'ListAttachments'],
  ['GET', /^\/vpc-attachments\/([^/]+)$/, 'GetVpcAttachment'],
  ['GET', /^\/site-to-site-vpn-attachments\/([^/]+)$/, 'GetSiteToSiteVpnAttachment'],
  ['GET', /^\/connect-attachments\/([^/]+)$/, 'GetConnectAttachment'],
  ['GET', /^\/transit-gateway-route-table-attachments\/([^/]+)$/, 'GetTransitGatewayRouteTableAttachment'],
  ['GET', /^\/direct-connect-gateway-attachments\/([^/]+)$/, 'GetDirectConnectGatewayAttachment'],
  ['GET', /^\/connect-peers$/, 'ListConnectPeers'],
  ['GET', /^\/connect-peers\/([^/]+)$/, 'GetConnectPeer'],
  ['GET', /^\/peerings$/, 'ListPeerings'],
  ['GET', /^\/transit-gateway-peerings\/([^/]+)$/, 'GetTransitGatewayPeering'],
  ['POST', /^\/global-networks\/([^/]+)\/network-routes$/, 'GetNetworkRoutes'],
];

/** Operations the server does not serve but can name in its error, so the message says what was called. */
const KNOWN_UNSERVED: ReadonlyArray<[string, RegExp, string]> = [
  ['GET', /^\/global-networks$/, 'DescribeGlobalNetworks'],
  ['GET', /^\/core-networks\/[^/]+\/core-network-policy-versions$/, 'ListCoreNetworkPolicyVersions'],
  ['GET', /^\/core-networks\/[^/]+\/core-network-change-sets\/[^/]+$/, 'GetCoreNetworkChangeSet'],
  ['GET', /^\/tags\/.+$/, 'ListTagsForResource'],
  ['POST', /^\/route-analyses$/, 'StartRouteAnalysis'],
];

export const NETWORK_MANAGER_OPERATIONS = ROUTES.map(([, , name]) => name);

/**
 * The operation a method and path call, with its path parameters. Paths this server does not serve
 * get the operation's name when it is a known one, else `METHOD /path`, so the error can name it.
 */
export function networkManagerOperation(
  method: string,
  path: string,
): { operation: string; params: string[] } {
  for (const [m, pattern, operation] of ROUTES) {
    const match = m === method ? pattern.exec(path) : null;
    if (match) return { operation, params: match.slice(1).map(safeDecode) };
  }
  for (const [m, pattern, operation] of KNOWN_UNSERVED) {
    if (m === method && pattern.test(path)) return { operation, params: [] };
  }
  return { operation: `${method} ${path}`, params: [] };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function handleNetworkManager(
  state: ServerState,
  operation: string,
  request: NetworkManagerRequest,
): Reply {
  const handler = Object.hasOwn(HANDLERS, operation) ? HANDLERS[operation] : undefined;
  if (!handler) {
    return networkManagerError(
      400,
      'UnknownOperationException',
      `the replay server does not serve the Network Manager operation ${operation}; it serves: ${NETWORK_MANAGER_OPERATIONS.join(', ')}`,
      request.requestId,
    );
  }
  return handler(state, request);
}

/** A page of JSON items as `{"<key>":[...],"NextToken":...}`. */
function listReply(
  state: ServerState,
  request: NetworkManagerRequest,
  key: string,
  query: string,
  items: readonly string[],
): Reply {
  const page = pageOf(
    items,
    query,
    request.query.get('nextToken') ?? undefined,
    param(request, 'maxResults'),
    state.pageSize,
  );
  if ('error' in page) return invalid(page.error, request.requestId);
  const next = page.nextToken === undefined ? '' : `,"NextToken":${JSON.stringify(page.nextToken)}`;
  return jsonReply(200, `{"${key}":[${page.items.join(',')}]${next}}`, request.requestId);
}

function param(request: NetworkManagerRequest, name: string): string | undefined {
  return request.query.get(name) ?? undefined;
}

/** A filtered list, computed once per query and sliced per page. */
function filtered<T extends { json: string }>(
  state: ServerState,
  query: string,
  all: readonly T[],
  keep: (item: T) => boolean,
  unfiltered: boolean,
): readonly string[] {
  return state.lists.get(query, () => (unfiltered ? all : all.filter(keep)).map((item) => item.json));
}

function getAttachment(wrapper: string, type: AttachmentType): Handler {
  return (state, request) => {
    const id = request.params[0] ?? '';
    const attachment = state.account.attachmentById.get(id);
    if (!attachment) return notFound(`Attachment '${id}' not found.`, request.requestId);
    if (attachment.attachmentType !== type) {
      return notFound(
        `Attachment '${id}' is a ${attachment.attachmentType} attachment, not a ${type} attachment.`,
        request.requestId,
      );
    }
    const details = JSON.stringify(attachment.details);
    const rest = details === '{}' ? '}' : `,${details.slice(1)}`;
    return jsonReply(200, `{"${wrapper}":{"Attachment":${attachment.json}${rest}}`, request.requestId);
  };
}

const HANDLERS: Record<string, Handler> = {
  ListCoreNetworks: (state, request) =>
    listReply(
      state,
      request,
      'CoreNetworks',
      'ListCoreNetworks',
      state.account.coreNetworks.map((c) => c.summaryJson),
    ),

  GetCoreNetwork: (state, request) => {
    const core = coreOrError(state, request.params[0] ?? '', request.requestId);
    if ('status' in core) return core;
    return jsonReply(200, `{"CoreNetwork":${core.detailJson}}`, request.requestId);
  },

  GetCoreNetworkPolicy: (state, request) => {
    const core = coreOrError(state, request.params[0] ?? '', request.requestId);
    if ('status' in core) return core;
    const version = param(request, 'policyVersionId');
    const alias = param(request, 'alias');
    if (alias !== undefined && alias !== 'LIVE' && alias !== 'LATEST') {
      return invalid(`alias must be LIVE or LATEST, got '${alias}'`, request.requestId);
    }
    if (core.policyDocument === undefined) {
      return notFound(`Core network '${core.id}' has no policy.`, request.requestId);
    }
    if (version !== undefined && version !== '1') {
      return notFound(
        `Policy version ${version} of core network '${core.id}' not found; the replay server serves version 1 (LIVE).`,
        request.requestId,
      );
    }
    const policy = {
      CoreNetworkId: core.id,
      PolicyVersionId: 1,
      Alias: 'LIVE',
      Description: 'served by the replay server',
      CreatedAt: CREATED_AT,
      ChangeSetState: 'EXECUTION_SUCCEEDED',
      PolicyDocument: core.policyDocument,
    };
    return jsonReply(200, JSON.stringify({ CoreNetworkPolicy: policy }), request.requestId);
  },

  ListAttachments: (state, request) => {
    const core = param(request, 'coreNetworkId');
    const type = param(request, 'attachmentType');
    const edge = param(request, 'edgeLocation');
    const st = param(request, 'state');
    const query = `ListAttachments\n${core}\n${type}\n${edge}\n${st}`;
    const items = filtered(
      state,
      query,
      state.account.attachments,
      (a) =>
        (core === undefined || a.coreNetworkId === core) &&
        (type === undefined || a.attachmentType === type) &&
        (edge === undefined || a.edgeLocation === edge) &&
        (st === undefined || a.state === st),
      core === undefined && type === undefined && edge === undefined && st === undefined,
    );
    return listReply(state, request, 'Attachments', query, items);
  },

  GetVpcAttachment: getAttachment('VpcAttachment', 'VPC'),
  GetSiteToSiteVpnAttachment: getAttachment('SiteToSiteVpnAttachment', 'SITE_TO_SITE_VPN'),
  GetConnectAttachment: getAttachment('ConnectAttachment', 'CONNECT'),
  GetTransitGatewayRouteTableAttachment: getAttachment(
    'TransitGatewayRouteTableAttachment',
    'TRANSIT_GATEWAY_ROUTE_TABLE',
  ),
  GetDirectConnectGatewayAttachment: getAttachment(
    'DirectConnectGatewayAttachment',
    'DIRECT_CONNECT_GATEWAY',
  ),

  ListConnectPeers: (state, request) => {
    const core = param(request, 'coreNetworkId');
    const attachment = param(request, 'connectAttachmentId');
    const query = `ListConnectPeers\n${core}\n${attachment}`;
    const items = state.lists.get(query, () =>
      state.account.connectPeers
        .filter(
          (p) =>
            (core === undefined || p.coreNetworkId === core) &&
            (attachment === undefined || p.connectAttachmentId === attachment),
        )
        .map((p) => p.summaryJson),
    );
    return listReply(state, request, 'ConnectPeers', query, items);
  },

  GetConnectPeer: (state, request) => {
    const id = request.params[0] ?? '';
    const peer = state.account.connectPeerById.get(id);
    if (!peer) return notFound(`Connect peer '${id}' not found.`, request.requestId);
    return jsonReply(200, `{"ConnectPeer":${peer.detailJson}}`, request.requestId);
  },

  ListPeerings: (state, request) => {
    const core = param(request, 'coreNetworkId');
    const type = param(request, 'peeringType');
    const edge = param(request, 'edgeLocation');
    const st = param(request, 'state');
    const query = `ListPeerings\n${core}\n${type}\n${edge}\n${st}`;
    const items = filtered(
      state,
      query,
      state.account.peerings,
      (p) =>
        (core === undefined || p.coreNetworkId === core) &&
        (type === undefined || p.peeringType === type) &&
        (edge === undefined || p.edgeLocation === edge) &&
        (st === undefined || p.state === st),
      core === undefined && type === undefined && edge === undefined && st === undefined,
    );
    return listReply(state, request, 'Peerings', query, items);
  },

  GetTransitGatewayPeering: (state, request) => {
    const id = request.params[0] ?? '';
    const peering = state.account.peeringById.get(id);
    if (!peering) return notFound(`Peering '${id}' not found.`, request.requestId);
    const rest = JSON.stringify({
      TransitGatewayArn: peering.transitGatewayArn,
      TransitGatewayPeeringAttachmentId: peering.transitGatewayPeeringAttachmentId,
    });
    return jsonReply(
      200,
      `{"TransitGatewayPeering":{"Peering":${peering.json},${rest.slice(1)}}`,
      request.requestId,
    );
  },

  GetNetworkRoutes: getNetworkRoutes,
};
