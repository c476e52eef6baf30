/** The packed string table behind ids and tag values: dedupe, lookups, growth, UTF-8. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringTable } from '../../../src/topology/store/string-table.js';

test('codes are dense and in order; an existing string is reported, not added', () => {
  const table = new StringTable({ indexed: true });
  assert.equal(table.addUnique('vpc-1'), 0);
  assert.equal(table.addUnique('vpc-2'), 1);
  assert.equal(table.addUnique('vpc-1'), -1);
  assert.equal(table.addUnique('vpc-2'), -2);
  assert.equal(table.intern('vpc-2'), 1);
  assert.equal(table.intern('vpc-3'), 2);
  assert.equal(table.count, 3);
  assert.equal(table.find('vpc-3'), 2);
  assert.equal(table.find('vpc-'), -1);
  assert.equal(table.find('vpc-10'), -1);
  assert.equal(table.get(1), 'vpc-2');
  assert.throws(() => table.get(3), RangeError);
});

test('non-ASCII strings are stored as UTF-8 and found again, before and after finish', () => {
  const table = new StringTable({ indexed: true });
  const strings = ['', 'é', 'ségment-ü', '☃-vpc', '𝄞 clef', 'plain', 'Ünïcode'];
  for (const s of strings) table.addUnique(s);
  for (let round = 0; round < 2; round++) {
    strings.forEach((s, code) => {
      assert.equal(table.find(s), code, s);
      assert.equal(table.get(code), s);
    });
    assert.equal(table.find('e'), -1);
    assert.equal(table.byteLengthOf(3), 7); // '☃-vpc': the snowman is 3 bytes in UTF-8
    table.finish();
  }
});

test('the hash table grows past many rehashes and finish shrinks it to twice the count', () => {
  const table = new StringTable({ indexed: true });
  for (let i = 0; i < 20_000; i++)
    assert.equal(table.addUnique(`subnet-${i.toString(16).padStart(17, '0')}`), i);
  for (let i = 0; i < 20_000; i += 7)
    assert.equal(table.find(`subnet-${i.toString(16).padStart(17, '0')}`), i);
  assert.equal(table.find('subnet-'), -1);
  table.finish();
  // 20,000 x (24 bytes + terminator), 20,001 offsets, 65,536 two-Int32 slots (the power of two at least twice 20,000).
  assert.equal(table.byteSize(), 20_000 * 25 + 20_001 * 4 + 65_536 * 8);
  assert.equal(table.find(`subnet-${(19_999).toString(16).padStart(17, '0')}`), 19_999);
});

test('a table without an index keeps every string, equal or not', () => {
  const names = new StringTable({ indexed: false });
  assert.equal(names.addUnique('x'), 0);
  assert.equal(names.addUnique('x'), 1);
  assert.equal(names.find('x'), -1);
  assert.equal(names.get(1), 'x');
});
