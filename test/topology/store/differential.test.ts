/**
 * The columnar store against the plain-object reference: the same seeded records into both, then
 * every accessor compared for every element, connection and route, and longest-prefix match on
 * many addresses (inside known prefixes, so nested and shared prefixes are hit, and random ones).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopologyBuilder } from '../../../src/topology/builder.js';
import { ELEMENT_TYPES, type TopologyView } from '../../../src/topology/model.js';
import { ObjectTopology } from '../../../src/topology/object-topology.js';
import type { TopologyRecords } from '../helpers.js';
import { addressIn, pick, randomRecords, seeded } from './random-records.js';

function fill(sink: ObjectTopology | TopologyBuilder, records: TopologyRecords): void {
  for (const e of records.elements) sink.addElement(e);
  for (const c of records.connections ?? []) sink.addConnection(c);
  for (const r of records.routes ?? []) sink.addRoute(r);
  for (const [id, p] of Object.entries(records.policies ?? {})) sink.setPolicy(id, p);
}

function both(records: TopologyRecords): [TopologyView, TopologyView] {
  const reference = new ObjectTopology();
  fill(reference, records);
  const builder = new TopologyBuilder();
  fill(builder, records);
  return [reference, builder.build()];
}

for (const seed of [1, 2, 3]) {
  test(`seed ${seed}: every element accessor equals the reference`, () => {
    const records = randomRecords(seed, 400);
    const [reference, store] = both(records);
    assert.equal(store.elementCount, 400);
    for (let e = 0; e < reference.elementCount; e++) {
      const id = reference.id(e);
      assert.equal(store.id(e), id);
      assert.equal(store.indexOf(id), e);
      assert.equal(store.type(e), reference.type(e));
      assert.equal(store.name(e), reference.name(e), `name of ${id}`);
      assert.equal(store.region(e), reference.region(e));
      assert.equal(store.segment(e), reference.segment(e));
      assert.equal(store.accountId(e), reference.accountId(e));
      assert.equal(store.state(e), reference.state(e));
      assert.equal(store.asn(e), reference.asn(e));
      assert.deepEqual(store.cidrs(e), reference.cidrs(e));
      assert.deepEqual(store.tags(e), reference.tags(e));
      assert.deepEqual(store.element(e), reference.element(e));
      assert.deepEqual([...store.outgoing(e)], [...reference.outgoing(e)], `outgoing of ${id}`);
      assert.deepEqual([...store.incoming(e)], [...reference.incoming(e)], `incoming of ${id}`);
      assert.deepEqual([...store.routesOf(e)], [...reference.routesOf(e)], `routes of ${id}`);
      assert.deepEqual(store.policy(e), reference.policy(e));
    }
    assert.equal(store.indexOf('no-such-id'), -1);
    assert.equal(store.indexOf(''), -1);
  });

  test(`seed ${seed}: connections, routes and indexes equal the reference`, () => {
    const [reference, store] = both(randomRecords(seed, 300));
    assert.equal(store.connectionCount, reference.connectionCount);
    for (let c = 0; c < reference.connectionCount; c++) {
      assert.equal(store.connectionType(c), reference.connectionType(c));
      assert.equal(store.connectionSource(c), reference.connectionSource(c));
      assert.equal(store.connectionTarget(c), reference.connectionTarget(c));
    }
    assert.equal(store.routeCount, reference.routeCount);
    for (let r = 0; r < reference.routeCount; r++) assert.deepEqual(store.route(r), reference.route(r));
    for (const type of ELEMENT_TYPES)
      assert.deepEqual([...store.elementsOfType(type)], [...reference.elementsOfType(type)]);
    assert.deepEqual(store.regions(), reference.regions());
    assert.deepEqual(store.segments(), reference.segments());
    for (const region of [...reference.regions(), 'nowhere-1']) {
      assert.deepEqual([...store.elementsInRegion(region)], [...reference.elementsInRegion(region)]);
    }
    for (const segment of [...reference.segments(), 'no-segment']) {
      assert.deepEqual([...store.elementsInSegment(segment)], [...reference.elementsInSegment(segment)]);
    }
  });

  test(`seed ${seed}: longest-prefix match and every containing prefix equal the reference`, () => {
    const records = randomRecords(seed, 400);
    const [reference, store] = both(records);
    const random = seeded(seed * 7919);
    let matched = 0;
    let several = 0;
    for (let i = 0; i < 3000; i++) {
      const ip = addressIn(random, pick(random, records.pool));
      const expected = reference.prefixMatches(ip);
      assert.deepEqual(store.prefixMatches(ip), expected, ip);
      assert.deepEqual(store.longestPrefixMatch(ip), reference.longestPrefixMatch(ip), ip);
      if (expected.length > 0) matched++;
      if (expected.length > 1) several++;
    }
    // The scenario must exercise what it claims: most lookups match, many through nested prefixes.
    assert.ok(matched > 2000, `only ${matched} of 3000 lookups matched`);
    assert.ok(several > 500, `only ${several} lookups met nested prefixes`);
    for (const ip of ['', 'nonsense', '10.0.0', '1.2.3.4.5', '::g', '256.1.1.1']) {
      assert.equal(store.longestPrefixMatch(ip), undefined);
      assert.deepEqual(store.prefixMatches(ip), []);
    }
  });
}

test('an empty builder builds an empty store', () => {
  const store = new TopologyBuilder().build();
  assert.equal(store.elementCount, 0);
  assert.equal(store.connectionCount, 0);
  assert.equal(store.routeCount, 0);
  assert.equal(store.indexOf('x'), -1);
  assert.equal(store.longestPrefixMatch('10.0.0.1'), undefined);
  assert.deepEqual(store.prefixMatches('::1'), []);
  assert.deepEqual(store.regions(), []);
  assert.equal(store.elementsOfType('vpc').length, 0);
  assert.throws(() => store.id(0), RangeError);
});
