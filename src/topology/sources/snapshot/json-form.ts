/**
 * The JSON form of a snapshot: one document, read whole (up to a cap, as a whole document cannot be
 * streamed record by record without a streaming parser), then fed record by record with a JSON
 * pointer for each, so a bad record is named like `/elements/12`.
 */

import { readFile } from 'node:fs/promises';
import { TopologyError, throwIfAborted } from '../../../errors.js';
import { locateJsonError } from '../../../memory/json-locate.js';
import { formatBytes } from '../../../util/bytes.js';
import type { RecordFeeder, RecordKind } from './feed.js';
import { describe, isObject, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './records.js';

const SECTIONS: ReadonlyArray<[string, RecordKind]> = [
  ['elements', 'element'],
  ['connections', 'connection'],
  ['routes', 'route'],
];

export async function readJsonForm(
  path: string,
  size: number,
  feeder: RecordFeeder,
  maxJsonBytes: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (size > maxJsonBytes) {
    throw new TopologyError(
      path,
      `${path}: this JSON snapshot is ${formatBytes(size)}, over the ${formatBytes(maxJsonBytes)} cap for the JSON ` +
        'form, which is read whole; write it as NDJSON (streamed, no cap), or raise maxJsonBytes',
    );
  }
  let text = await readFile(path, { encoding: 'utf8', signal });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    // JSON.parse often does not say where; the locator does, and runs only on this failure.
    const found = locateJsonError(text);
    const line = found ? lineAt(text, found.index) : undefined;
    const why = found?.reason ?? (error as Error).message;
    throw new TopologyError(
      path,
      `${path}${line ? `:${line}` : ''}: not valid JSON (${why}); a snapshot is NDJSON with a header line, or one JSON document`,
      line ? { line } : {},
    );
  }
  text = ''; // let the text go before the records are built
  checkTop(path, doc);
  const top = doc as Record<string, unknown>;
  for (const [index, [key, kind]] of SECTIONS.entries()) {
    const list = top[key];
    if (list === undefined && index > 0) continue;
    if (!Array.isArray(list)) {
      feeder.problem(
        `${key} must be an array of ${kind} records, got ${describe(list)}`,
        { pointer: `/${key}` },
        true,
      );
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      if ((i & 0xffff) === 0) throwIfAborted(signal, `reading ${path}`);
      feeder.feed(kind, list[i], { pointer: `/${key}/${i}` });
    }
    if (key === 'elements') feedPolicies(top.policies, feeder);
  }
}

function feedPolicies(policies: unknown, feeder: RecordFeeder): void {
  if (policies === undefined) return;
  if (!isObject(policies)) {
    feeder.problem(
      `policies must be an object of core network id to policy document, got ${describe(policies)}`,
      {
        pointer: '/policies',
      },
    );
    return;
  }
  for (const id of Object.keys(policies)) {
    feeder.feed(
      'policy',
      id,
      { pointer: `/policies/${id.replaceAll('~', '~0').replaceAll('/', '~1')}` },
      policies[id],
    );
  }
}

function checkTop(path: string, doc: unknown): void {
  const fail = (problem: string): never => {
    throw new TopologyError(path, `${path}: ${problem}`, { pointer: '' });
  };
  if (!isObject(doc)) fail(`a JSON snapshot is an object, got ${describe(doc)}`);
  const { format, version } = doc as Record<string, unknown>;
  if (format !== SNAPSHOT_FORMAT) {
    fail(
      `not a topology snapshot: format is ${describe(format)}, expected "${SNAPSHOT_FORMAT}" (see docs/topology-snapshot.md)`,
    );
  }
  if (version !== SNAPSHOT_VERSION) {
    fail(
      `snapshot version ${describe(version)} is not supported; this Headroom reads version ${SNAPSHOT_VERSION}`,
    );
  }
}

/** The 1-based line of character `position`. */
function lineAt(text: string, position: number): number {
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
