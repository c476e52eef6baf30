/**
 * Routing analysis of a Cloud WAN core network: route tables per segment and edge, path tracing,
 * the segment isolation report and attachment-move simulation. Everything starts from
 * `analyzeCoreNetwork(view)`, whose small precomputed facts the other functions reuse.
 */

export {
  analyzeCoreNetwork,
  type CoreNetworkAnalysis,
  type DomainFacts,
  withSegmentOverrides,
} from './core-network.js';
export {
  type IsolationReport,
  type Reachability,
  type SegmentReport,
  segmentIsolationReport,
} from './isolation.js';
export {
  MAX_ROUTE_LIMIT,
  type NextHop,
  type RouteEntry,
  type RouteTableOptions,
  type RouteTablePage,
  routeTable,
} from './route-table.js';
export {
  type AttachmentChange,
  type ReachItem,
  type RouteChange,
  type SimulationResult,
  simulateAttachmentChange,
} from './simulate.js';
export { type TraceHop, type TraceResult, traceNetworkPath } from './trace.js';
