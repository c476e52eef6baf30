/**
 * Everything a built store holds, handed from the builder to `MemoryOptimizedTopology` in one piece.
 * Every array here is trimmed to its exact length (its own buffer, no spare capacity), which is what
 * makes `byteSize()` exact.
 */

import type { CoreNetworkPolicy } from '../policy-types.js';
import type { ConnectionColumns } from './connection-rows.js';
import type { Csr } from './csr.js';
import type { Dictionary } from './dictionary.js';
import type { UintArray } from './grow.js';
import type { PrefixTrie } from './prefix-trie.js';
import type { RouteColumns } from './route-rows.js';
import type { StringTable } from './string-table.js';

export interface ElementParts {
  count: number;
  types: Uint8Array;
  /** Dictionary codes, 0 for none, in the narrowest array that holds the largest code. */
  regions: UintArray;
  segments: UintArray;
  accounts: UintArray;
  states: UintArray;
  regionNames: Dictionary;
  segmentNames: Dictionary;
  accountIds: Dictionary;
  stateNames: Dictionary;
  asns: UintArray;
  asnValues: Dictionary<number>;
  ids: StringTable;
  names: StringTable;
  hasName: Uint8Array;
  /** A bit per element: the record had a `cidrs` list / a `tags` object (maybe empty). */
  hasCidrList: Uint8Array;
  hasTagObject: Uint8Array;
  cidrStart: Uint32Array;
  cidrWords: Uint32Array;
  cidrCodes: Uint8Array;
  cidrV6: Uint32Array;
  tagStart: Uint32Array;
  tagKeyCodes: UintArray;
  tagValueCodes: Uint32Array;
  tagKeys: Dictionary;
  tagValues: StringTable;
}

export interface StoreParts {
  elements: ElementParts;
  connections: ConnectionColumns;
  outgoing: Csr;
  incoming: Csr;
  /** Groups by type code, by region code - 1, by segment code - 1. */
  byType: Csr;
  byRegion: Csr;
  bySegment: Csr;
  trie4: PrefixTrie;
  trie6: PrefixTrie;
  routes: RouteColumns;
  policies: Map<number, CoreNetworkPolicy>;
  /** JSON length of the policies, measured once when the store is built. */
  policyBytes: number;
}
