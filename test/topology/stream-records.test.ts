/**
 * Element records the stream takes from the store, read on demand (store/stored-element.ts): their
 * JSON is the plain record's, byte for byte; fields read like a plain record's; lists read once
 * stay the same object; assigned fields win; and what differs from a plain object is pinned down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { ElementRecord } from '../../src/topology/model.js';
import type { MemoryOptimizedTopology } from '../../src/topology/store.js';
import { StreamingTopologyManager } from '../../src/topology/stream.js';
import { buildTopology } from './helpers.js';
import { randomRecords } from './store/random-records.js';

const FIELDS = ['name', 'region', 'segment', 'accountId', 'state', 'asn', 'cidrs', 'tags'] as const;

function store(elements: ElementRecord[]): MemoryOptimizedTopology {
  return buildTopology({ elements }) as MemoryOptimizedTopology;
}

describe('stored element records', () => {
  it('give the plain record as JSON and field by field, for seeded random records', () => {
    // Non-ASCII ids and names, empty cidrs lists and tags objects, fields present or not.
    const s = buildTopology(randomRecords(21, 400)) as MemoryOptimizedTopology;
    assert.ok(s.elementCount >= 400);
    let withCidrs = 0;
    let withTags = 0;
    let nonAscii = 0;
    for (let e = 0; e < s.elementCount; e++) {
      const stored = s.storedElement(e);
      const plain = s.leanElement(e);
      assert.equal(JSON.stringify(stored), JSON.stringify(plain), `element ${e}`);
      assert.equal(stored.id, plain.id);
      assert.equal(stored.type, plain.type);
      for (const field of FIELDS) assert.deepEqual(stored[field], plain[field], `element ${e} ${field}`);
      if (plain.cidrs) withCidrs++;
      if (plain.tags) withTags++;
      if (/[^\x20-\x7e]/.test(plain.id)) nonAscii++;
    }
    // The data must reach the cases this test is for.
    assert.ok(withCidrs > 0 && withTags > 0 && nonAscii > 0, `${withCidrs} ${withTags} ${nonAscii}`);
  });

  it('every record a stream hands out has the JSON of the store record', async () => {
    const s = buildTopology(randomRecords(22, 300)) as MemoryOptimizedTopology;
    let seen = 0;
    for await (const chunk of new StreamingTopologyManager().streamChunks(s, { chunkSize: 17 })) {
      for (const record of chunk.elements) {
        assert.equal(JSON.stringify(record), JSON.stringify(s.leanElement(s.indexOf(record.id))));
        seen++;
      }
    }
    assert.equal(seen, s.elementCount);
  });

  it('reads cidrs and tags once: the same array and object each time, and changes to them stay', () => {
    const s = store([{ id: 'v', type: 'vpc', cidrs: ['10.0.0.0/16'], tags: { env: 'prod' } }]);
    const record = s.storedElement(0);
    const cidrs = record.cidrs;
    assert.deepEqual(cidrs, ['10.0.0.0/16']);
    assert.equal(record.cidrs, cidrs);
    assert.equal(record.tags, record.tags);
    cidrs?.push('10.1.0.0/16');
    if (record.tags) record.tags.owner = 'me';
    assert.equal(
      JSON.stringify(record),
      '{"id":"v","type":"vpc","cidrs":["10.0.0.0/16","10.1.0.0/16"],"tags":{"env":"prod","owner":"me"}}',
    );
    // The store itself is not changed.
    assert.deepEqual(s.cidrs(0), ['10.0.0.0/16']);
    assert.deepEqual(s.storedElement(0).tags, { env: 'prod' });
  });

  it('an assigned field wins over the store, in reads, Object.keys and JSON', () => {
    const s = store([{ id: 'a', type: 'vpc-attachment', name: 'old', region: 'us-east-1' }]);
    const record = s.storedElement(0);
    record.name = 'new';
    record.segment = 'prod';
    record.region = undefined;
    assert.equal(record.name, 'new');
    assert.equal(record.segment, 'prod');
    assert.equal(record.region, undefined);
    assert.deepEqual(Object.keys(record), ['id', 'type', 'name', 'segment', 'region']);
    // A field the record has keeps its place; a new one goes last; undefined is left out.
    assert.equal(JSON.stringify(record), '{"id":"a","type":"vpc-attachment","name":"new","segment":"prod"}');
    record.id = 'renamed';
    assert.equal(JSON.parse(JSON.stringify(record)).id, 'renamed');
  });

  it('differs from a plain object only in its own keys, spread and structuredClone', () => {
    const s = store([{ id: 'r', type: 'subnet', region: 'eu-west-1', cidrs: ['10.2.0.0/24'] }]);
    const record = s.storedElement(0);
    assert.deepEqual(Object.keys(record), ['id', 'type']);
    assert.deepEqual({ ...record }, { id: 'r', type: 'subnet' });
    assert.deepEqual(structuredClone(record), { id: 'r', type: 'subnet' });
    // toJSON() is the plain copy of everything, and what inspect shows.
    const plain = (record as unknown as { toJSON(): ElementRecord }).toJSON();
    assert.deepEqual(plain, { id: 'r', type: 'subnet', region: 'eu-west-1', cidrs: ['10.2.0.0/24'] });
    assert.equal(Object.getPrototypeOf(plain), Object.prototype);
    assert.match(inspect(record), /region: 'eu-west-1'/);
    assert.match(inspect(record), /10\.2\.0\.0\/24/);
  });

  it('refuses an index that is no element', () => {
    const s = store([{ id: 'x', type: 'edge' }]);
    assert.throws(() => s.storedElement(1), /no element 1 \(1 elements\)/);
    assert.throws(() => s.storedElement(-1), RangeError);
  });
});
