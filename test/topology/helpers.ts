/**
 * Builds a topology from records for tests. Every analysis, render and stream test goes through
 * here, so they all run on the store the product uses.
 */
import type { ConnectionRecord, ElementRecord, RouteRecord, TopologyView } from '../../src/topology/model.js';
import { ObjectTopology } from '../../src/topology/object-topology.js';
import type { CoreNetworkPolicy } from '../../src/topology/policy-types.js';

export interface TopologyRecords {
  elements: ElementRecord[];
  connections?: ConnectionRecord[];
  routes?: RouteRecord[];
  policies?: Record<string, CoreNetworkPolicy>;
}

export function buildTopology(records: TopologyRecords): TopologyView {
  const sink = new ObjectTopology();
  for (const e of records.elements) sink.addElement(e);
  for (const c of records.connections ?? []) sink.addConnection(c);
  for (const r of records.routes ?? []) sink.addRoute(r);
  for (const [id, p] of Object.entries(records.policies ?? {})) sink.setPolicy(id, p);
  return sink;
}
