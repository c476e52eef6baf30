/**
 * Records and fields as the store reads them for output: what `element()` and `leanElement()` keep
 * or leave out, the shared frozen empties, prefix text, the tag value cache, and the columns lent
 * out by `traversal()`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyBuilder } from '../../../src/topology/builder.js';
import { CONNECTION_TYPES, ELEMENT_TYPES, type ElementRecord } from '../../../src/topology/model.js';
import type { MemoryOptimizedTopology } from '../../../src/topology/store.js';

function store(elements: ElementRecord[], connections: Array<[string, string, string]> = []) {
  const builder = new TopologyBuilder({ source: 'test' });
  for (const e of elements) builder.addElement(e);
  for (const [type, source, target] of connections)
    builder.addConnection({ type: type as never, source, target });
  return builder.build() as MemoryOptimizedTopology;
}

test('leanElement leaves out an empty cidrs list and tags object; element() keeps them as given', () => {
  const s = store([
    { id: 'empty', type: 'vpc', cidrs: [], tags: {} },
    { id: 'full', type: 'vpc', region: 'us-east-1', cidrs: ['10.0.0.0/16'], tags: { env: 'prod' } },
    { id: 'bare', type: 'edge', asn: 0 },
  ]);
  assert.deepEqual(s.element(0), { id: 'empty', type: 'vpc', cidrs: [], tags: {} });
  assert.deepEqual(s.leanElement(0), { id: 'empty', type: 'vpc' });
  const full = {
    id: 'full',
    type: 'vpc',
    region: 'us-east-1',
    cidrs: ['10.0.0.0/16'],
    tags: { env: 'prod' },
  };
  assert.deepEqual(s.element(1), full);
  assert.deepEqual(s.leanElement(1), full);
  // An ASN of 0 is a value, not "none".
  assert.deepEqual(s.leanElement(2), { id: 'bare', type: 'edge', asn: 0 });
  // element() hands out its own empty list, which the caller may fill.
  const given = s.element(0);
  given.cidrs?.push('10.9.0.0/16');
  assert.deepEqual(s.element(0).cidrs, []);
  assert.throws(() => s.leanElement(3), RangeError);
});

test('fields come in one order, the order of ElementRecord, whatever order the source used', () => {
  const s = store([
    {
      tags: { b: '2', a: '1' },
      cidrs: ['10.2.0.0/16'],
      asn: 64512,
      state: 'available',
      accountId: '111122223333',
      segment: 'prod',
      region: 'eu-west-1',
      name: 'näme ☃',
      type: 'vpc-attachment',
      id: 'attachment-ñ-1',
    },
  ]);
  assert.equal(
    JSON.stringify(s.leanElement(0)),
    '{"id":"attachment-ñ-1","type":"vpc-attachment","name":"näme ☃","region":"eu-west-1","segment":"prod",' +
      '"accountId":"111122223333","state":"available","asn":64512,"cidrs":["10.2.0.0/16"],"tags":{"b":"2","a":"1"}}',
  );
});

test('cidrs() and tags() of an element without any are one shared, frozen empty', () => {
  const s = store([
    { id: 'none', type: 'subnet' },
    { id: 'some', type: 'subnet', cidrs: ['10.1.0.0/24'], tags: { env: 'dev' } },
  ]);
  assert.equal(s.cidrs(0), s.cidrs(0));
  assert.equal(s.tags(0), s.tags(0));
  assert.ok(Object.isFrozen(s.cidrs(0)) && Object.isFrozen(s.tags(0)));
  assert.throws(() => s.cidrs(0).push('10.0.0.0/8'), TypeError);
  assert.deepEqual(s.cidrs(0), []);
  // Non-empty ones are fresh on every call: changing one changes nothing in the store.
  const cidrs = s.cidrs(1);
  cidrs.push('10.2.0.0/24');
  s.tags(1).env = 'prod';
  assert.deepEqual(s.cidrs(1), ['10.1.0.0/24']);
  assert.deepEqual(s.tags(1), { env: 'dev' });
});

test('prefixes come back in canonical text at the edges of the ranges', () => {
  const texts = [
    '0.0.0.0/0',
    '255.255.255.255/32',
    '192.168.100.128/25',
    '10.0.0.0/8',
    '2600:1f14::/56',
    '::/0',
  ];
  const s = store([{ id: 'v', type: 'vpc', cidrs: texts }]);
  assert.deepEqual(s.cidrs(0), texts);
  assert.deepEqual(s.leanElement(0).cidrs, texts);
});

test('tag values past the size of the value cache, read in an order that makes them collide', () => {
  const count = 3000;
  const elements: ElementRecord[] = [];
  for (let i = 0; i < count; i++)
    elements.push({ id: `a${i}`, type: 'vpc-attachment', tags: { k: `value-${i}`, shared: 'same' } });
  const s = store(elements);
  // Codes by first appearance: value-0 is 0, "same" 1, value-i 1 + i. So elements 0, 1023 and
  // 2047 (codes 0, 1024, 2048) share a cache slot, as do "same" and element 1024's value (1025).
  for (const e of [0, 1023, 2047, 0, 1024, 1, 2047, 2999, 1023]) {
    assert.deepEqual(s.tags(e), { k: `value-${e}`, shared: 'same' }, `element ${e}`);
  }
});

test('a "__proto__" tag key stays an own property', () => {
  const tags = JSON.parse('{"__proto__":"x","env":"prod"}') as Record<string, string>;
  const s = store([{ id: 'p', type: 'vpc', tags }]);
  for (const read of [s.tags(0), s.leanElement(0).tags ?? {}]) {
    assert.deepEqual(Object.keys(read), ['__proto__', 'env']);
    assert.equal(Object.getPrototypeOf(read), Object.prototype);
    assert.equal(JSON.stringify(read), '{"__proto__":"x","env":"prod"}');
  }
});

test('traversal() lends columns that agree with the accessors', () => {
  const s = store(
    [
      { id: 'vpc', type: 'vpc' },
      { id: 'sub', type: 'subnet' },
      { id: 'att', type: 'vpc-attachment' },
      { id: 'seg', type: 'segment' },
    ],
    [
      ['contains', 'vpc', 'sub'],
      ['attachment-of', 'att', 'vpc'],
      ['member-of', 'att', 'seg'],
      ['contains', 'vpc', 'vpc'],
    ],
  );
  const t = s.traversal();
  assert.deepEqual([...(t.elementTypes as Uint8Array)], [5, 6, 8, 7]);
  for (let e = 0; e < s.elementCount; e++) {
    assert.equal(ELEMENT_TYPES[t.elementTypes[e]!], s.type(e));
    const out = Array.from(
      { length: t.outgoing.start[e + 1]! - t.outgoing.start[e]! },
      (_, k) => t.outgoing.items[t.outgoing.start[e]! + k],
    );
    const into = Array.from(
      { length: t.incoming.start[e + 1]! - t.incoming.start[e]! },
      (_, k) => t.incoming.items[t.incoming.start[e]! + k],
    );
    assert.deepEqual(out, [...s.outgoing(e)]);
    assert.deepEqual(into, [...s.incoming(e)]);
  }
  // By hand: the VPC's outgoing are connections 0 and 3 (the self-loop), its incoming 1 and 3.
  assert.deepEqual([...s.outgoing(0)], [0, 3]);
  assert.deepEqual([...s.incoming(0)], [1, 3]);
  for (let c = 0; c < s.connectionCount; c++) {
    assert.equal(CONNECTION_TYPES[t.connectionTypes[c]!], s.connectionType(c));
    assert.equal(t.connectionSources[c], s.connectionSource(c));
    assert.equal(t.connectionTargets[c], s.connectionTarget(c));
  }
});
