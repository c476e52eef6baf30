/**
 * The Network Manager calls discovery makes, each returning what the rest needs. Listings follow
 * every page (the SDK paginators, bounded); every call carries the abort signal.
 */

import {
  type Attachment,
  type ConnectPeerSummary,
  type CoreNetwork,
  GetConnectAttachmentCommand,
  GetConnectPeerCommand,
  GetCoreNetworkCommand,
  GetCoreNetworkPolicyCommand,
  GetNetworkRoutesCommand,
  GetTransitGatewayRouteTableAttachmentCommand,
  type NetworkManagerClient,
  type Peering,
  paginateListAttachments,
  paginateListConnectPeers,
  paginateListCoreNetworks,
  paginateListPeerings,
  type RouteTableIdentifier,
} from '@aws-sdk/client-networkmanager';
import { CloudWanError } from '../../errors.js';
import type { CoreNetworkPolicy } from '../../topology/policy-types.js';
import type { CloudWanClients } from './clients.js';
import type { AwsNetworkRoute, RouteTableKind } from './network-routes.js';
import { PageTokens } from './page-tokens.js';
import { fatalError } from './problems.js';
import { type AttachmentExtras, type FunctionGroupExtras, rawExtras } from './raw-body.js';
import type { CoreNetworkSummary } from './types.js';

export interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

export function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

/** AWS states are upper snake case (`PENDING_ATTACHMENT_ACCEPTANCE`); the model's are kebab case. */
export function lower(state: string | undefined): string | undefined {
  return state === undefined ? undefined : state.toLowerCase().replaceAll('_', '-');
}

/**
 * Every page of a paginator. A NextToken that comes back, or pages past MAX_PAGES, end it with a
 * PaginationError before the next request (the SDK's stopOnSameToken would end it silently, and a
 * longer loop not at all).
 */
export async function* pagesOf<T extends { NextToken?: string | undefined }>(
  pages: AsyncIterable<T>,
): AsyncGenerator<T> {
  const tokens = new PageTokens();
  for await (const page of pages) {
    yield page;
    if (!tokens.next(page.NextToken)) return;
  }
}

/** The core networks of the account; a failure to list them is thrown, since nothing else can work. */
export async function listCoreNetworks(
  clients: CloudWanClients,
  signal?: AbortSignal,
): Promise<CoreNetworkSummary[]> {
  const out: CoreNetworkSummary[] = [];
  try {
    const pages = paginateListCoreNetworks(
      { client: clients.networkManager, pageSize: 50, stopOnSameToken: true },
      {},
      { abortSignal: signal },
    );
    for await (const page of pagesOf(pages)) {
      for (const core of page.CoreNetworks ?? []) {
        if (!core.CoreNetworkId) continue;
        const summary: CoreNetworkSummary = {
          coreNetworkId: core.CoreNetworkId,
          globalNetworkId: core.GlobalNetworkId ?? '',
          tags: tagsOf(core.Tags),
        };
        if (core.State !== undefined) summary.state = lower(core.State) as string;
        if (core.OwnerAccountId !== undefined) summary.ownerAccountId = core.OwnerAccountId;
        if (core.Description !== undefined) summary.description = core.Description;
        out.push(summary);
      }
    }
  } catch (error) {
    throw fatalError(error, signal, {
      what: 'list the core networks of this account',
      operation: 'ListCoreNetworks',
      region: clients.networkManagerRegion,
    });
  }
  return out;
}

export interface CoreNetworkRead {
  core: CoreNetwork;
  /** Recovered from the raw body; undefined when the response had no such member. */
  functionGroups?: FunctionGroupExtras[];
}

export async function readCoreNetwork(
  clients: CloudWanClients,
  coreNetworkId: string,
  signal?: AbortSignal,
): Promise<CoreNetworkRead> {
  const client = clients.networkManager;
  try {
    const output = await client.send(new GetCoreNetworkCommand({ CoreNetworkId: coreNetworkId }), {
      abortSignal: signal,
    });
    if (!output.CoreNetwork) throw new Error('the response has no CoreNetwork');
    const functionGroups = rawExtras(output)?.networkFunctionGroups;
    return functionGroups ? { core: output.CoreNetwork, functionGroups } : { core: output.CoreNetwork };
  } catch (error) {
    throw fatalError(error, signal, {
      what: `read core network ${coreNetworkId}`,
      operation: 'GetCoreNetwork',
      region: clients.networkManagerRegion,
    });
  }
}

/** The policy document text and its version: the LIVE one unless a version is given. */
export async function readPolicy(
  client: NetworkManagerClient,
  coreNetworkId: string,
  version: number | undefined,
  signal?: AbortSignal,
): Promise<{ document: string; versionId?: number }> {
  const input =
    version === undefined
      ? { CoreNetworkId: coreNetworkId, Alias: 'LIVE' as const }
      : { CoreNetworkId: coreNetworkId, PolicyVersionId: version };
  const output = await client.send(new GetCoreNetworkPolicyCommand(input), { abortSignal: signal });
  const policy = output.CoreNetworkPolicy;
  const document = policy?.PolicyDocument === undefined ? undefined : String(policy.PolicyDocument);
  if (document === undefined) throw new Error('the response has no CoreNetworkPolicy.PolicyDocument');
  return policy?.PolicyVersionId === undefined
    ? { document }
    : { document, versionId: policy.PolicyVersionId };
}

/**
 * The policy of a core network as an object (the LIVE one unless a version is given), for callers
 * outside discovery; any failure is thrown with what to do about it.
 */
export async function readCoreNetworkPolicy(
  clients: CloudWanClients,
  coreNetworkId: string,
  version?: number,
  signal?: AbortSignal,
): Promise<CoreNetworkPolicy> {
  const which = version === undefined ? 'the LIVE policy' : `policy version ${version}`;
  let document: string;
  try {
    document = (await readPolicy(clients.networkManager, coreNetworkId, version, signal)).document;
  } catch (error) {
    throw fatalError(error, signal, {
      what: `read ${which} of core network ${coreNetworkId}`,
      operation: 'GetCoreNetworkPolicy',
      region: clients.networkManagerRegion,
      notFound:
        version === undefined
          ? 'the core network may have no LIVE policy yet, or the id is wrong'
          : 'check the version number (ListCoreNetworkPolicyVersions lists them) and the core network id',
    });
  }
  try {
    return JSON.parse(document) as CoreNetworkPolicy;
  } catch (error) {
    throw new CloudWanError(
      `${which} of core network ${coreNetworkId} is not valid JSON (${(error as Error).message}); AWS returned a document that cannot be read`,
    );
  }
}

export async function* attachmentPages(
  client: NetworkManagerClient,
  coreNetworkId: string,
  signal?: AbortSignal,
): AsyncGenerator<{ attachments: Attachment[]; extras: Map<string, AttachmentExtras> }> {
  const pages = paginateListAttachments(
    { client, pageSize: 100, stopOnSameToken: true },
    { CoreNetworkId: coreNetworkId },
    { abortSignal: signal },
  );
  for await (const page of pagesOf(pages)) {
    yield { attachments: page.Attachments ?? [], extras: rawExtras(page)?.attachments ?? new Map() };
  }
}

export async function* peeringPages(
  client: NetworkManagerClient,
  coreNetworkId: string,
  signal?: AbortSignal,
): AsyncGenerator<Peering[]> {
  const pages = paginateListPeerings(
    { client, pageSize: 100, stopOnSameToken: true },
    { CoreNetworkId: coreNetworkId },
    { abortSignal: signal },
  );
  for await (const page of pagesOf(pages)) yield page.Peerings ?? [];
}

export async function* connectPeerPages(
  client: NetworkManagerClient,
  coreNetworkId: string,
  signal?: AbortSignal,
): AsyncGenerator<ConnectPeerSummary[]> {
  const pages = paginateListConnectPeers(
    { client, pageSize: 100, stopOnSameToken: true },
    { CoreNetworkId: coreNetworkId },
    { abortSignal: signal },
  );
  for await (const page of pagesOf(pages)) yield page.ConnectPeers ?? [];
}

export async function connectTransport(
  client: NetworkManagerClient,
  attachmentId: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const output = await client.send(new GetConnectAttachmentCommand({ AttachmentId: attachmentId }), {
    abortSignal: signal,
  });
  return output.ConnectAttachment?.TransportAttachmentId;
}

export async function routeTableAttachment(
  client: NetworkManagerClient,
  attachmentId: string,
  signal?: AbortSignal,
): Promise<{ routeTableArn?: string; peeringId?: string }> {
  const output = await client.send(
    new GetTransitGatewayRouteTableAttachmentCommand({ AttachmentId: attachmentId }),
    { abortSignal: signal },
  );
  const attachment = output.TransitGatewayRouteTableAttachment;
  const out: { routeTableArn?: string; peeringId?: string } = {};
  if (attachment?.TransitGatewayRouteTableArn) out.routeTableArn = attachment.TransitGatewayRouteTableArn;
  if (attachment?.PeeringId) out.peeringId = attachment.PeeringId;
  return out;
}

/** The peer's BGP ASN (the first BGP configuration's), if it has one. */
export async function connectPeerAsn(
  client: NetworkManagerClient,
  connectPeerId: string,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const output = await client.send(new GetConnectPeerCommand({ ConnectPeerId: connectPeerId }), {
    abortSignal: signal,
  });
  return output.ConnectPeer?.Configuration?.BgpConfigurations?.[0]?.PeerAsn;
}

/** 3.523 does not know the function group member of the union; it sends the identifier as given. */
interface RouteTableIdentifierWithGroups extends RouteTableIdentifier {
  CoreNetworkNetworkFunctionGroup?: {
    CoreNetworkId: string;
    NetworkFunctionGroupName: string;
    EdgeLocation: string;
  };
}

export async function networkRoutes(
  client: NetworkManagerClient,
  where: { globalNetworkId: string; coreNetworkId: string; kind: RouteTableKind; name: string; edge: string },
  signal?: AbortSignal,
): Promise<AwsNetworkRoute[]> {
  const identifier: RouteTableIdentifierWithGroups =
    where.kind === 'segment'
      ? {
          CoreNetworkSegmentEdge: {
            CoreNetworkId: where.coreNetworkId,
            SegmentName: where.name,
            EdgeLocation: where.edge,
          },
        }
      : {
          CoreNetworkNetworkFunctionGroup: {
            CoreNetworkId: where.coreNetworkId,
            NetworkFunctionGroupName: where.name,
            EdgeLocation: where.edge,
          },
        };
  const output = await client.send(
    new GetNetworkRoutesCommand({ GlobalNetworkId: where.globalNetworkId, RouteTableIdentifier: identifier }),
    { abortSignal: signal },
  );
  // NetworkRoutes is passed through unparsed by the SDK, so NetworkFunctionGroupName survives.
  return (output.NetworkRoutes ?? []) as AwsNetworkRoute[];
}
