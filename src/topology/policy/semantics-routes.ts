/**
 * Routing sense: static routes of one segment that cover the same addresses, and isolated segments
 * that are shared in ways that undo or contradict their isolation.
 */

import { cidrsOverlap } from '../cidr.js';
import type { PolicyFacts, StaticRoute } from './facts.js';
import type { IssueList } from './report.js';

/**
 * Two identical prefixes in a segment are an error (which route wins is undefined); a prefix inside
 * another is a warning (longest prefix match makes it legal, but it is often a mistake).
 */
export function checkStaticRoutes(facts: PolicyFacts, issues: IssueList): void {
  const bySegment = new Map<string, StaticRoute[]>();
  for (const route of facts.staticRoutes) {
    const list = bySegment.get(route.segment);
    if (list) list.push(route);
    else bySegment.set(route.segment, [route]);
  }
  for (const routes of bySegment.values()) {
    // Sorted by start address, shorter prefix first: a prefix can then only lie inside one still on
    // the stack of enclosing prefixes, so each route is compared with its nearest container only.
    const sorted = routes
      .map((route, index) => ({ route, index }))
      .sort(compareRoutes)
      .map((e) => e.route);
    const open: StaticRoute[] = [];
    for (const route of sorted) {
      while (open.length > 0 && !cidrsOverlap(open[open.length - 1]!.cidr, route.cidr)) open.pop();
      const outer = open[open.length - 1];
      if (outer) report(outer, route, issues);
      open.push(route);
    }
  }
}

function compareRoutes(
  a: { route: StaticRoute; index: number },
  b: { route: StaticRoute; index: number },
): number {
  const x = a.route.cidr;
  const y = b.route.cidr;
  if (x.version !== y.version) return x.version - y.version;
  for (let i = 0; i < x.words.length; i++) {
    const d = (x.words[i] as number) - (y.words[i] as number);
    if (d !== 0) return d;
  }
  return x.prefix - y.prefix || a.index - b.index;
}

function report(outer: StaticRoute, inner: StaticRoute, issues: IssueList): void {
  if (outer.cidr.prefix === inner.cidr.prefix) {
    issues.error(
      'duplicate-static-route',
      inner.pointer,
      `static route ${inner.text} in segment "${inner.segment}" is already defined at ${outer.pointer}: keep one route per prefix`,
    );
  } else {
    issues.warning(
      'overlapping-static-route',
      inner.pointer,
      `static route ${inner.text} in segment "${inner.segment}" lies inside ${outer.text} (at ${outer.pointer}): the more specific route wins for its addresses; check that both are meant`,
    );
  }
}

/**
 * An isolated segment's attachments cannot reach each other, so sharing it with itself contradicts
 * the isolation (an error), and sharing it with every segment (`"*"`) exposes it everywhere (a
 * warning). Sharing a segment that is not isolated with itself does nothing (a warning).
 */
export function checkSharing(facts: PolicyFacts, issues: IssueList): void {
  const isolated = new Set(facts.segments.filter((s) => s.isolated).map((s) => s.name));
  for (const share of facts.shares) {
    // In {"except": [...]} the names are exclusions, so naming the segment itself there is harmless.
    const self = share.wildcard ? undefined : share.targets.find((t) => t.name === share.segment);
    const isIsolated = isolated.has(share.segment);
    if (self && isIsolated) {
      issues.error(
        'share-with-self',
        self.pointer,
        `isolated segment "${share.segment}" shares with itself, which contradicts "isolate-attachments": true: remove it from "share-with", or drop the isolation`,
      );
    } else if (self) {
      issues.warning(
        'share-with-self',
        self.pointer,
        `segment "${share.segment}" shares with itself, which has no effect: remove it from "share-with"`,
      );
    }
    if (share.wildcard && isIsolated) {
      issues.warning(
        'isolated-segment-shared',
        share.pointer,
        `isolated segment "${share.segment}" is shared with every segment: its attachments become reachable from the whole core network; list the segments that need access instead`,
      );
    }
  }
}
