/**
 * What the protocol modules share with the server: the reply shape, the per-server state, and
 * Network Manager's error shape (status, `x-amzn-errortype`, `{"message"}`).
 */

import type { CoreNetworkEntry, ReplayAccount } from './account.js';
import type { NetworkRouteCache } from './network-routes.js';
import type { ResultCache } from './paging.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One server's view of the account: options and caches (never shared between servers). */
export interface ServerState {
  readonly account: ReplayAccount;
  readonly pageSize: number;
  /** The caller's account, named in AccessDenied messages. */
  readonly callerAccountId: string;
  readonly lists: ResultCache;
  /** GetNetworkRoutes tables, computed on first request. */
  readonly routes: NetworkRouteCache;
}

export function jsonReply(status: number, body: string, requestId: string): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body,
  };
}

/** A Network Manager request as the handlers see it. */
export interface NetworkManagerRequest {
  method: string;
  /** Path parameters, decoded, in the order of the route's pattern. */
  params: string[];
  query: URLSearchParams;
  body: string;
  requestId: string;
}

export function networkManagerError(status: number, type: string, message: string, requestId: string): Reply {
  const reply = jsonReply(status, JSON.stringify({ message, Message: message }), requestId);
  reply.headers['x-amzn-errortype'] = type;
  return reply;
}

export const notFound = (message: string, id: string) =>
  networkManagerError(404, 'ResourceNotFoundException', message, id);
export const invalid = (message: string, id: string) =>
  networkManagerError(400, 'ValidationException', message, id);

export function coreOrError(state: ServerState, id: string, requestId: string): CoreNetworkEntry | Reply {
  const core = state.account.coreNetworkById.get(id);
  if (core) return core;
  const known = state.account.coreNetworks.map((c) => c.id).join(', ') || 'none';
  return notFound(`Core network '${id}' not found. Core networks in this account: ${known}`, requestId);
}
