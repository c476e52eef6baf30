/**
 * byteSize(): every part counted by hand for a tiny topology, parts summing to the total, and every
 * part growing with the input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyBuilder } from '../../../src/topology/builder.js';
import type { TopologyRecords } from '../helpers.js';
import { randomRecords } from './random-records.js';

function build(records: TopologyRecords) {
  const b = new TopologyBuilder();
  for (const e of records.elements) b.addElement(e);
  for (const c of records.connections ?? []) b.addConnection(c);
  for (const r of records.routes ?? []) b.addRoute(r);
  for (const [id, p] of Object.entries(records.policies ?? {})) b.setPolicy(id, p);
  return b.build();
}

test('a two-element topology, part by part', () => {
  const policy = { version: '2021.12' } as never;
  const store = build({
    elements: [
      { id: 'a', type: 'core-network', region: 'r1', cidrs: ['10.0.0.0/16'] },
      { id: 'bb', type: 'subnet', region: 'r1', name: 'x', cidrs: ['10.0.1.0/24'] },
    ],
    connections: [{ type: 'contains', source: 'a', target: 'bb' }],
    policies: { a: policy },
  });
  assert.deepEqual(store.byteSize().parts, {
    // Uint8 type, region, segment, account, state and ASN codes: 6 columns x 2 elements.
    elements: 12,
    // 3 UTF-8 bytes and 2 terminators, 3 Uint32 offsets, 16 slots of three Int32s (code, offset, hash).
    ids: 5 + 12 + 192,
    // 1 byte, 3 offsets, a 1-byte presence bitset.
    names: 1 + 12 + 1,
    // "r1": 40 bytes of overhead + 2 UTF-16 chars.
    strings: 44,
    // 3 Uint32 starts, 2 Uint32 addresses, 2 length codes, a 1-byte "had a list" bitset.
    cidrs: 12 + 8 + 2 + 1,
    // 3 starts, no pairs, a 1-byte "had tags" bitset, an empty value table (1 offset, 16 slots).
    tags: 12 + 1 + 4 + 192,
    // Uint32 source and target, Uint8 type.
    connections: 9,
    // Out and in: 3 starts + 1 connection index each.
    adjacency: 2 * (12 + 4),
    // By type: 18 starts + 2 items; by region: 2 starts + 2 items; by segment: 1 start.
    indexes: 72 + 8 + 8 + 8 + 4,
    // v4: 2 nested prefix nodes (2 words, 2 lengths, 4 children), 3 owner starts, 2 owners; v6: 1 owner start.
    trie: 8 + 2 + 16 + 12 + 8 + 4,
    // No routes: 1 group start.
    routes: 4,
    policies: JSON.stringify(policy).length,
  });
  assert.equal(
    store.byteSize().total,
    12 + 209 + 14 + 44 + 23 + 209 + 9 + 32 + 100 + 50 + 4 + JSON.stringify(policy).length,
  );
});

test('parts sum to the total and all grow with the input', () => {
  const small = build(randomRecords(5, 200)).byteSize();
  const large = build(randomRecords(5, 1600)).byteSize();
  for (const size of [small, large]) {
    assert.equal(
      Object.values(size.parts).reduce((a, b) => a + b, 0),
      size.total,
    );
  }
  for (const part of [
    'elements',
    'ids',
    'names',
    'cidrs',
    'tags',
    'connections',
    'adjacency',
    'indexes',
    'trie',
    'routes',
  ]) {
    const [a, b] = [small.parts[part] ?? 0, large.parts[part] ?? 0];
    assert.ok(b > a * 3, `${part}: ${a} bytes for 200 elements, ${b} for 1,600`);
  }
  // A few hundred bytes per element at this size (fixed costs weigh more on small inputs).
  assert.ok(large.total / 1600 < 400, `${large.total / 1600} bytes per element`);
});

test('byteSize counts trimmed arrays: expected sizes given up front do not inflate it', () => {
  const records = randomRecords(9, 300);
  const plain = build(records).byteSize();
  const b = new TopologyBuilder({ expectedElements: 100_000, expectedConnections: 100_000 });
  for (const e of records.elements) b.addElement(e);
  for (const c of records.connections ?? []) b.addConnection(c);
  for (const r of records.routes ?? []) b.addRoute(r);
  for (const [id, p] of Object.entries(records.policies ?? {})) b.setPolicy(id, p);
  assert.deepEqual(b.build().byteSize(), plain);
});

test('the issue budget holds at scale: at most 200 bytes per element with two connections each', () => {
  const n = 50_000;
  const b = new TopologyBuilder({ expectedElements: n, expectedConnections: 2 * n });
  const id = (i: number) => `${i % 3 === 0 ? 'vpc' : 'subnet'}-${i.toString(16).padStart(17, '0')}`;
  for (let i = 0; i < n; i++) {
    const word = (0x0a000000 + i * 256) >>> 0;
    const cidr = `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.0/24`;
    b.addElement({
      id: id(i),
      type: i % 3 === 0 ? 'vpc' : 'subnet',
      region: i % 2 ? 'us-east-1' : 'eu-west-1',
      accountId: `1111222233${i % 100}`,
      state: 'available',
      cidrs: [cidr],
      ...(i % 4 === 0 ? { name: `net-${i}`, tags: { Name: `net-${i}`, env: 'prod' } } : {}),
    });
  }
  for (let c = 0; c < 2 * n; c++)
    b.addConnection({ type: 'contains', source: id(c >> 1), target: id(((c >> 1) + 1 + (c % 7)) % n) });
  const store = b.build();
  const perElement = store.byteSize().total / n;
  assert.ok(perElement <= 200, `${perElement.toFixed(1)} bytes per element`);
  // And the store still answers: the last /24 belongs to the last element.
  assert.deepEqual(store.longestPrefixMatch(`10.${((n - 1) >> 8) & 255}.${(n - 1) & 255}.9`)?.elements, [
    n - 1,
  ]);
});
