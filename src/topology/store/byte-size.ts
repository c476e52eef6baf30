/**
 * The exact size of a built store, per part. Every typed array owns a buffer of exactly its length
 * (trimmed when built), so byteLength is what it holds; dictionary strings count 2 bytes per
 * character plus the overhead stated in dictionary.ts; `policies` is their JSON length.
 */

import type { StoreBytes } from '../model.js';
import type { Csr } from './csr.js';
import type { StoreParts } from './parts.js';

export function storeBytes(p: StoreParts): StoreBytes {
  const e = p.elements;
  const c = p.connections;
  const r = p.routes;
  const parts: Record<string, number> = {
    elements: sum(e.types, e.regions, e.segments, e.accounts, e.states, e.asns),
    ids: e.ids.byteSize(),
    names: e.names.byteSize() + e.hasName.byteLength,
    strings:
      e.regionNames.byteSize() +
      e.segmentNames.byteSize() +
      e.accountIds.byteSize() +
      e.stateNames.byteSize() +
      e.asnValues.byteSize() +
      e.tagKeys.byteSize(),
    cidrs: sum(e.cidrStart, e.cidrWords, e.cidrCodes, e.cidrV6, e.hasCidrList),
    tags: sum(e.tagStart, e.tagKeyCodes, e.tagValueCodes, e.hasTagObject) + e.tagValues.byteSize(),
    connections: sum(c.sources, c.targets, c.types),
    adjacency: csr(p.outgoing) + csr(p.incoming),
    indexes: csr(p.byType) + csr(p.byRegion) + csr(p.bySegment),
    trie: p.trie4.byteSize() + p.trie6.byteSize(),
    routes: sum(r.tables, r.targets, r.words, r.codes, r.v6, r.flags, r.tableElements, r.start, r.items),
    policies: p.policyBytes,
  };
  let total = 0;
  for (const bytes of Object.values(parts)) total += bytes;
  return { total, parts };
}

function sum(...arrays: ArrayBufferView[]): number {
  let bytes = 0;
  for (const array of arrays) bytes += array.byteLength;
  return bytes;
}

function csr(groups: Csr): number {
  return groups.start.byteLength + groups.items.byteLength;
}
