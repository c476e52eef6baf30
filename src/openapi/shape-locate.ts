/**
 * Which array is open at the end of a JSON prefix: for an object too large to parse, such as
 * Microsoft Graph's `{"@odata.context": "...", "value": [ ...millions... ]}`, the path of keys to
 * the array that holds the bulk (`$.value`), so that array can be streamed. A small tokenizer walks
 * the prefix keeping a stack of the open containers; it does not validate (the scanner that streams
 * the array does), and it notes the members seen before the array, for the answer's note.
 */

import { formatJsonPath } from '../memory/json-path.js';
import { DEFAULT_MAX_DEPTH } from '../memory/json-stream.js';
import { firstSignificant } from './shape-body.js';

export interface OpenArray {
  keys: string[];
  /** Members of the enclosing objects that came before the array: `$.count = 5`. */
  before: string[];
}

interface Frame {
  array: boolean;
  key: string | undefined;
  expectKey: boolean;
  members: string[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_MEMBERS = 8;
const PREVIEW_CHARS = 80;

/** The outermost array open at the end of `bytes` that is reached through object keys only. */
export function findOpenArray(bytes: Buffer): OpenArray | undefined {
  const stack: Frame[] = [];
  const n = bytes.length;
  let i = firstSignificant(bytes);
  while (i < n) {
    const c = bytes[i] as number;
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(bytes, i + 1);
      if (end < 0) break;
      if (top && !top.array && top.expectKey) top.key = decodeKey(bytes.toString('utf8', i + 1, end));
      else note(top, preview(bytes, i, end + 1));
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= DEFAULT_MAX_DEPTH) return undefined;
      stack.push({ array: c === 0x5b, key: undefined, expectKey: c === 0x7b, members: [] });
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      const closed = stack.pop();
      note(stack[stack.length - 1], closed?.array ? '[…]' : '{…}');
      i++;
    } else if (c === 0x3a) {
      if (top) top.expectKey = false;
      i++;
    } else if (c === 0x2c) {
      if (top && !top.array) top.expectKey = true;
      i++;
    } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
    } else {
      let j = i;
      while (j < n && !isDelimiter(bytes[j] as number)) j++;
      if (j >= n) break;
      note(top, bytes.toString('latin1', i, Math.min(j, i + PREVIEW_CHARS)));
      i = j;
    }
  }
  return pathOf(stack);
}

function pathOf(stack: Frame[]): OpenArray | undefined {
  const keys: string[] = [];
  const before: string[] = [];
  for (const frame of stack) {
    if (frame.array) return keys.length > 0 ? { keys, before } : undefined;
    if (frame.key === undefined) return undefined;
    for (const member of frame.members) before.push(`${formatJsonPath(keys)}${member}`);
    keys.push(frame.key);
  }
  return undefined;
}

/** Records `value` as a member of an object frame (the key it was read under is the frame's key). */
function note(frame: Frame | undefined, value: string): void {
  if (!frame || frame.array || frame.key === undefined || frame.members.length >= MAX_MEMBERS) return;
  const name = formatJsonPath([frame.key]).slice(1);
  frame.members.push(`${name} = ${value}`);
}

function preview(bytes: Buffer, start: number, end: number): string {
  if (end - start <= PREVIEW_CHARS) return bytes.toString('utf8', start, end);
  return `${bytes.toString('utf8', start, start + PREVIEW_CHARS)}…"`;
}

/** The index of the quote that ends the string whose content starts at `from`, or -1. */
function stringEnd(bytes: Buffer, from: number): number {
  let j = from;
  for (;;) {
    j = bytes.indexOf(QUOTE, j);
    if (j < 0) return -1;
    let backslashes = 0;
    for (let k = j - 1; k >= from && bytes[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j++;
  }
}

function decodeKey(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function isDelimiter(c: number): boolean {
  return (
    c === 0x2c ||
    c === 0x5d ||
    c === 0x7d ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09 ||
    c === 0x3a
  );
}
