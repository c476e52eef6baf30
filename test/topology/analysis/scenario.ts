/**
 * Hand-built Cloud WAN topologies for the analysis tests: one core network with an edge per policy
 * region, VPCs with subnets, attachments in segments. Everything goes through buildTopology, so the
 * tests run on whatever store the helpers use.
 */
import { readFileSync } from 'node:fs';
import type {
  ConnectionRecord,
  ElementRecord,
  ElementType,
  RouteRecord,
  TopologyView,
} from '../../../src/topology/model.js';
import type { CoreNetworkPolicy } from '../../../src/topology/policy-types.js';
import { buildTopology } from '../helpers.js';

export const CORE = 'core-network-1';

export interface AttachOptions {
  type?: ElementType;
  state?: string;
  /** Prefixes the attachment advertises itself; without them it propagates its VPC's CIDRs. */
  cidrs?: string[];
  /** Region of an attachment without a VPC. */
  region?: string;
}

export class Scenario {
  readonly elements: ElementRecord[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly routes: RouteRecord[] = [];
  private readonly regions = new Map<string, string>();

  constructor(readonly policy: CoreNetworkPolicy) {
    this.elements.push({ id: 'global-network-1', type: 'global-network' });
    this.elements.push({ id: CORE, type: 'core-network' });
    this.connect('contains', 'global-network-1', CORE);
    for (const edge of policy['core-network-configuration']['edge-locations']) {
      const id = `edge-${edge.location}`;
      this.elements.push({ id, type: 'edge', region: edge.location });
      this.connect('contains', CORE, id);
    }
    for (const segment of policy.segments) {
      this.elements.push({ id: `segment-${segment.name}`, type: 'segment', segment: segment.name });
    }
  }

  connect(type: ConnectionRecord['type'], source: string, target: string): this {
    this.connections.push({ type, source, target });
    return this;
  }

  /** A VPC with subnets `${id}-s0`, `${id}-s1`, ... */
  vpc(id: string, region: string, cidr: string, subnets: string[] = []): this {
    this.elements.push({ id, type: 'vpc', region, cidrs: [cidr] });
    this.regions.set(id, region);
    subnets.forEach((block, i) => {
      this.elements.push({ id: `${id}-s${i}`, type: 'subnet', region, cidrs: [block] });
      this.connect('contains', id, `${id}-s${i}`);
    });
    return this;
  }

  /** An attachment of `resource` (a VPC id, or undefined for one that only advertises prefixes). */
  attach(id: string, resource: string | undefined, segment: string, options: AttachOptions = {}): this {
    const region = options.region ?? (resource ? this.regions.get(resource) : undefined);
    this.elements.push({
      id,
      type: options.type ?? 'vpc-attachment',
      segment,
      ...(region ? { region } : {}),
      ...(options.state ? { state: options.state } : {}),
      ...(options.cidrs ? { cidrs: options.cidrs } : {}),
    });
    if (region) this.connect('attached-to', id, `edge-${region}`);
    if (resource) this.connect('attachment-of', id, resource);
    if (this.elements.some((e) => e.id === `segment-${segment}`))
      this.connect('member-of', id, `segment-${segment}`);
    return this;
  }

  add(element: ElementRecord): this {
    this.elements.push(element);
    return this;
  }

  route(route: RouteRecord): this {
    this.routes.push(route);
    return this;
  }

  build(): TopologyView {
    return buildTopology({
      elements: this.elements,
      connections: this.connections,
      routes: this.routes,
      policies: { [CORE]: this.policy },
    });
  }
}

/** A policy with the given edges, segments and actions (2025.11 shape). */
export function policy(
  edges: string[],
  segments: CoreNetworkPolicy['segments'],
  actions: CoreNetworkPolicy['segment-actions'] = [],
  nfgs: string[] = [],
): CoreNetworkPolicy {
  return {
    version: '2025.11',
    'core-network-configuration': {
      'asn-ranges': ['64512-65534'],
      'edge-locations': edges.map((location) => ({ location })),
    },
    segments,
    ...(nfgs.length ? { 'network-function-groups': nfgs.map((name) => ({ name })) } : {}),
    'segment-actions': actions,
  };
}

export function fixturePolicy(name: string): CoreNetworkPolicy {
  const url = new URL(`../../fixtures/cloudwan-policies/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as CoreNetworkPolicy;
}

/** The ids and actions of a trace, the part most tests compare exactly. */
export function steps(hops: Array<{ id: string; action: string }>): string[] {
  return hops.map((hop) => `${hop.action} ${hop.id}`);
}
