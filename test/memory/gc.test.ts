import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ScavengePacer } from '../../src/memory/gc.js';
import { BodyReader } from '../../src/openapi/shape-body.js';

const MiB = 1024 * 1024;

async function* chunks(count: number, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size);
}

it('scavenges once per so many bytes read, counted over every reader that shares the pacer', async () => {
  let scavenges = 0;
  const pacer = new ScavengePacer(8 * MiB, () => scavenges++);
  // Three answers read at once, 6 MiB each: 18 MiB in all, so two scavenges, where a pace of
  // each reader's own bytes would have run none and let all 18 MiB wait.
  const readers = [0, 1, 2].map(
    (i) => new BodyReader(chunks(6, MiB), `GET /${i}`, undefined, undefined, pacer),
  );
  for (let round = 0; round < 6; round++) for (const reader of readers) await reader.next();
  assert.equal(scavenges, 2);
  for (const reader of readers) assert.equal(await reader.next(), undefined);
  assert.equal(scavenges, 2);
});

it('scavenges exactly when the pace is reached, then counts again from nothing', () => {
  let scavenges = 0;
  const pacer = new ScavengePacer(4 * MiB, () => scavenges++);
  pacer.read(4 * MiB - 1);
  assert.equal(scavenges, 0);
  pacer.read(1);
  assert.equal(scavenges, 1);
  pacer.read(4 * MiB - 1);
  assert.equal(scavenges, 1);
});
