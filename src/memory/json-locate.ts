/**
 * Finds where a JSON text first goes wrong. JSON.parse says *that* a text is invalid but, for many
 * errors, not *where*; this validator runs only on the one item that failed, so it can be simple.
 * Iterative, with an explicit stack, so deep nesting cannot overflow the call stack.
 */
export interface JsonErrorLocation {
  /** Index in the text (UTF-16 units) of the first character that cannot be valid. */
  index: number;
  reason: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Returns the first error in `text`, or undefined when it is one valid JSON value. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  let i = skipWs(text, 0);
  // expect: 'value' | 'key' | 'colon' | 'next' (',' or close) | 'end'
  let expect: 'value' | 'key' | 'colon' | 'next' | 'end' = 'value';
  let first = false; // just after an opening bracket: a close is allowed
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (expect === 'end') return { index: i, reason: 'unexpected data after the value' };
    if ((expect === 'value' || expect === 'key') && first && (c === 0x7d || c === 0x5d)) {
      if (c !== (top === 0x7b ? 0x7d : 0x5d)) return { index: i, reason: `mismatched '${text[i]}'` };
      stack.pop();
      i = skipWs(text, i + 1);
      expect = stack.length ? 'next' : 'end';
      first = false;
      continue;
    }
    first = false;
    if (expect === 'key') {
      const end = matchAt(STRING, text, i);
      if (end < 0) return { index: i, reason: 'expected a property name in double quotes' };
      i = skipWs(text, end);
      expect = 'colon';
    } else if (expect === 'colon') {
      if (c !== 0x3a) return { index: i, reason: "expected ':' after the property name" };
      i = skipWs(text, i + 1);
      expect = 'value';
    } else if (expect === 'next') {
      if (c === 0x2c) {
        i = skipWs(text, i + 1);
        expect = top === 0x7b ? 'key' : 'value';
      } else if (c === (top === 0x7b ? 0x7d : 0x5d)) {
        stack.pop();
        i = skipWs(text, i + 1);
        expect = stack.length ? 'next' : 'end';
      } else {
        return { index: i, reason: `expected ',' or '${top === 0x7b ? '}' : ']'}'` };
      }
    } else if (c === 0x7b || c === 0x5b) {
      stack.push(c);
      i = skipWs(text, i + 1);
      expect = c === 0x7b ? 'key' : 'value';
      first = true;
    } else {
      const end = scalarEnd(text, i);
      if (end < 0) return { index: i, reason: `unexpected '${text[i]}' where a value should start` };
      i = skipWs(text, end);
      expect = stack.length ? 'next' : 'end';
    }
  }
  if (expect === 'end') return undefined;
  return { index: text.length, reason: 'unexpected end of the value' };
}

function scalarEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return matchAt(STRING, text, i);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  return matchAt(NUMBER, text, i);
}

function matchAt(pattern: RegExp, text: string, i: number): number {
  pattern.lastIndex = i;
  return pattern.test(text) ? pattern.lastIndex : -1;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  return i;
}
