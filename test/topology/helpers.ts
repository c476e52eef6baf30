/**
 * Builds a topology from records for tests. Every analysis, render and stream test goes through
 * `buildTopology`, so they all run on the columnar store the product uses; `buildObjectTopology`
 * gives the plain-object reference, for tests that compare against it.
 */
import { TopologyBuilder } from '../../src/topology/builder.js';
import type {
  ConnectionRecord,
  ElementRecord,
  RouteRecord,
  TopologySink,
  TopologyView,
} from '../../src/topology/model.js';
import { ObjectTopology } from '../../src/topology/object-topology.js';
import type { CoreNetworkPolicy } from '../../src/topology/policy-types.js';

export interface TopologyRecords {
  elements: ElementRecord[];
  connections?: ConnectionRecord[];
  routes?: RouteRecord[];
  policies?: Record<string, CoreNetworkPolicy>;
}

function feed(sink: TopologySink, records: TopologyRecords): void {
  for (const e of records.elements) sink.addElement(e);
  for (const c of records.connections ?? []) sink.addConnection(c);
  for (const r of records.routes ?? []) sink.addRoute(r);
  for (const [id, p] of Object.entries(records.policies ?? {})) sink.setPolicy(id, p);
}

export function buildTopology(records: TopologyRecords): TopologyView {
  const builder = new TopologyBuilder({ source: 'test' });
  feed(builder, records);
  return builder.build();
}

export function buildObjectTopology(records: TopologyRecords): ObjectTopology {
  const topology = new ObjectTopology();
  feed(topology, records);
  return topology;
}
