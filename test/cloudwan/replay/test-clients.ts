/**
 * SDK clients for the replay tests, made the way a user's would be: the endpoints, credentials and
 * region come from the standard environment variables (`server.env()`, written into process.env
 * first), nothing is passed to the client but retry settings that keep throttling tests fast.
 */

import { EC2Client } from '@aws-sdk/client-ec2';
import { NetworkManagerClient } from '@aws-sdk/client-networkmanager';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import type { ReplayServer } from './server.js';

export interface Clients {
  /** Network Manager, given no region: AWS_REGION (us-west-2) applies. */
  nm: NetworkManagerClient;
  /** An EC2 client for a region (one per region, made on first use). */
  ec2(region: string): EC2Client;
  destroy(): void;
}

const saved = new Map<string, string | undefined>();

/** Points new SDK clients at `server` through process.env; `restoreEnv` puts the variables back. */
export function clientsFor(server: ReplayServer): Clients {
  for (const [key, value] of Object.entries(server.env())) {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    process.env[key] = value;
  }
  // Three attempts, 5 ms apart: the SDK's own retry decisions, without its seconds of backoff.
  const retry = { maxAttempts: 3, retryStrategy: new ConfiguredRetryStrategy(3, 5) };
  const nm = new NetworkManagerClient(retry);
  const ec2 = new Map<string, EC2Client>();
  return {
    nm,
    ec2(region) {
      let client = ec2.get(region);
      if (!client) {
        client = new EC2Client({ region, ...retry, retryStrategy: new ConfiguredRetryStrategy(3, 5) });
        ec2.set(region, client);
      }
      return client;
    },
    destroy() {
      nm.destroy();
      for (const client of ec2.values()) client.destroy();
    },
  };
}

export function restoreEnv(): void {
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  saved.clear();
}

/** The error a call rejects with (fails the test when it resolves). */
export async function sdkError(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded; an error was expected');
}

interface RouteDestination {
  CoreNetworkAttachmentId?: string;
  EdgeLocation?: string;
  SegmentName?: string;
  NetworkFunctionGroupName?: string;
  ResourceType?: string;
  ResourceId?: string;
}

/** Network routes as one line each: `destination STATE TYPE where`, for exact comparison. */
export function routeLines(
  routes:
    | Array<{
        DestinationCidrBlock?: string;
        State?: string;
        Type?: string;
        Destinations?: RouteDestination[];
      }>
    | undefined,
): string[] {
  return (routes ?? []).map((route) => {
    const where = (route.Destinations ?? []).map((d) => {
      if (d.CoreNetworkAttachmentId) {
        const resource = d.ResourceType ? ` ${d.ResourceType}=${d.ResourceId}` : '';
        return `attachment=${d.CoreNetworkAttachmentId}@${d.EdgeLocation} segment=${d.SegmentName ?? d.NetworkFunctionGroupName}${resource}`;
      }
      if (d.NetworkFunctionGroupName) return `nfg=${d.NetworkFunctionGroupName}@${d.EdgeLocation}`;
      return `edge=${d.EdgeLocation}`;
    });
    return `${route.DestinationCidrBlock} ${route.State} ${route.Type} ${where.join(' ') || '-'}`;
  });
}
