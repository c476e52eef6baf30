/**
 * Streaming a large JSON array: Headroom's StreamingJsonProcessor (batches and item by item)
 * against JSON.parse of the whole file and against @streamparser/json, the pure-JS streaming
 * parser. Each variant counts the items it produced, so a variant that skips work shows.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { JSONParser } from '@streamparser/json';
import { StreamingJsonProcessor } from '../src/memory/json-stream.js';
import { jsonArrayFile } from './lib/data.js';
import { measure } from './lib/measure.js';

export type Variant = 'headroom-batches' | 'headroom-items' | 'json-parse' | 'streamparser';

const CHUNK = 64 * 1024;

export async function run(variant: Variant, mbArg = '200'): Promise<Record<string, number>> {
  const file = await jsonArrayFile(Number(mbArg));
  const mb = statSync(file).size / (1024 * 1024);
  let items = 0;
  const measured = await measure(async () => {
    if (variant === 'json-parse') {
      items = (JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length;
    } else if (variant === 'streamparser') {
      const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
      parser.onValue = () => {
        items++;
      };
      for await (const chunk of createReadStream(file, { highWaterMark: CHUNK }))
        parser.write(chunk as Buffer);
    } else if (variant === 'headroom-batches') {
      const stream = createReadStream(file, { highWaterMark: CHUNK });
      for await (const batch of new StreamingJsonProcessor().batches(stream)) items += batch.length;
    } else {
      const stream = createReadStream(file, { highWaterMark: CHUNK });
      for await (const _item of new StreamingJsonProcessor().items(stream)) items++;
    }
  });
  return { ...measured, items, mbPerS: mb / (measured.ms / 1000) };
}
