/**
 * What the structure pass learns for the semantic checks: the names a document defines, the names it
 * refers to, and the values compared across sections (static routes, shares, ASNs). Each carries the
 * pointer where it was written, so a semantic issue points at the exact place.
 */

import type { Cidr } from '../cidr.js';

export interface NameDef {
  name: string;
  pointer: string;
}

export interface SegmentDef extends NameDef {
  isolated: boolean;
}

export type RefKind = 'segment' | 'network-function-group' | 'edge-location' | 'routing-policy';

export interface NameRef {
  kind: RefKind;
  name: string;
  pointer: string;
}

export interface StaticRoute {
  segment: string;
  cidr: Cidr;
  text: string;
  pointer: string;
}

export interface ShareFact {
  segment: string;
  /** Pointer of `share-with`. */
  pointer: string;
  /** `"*"` or `{"except": [...]}`: every segment (but the listed ones). */
  wildcard: boolean;
  targets: NameDef[];
}

export interface AsnRange {
  low: number;
  high: number;
  text: string;
  pointer: string;
}

export interface EdgeAsn {
  location: string;
  asn: number;
  pointer: string;
}

export interface PolicyFacts {
  segments: SegmentDef[];
  networkFunctionGroups: NameDef[];
  edges: NameDef[];
  routingPolicies: NameDef[];
  refs: NameRef[];
  staticRoutes: StaticRoute[];
  shares: ShareFact[];
  asnRanges: AsnRange[];
  edgeAsns: EdgeAsn[];
  /**
   * Kinds whose definitions could not all be read (a section missing or malformed, a name missing or
   * invalid): references to them are not checked, since every one might be reported as unknown.
   */
  incomplete: Set<RefKind>;
}

export function emptyFacts(): PolicyFacts {
  return {
    segments: [],
    networkFunctionGroups: [],
    edges: [],
    routingPolicies: [],
    refs: [],
    staticRoutes: [],
    shares: [],
    asnRanges: [],
    edgeAsns: [],
    incomplete: new Set(),
  };
}
