/**
 * AWS discovery of a Cloud WAN core network into the topology engine. Anything exported here is
 * the API the MCP server and the CLI use.
 */

export {
  type CloudWanClientOptions,
  type CloudWanClients,
  createCloudWanClients,
  DEFAULT_MAX_ATTEMPTS,
  NETWORK_MANAGER_REGION,
} from './clients.js';
export { DEFAULT_CONCURRENCY, discoverCoreNetwork } from './discover.js';
export { listCoreNetworks, readCoreNetworkPolicy } from './network-manager.js';
export { type NetworkRoute, NetworkRouteTables, type RouteTableKind } from './network-routes.js';
export type {
  CoreNetworkSummary,
  DiscoverOptions,
  DiscoveryProblem,
  DiscoveryProgress,
  DiscoveryResult,
} from './types.js';
