/**
 * The AWS SDK clients discovery uses. Network Manager is a global service served from us-west-2,
 * whatever the core network's regions; EC2 gets one client per region, made on first use.
 * Credentials, profiles and endpoint overrides (AWS_PROFILE, SSO, instance roles,
 * AWS_ENDPOINT_URL_NETWORKMANAGER / AWS_ENDPOINT_URL_EC2) are left to the SDK's standard chain.
 */

import { EC2Client } from '@aws-sdk/client-ec2';
import { NetworkManagerClient } from '@aws-sdk/client-networkmanager';
import { CloudWanError } from '../../errors.js';
import { addMiddleware, type MiddlewareStackLike, operationOf } from './middleware.js';
import { addRawBodyMiddleware } from './raw-body.js';

/** The region the Network Manager API is served from, for every commercial region. */
export const NETWORK_MANAGER_REGION = 'us-west-2';
export const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_MAX_ATTEMPTS = 20;

export interface CloudWanClientOptions {
  /** Attempts per request, the first included (default 5); throttling is retried adaptively. */
  maxAttempts?: number;
  /**
   * Where the Network Manager API is called: us-west-2, its home region for every commercial
   * region, unless a partition has its own (us-gov-west-1 for GovCloud).
   */
  region?: string;
}

export interface CloudWanClients {
  readonly networkManager: NetworkManagerClient;
  readonly networkManagerRegion: string;
  /** The EC2 client of a region, made on first use. */
  ec2(region: string): EC2Client;
  /**
   * HTTP requests sent so far by these clients, by 'service:Operation'. Counted below the retry
   * layer, so each retry counts; cumulative over the clients' life.
   */
  callCounts(): Record<string, number>;
  /** Closes every client's sockets; safe to call twice. */
  destroy(): void;
}

export function createCloudWanClients(options: CloudWanClientOptions = {}): CloudWanClients {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
    throw new CloudWanError(
      `maxAttempts must be an integer from 1 to ${MAX_MAX_ATTEMPTS} (attempts per AWS request, retries included), not ${maxAttempts}`,
    );
  }
  const counts: Record<string, number> = {};
  const retry = { maxAttempts, retryMode: 'adaptive' as const };
  const networkManagerRegion = options.region ?? NETWORK_MANAGER_REGION;
  const networkManager = new NetworkManagerClient({ region: networkManagerRegion, ...retry });
  addCounter(networkManager.middlewareStack, 'networkmanager', counts);
  addRawBodyMiddleware(networkManager.middlewareStack);
  const regional = new Map<string, EC2Client>();
  return {
    networkManager,
    networkManagerRegion,
    ec2(region: string): EC2Client {
      let client = regional.get(region);
      if (!client) {
        client = new EC2Client({ region, ...retry });
        addCounter(client.middlewareStack, 'ec2', counts);
        regional.set(region, client);
      }
      return client;
    },
    callCounts: () => ({ ...counts }),
    destroy(): void {
      networkManager.destroy();
      for (const client of regional.values()) client.destroy();
      regional.clear();
    },
  };
}

/** Counts each HTTP attempt: the deserialize step runs inside the retry loop, once per attempt. */
function addCounter(stack: MiddlewareStackLike, service: string, counts: Record<string, number>): void {
  addMiddleware(
    stack,
    (next, context) => (args) => {
      const key = `${service}:${operationOf(context)}`;
      counts[key] = (counts[key] ?? 0) + 1;
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'headroomCallCounter' },
  );
}
