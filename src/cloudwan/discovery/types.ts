/**
 * The public shapes of AWS discovery: progress, partial failures, the core networks of an account,
 * the options and the result. The MCP server codes against these.
 */

import type { MemoryOptimizedTopology } from '../../topology/store.js';
import type { CloudWanClients } from './clients.js';
import type { NetworkRouteTables } from './network-routes.js';

export interface DiscoveryProgress {
  phase: string;
  done: number;
  total?: number;
  message: string;
}

/** One part of the account that could not be read; discovery carried on without it. */
export interface DiscoveryProblem {
  service: 'networkmanager' | 'ec2';
  operation: string;
  region?: string;
  resource?: string;
  /** AccessDeniedException, UnauthorizedOperation, ... */
  code: string;
  /** The AWS message. */
  message: string;
  /** The IAM action that is missing, e.g. 'ec2:DescribeVpcs' (for access errors). */
  permission?: string;
  /** What is missing from the result, e.g. 'VPC CIDRs of 12 attachments in eu-west-1'. */
  consequence: string;
}

export interface CoreNetworkSummary {
  coreNetworkId: string;
  globalNetworkId: string;
  state?: string;
  ownerAccountId?: string;
  description?: string;
  tags: Record<string, string>;
}

export interface DiscoverOptions {
  /** Required when the account has several core networks (the error lists them); the only one otherwise. */
  coreNetworkId?: string;
  /** The LIVE policy unless given. */
  policyVersion?: number;
  /** Requests in flight at most (default 8). */
  concurrency?: number;
  /** Attempts per request, retries included, when the clients are made here (default 5). */
  maxAttempts?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DiscoveryProgress) => void;
  /** Made from the environment (and destroyed after) when absent. */
  clients?: CloudWanClients;
}

export interface DiscoveryResult {
  topology: MemoryOptimizedTopology;
  coreNetworkId: string;
  globalNetworkId: string;
  policyVersionId?: number;
  networkRoutes: NetworkRouteTables;
  problems: DiscoveryProblem[];
  /** HTTP requests sent, by 'service:Operation'; every attempt counts, so retries are included. */
  calls: Record<string, number>;
  discoveredAt: Date;
  ms: number;
}
