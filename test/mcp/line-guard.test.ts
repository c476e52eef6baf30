import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { LineGuard, type MessageId } from '../../src/mcp/line-guard.js';

/** Feeds `input` through a guard in chunks of `size`; returns what passed and what was dropped. */
async function guard(input: string, limit: number, size: number) {
  const drops: Array<{ bytes: number; id: MessageId | undefined }> = [];
  const g = new LineGuard(limit, (bytes, id) => drops.push({ bytes, id }));
  const bytes = Buffer.from(input);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(g)) out.push(chunk as Buffer);
  return { passed: Buffer.concat(out).toString(), drops };
}

/** The lines the SDK transport would parse: unparsable ones are skipped, as it does. */
function messages(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

describe('LineGuard', () => {
  const small = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
  const big = (id: number, first: boolean) =>
    first
      ? JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { data: 'x'.repeat(500) } })
      : JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: { data: 'x'.repeat(500) }, id });

  for (const size of [1, 7, 64, 100_000])
    it(`passes lines under the limit whole and drops the ones over it, in chunks of ${size}`, async () => {
      const input = `${small(1)}\n${big(2, true)}\n${small(3)}\n${big(4, false)}\n${small(5)}\n`;
      const { passed, drops } = await guard(input, 200, size);
      assert.deepEqual(
        messages(passed).map((m) => (m as { id: number }).id),
        [1, 3, 5],
      );
      // Whatever of a dropped line was passed on can never parse.
      for (const line of passed.split('\n')) if (line.includes('xxx')) assert.throws(() => JSON.parse(line));
      assert.deepEqual(
        drops.map((d) => d.id),
        [2, 4],
        'the id is read where a JSON-RPC message puts it first or last',
      );
      assert.ok(drops.every((d) => d.bytes > 200));
    });

  it('gives no id when it is not at the edges of the line, rather than guess', async () => {
    const nested = `${JSON.stringify({ jsonrpc: '2.0', method: 'm', params: { id: 9, data: 'x'.repeat(500) }, id: 'a' })}\n`;
    const inside = `${JSON.stringify({ method: 'm', params: { data: 'x'.repeat(500), id: 9 } })}\n`;
    const { drops } = await guard(nested + inside, 200, 64);
    assert.deepEqual(
      drops.map((d) => d.id),
      ['a', undefined],
    );
  });

  it('counts a line of exactly the limit as under it', async () => {
    const line = JSON.stringify({ id: 1, d: 'y'.repeat(100) });
    const { passed, drops } = await guard(`${line}\n`, line.length, 5);
    assert.equal(passed, `${line}\n`);
    assert.equal(drops.length, 0);
  });
});
