/**
 * The NDJSON form, line by line: the first line decides the form (a header record means NDJSON),
 * the header's format and version are checked, and every later line is one record by its `kind`.
 * At the end the header's counts, when given, are checked against what was read, which catches a
 * truncated file.
 */

import { TopologyError } from '../../../errors.js';
import { locateJsonError } from '../../../memory/json-locate.js';
import { formatBytes } from '../../../util/bytes.js';
import type { RecordFeeder } from './feed.js';
import type { LineHandler } from './lines.js';
import { describe, isObject, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './records.js';

const KINDS = 'header, element, connection, route, policy';
const COUNTED = ['elements', 'connections', 'routes', 'policies'] as const;

export class NdjsonLines implements LineHandler {
  /** Set when the first line shows the file is the JSON form; the caller switches readers. */
  isJsonForm = false;
  onJsonForm: () => void = () => {};
  private readonly path: string;
  private readonly feeder: RecordFeeder;
  private readonly maxLineBytes: number;
  private started = false;
  private header: Record<string, unknown> | undefined;

  constructor(path: string, feeder: RecordFeeder, maxLineBytes: number) {
    this.path = path;
    this.feeder = feeder;
    this.maxLineBytes = maxLineBytes;
  }

  line(text: string, line: number): void {
    if (isBlank(text)) return;
    if (!this.started) {
      this.first(text, line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // JSON.parse often does not say where; the locator does, and runs only on this line.
      const found = locateJsonError(text);
      const why = found ? `${found.reason} at column ${found.index + 1}` : (error as Error).message;
      this.feeder.problem(`not valid JSON (${why}); each line must be one JSON object`, { line });
      return;
    }
    this.record(value, line);
  }

  tooLong(line: number, bytes: number): void {
    if (!this.started) {
      this.jsonForm(); // a header line is tiny; a huge first line is a one-line JSON document
      return;
    }
    this.feeder.problem(
      `line ${line} is over the ${formatBytes(this.maxLineBytes)} line limit (at least ${formatBytes(bytes)}); ` +
        'raise maxLineBytes (--max-line-bytes) if the file is trusted',
      { line },
    );
  }

  /** Checks what only the end can tell: an empty file, counts that do not add up. */
  finish(): void {
    if (!this.started) {
      throw new TopologyError(
        this.path,
        `${this.path}: the file is empty; a snapshot has at least its header line`,
      );
    }
    const header = this.header;
    if (!header) return;
    for (const key of COUNTED) {
      const promised = header[key];
      const read = this.feeder[key];
      if (typeof promised !== 'number' || promised === read) continue;
      const message = `the header says ${promised} ${key} but ${read} were read; the file may be truncated or edited`;
      if (this.feeder.lenient) this.feeder.warn(message, { line: 1 });
      else throw new TopologyError(this.path, `${this.path}: ${message}`, { line: 1 });
    }
  }

  private first(text: string, line: number): void {
    const start = text.trimStart();
    if (!start.startsWith('{')) {
      throw new TopologyError(
        this.path,
        `${this.path}:${line}: not a topology snapshot: it starts with ${describe(start.slice(0, 20))}, expected '{' ` +
          '(an NDJSON header line or a JSON document; see docs/topology-snapshot.md)',
        { line },
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // A JSON document spread over lines does not parse line by line; an NDJSON header always does.
      if (!text.includes('"kind"')) {
        this.jsonForm();
        return;
      }
      this.started = true;
      this.line(text, line);
      return;
    }
    if (!isObject(value) || !('kind' in value)) {
      this.jsonForm();
      return;
    }
    this.started = true;
    if (value.kind !== 'header') {
      const message =
        `the first line is a ${describe(value.kind)} record, but a snapshot starts with its header line ` +
        `{"kind":"header","format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION}}`;
      if (!this.feeder.lenient) this.feeder.problem(message, { line }); // throws
      this.feeder.warn(message, { line }); // lenient: the record itself is fine, so it loads
      this.record(value, line);
      return;
    }
    this.checkHeader(value, line);
  }

  private checkHeader(header: Record<string, unknown>, line: number): void {
    if (header.format !== SNAPSHOT_FORMAT) {
      this.feeder.problem(
        `not a topology snapshot: the header's format is ${describe(header.format)}, expected "${SNAPSHOT_FORMAT}"`,
        { line },
        true,
      );
    }
    if (header.version !== SNAPSHOT_VERSION) {
      this.feeder.problem(
        `snapshot version ${describe(header.version)} is not supported; this Headroom reads version ${SNAPSHOT_VERSION}`,
        { line },
        true,
      );
    }
    this.header = header;
  }

  private record(value: unknown, line: number): void {
    if (!isObject(value)) {
      this.feeder.problem(`expected a JSON object with a kind, got ${describe(value)}`, { line });
      return;
    }
    const kind = value.kind;
    if (kind === 'element' || kind === 'connection' || kind === 'route')
      this.feeder.feed(kind, value, { line });
    else if (kind === 'policy') this.feeder.feed('policy', value.coreNetwork, { line }, value.document);
    else if (kind === 'header')
      this.feeder.problem('a second header line; a snapshot has one, on its first line', { line });
    else this.feeder.problem(`unknown record kind ${describe(kind)}; the kinds are ${KINDS}`, { line });
  }

  private jsonForm(): void {
    this.isJsonForm = true;
    this.onJsonForm();
  }
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c === 32 || c === 9 || c === 13) && text.trim() === '';
}
