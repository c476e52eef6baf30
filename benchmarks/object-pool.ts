/**
 * ObjectPool against plain allocation: 10 million small records ({ id, name, tags }) made, worked
 * on and dropped. A ring keeps the last 64 alive, as requests in flight would, which also stops V8
 * from optimising the plain allocations away. 'pooled' acquires and releases through an ObjectPool;
 * 'plain' writes an object literal each time. The pooled reset overwrites the tags in place: emptying
 * the array with `tags.length = 0` makes V8 drop its backing store, and the next push allocates a
 * bigger one than the plain literal, so that pool allocates more than no pool at all.
 * Usage: node --import tsx benchmarks/object-pool.ts pooled|plain
 */
import { pathToFileURL } from 'node:url';
import { ObjectPool } from '../src/memory/pools.js';
import { measure } from './lib/measure.js';

export type Variant = 'pooled' | 'plain';

interface Item {
  id: number;
  name: string;
  tags: string[];
}

const COUNT = 10_000_000;
const IN_FLIGHT = 64;
const NAMES = Array.from({ length: 1024 }, (_, i) => `item-${i}`);
const TAGS = ['red', 'green', 'blue', 'alpha', 'beta', 'gamma', 'delta'];

function work(item: Item): number {
  let sum = item.id & 0xff;
  sum += item.name.charCodeAt(item.name.length - 1);
  for (const tag of item.tags) sum += tag.length;
  return sum;
}

function plain(): number {
  const ring: (Item | undefined)[] = new Array(IN_FLIGHT);
  let checksum = 0;
  for (let i = 0; i < COUNT; i++) {
    const item: Item = {
      id: i,
      name: NAMES[i & 1023] as string,
      tags: [TAGS[i % 7] as string, TAGS[(i + 3) % 7] as string],
    };
    checksum += work(item);
    ring[i % IN_FLIGHT] = item;
  }
  return checksum;
}

function pooled(pool: ObjectPool<Item>): number {
  const ring: (Item | undefined)[] = new Array(IN_FLIGHT);
  let checksum = 0;
  for (let i = 0; i < COUNT; i++) {
    const item = pool.acquire();
    item.id = i;
    item.name = NAMES[i & 1023] as string;
    item.tags[0] = TAGS[i % 7] as string;
    item.tags[1] = TAGS[(i + 3) % 7] as string;
    checksum += work(item);
    const slot = i % IN_FLIGHT;
    const done = ring[slot];
    if (done) pool.release(done);
    ring[slot] = item;
  }
  for (const item of ring) if (item) pool.release(item);
  return checksum;
}

export async function run(variant: Variant): Promise<Record<string, number>> {
  if (variant !== 'pooled' && variant !== 'plain')
    throw new Error(`object-pool.ts: unknown variant ${variant}`);
  const pool = new ObjectPool<Item>({
    create: () => ({ id: 0, name: '', tags: ['', ''] }),
    reset: (item) => {
      item.id = 0;
      item.name = '';
      item.tags[0] = '';
      item.tags[1] = '';
    },
    maxSize: 1000,
  });
  let checksum = 0;
  const measured = await measure(() => {
    checksum = variant === 'pooled' ? pooled(pool) : plain();
  });
  // Both variants do the same work, so the checksums agree; a mismatch means a variant skipped some.
  if (checksum <= 0) throw new Error('object-pool.ts: no work was done');
  return {
    ...measured,
    nsPerObject: (measured.ms * 1e6) / COUNT,
    objectsCreated: variant === 'pooled' ? pool.stats().created : COUNT,
    checksum,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await run(process.argv[2] as Variant))}\n`);
}
