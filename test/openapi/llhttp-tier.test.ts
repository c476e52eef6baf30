/**
 * src/openapi/llhttp-tier.ts: the process's first HTTP request runs with V8's baseline WebAssembly
 * compiler only, and V8's flags are as before once it has its answer. A V8 code cache is stamped
 * with the flags it was made under, so the cache of a tiny script tells which flags are in force.
 * This file runs in its own process (node --test), so its first request is the process's first.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';
import { HttpClient } from '../../src/openapi/http-client.js';

const flagsStamp = () => new Script('0', { filename: 'flags-probe' }).createCachedData().toString('hex');

const seen: string[] = [];
const server = createServer((_request, response) => {
  seen.push(flagsStamp());
  response.end('{}');
});
let origin = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

describe('the first HTTP request of the process', () => {
  it('runs on the baseline WebAssembly tier, and leaves V8 flags as they were', async () => {
    const client = new HttpClient();
    const send = async () => {
      const response = await client.send({ method: 'GET', url: new URL(`${origin}/a`), headers: {} });
      for await (const _chunk of response.body);
    };
    const before = flagsStamp();
    await send();
    assert.equal(flagsStamp(), before, 'flags back to what they were after the first request');
    assert.notEqual(seen[0], before, 'other flags in force while the first request was served');
    await send();
    assert.equal(seen[1], before, 'the second request runs with the flags as they are');
    await client.close();
  });
});
