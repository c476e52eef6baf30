/**
 * Scanning a large JSON response with `_query`: Headroom's response shaper (boundary scanner,
 * batched JSON.parse, the query per batch, the matches spilled to disk for read_result) against
 * @streamparser/json feeding the same JMESPath query in batches of the same size. Both read the
 * same file in 64 KiB chunks and count the matches, so a variant that skips work shows.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type JSONValue, TreeInterpreter } from '@jmespath-community/jmespath';
import { JSONParser } from '@streamparser/json';
import type { UpstreamResponse } from '../src/openapi/call-types.js';
import { compileQuery } from '../src/openapi/query.js';
import { shapeResponse } from '../src/openapi/shape.js';
import { SpillStore } from '../src/openapi/spill.js';
import { jsonArrayFile } from './lib/data.js';
import { measure } from './lib/measure.js';

export type Variant = 'streamparser' | 'headroom';

const CHUNK = 64 * 1024;
const BATCH = 1000;
export const QUERY = '[?site_admin].{id: id, login: login}';

export async function run(variant: Variant, mbArg = '200'): Promise<Record<string, number>> {
  const file = await jsonArrayFile(Number(mbArg));
  const mb = statSync(file).size / (1024 * 1024);
  let matches = 0;
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-spill-'));
  try {
    const measured = await measure(async () => {
      if (variant === 'streamparser') matches = await streamparser(file);
      else matches = await headroom(file, dir);
    });
    return { ...measured, matches, mbPerS: mb / (measured.ms / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function streamparser(file: string): Promise<number> {
  const ast = compile(QUERY);
  let matches = 0;
  let batch: unknown[] = [];
  const flush = () => {
    matches += (TreeInterpreter.search(ast, batch as JSONValue) as unknown[]).length;
    batch = [];
  };
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  parser.onValue = ({ value }) => {
    batch.push(value);
    if (batch.length === BATCH) flush();
  };
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) parser.write(chunk as Buffer);
  flush();
  return matches;
}

async function headroom(file: string, dir: string): Promise<number> {
  const stream = createReadStream(file, { highWaterMark: CHUNK });
  const response: UpstreamResponse = {
    status: 200,
    headers: { 'content-type': 'application/json' },
    mediaType: 'application/json',
    url: 'file://bench',
    body: stream as AsyncIterable<Buffer>,
    discard: async () => void stream.destroy(),
  };
  const spill = new SpillStore({ dir, maxBytes: 4 * 1024 ** 3 });
  try {
    const shaped = await shapeResponse(response, {
      budgetBytes: 100_000,
      query: compileQuery(QUERY),
      spill,
      source: 'GET /bench',
    });
    await shaped.done;
    if (!shaped.cursor) return shaped.items?.total ?? shaped.items?.shown ?? 0;
    // The total is known once the body has been read to its end.
    const page = await spill.read(shaped.cursor, shaped.items?.shown ?? 0, 100);
    return page.total ?? Number.NaN;
  } finally {
    await spill.close();
  }
}
