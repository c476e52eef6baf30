import assert from 'node:assert/strict';
import { it } from 'node:test';
import { locateJsonError } from '../../src/memory/json-locate.js';
import { formatJsonPath, parseJsonPath } from '../../src/memory/json-path.js';

it('accepts exactly what JSON.parse accepts, on a corpus of near-misses', () => {
  const texts = [
    '1',
    '-0.5e+3',
    '"a\\u00e9"',
    'true',
    'null',
    '[]',
    '{}',
    '[1,[2,{"a":[]}]]',
    ' {"a" : 1 , "b":[ ]} ',
    '01',
    '1.',
    '.5',
    '+1',
    '"\\x"',
    '"a',
    "'a'",
    '[1,]',
    '{"a":1,}',
    '{a:1}',
    '[1 2]',
    '{"a" 1}',
    'tru',
    'nul',
    '[',
    ']',
    '{"a":[}',
    '[1]]',
    '"\u0001"',
    '1 2',
    '',
    '   ',
    '{"a":1}x',
    '[-]',
    '-',
    '1e',
    '[{]}',
  ];
  for (const text of texts) {
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      valid = false;
    }
    assert.equal(locateJsonError(text) === undefined, valid, JSON.stringify(text));
  }
});

it('points at the first bad character', () => {
  assert.deepEqual(locateJsonError('{"a":}'), {
    index: 5,
    reason: "unexpected '}' where a value should start",
  });
  assert.equal(locateJsonError('[1,2,]')?.index, 5);
  assert.equal(locateJsonError('{"a":1 "b":2}')?.index, 7);
  assert.equal(locateJsonError('[1')?.index, 2);
});

it('parses and formats JSON paths', () => {
  assert.deepEqual(parseJsonPath('$'), []);
  assert.deepEqual(parseJsonPath('$.data.results'), ['data', 'results']);
  assert.deepEqual(parseJsonPath(`$["odd key"]['it\\'s'].x`), ['odd key', "it's", 'x']);
  assert.equal(formatJsonPath(['data', 'odd key']), '$.data["odd key"]');
  assert.throws(() => parseJsonPath('data'), /must start with '\$'/);
  assert.throws(() => parseJsonPath('$.'), /expected a key after '\.'/);
  assert.throws(() => parseJsonPath('$[0]'), /expected \["key"\]/);
  assert.throws(() => parseJsonPath('$x'), /unexpected 'x'/);
});
