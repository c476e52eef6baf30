/**
 * Reads the YAML configuration file and remembers where every key and value sits, so a bad value
 * found later by the schema can be reported as `headroom.yml:12`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { YAMLMap } from 'yaml';
import { ConfigError } from '../errors.js';
import { sectionKeys } from './settings.js';

export interface Position {
  line: number;
  col: number;
}

export interface ConfigFile {
  /** The path as shown in messages: relative to the working directory when inside it. */
  display: string;
  data: Record<string, unknown>;
  /** Dotted path -> position of the value (and of the key, for unknown-key messages). */
  locations: Map<string, { key: Position; value: Position }>;
}

function readText(file: string, display: string, explicit: boolean): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const how = explicit ? ' (given with --config)' : '';
    const what = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError('', display, `config file ${display}${how} ${what}`);
  }
}

/**
 * Parses `file`. An empty file is an empty configuration; `memory:` with nothing under it is an
 * empty section rather than an error, since that is what commenting out every key leaves behind.
 */
export function readConfigFile(file: string, display: string, explicit: boolean): ConfigFile {
  const text = readText(file, display, explicit);
  // Loaded on demand: most runs have no configuration file, and the parser costs start-up time.
  const { isMap, isScalar, LineCounter, parseDocument } = createRequire(import.meta.url)(
    'yaml',
  ) as typeof import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number): Position => lines.linePos(offset);
  const error = doc.errors[0];
  if (error) {
    const { line, col } = at(error.pos[0]);
    const where = `${display}:${line}:${col}`;
    throw new ConfigError('', where, `invalid YAML in ${where}: ${error.message}`);
  }
  const locations = new Map<string, { key: Position; value: Position }>();
  if (doc.contents === null) return { display, data: {}, locations };
  if (!isMap(doc.contents)) {
    const { line } = at(doc.contents.range?.[0] ?? 0);
    const sections = sectionKeys([])!.map((key) => `${key}:`);
    throw new ConfigError(
      '',
      `${display}:${line}`,
      `${display}:${line} must be a mapping of sections such as ${sections.join(', ')}`,
    );
  }
  const record = (map: YAMLMap, path: string[]): void => {
    for (const pair of map.items) {
      const keyText = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const full = [...path, keyText];
      const keyStart = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
      const valueNode = pair.value as { range?: [number, number, number] } | null;
      const key = at(keyStart);
      locations.set(full.join('.'), { key, value: valueNode?.range ? at(valueNode.range[0]) : key });
      if (isMap(pair.value)) record(pair.value, full);
    }
  };
  record(doc.contents, []);
  const data = doc.toJS() as Record<string, unknown>;
  dropEmptySections(data, []);
  return { display, data, locations };
}

function dropEmptySections(node: Record<string, unknown>, path: string[]): void {
  for (const [key, value] of Object.entries(node)) {
    const full = [...path, key];
    if (value === null && sectionKeys(full)) delete node[key];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      dropEmptySections(value as Record<string, unknown>, full);
    }
  }
}
