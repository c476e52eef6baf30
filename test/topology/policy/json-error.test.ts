/**
 * The JSON error locator: for each broken text, the offset of the first character that breaks the
 * grammar (counted by hand), and undefined for valid JSON, whatever JSON.parse says about it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonErrorOffset, lineAndColumn } from '../../../src/topology/policy/json-error.js';

describe('jsonErrorOffset', () => {
  const broken: [string, number][] = [
    ['{"a": 1,}', 8], // the } after a trailing comma
    ['{"a" 1}', 5], // no colon
    ['{"a":', 5], // ends where a value belongs
    ['', 0],
    ['[1,\n2,\n}', 7], // } closing a [
    ['{"a": tru}', 9], // the } where the e belongs
    ['{"a": "x\\q"}', 9], // bad escape letter
    ['{"a": "\\u12G4"}', 8], // bad \u escape (offset of the u)
    ['{"a": -01}', 8], // leading zero: 0 ends the number, 1 is unexpected
    ['{"a": 1.}', 8],
    ['{"a": 1e}', 8],
    ['{} x', 3],
    ['{"a": "line\nbreak"}', 11], // raw control character in a string
    [`${'['.repeat(100_000)}`, 100_000], // deep nesting does not touch the call stack
  ];
  for (const [text, offset] of broken) {
    it(`finds offset ${offset} in ${JSON.stringify(text.slice(0, 24))}`, () => {
      assert.throws(() => JSON.parse(text));
      assert.equal(jsonErrorOffset(text), offset);
    });
  }

  it('accepts valid JSON of every kind', () => {
    for (const text of [
      '{"a": {"b": [true, false, null, "\\u00e9\\n", -1.5e+3, 0, 10]}}',
      ' [ ] ',
      '{}',
      '"text"',
      `${'['.repeat(1000)}${']'.repeat(1000)}`,
    ]) {
      assert.doesNotThrow(() => JSON.parse(text));
      assert.equal(jsonErrorOffset(text), undefined, text.slice(0, 20));
    }
  });

  it('turns an offset into a 1-based line and column', () => {
    assert.deepEqual(lineAndColumn('ab\ncd\nef', 0), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
    assert.deepEqual(lineAndColumn('ab\ncd\nef', 8), { line: 3, column: 3 });
  });
});
