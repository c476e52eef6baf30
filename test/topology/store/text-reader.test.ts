/** The direct reader of packed strings: the same strings as `StringTable.get`, UTF-8 included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringTable } from '../../../src/topology/store/string-table.js';
import { TextReader } from '../../../src/topology/store/text-reader.js';

const STRINGS = ['vpc-0a1b2c3d4e5f60718', '', 'é', 'ségment-ü', '☃-vpc', '𝄞 clef', 'plain', 'x'];

function table(indexed: boolean, strings: readonly string[]): StringTable {
  const t = new StringTable({ indexed });
  for (const s of strings) t.addUnique(s);
  t.finish();
  return t;
}

for (const indexed of [true, false]) {
  test(`reads every string of an ${indexed ? 'indexed' : 'unindexed'} table, ASCII or not`, () => {
    const reader = new TextReader(table(indexed, STRINGS));
    for (const [code, s] of STRINGS.entries()) assert.equal(reader.get(code), s, `code ${code}`);
    // Out of order, and the same code twice: nothing depends on the previous read.
    assert.equal(reader.get(5), '𝄞 clef');
    assert.equal(reader.get(0), 'vpc-0a1b2c3d4e5f60718');
    assert.equal(reader.get(5), '𝄞 clef');
  });
}

test('an empty table and a table of one empty string', () => {
  assert.doesNotThrow(() => new TextReader(table(true, [])));
  assert.equal(new TextReader(table(false, [''])).get(0), '');
});

test('a table whose bytes it cannot see is read through get(), still right', () => {
  const calls: number[] = [];
  const opaque = {
    count: 2,
    get(code: number) {
      calls.push(code);
      return ['a', 'b'][code] as string;
    },
  } as unknown as StringTable;
  const reader = new TextReader(opaque);
  assert.equal(reader.get(1), 'b');
  assert.equal(reader.get(0), 'a');
  assert.deepEqual(calls, [1, 0]);
});

test('a table whose fields do not mean what the reader assumes is read through get()', () => {
  const real = table(true, ['first', 'last']);
  const fields = real as unknown as { bytes: Uint8Array; offsets: Uint32Array };
  // The same names, but `gap` 0 where the strings end in a terminator byte: read directly, every
  // string would carry a replacement character; the check against get() catches it.
  const skewed = {
    count: real.count,
    get: (code: number) => real.get(code),
    bytes: fields.bytes,
    offsets: fields.offsets,
    gap: 0,
  } as unknown as StringTable;
  const reader = new TextReader(skewed);
  assert.equal(reader.get(0), 'first');
  assert.equal(reader.get(1), 'last');
});

test('getInOrder gives what get gives, read in order, out of order, ASCII or not, to the last string', () => {
  const ascii = Array.from({ length: 300 }, (_, n) => `vpc-${n.toString(16).padStart(17, '0')}`);
  // One string past ASCII in the middle: the blocks around it are read one string at a time.
  const mixed = ascii.map((s, n) => (n === 150 ? `ségment-${n}` : s));
  for (const indexed of [true, false]) {
    for (const strings of [ascii, mixed, [...ascii.slice(0, 40), '', 'x']]) {
      const t = table(indexed, strings);
      const inOrder = new TextReader(t);
      for (let code = 0; code < strings.length; code++) assert.equal(inOrder.getInOrder(code), strings[code]);
      // An all-ASCII table is decoded as latin1, a mixed one as UTF-8: get() agrees either way.
      const single = new TextReader(t);
      for (let code = strings.length - 1; code >= 0; code--) assert.equal(single.get(code), strings[code]);
      // Jumps back and forth, into and out of the block last decoded.
      const jumps = new TextReader(t);
      for (const code of [0, 1, 2, 40, 3, 4, 5, 41, 42, 43, strings.length - 1, 10, 11, 12]) {
        if (code < strings.length) assert.equal(jumps.getInOrder(code), strings[code], `code ${code}`);
      }
    }
  }
});
