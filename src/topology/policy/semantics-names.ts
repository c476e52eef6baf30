/**
 * Names across sections: each segment, network function group, edge location and routing policy is
 * defined once, and every name an action, rule or filter mentions is one the document defines.
 */

import { didYouMean } from '../../util/suggest.js';
import type { NameDef, PolicyFacts, RefKind } from './facts.js';
import type { IssueList } from './report.js';
import { listNames } from './rules.js';

const KINDS: Record<RefKind, { one: string; many: string; defs: (facts: PolicyFacts) => NameDef[] }> = {
  segment: { one: 'segment', many: 'segments', defs: (f) => f.segments },
  'network-function-group': {
    one: 'network function group',
    many: 'network function groups',
    defs: (f) => f.networkFunctionGroups,
  },
  'edge-location': { one: 'edge location', many: 'edge locations', defs: (f) => f.edges },
  'routing-policy': { one: 'routing policy', many: 'routing policies', defs: (f) => f.routingPolicies },
};

export function checkNames(facts: PolicyFacts, issues: IssueList): void {
  const defined = new Map<RefKind, Set<string>>();
  for (const kind of Object.keys(KINDS) as RefKind[]) {
    const { one, defs } = KINDS[kind];
    defined.set(kind, checkDuplicates(defs(facts), `duplicate-${kind}`, one, issues));
  }
  for (const ref of facts.refs) {
    const names = defined.get(ref.kind)!;
    if (names.has(ref.name) || facts.incomplete.has(ref.kind)) continue;
    issues.error(`unknown-${ref.kind}`, ref.pointer, unknownMessage(ref.kind, ref.name, [...names], facts));
  }
}

/** Reports each name defined a second time; returns the set of names. */
function checkDuplicates(defs: NameDef[], code: string, what: string, issues: IssueList): Set<string> {
  const first = new Map<string, string>();
  for (const def of defs) {
    const earlier = first.get(def.name);
    if (earlier === undefined) {
      first.set(def.name, def.pointer);
      continue;
    }
    issues.error(
      code,
      def.pointer,
      `${what} "${def.name}" is already defined at ${earlier}: rename or remove one`,
    );
  }
  return new Set(first.keys());
}

function unknownMessage(kind: RefKind, name: string, names: string[], facts: PolicyFacts): string {
  const { one, many } = KINDS[kind];
  if (kind === 'edge-location') {
    return `edge location "${name}" is not in core-network-configuration (edge locations: ${listNames(names)}): add it to "edge-locations" there, or use one of those`;
  }
  const message = `unknown ${one} "${name}" (${many}: ${listNames(names)})`;
  // Segments and network function groups are easily mixed up: both are named places for attachments.
  if (kind === 'segment' && facts.networkFunctionGroups.some((g) => g.name === name)) {
    return `${message}: "${name}" is a network function group, not a segment`;
  }
  if (kind === 'network-function-group' && facts.segments.some((s) => s.name === name)) {
    return `${message}: "${name}" is a segment, not a network function group`;
  }
  const suggestion = didYouMean(name, names);
  return suggestion ? `${message}.${suggestion}` : message;
}
