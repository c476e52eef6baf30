/**
 * Reading a policy document from text or a file. JSON or YAML is told apart by content (a policy is
 * an object, so JSON starts with `{`); text that does not parse becomes an error issue with its line
 * and column rather than an exception, so every caller handles one result type.
 */

import { readFile, stat } from 'node:fs/promises';
import yaml from 'js-yaml';
import { MAX_POLICY_DEPTH } from './intrinsics.js';
import { jsonErrorOffset, lineAndColumn } from './json-error.js';
import type { PolicyReport } from './report.js';
import { validatePolicy } from './validate.js';
import { POLICY_YAML_SCHEMA } from './yaml-schema.js';

/** Far above any real policy (AWS keeps them to a few hundred kilobytes at most). */
export const DEFAULT_MAX_POLICY_BYTES = 4 * 1024 * 1024;

export interface ReadPolicyOptions {
  /** Files larger than this are refused unread. */
  maxBytes?: number;
}

/** Reads, parses and validates a policy file. Never throws for a missing, unreadable or bad file. */
export async function readPolicyFile(path: string, options: ReadPolicyOptions = {}): Promise<PolicyReport> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_POLICY_BYTES;
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      return failed(path, 'read-failed', `${path} is not a file: give the path of a policy document`);
    }
    if (info.size > maxBytes) return tooLarge(path, info.size, maxBytes);
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return failed(path, 'read-failed', `cannot read ${path}: ${reason}; check the path and its permissions`);
  }
  // The file may have grown between stat and read.
  if (Buffer.byteLength(text) > maxBytes) return tooLarge(path, Buffer.byteLength(text), maxBytes);
  return parsePolicyText(text, path);
}

/** Parses policy text (JSON or YAML) and validates it. */
export function parsePolicyText(text: string, source: string): PolicyReport {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.trimStart();
  if (start === '') {
    return failed(source, 'parse-error', 'the document is empty: expected a JSON or YAML policy document');
  }
  if (start[0] === '{' || start[0] === '[') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return jsonFailure(body, source, error as Error);
    }
    return validatePolicy(parsed, source);
  }
  let document: unknown;
  try {
    document = yaml.load(body, {
      schema: POLICY_YAML_SCHEMA,
      filename: source,
      maxDepth: MAX_POLICY_DEPTH,
    } as yaml.LoadOptions);
  } catch (error) {
    return yamlFailure(source, error);
  }
  return validatePolicy(document, source);
}

function jsonFailure(text: string, source: string, error: Error): PolicyReport {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return failed(source, 'parse-error', `invalid JSON: ${error.message}`);
  const { line, column } = lineAndColumn(text, offset);
  let message: string;
  if (offset >= text.length) {
    message = 'invalid JSON: the text ends early (an unclosed { or [, or an unfinished string?)';
  } else {
    const found = text[offset]!;
    const before = text.slice(0, offset).trimEnd();
    const trailingComma = (found === '}' || found === ']') && before.endsWith(',');
    message = `invalid JSON: unexpected ${JSON.stringify(found)}${trailingComma ? ' after a trailing comma: remove the comma' : ''}`;
  }
  return failed(source, 'parse-error', message, line, column);
}

function yamlFailure(source: string, error: unknown): PolicyReport {
  if (error instanceof yaml.YAMLException) {
    const mark = error.mark as { line?: number; column?: number } | undefined;
    const line = mark?.line === undefined ? undefined : mark.line + 1;
    const column = mark?.column === undefined ? undefined : mark.column + 1;
    return failed(source, 'parse-error', `invalid YAML: ${error.reason}`, line, column);
  }
  return failed(
    source,
    'parse-error',
    `cannot parse the YAML: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function tooLarge(path: string, size: number, maxBytes: number): PolicyReport {
  return failed(
    path,
    'file-too-large',
    `${path} is ${size} bytes, over the ${maxBytes}-byte limit for a policy document: check that this is the right file`,
  );
}

function failed(source: string, code: string, message: string, line?: number, column?: number): PolicyReport {
  const issue = {
    code,
    pointer: '',
    message,
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
  };
  return { source, valid: false, errors: [issue], warnings: [] };
}
