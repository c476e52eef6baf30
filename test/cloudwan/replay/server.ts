/**
 * The loopback replay server: one HTTP listener on 127.0.0.1 that answers as Network Manager
 * (restJson1) and as EC2 (query protocol) for a topology, as if it were an AWS account. The SDK is
 * pointed at it through the standard AWS_ENDPOINT_URL_* variables; the service and region of each
 * request come from its SigV4 credential scope (signatures are not checked). Every request is
 * logged in `calls`; `faults` make chosen requests fail as AWS would.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TopologyView } from '../../../src/topology/model.js';
import { accountFromTopology, isReplayAccount, type ReplayAccount } from './account.js';
import { DEFAULT_ACCOUNT_ID } from './aws-names.js';
import { handleEc2 } from './ec2.js';
import { ec2Error } from './ec2-query.js';
import { FaultPlan, faultReply, type ReplayFault } from './faults.js';
import { handleNetworkManager, networkManagerOperation } from './network-manager.js';
import { NetworkRouteCache } from './network-routes.js';
import { DEFAULT_PAGE_SIZE, ResultCache } from './paging.js';
import { networkManagerError, type Reply, type ServerState } from './reply.js';

export type { ReplayAccount } from './account.js';
export { accountFromTopology } from './account.js';
export type { ReplayFault } from './faults.js';

export interface ReplayOptions {
  /** The most items per page the server returns whatever MaxResults asks (default 50). */
  pageSize?: number;
  faults?: ReplayFault[];
  /** The caller's account (default '123456789012'). */
  accountId?: string;
}

export interface ReplayCall {
  service: string;
  operation: string;
  region: string;
}

export interface ReplayServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every request, in order. */
  calls: ReplayCall[];
  /** Request counts by 'service:Operation'. */
  callCounts(): Record<string, number>;
  /** The variables that point the SDK at this server (endpoints, dummy credentials, region). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** Requests are small (a form or a route table identifier); anything bigger is refused. */
const MAX_BODY_BYTES = 1 << 20;
/** The Network Manager API lives in us-west-2; an unsigned request is taken to be for it. */
const HOME_REGION = 'us-west-2';

export async function startReplayServer(
  topology: TopologyView | ReplayAccount,
  options: ReplayOptions = {},
): Promise<ReplayServer> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new TypeError(`options.pageSize must be a positive integer, got ${options.pageSize}`);
  }
  const account = isReplayAccount(topology) ? topology : accountFromTopology(topology);
  const state: ServerState = {
    account,
    pageSize,
    callerAccountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    lists: new ResultCache(),
    routes: new NetworkRouteCache(account),
  };
  const faults = new FaultPlan(options.faults);
  const calls: ReplayCall[] = [];

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => send(res, body === undefined ? tooLarge() : answer(state, faults, calls, req, body)),
      (error: unknown) => send(res, internal(error)),
    );
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    calls,
    callCounts() {
      const counts: Record<string, number> = {};
      for (const call of calls) {
        const key = `${call.service}:${call.operation}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return counts;
    },
    env() {
      return {
        AWS_ENDPOINT_URL_NETWORKMANAGER: url,
        AWS_ENDPOINT_URL_EC2: url,
        AWS_ACCESS_KEY_ID: 'AKIAREPLAYSERVER000',
        AWS_SECRET_ACCESS_KEY: 'replay-server-secret',
        AWS_REGION: HOME_REGION,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function answer(
  state: ServerState,
  faults: FaultPlan,
  calls: ReplayCall[],
  req: IncomingMessage,
  body: string,
): Reply {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://replay');
  const method = req.method ?? 'GET';
  const scope = credentialScope(req, url);
  const form = method === 'POST' && url.pathname === '/' ? new URLSearchParams(body) : undefined;
  const service = scope?.service ?? (form?.has('Action') ? 'ec2' : 'networkmanager');
  const region = scope?.region ?? HOME_REGION;
  // What a fault's `match` looks in; decoded only when a fault needs it.
  let decoded: string | undefined;
  const text = () => {
    decoded ??= `${safeDecode(url.pathname)}?${safeDecode(url.search)}\n${safeDecode(body)}`;
    return decoded;
  };

  if (service === 'ec2') {
    const params = form ?? url.searchParams;
    const action = params.get('Action') ?? '';
    calls.push({ service, operation: action, region });
    const fault = faults.take(service, action, region, text);
    if (fault) return faultReply(fault, state.callerAccountId, region, text(), requestId);
    return guarded(() => handleEc2(state, { action, region, params, requestId }), service, requestId);
  }
  if (service === 'networkmanager') {
    const route = networkManagerOperation(method, url.pathname);
    calls.push({ service, operation: route.operation, region });
    const fault = faults.take(service, route.operation, region, text);
    if (fault) return faultReply(fault, state.callerAccountId, region, text(), requestId);
    return guarded(
      () =>
        handleNetworkManager(state, route.operation, {
          method,
          params: route.params,
          query: url.searchParams,
          body,
          requestId,
        }),
      service,
      requestId,
    );
  }
  calls.push({ service, operation: `${method} ${url.pathname}`, region });
  return networkManagerError(
    400,
    'UnknownOperationException',
    `the replay server serves the networkmanager and ec2 APIs; this request is signed for '${service}'`,
    requestId,
  );
}

/** Runs a handler; a bug in the replay server comes back as a 500 that says what failed. */
function guarded(run: () => Reply, service: string, requestId: string): Reply {
  try {
    return run();
  } catch (error) {
    const message = `replay server failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    return service === 'ec2'
      ? ec2Error(500, 'InternalError', message, requestId)
      : networkManagerError(500, 'InternalServerException', message, requestId);
  }
}

/** `Credential=AKID/DATE/REGION/SERVICE/aws4_request` from the Authorization header (or a presigned URL). */
export function credentialScope(
  req: IncomingMessage,
  url: URL,
): { region: string; service: string } | undefined {
  const header = req.headers.authorization ?? '';
  const credential =
    /Credential=([^,\s]+)/.exec(header)?.[1] ?? url.searchParams.get('X-Amz-Credential') ?? '';
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  return { region: parts[2] as string, service: parts[3] as string };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(): Reply {
  return networkManagerError(
    413,
    'ValidationException',
    `request body over ${MAX_BODY_BYTES} bytes; the replay server takes small requests only`,
    randomUUID(),
  );
}

function internal(error: unknown): Reply {
  return networkManagerError(
    500,
    'InternalServerException',
    `replay server failure: ${String(error)}`,
    randomUUID(),
  );
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}
