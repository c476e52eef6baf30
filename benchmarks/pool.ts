/**
 * Does the BufferPool pay off on the real path? ChunkedWriter writes ~256 MiB in small writes
 * (100-2000 bytes, strings and Buffers mixed) into a Writable that calls back on setImmediate, the
 * way a socket does; 'pooled' takes coalescing buffers from a BufferPool, 'unpooled' allocates one
 * per flush. The payloads are made up front so that the writer's own allocations are what differ.
 * Usage: node --import tsx benchmarks/pool.ts pooled|unpooled
 */
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ChunkedWriter } from '../src/memory/chunked-writer.js';
import { BufferPool } from '../src/memory/pools.js';
import { measure } from './lib/measure.js';

export type Variant = 'pooled' | 'unpooled';

const TOTAL_BYTES = 256 * 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;
const PAYLOADS = 512;

/** Deterministic sizes from 100 to 2000 bytes; every other payload is a string, some of it non-ASCII. */
function payloads(): (string | Buffer)[] {
  let seed = 1;
  const next = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  const out: (string | Buffer)[] = [];
  for (let i = 0; i < PAYLOADS; i++) {
    const size = 100 + next(1901);
    if (i % 2 === 0) {
      const text = `{"id":${i},"text":"caf\u00e9 ${'x'.repeat(size)}`.slice(0, size - 2);
      out.push(`${text}"}`);
    } else {
      out.push(Buffer.alloc(size, 48 + (i % 10)));
    }
  }
  return out;
}

export async function run(variant: Variant): Promise<Record<string, number>> {
  if (variant !== 'pooled' && variant !== 'unpooled') throw new Error(`pool.ts: unknown variant ${variant}`);
  const data = payloads();
  let received = 0;
  const socket = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      setImmediate(callback);
    },
  });
  const pool = variant === 'pooled' ? new BufferPool({ bufferSize: CHUNK_SIZE, maxBuffers: 8 }) : undefined;
  const writer = new ChunkedWriter(socket, { chunkSize: CHUNK_SIZE, pool: pool ?? false });
  let writes = 0;
  const measured = await measure(async () => {
    let sent = 0;
    for (let i = 0; sent < TOTAL_BYTES; i++) {
      const item = data[i % PAYLOADS] as string | Buffer;
      sent += item.length;
      writes++;
      await writer.write(item);
    }
    await writer.end();
  });
  const stats = writer.stats();
  if (received !== stats.bytesWritten)
    throw new Error(`pool.ts: sent ${stats.bytesWritten} bytes, received ${received}`);
  return {
    ...measured,
    mb: received / 1024 / 1024,
    writes,
    flushes: stats.flushes,
    drains: stats.drains,
    buffersAllocated: pool ? pool.stats().misses : stats.flushes,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(await run(process.argv[2] as Variant))}\n`);
}
