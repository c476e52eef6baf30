import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrayPieces, inPieces, rawResultParts, textOnly } from '../../src/mcp/raw-json.js';

const items = [
  { name: 'a', inputSchema: { type: 'object' } },
  { name: 'bü…', description: '"x"\n' },
];
const text = Buffer.from(JSON.stringify(items));
const tools = textOnly(() => [text]);

function line(message: Parameters<typeof rawResultParts>[0]): Buffer | undefined {
  const parts = rawResultParts(message);
  return (
    parts && Buffer.concat([...parts].map((part) => (typeof part === 'string' ? Buffer.from(part) : part)))
  );
}

describe('arrays written as text or in pieces', () => {
  it('write the answer line as JSON.stringify would, for either stand-in', () => {
    for (const stand of [tools, inPieces([...items])])
      for (const result of [
        { tools: stand },
        { nextCursor: 'n', tools: stand },
        { tools: stand, _meta: { x: 1 } },
      ]) {
        const message = { jsonrpc: '2.0' as const, id: 7, result };
        const text = line(message);
        assert.ok(text);
        assert.equal(text.at(-1), 10, 'one line');
        assert.equal(text.indexOf(10), text.length - 1, 'no newline inside');
        const expected = { ...message, result: { ...result, tools: items } };
        assert.deepEqual(JSON.parse(text.toString('utf8')), JSON.parse(JSON.stringify(expected)));
      }
  });

  it('cut a long array into pieces, in order, with nothing lost', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({
      name: `tool_${i}`,
      description: 'd'.repeat(i % 50),
    }));
    const pieces = [...arrayPieces(many)];
    assert.ok(pieces.length > 2, `${pieces.length} pieces`);
    assert.deepEqual(JSON.parse(pieces.join('')), many);
    assert.deepEqual(JSON.parse([...arrayPieces([])].join('')), []);
    // The mark is invisible to everything but the stdio writer.
    const marked = inPieces([...many]);
    assert.ok(Array.isArray(marked));
    assert.deepEqual(Object.keys(marked).length, many.length);
    assert.equal(JSON.stringify(marked), JSON.stringify(many));
    assert.equal(rawResultParts({ jsonrpc: '2.0', id: 1, result: { tools: [...many] } }), undefined);
  });

  it('write a text-only list as its text, a piece at a time, and refuse to serialize it otherwise', () => {
    let made = 0;
    const list = textOnly(function* () {
      made++;
      yield '[1,';
      yield Buffer.from('2]');
    });
    assert.equal(made, 0, 'nothing made before it is written');
    assert.equal(
      line({ jsonrpc: '2.0', id: 1, result: { tools: list } })?.toString(),
      '{"jsonrpc":"2.0","id":1,"result":{"tools":[1,2]}}\n',
    );
    assert.equal(made, 1);
    // Anyone but the stdio writer sees an empty array, and a transport that serializes fails loudly.
    assert.equal(list.length, 0);
    assert.throws(() => JSON.stringify({ tools: list }), /reached another transport/);
  });

  it('keep a string id and leave other messages to the transport', () => {
    assert.equal(JSON.parse(String(line({ jsonrpc: '2.0', id: 'x"y', result: { tools } }))).id, 'x"y');
    assert.equal(rawResultParts({ jsonrpc: '2.0', id: 1, result: { tools: [] } }), undefined);
    assert.equal(rawResultParts({ jsonrpc: '2.0', method: 'notifications/initialized' }), undefined);
  });
});
