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
  // 20,000 x (24 bytes + terminator), 20,001 offsets, 65,536 slots of three Int32s (code, offset, hash) (the power of two at least twice 20,000).
  assert.equal(table.byteSize(), 20_000 * 25 + 20_001 * 4 + 65_536 * 12);
  assert.equal(table.find(`subnet-${(19_999).toString(16).padStart(17, '0')}`), 19_999);
});

test('a table without an index keeps every string, equal or not', () => {
  const names = new StringTable({ indexed: false });
  assert.equal(names.addUnique('x'), 0);
  assert.equal(names.addUnique('x'), 1);
  assert.equal(names.find('x'), -1);
  assert.equal(names.get(1), 'x');
});

test('strings added as new are found, counted and stored exactly like ones added with a check', () => {
  const id = (i: number) => `vpc-0${(i * 2654435761).toString(16).padStart(16, '0')}`;
  const checked = new StringTable({ indexed: true });
  const fresh = new StringTable({ indexed: true });
  for (let i = 0; i < 5000; i++) {
    assert.equal(checked.addUnique(id(i)), i);
    assert.equal(fresh.addNew(id(i)), i);
    // Lookups in between place the strings that wait, including the one just added.
    if (i % 999 === 0) assert.equal(fresh.find(id(i)), i);
  }
  assert.equal(fresh.addNew('é-ü'), 5000); // not ASCII
  checked.addUnique('é-ü');
  // addUnique sees strings that still wait.
  assert.equal(fresh.addUnique(id(4999)), -5000);
  for (let i = 0; i < 5000; i += 13) assert.equal(fresh.find(id(i)), i);
  for (const table of [fresh, checked]) assert.equal(table.find('é-ü'), 5000);
  assert.equal(fresh.find(id(5000)), -1);
  fresh.finish();
  checked.finish();
  assert.equal(fresh.byteSize(), checked.byteSize());
  assert.equal(fresh.get(4321), id(4321));
  assert.deepEqual(fresh.repeats, []);
});

test('a string added as new that is there already is reported, and the first one stays indexed', () => {
  const table = new StringTable({ indexed: true });
  table.addNew('a');
  table.addNew('b');
  table.addNew('a');
  assert.deepEqual(table.repeats, []); // still waiting
  assert.equal(table.find('a'), 0);
  assert.deepEqual(table.repeats, [2, 0]);
  assert.equal(table.count, 3);
  assert.equal(table.get(2), 'a');
});

test('many strings added as new are indexed in one sweep, repeats among them caught', () => {
  const table = new StringTable({ indexed: true, expectedCount: 20_000 });
  const id = (i: number) => `subnet-0${i.toString(16).padStart(16, '0')}`;
  for (let i = 0; i < 20_000; i++) assert.equal(table.addNew(id(i)), i);
  table.addNew(id(1234)); // code 20,000 repeats code 1,234
  table.finish(); // places all 20,001 at once
  assert.deepEqual(table.repeats, [20_000, 1234]);
  for (let i = 0; i < 20_000; i += 7) assert.equal(table.find(id(i)), i);
  assert.equal(table.find(id(1234)), 1234);
  assert.equal(table.find(id(20_000)), -1);
});

test('an empty string added as new twice is caught too', () => {
  const table = new StringTable({ indexed: true });
  table.addNew('');
  table.addNew('x');
  table.addNew('');
  assert.equal(table.find(''), 0);
  assert.deepEqual(table.repeats, [2, 0]);
});

test('a table without an index takes latin1 bytes as their UTF-8, ASCII or not, and holds exactly those bytes', () => {
  const names = new StringTable({ indexed: false });
  const texts = ['vpc-prod-1', 'caf\u00e9-\u00fc', '', 'x'];
  for (const [i, text] of texts.entries()) {
    const src = Uint8Array.from(text, (c) => c.charCodeAt(0));
    assert.equal(names.addNewLatin1(src, src.length), i);
  }
  names.finish();
  assert.deepEqual(
    texts.map((_, i) => names.get(i)),
    texts,
  );
  // No terminators in a table without an index: 'é' and 'ü' take two UTF-8 bytes each.
  assert.deepEqual(
    texts.map((_, i) => names.byteLengthOf(i)),
    [10, 8, 0, 1],
  );
  assert.equal(names.byteSize(), 19 + 5 * 4);
});

test('a table knows whether every string in it is ASCII, whichever way the strings came in', () => {
  const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
  const adds: Array<[string, (t: StringTable, text: string) => unknown]> = [
    ['addUnique', (t, text) => t.addUnique(text)],
    ['addNew', (t, text) => t.addNew(text)],
    ['addNewLatin1', (t, text) => t.addNewLatin1(latin1(text), text.length)],
  ];
  for (const indexed of [true, false]) {
    for (const [name, add] of adds) {
      const t = new StringTable({ indexed });
      assert.equal(t.ascii, true, `${name}: an empty table`);
      add(t, 'vpc-0a1b2c');
      add(t, '');
      assert.equal(t.ascii, true, `${name}, indexed ${indexed}: ASCII only`);
      add(t, 'caf\u00e9');
      add(t, 'plain');
      assert.equal(t.ascii, false, `${name}, indexed ${indexed}: after one that is not`);
      t.finish();
      assert.equal(t.get(2), 'caf\u00e9');
    }
  }
});
