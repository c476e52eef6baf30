/**
 * `analyzeCoreNetwork`: the small facts that every routing question about one core network needs,
 * computed once from its policy and its edges: per segment (and function group) the edges where it
 * is present, whose routes it sees (the visibility matrix), its static routes and its send-to rule.
 * Nothing here walks the attachments, so it costs the same on ten elements as on ten million;
 * attachments are found per query through the view's prefix index.
 */

import { TopologyError } from '../../errors.js';
import type { TopologyView } from '../model.js';
import type { CoreNetworkPolicy } from '../policy-types.js';
import {
  type PolicyRules,
  readPolicyRules,
  type SendToRule,
  type SendViaRule,
  type StaticRoute,
} from './policy-rules.js';
import { buildVisibility, type Reach } from './visibility.js';

export interface ResolvedStatic extends StaticRoute {
  /** Element index per entry of `targets`, -1 when the topology has no element with that id. */
  readonly targetIndexes: readonly number[];
}

/** A routing domain: a segment, or a network function group (which has a route table of its own). */
export interface DomainFacts {
  readonly name: string;
  readonly kind: 'segment' | 'network-function-group';
  readonly isolated: boolean;
  /** Edge regions where the domain has a route table (function groups: every edge). */
  readonly edges: readonly string[];
  readonly sees: ReadonlyMap<string, Reach>;
  /** create-route routes of this segment, most specific first. */
  readonly statics: readonly ResolvedStatic[];
  readonly sendTo?: SendToRule;
}

export interface CoreNetworkAnalysis {
  readonly view: TopologyView;
  readonly coreNetwork: number;
  readonly coreNetworkId: string;
  readonly policy: CoreNetworkPolicy;
  readonly rules: PolicyRules;
  /** Edge regions in policy order. */
  readonly edgeRegions: readonly string[];
  /** Edge element per region (-1 when the topology has no edge element there). */
  readonly edgeByRegion: ReadonlyMap<string, number>;
  readonly domains: ReadonlyMap<string, DomainFacts>;
  readonly segmentNames: readonly string[];
  readonly functionGroupNames: readonly string[];
  readonly sendVia: readonly SendViaRule[];
  /** Policy problems found while reading it (unknown names, unusable rules), each with a JSON pointer. */
  readonly warnings: readonly string[];
  /** What the analysis leaves out for this policy (routing policies), so results are read with that in mind. */
  readonly notes: readonly string[];
  /** Simulation overlay: attachment index -> the segment it is pretended to be in. Empty for the real state. */
  readonly overrides: ReadonlyMap<number, string>;
  /** With several core networks, attachments are checked to be attached to one of this core's edges. */
  readonly multiCore: boolean;
  readonly coreEdges: ReadonlySet<number>;
}

export function analyzeCoreNetwork(view: TopologyView, coreNetworkIndex?: number): CoreNetworkAnalysis {
  const cores = view.elementsOfType('core-network');
  const core = pickCoreNetwork(view, cores, coreNetworkIndex);
  const coreNetworkId = view.id(core);
  const policy = view.policy(core);
  if (!policy) {
    throw new TopologyError(
      'analysis',
      `core network ${coreNetworkId} has no policy; load its policy document (a snapshot line with kind "policy") before analysing routes`,
    );
  }
  const rules = readPolicyRules(policy);
  const warnings = [...rules.warnings];
  const visibility = buildVisibility(rules, warnings);
  const coreEdges = edgesOf(view, core, cores.length);
  const edgeByRegion = new Map<string, number>(rules.edges.map((region) => [region, -1]));
  for (const edge of coreEdges) {
    const region = view.region(edge);
    if (region !== undefined && edgeByRegion.get(region) === -1) edgeByRegion.set(region, edge);
  }

  const domains = new Map<string, DomainFacts>();
  for (const segment of rules.segments) {
    if (domains.has(segment.name)) {
      warnings.push(`segment '${segment.name}' is defined twice in /segments; the first definition is used`);
      continue;
    }
    const sendTo = rules.sendTo.find(
      (rule) => rule.segment === segment.name && rules.nfgs.includes(rule.nfg),
    );
    domains.set(segment.name, {
      name: segment.name,
      kind: 'segment',
      isolated: segment.isolated,
      edges: segment.edges,
      sees: visibility.get(segment.name) ?? new Map(),
      statics: staticsOf(view, rules, segment.name),
      ...(sendTo ? { sendTo } : {}),
    });
  }
  for (const nfg of rules.nfgs) {
    if (domains.has(nfg)) {
      warnings.push(`'${nfg}' names both a segment and a network function group; the segment is used`);
      continue;
    }
    const sees = visibility.get(nfg) ?? new Map();
    domains.set(nfg, {
      name: nfg,
      kind: 'network-function-group',
      isolated: false,
      edges: rules.edges,
      sees,
      statics: [],
    });
  }
  for (const route of rules.statics) {
    if (!domains.has(route.segment)) {
      warnings.push(
        `/segment-actions/${route.action} (create-route) names segment '${route.segment}', which the policy does not define; ignored`,
      );
    }
  }

  return {
    view,
    coreNetwork: core,
    coreNetworkId,
    policy,
    rules,
    edgeRegions: rules.edges,
    edgeByRegion,
    domains,
    segmentNames: rules.segments.map((s) => s.name),
    functionGroupNames: rules.nfgs,
    sendVia: rules.sendVia,
    warnings,
    notes: notesOf(policy),
    overrides: new Map(),
    multiCore: cores.length > 1,
    coreEdges,
  };
}

/**
 * The same analysis with attachments pretended to be in other segments: the simulation overlay.
 * The view is not touched and the policy facts are shared, so this costs one small Map.
 */
export function withSegmentOverrides(
  analysis: CoreNetworkAnalysis,
  overrides: ReadonlyMap<number, string>,
): CoreNetworkAnalysis {
  return { ...analysis, overrides: new Map([...analysis.overrides, ...overrides]) };
}

function notesOf(policy: CoreNetworkPolicy): string[] {
  const count = Array.isArray(policy['routing-policies']) ? policy['routing-policies'].length : 0;
  if (count === 0) return [];
  return [
    `the policy has ${count} routing polic${count === 1 ? 'y' : 'ies'} (/routing-policies: filters, summaries, path preferences); they are not applied here, so route tables and traces show routes before them`,
  ];
}

function pickCoreNetwork(view: TopologyView, cores: Uint32Array, index: number | undefined): number {
  const ids = () => [...cores.subarray(0, 10)].map((c) => view.id(c)).join(', ');
  if (index === undefined) {
    if (cores.length === 1) return cores[0] as number;
    if (cores.length === 0) {
      throw new TopologyError(
        'analysis',
        'the topology has no core-network element; routes cannot be analysed without one',
      );
    }
    throw new TopologyError(
      'analysis',
      `the topology has ${cores.length} core networks (${ids()}); pass the index of one (view.indexOf(id))`,
    );
  }
  if (
    !Number.isInteger(index) ||
    index < 0 ||
    index >= view.elementCount ||
    view.type(index) !== 'core-network'
  ) {
    throw new TopologyError(
      'analysis',
      `element ${index} is not a core network; core networks: ${ids() || 'none'}`,
    );
  }
  return index;
}

/** Edges the core network contains; with a single core network, every edge element is its edge. */
function edgesOf(view: TopologyView, core: number, coreCount: number): Set<number> {
  const edges = new Set<number>();
  for (const c of view.outgoing(core)) {
    const target = view.connectionTarget(c);
    if (view.connectionType(c) === 'contains' && view.type(target) === 'edge') edges.add(target);
  }
  if (edges.size === 0 && coreCount <= 1) for (const edge of view.elementsOfType('edge')) edges.add(edge);
  return edges;
}

function staticsOf(view: TopologyView, rules: PolicyRules, segment: string): ResolvedStatic[] {
  return rules.statics
    .filter((route) => route.segment === segment)
    .map((route) => ({ ...route, targetIndexes: route.targets.map((id) => view.indexOf(id)) }))
    .sort((a, b) => b.cidr.prefix - a.cidr.prefix);
}
