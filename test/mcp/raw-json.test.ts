import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawJson, rawResultLine } from '../../src/mcp/raw-json.js';

const tools = new RawJson(Buffer.from('[{"name":"a","inputSchema":{"type":"object"}},{"name":"b\\u00fc"}]'));

describe('RawJson', () => {
  it('splices the bytes into the answer line, equal to what JSON.stringify gives', () => {
    for (const result of [{ tools }, { nextCursor: 'n', tools }, { tools, _meta: { x: 1 } }]) {
      const message = { jsonrpc: '2.0' as const, id: 7, result };
      const line = rawResultLine(message);
      assert.ok(line);
      assert.equal(line.at(-1), 10, 'one line');
      assert.deepEqual(JSON.parse(line.toString('utf8')), JSON.parse(JSON.stringify(message)));
    }
  });

  it('keeps a string id and leaves other messages to the transport', () => {
    const line = rawResultLine({ jsonrpc: '2.0', id: 'x"y', result: { tools } });
    assert.equal(JSON.parse(String(line)).id, 'x"y');
    assert.equal(rawResultLine({ jsonrpc: '2.0', id: 1, result: { tools: [] } }), undefined);
    assert.equal(rawResultLine({ jsonrpc: '2.0', method: 'notifications/initialized' }), undefined);
  });
});
