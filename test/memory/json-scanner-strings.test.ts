/**
 * The scanner walks the first bytes of a string one by one, then finds its end with indexOf and
 * counts the backslashes before each quote; this checks it against JSON.parse on strings dense with
 * quotes and backslash runs, cut into chunks of every small size, so that escapes and quotes fall on
 * every chunk boundary and on either side of where the byte walk hands over to indexOf.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JsonArrayScanner } from '../../src/memory/json-array-scanner.js';
import { StreamingJsonProcessor } from '../../src/memory/json-stream.js';
import { seededRandom } from '../util/random.js';

const PIECES = ['a', '\\', '"', '\\\\', '\\"', 'é', '\n', '{', ']', ','];

function values(next: () => number): unknown[] {
  const out: unknown[] = [];
  for (let k = 0; k < 12; k++) {
    let text = '';
    const length = Math.floor(next() * 12);
    for (let j = 0; j < length; j++) text += PIECES[Math.floor(next() * PIECES.length)];
    out.push(k % 3 === 0 ? { [text]: [text, { s: text }] } : text);
  }
  return out;
}

async function scan(bytes: Buffer, size: number): Promise<unknown[]> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  const items: unknown[] = [];
  for await (const batch of new StreamingJsonProcessor().batches(chunks)) items.push(...batch);
  return items;
}

it('agrees with JSON.parse on strings full of quotes and backslashes, at every chunk size', async () => {
  const next = seededRandom(7);
  for (let round = 0; round < 60; round++) {
    const expected = values(next);
    const bytes = Buffer.from(JSON.stringify(expected));
    for (const size of [1, 2, 3, 4, 5, 7, 11, 64]) assert.deepEqual(await scan(bytes, size), expected);
  }
});

/** The items of `bytes` cut into `size`-byte chunks, as raw texts (pushRaw). */
function rawTexts(bytes: Buffer, size: number): string[] {
  const scanner = new JsonArrayScanner([], { maxItemBytes: 1024 * 1024, maxDepth: 64 }, 'raw');
  const texts: string[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const chunk = bytes.subarray(at, at + size);
    const batch = scanner.pushRaw(chunk);
    if (batch.carried) texts.push(batch.carried.toString('utf8'));
    for (let k = 0; k < batch.count; k++)
      texts.push(chunk.toString('utf8', batch.starts[k] as number, batch.ends[k] as number));
  }
  scanner.end();
  return texts;
}

it('ends strings right whatever stands where the byte walk hands over to indexOf (bytes 10-24)', async () => {
  // Raw text: each becomes a run of backslashes (and an escaped quote) in the JSON.
  const runs = ['\\', '"', '\\"', '\\\\', '\\\\\\"', '\\\\"', '\\\\\\'];
  const expected: unknown[] = [];
  for (let at = 10; at <= 22; at++) {
    for (const run of runs) {
      const text = `${'a'.repeat(at)}${run}${'b'.repeat(at % 5)}`;
      expected.push(text, { [text]: [text, '}]', text] });
    }
  }
  const bytes = Buffer.from(JSON.stringify(expected));
  for (const size of [1, 3, 16, 17, 64, bytes.length]) {
    assert.deepEqual(await scan(bytes, size), expected, `parse, chunks of ${size}`);
    assert.deepEqual(
      rawTexts(bytes, size),
      expected.map((value) => JSON.stringify(value)),
      `raw, chunks of ${size}`,
    );
  }
});
