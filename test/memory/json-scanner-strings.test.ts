/**
 * The scanner finds string ends with indexOf and counts the backslashes before each quote; this
 * checks it against JSON.parse on strings dense with quotes and backslash runs, cut into chunks of
 * every small size, so that escapes and quotes fall on every chunk boundary.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
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
