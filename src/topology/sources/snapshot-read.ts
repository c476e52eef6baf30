/**
 * Reading snapshot files (format: docs/topology-snapshot.md) into a TopologySink. NDJSON or JSON is
 * told from the content: a snapshot whose first line is a JSON object with a `kind` is NDJSON and
 * is streamed line by line (one line in memory at a time); anything else starting with `{` is the
 * JSON form, read whole up to a cap. Bad records stop the read with the line (or JSON pointer), or
 * with `lenient` become warnings and are skipped. Each record reaches the sink with its location,
 * so a builder can name the line of a dangling connection end.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TopologyError, throwIfAborted } from '../../errors.js';
import { formatBytes } from '../../util/bytes.js';
import type { TopologySink } from '../model.js';
import { RecordFeeder } from './snapshot/feed.js';
import { readJsonForm } from './snapshot/json-form.js';
import { LineSplitter } from './snapshot/lines.js';
import { NdjsonLines } from './snapshot/ndjson.js';

export interface ReadSnapshotOptions {
  /** Skip bad records with a warning instead of stopping at the first. */
  lenient?: boolean;
  signal?: AbortSignal;
  /** Each skipped record or other warning, with its line or pointer. */
  onWarning?: (warning: TopologyError) => void;
  /** The longest NDJSON line accepted; 16 MiB by default. */
  maxLineBytes?: number;
  /** The largest JSON-form file accepted (it is read whole); 256 MiB by default. */
  maxJsonBytes?: number;
}

export interface SnapshotSummary {
  format: 'ndjson' | 'json';
  elements: number;
  connections: number;
  routes: number;
  policies: number;
  /** Records skipped in lenient mode. */
  skipped: number;
  warnings: number;
  bytes: number;
  /** Lines read (NDJSON only). */
  lines?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_JSON_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export async function readSnapshot(
  path: string,
  sink: TopologySink,
  options: ReadSnapshotOptions = {},
): Promise<SnapshotSummary> {
  const maxLineBytes = limit('maxLineBytes', options.maxLineBytes, DEFAULT_MAX_LINE_BYTES);
  const maxJsonBytes = limit('maxJsonBytes', options.maxJsonBytes, DEFAULT_MAX_JSON_BYTES);
  const { signal } = options;
  const size = await fileSize(path);
  const feeder = new RecordFeeder(path, sink, {
    lenient: options.lenient ?? false,
    onWarning: options.onWarning,
  });
  const ndjson = new NdjsonLines(path, feeder, maxLineBytes);
  const splitter = new LineSplitter(maxLineBytes, ndjson);
  ndjson.onJsonForm = () => splitter.stop();
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      throwIfAborted(signal, `reading ${path}`);
      splitter.push(chunk as Buffer);
      if (ndjson.isJsonForm) break;
    }
  } finally {
    stream.destroy();
  }
  const counts = () => ({
    elements: feeder.elements,
    connections: feeder.connections,
    routes: feeder.routes,
    policies: feeder.policies,
    skipped: feeder.skipped,
    warnings: feeder.warnings,
  });
  if (!ndjson.isJsonForm) splitter.end(); // the last line may be the first, too: a one-line JSON document
  if (ndjson.isJsonForm) {
    await readJsonForm(path, size, feeder, maxJsonBytes, signal);
    return { format: 'json', ...counts(), bytes: size };
  }
  ndjson.finish();
  return { format: 'ndjson', ...counts(), bytes: splitter.bytes, lines: splitter.lines };
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new TopologyError(path, `${path} is not a file; give the path of a snapshot file`);
    return info.size;
  } catch (error) {
    if (error instanceof TopologyError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TopologyError(path, `${path}: cannot read the snapshot (${why}); check the path`);
  }
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Number.isInteger(value) && value > 0) return value;
  throw new TopologyError(
    'options',
    `readSnapshot option ${name} must be a positive whole number of bytes, got ${value} (default ${formatBytes(fallback)})`,
  );
}
