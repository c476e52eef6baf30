/** A sink that keeps every record as given, with its location, for tests that inspect the raw stream. */
import type {
  ConnectionRecord,
  ElementRecord,
  RecordLocation,
  RouteRecord,
  TopologySink,
} from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';

export class RecordingSink implements TopologySink {
  readonly elements: ElementRecord[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly routes: RouteRecord[] = [];
  readonly policies = new Map<string, CoreNetworkPolicy>();
  /** `kind:line-or-pointer` per record, in arrival order. */
  readonly locations: string[] = [];

  addElement(element: ElementRecord, at?: RecordLocation): void {
    this.elements.push(element);
    this.locations.push(`element:${at?.line ?? at?.pointer}`);
  }
  addConnection(connection: ConnectionRecord, at?: RecordLocation): void {
    this.connections.push(connection);
    this.locations.push(`connection:${at?.line ?? at?.pointer}`);
  }
  addRoute(route: RouteRecord, at?: RecordLocation): void {
    this.routes.push(route);
    this.locations.push(`route:${at?.line ?? at?.pointer}`);
  }
  setPolicy(coreNetworkId: string, policy: CoreNetworkPolicy): void {
    this.policies.set(coreNetworkId, policy);
  }
}

/** Counts only: for large runs where keeping records would measure the test, not the code. */
export class CountingSink implements TopologySink {
  elements = 0;
  connections = 0;
  routes = 0;
  policies = 0;
  addElement(): void {
    this.elements++;
  }
  addConnection(): void {
    this.connections++;
  }
  addRoute(): void {
    this.routes++;
  }
  setPolicy(): void {
    this.policies++;
  }
}
