/**
 * ASNs: the core network's ranges must not overlap each other, each edge needs its own ASN (the
 * edges peer with each other over BGP), and an edge's ASN is expected inside the ranges that the
 * core network assigns edge ASNs from.
 */

import type { PolicyFacts } from './facts.js';
import type { IssueList } from './report.js';

export function checkAsns(facts: PolicyFacts, issues: IssueList): void {
  const ranges = [...facts.asnRanges].sort((a, b) => a.low - b.low || a.high - b.high);
  // Sorted by start, a range overlaps an earlier one exactly when it starts at or below the highest
  // end seen so far; that range is the one named.
  let widest = ranges[0];
  for (const range of ranges.slice(1)) {
    if (!widest) break;
    if (range.low <= widest.high) {
      issues.error(
        'asn-range-overlap',
        range.pointer,
        `ASN range "${range.text}" overlaps "${widest.text}" (at ${widest.pointer}): merge them into one range or make them disjoint`,
      );
    }
    if (range.high > widest.high) widest = range;
  }

  const firstUse = new Map<number, { location: string; pointer: string }>();
  for (const edge of facts.edgeAsns) {
    const earlier = firstUse.get(edge.asn);
    if (earlier) {
      issues.error(
        'duplicate-edge-asn',
        edge.pointer,
        `edge location "${edge.location}" has ASN ${edge.asn}, already used by "${earlier.location}" (at ${earlier.pointer}): every edge needs its own ASN`,
      );
    } else {
      firstUse.set(edge.asn, edge);
    }
    if (ranges.length > 0 && !ranges.some((r) => edge.asn >= r.low && edge.asn <= r.high)) {
      issues.warning(
        'edge-asn-outside-ranges',
        edge.pointer,
        `edge location "${edge.location}" has ASN ${edge.asn}, outside every "asn-ranges" entry (${ranges.map((r) => r.text).join(', ')}): widen a range to include it, or pick an ASN inside one`,
      );
    }
  }
}
