/**
 * `segmentIsolationReport`: per segment (and network function group), whether it isolates its
 * attachments, what it holds, whom it reaches and how, and the problems worth a look: an isolated
 * segment shared with everyone, a segment at no edge, attachments where their segment is absent,
 * static routes to missing attachments, inspection groups without attachments where they are needed.
 * It reads each segment's attachments once (through the segment index), nothing else.
 */

import type { ElementType } from '../model.js';
import { attachmentRegion, membersOf } from './attachment.js';
import type { CoreNetworkAnalysis, DomainFacts } from './core-network.js';
import type { SegmentRule } from './policy-rules.js';
import { shareTargets } from './visibility.js';

export interface Reachability {
  /** The segment (or function group, for send-to) reached. */
  segment: string;
  how: 'own' | 'shared' | 'send-via' | 'send-to' | 'function-group';
  /** The function group traffic goes through (send-via, send-to). */
  via?: string;
  mode?: 'single-hop' | 'dual-hop';
}

export interface SegmentReport {
  segment: string;
  kind: 'segment' | 'network-function-group';
  isolated: boolean;
  edges: string[];
  attachments: { total: number; byType: Partial<Record<ElementType, number>> };
  reaches: Reachability[];
  staticRoutes: number;
  blackholeRoutes: number;
  problems: string[];
}

export interface IsolationReport {
  coreNetwork: string;
  segments: SegmentReport[];
  /** Problems of the policy as a whole (unknown names in actions, attachments in undefined segments). */
  problems: string[];
  /** What the analysis leaves out for this policy (routing policies). */
  notes: string[];
}

export function segmentIsolationReport(analysis: CoreNetworkAnalysis): IsolationReport {
  const rules = new Map<string, SegmentRule>(analysis.rules.segments.map((s) => [s.name, s]));
  const segments = [...analysis.domains.values()].map((facts) => reportOne(analysis, facts, rules));
  const problems = [...analysis.warnings];
  const known = new Set(analysis.domains.keys());
  for (const name of analysis.view.segments()) {
    if (known.has(name)) continue;
    let count = 0;
    for (const _ of membersOf(analysis, name)) count++;
    if (count > 0) {
      problems.push(
        `${count} attachment(s) are in segment '${name}', which the policy does not define; they have no route table (segments: ${analysis.segmentNames.join(', ')})`,
      );
    }
  }
  return { coreNetwork: analysis.coreNetworkId, segments, problems, notes: [...analysis.notes] };
}

export function reachesOf(facts: DomainFacts): Reachability[] {
  const reaches: Reachability[] = [];
  for (const [segment, reach] of facts.sees) {
    if (reach.kind === 'send-via') {
      reaches.push({ segment, how: 'send-via', via: reach.rule.nfg, mode: reach.rule.mode });
    } else reaches.push({ segment, how: reach.kind });
  }
  if (facts.sendTo) reaches.push({ segment: facts.sendTo.nfg, how: 'send-to', via: facts.sendTo.nfg });
  return reaches;
}

function reportOne(
  analysis: CoreNetworkAnalysis,
  facts: DomainFacts,
  rules: ReadonlyMap<string, SegmentRule>,
): SegmentReport {
  const { view } = analysis;
  const byType: Partial<Record<ElementType, number>> = {};
  const outside = new Set<string>();
  let total = 0;
  let misplaced = 0;
  for (const attachment of membersOf(analysis, facts.name)) {
    total++;
    const type = view.type(attachment);
    byType[type] = (byType[type] ?? 0) + 1;
    const region = attachmentRegion(view, attachment);
    if (region !== undefined && !facts.edges.includes(region)) {
      misplaced++;
      outside.add(region);
    }
  }
  const problems: string[] = [];
  const rule = rules.get(facts.name);
  if (facts.kind === 'segment') segmentProblems(analysis, facts, rule, rules, problems);
  if (misplaced > 0) {
    problems.push(
      `${misplaced} attachment(s) are in regions where ${facts.name} is not present (${[...outside].join(', ')}); they have no route table there`,
    );
  }
  const reaches = reachesOf(facts);
  if (facts.kind === 'segment' && total > 0 && reaches.length === 0) {
    problems.push(
      `the attachments of ${facts.name} reach nothing: the segment isolates them and shares with no segment`,
    );
  }
  for (const route of facts.statics) {
    const missing = route.targets.filter((_, i) => route.targetIndexes[i] === -1);
    if (missing.length > 0) {
      problems.push(
        `static route ${route.destination} (/segment-actions/${route.action}) points at ${missing.join(', ')}, which the topology does not have`,
      );
    }
  }
  return {
    segment: facts.name,
    kind: facts.kind,
    isolated: facts.isolated,
    edges: [...facts.edges],
    attachments: { total, byType },
    reaches,
    staticRoutes: facts.statics.length,
    blackholeRoutes: facts.statics.filter((route) => route.blackhole).length,
    problems,
  };
}

function segmentProblems(
  analysis: CoreNetworkAnalysis,
  facts: DomainFacts,
  rule: SegmentRule | undefined,
  rules: ReadonlyMap<string, SegmentRule>,
  problems: string[],
): void {
  if (facts.edges.length === 0) {
    problems.push(
      `segment ${facts.name} is at no edge: its edge-locations name none of the core network's edges (${analysis.edgeRegions.join(', ')})`,
    );
  }
  if (rule && rule.unknownEdges.length > 0) {
    problems.push(
      `segment ${facts.name} lists edge-locations ${rule.unknownEdges.join(', ')}, which core-network-configuration does not have`,
    );
  }
  if (facts.isolated) {
    for (const share of analysis.rules.shares) {
      const wide = share.shareWith === '*' || !Array.isArray(share.shareWith);
      if (!wide) continue;
      const covers =
        share.segment === facts.name ||
        shareTargets(share.shareWith, share.segment, rules, share.action, undefined).includes(facts.name);
      if (covers) {
        problems.push(
          `segment ${facts.name} isolates its attachments, yet /segment-actions/${share.action} shares ${share.segment === facts.name ? 'it with every segment' : `${share.segment} with it through a wildcard`}; every segment it reaches sees all its attachments`,
        );
      }
    }
  }
  for (const via of analysis.sendVia) {
    if (via.segment !== facts.name || via.mode !== 'dual-hop') continue;
    const missing = facts.edges.filter(
      (region) =>
        !via.overrides.some((o) => o.sets.some((set) => set.includes(region))) &&
        !hasGroupAttachment(analysis, via.nfg, region),
    );
    if (missing.length > 0) {
      problems.push(
        `send-via ${via.nfg} (dual-hop) from ${facts.name} needs an attachment of ${via.nfg} at every edge of the segment; none at ${missing.join(', ')}`,
      );
    }
  }
  if (
    facts.sendTo &&
    !analysis.edgeRegions.some((region) => hasGroupAttachment(analysis, facts.sendTo?.nfg ?? '', region))
  ) {
    problems.push(
      `send-to ${facts.sendTo.nfg} from ${facts.name}: the group has no attachment, so the default route leads nowhere`,
    );
  }
}

function hasGroupAttachment(analysis: CoreNetworkAnalysis, nfg: string, region: string): boolean {
  for (const attachment of membersOf(analysis, nfg)) {
    if (attachmentRegion(analysis.view, attachment) === region) return true;
  }
  return false;
}
