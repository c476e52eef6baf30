import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitJson, fitText, INDENT_BELOW_BYTES, MAX_DEPTH } from '../../src/openapi/fit.js';
import { seededRandom } from '../util/random.js';

const PIECES = ['a', 'bc', 'é', '€', '😀', '\n', '"', '\\', ' ', 'x'.repeat(30), '\u0001'];

function randomString(next: () => number, maxPieces: number): string {
  let text = '';
  const count = Math.floor(next() * maxPieces);
  for (let index = 0; index < count; index++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

function randomValue(next: () => number, depth: number): unknown {
  const roll = next();
  // Scalars grow likelier with depth, so values stay at most a few hundred KB.
  if (depth > 5 || roll < 0.2 + depth * 0.15) {
    const scalar = Math.floor(next() * 5);
    if (scalar === 0) return null;
    if (scalar === 1) return next() < 0.5;
    if (scalar === 2) return Math.round((next() - 0.5) * 1e6) / 100;
    return randomString(next, next() < 0.1 ? 400 : 12);
  }
  if (roll < 0.65) {
    const length = Math.floor(next() * (next() < 0.15 ? 80 : 6));
    return Array.from({ length }, () => randomValue(next, depth + 1));
  }
  const out: Record<string, unknown> = {};
  const keys = Math.floor(next() * (next() < 0.15 ? 40 : 6));
  for (let index = 0; index < keys; index++)
    out[`${randomString(next, 3)}k${index}`] = randomValue(next, depth + 1);
  return out;
}

/** No lone surrogate (String.prototype.isWellFormed is not in this project's ES2023 lib). */
function wellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

const MARKER = /…\[|, cut\]|over the response budget|\[cut\]|^"…"$|^""$/;

function assertFits(value: unknown, budget: number, context: string): ReturnType<typeof fitJson> {
  const result = fitJson(value, budget);
  assert.equal(result.bytes, Buffer.byteLength(result.text), context);
  assert.ok(result.bytes <= budget, `${context}: ${result.bytes} bytes over ${budget}`);
  assert.doesNotThrow(() => JSON.parse(result.text), context);
  return result;
}

describe('fitJson', () => {
  it('leaves a value that fits unchanged, indented when small and compact when not', () => {
    const small = { id: 1, tags: ['a', 'b'], user: { login: 'ada', nested: [[1], { x: null }] }, ok: true };
    const result = fitJson(small, 10_000);
    assert.deepEqual(result, {
      text: JSON.stringify(small, null, 2),
      bytes: result.bytes,
      cut: false,
      notes: [],
    });

    const large = Array.from({ length: 200 }, (_, index) => ({ id: index, title: `issue ${index}` }));
    assert.ok(JSON.stringify(large).length >= INDENT_BELOW_BYTES);
    const fitted = fitJson(large, 1_000_000);
    assert.equal(fitted.text, JSON.stringify(large));
    assert.equal(fitted.cut, false);

    // Indenting is skipped when only the compact form fits.
    const compact = JSON.stringify(small);
    assert.equal(fitJson(small, Buffer.byteLength(compact)).text, compact);
  });

  it('serializes like JSON.stringify: undefined and functions left out, toJSON used, bigint as text', () => {
    const value = { a: undefined, b: 1, c: () => 1, d: new Date(0), e: [undefined, Number.NaN, -0], f: 10n };
    assert.deepEqual(JSON.parse(fitJson(value, 1000).text), {
      b: 1,
      d: '1970-01-01T00:00:00.000Z',
      e: [null, null, 0],
      f: '10',
    });
    assert.equal(fitJson(undefined, 100).text, 'null');
    assert.equal(fitJson('plain', 100).text, '"plain"');
  });

  it('marks long strings with their head and the count of characters cut', () => {
    const result = assertFits({ body: 'a'.repeat(20_000) }, 2000, 'long string');
    const body = (JSON.parse(result.text) as { body: string }).body;
    const match = /^(a+)…\[cut: ([\d,]+) more characters\]$/.exec(body);
    assert.ok(match, body.slice(-60));
    assert.equal(match[1]!.length + Number(match[2]!.replaceAll(',', '')), 20_000);
    assert.ok(match[1]!.length > 1000, 'keeps as much of the string as fits');
    assert.equal(result.cut, true);
    assert.match(result.notes.join('; '), /1 string shortened to [\d,]+ characters/);
  });

  it('never splits a surrogate pair when shortening', () => {
    // Both parities of the cut position, so that some cuts land between the halves of a pair.
    for (const prefix of ['', 'x']) {
      for (let budget = 150; budget < 600; budget += 7) {
        const result = assertFits([prefix + '😀'.repeat(500)], budget, `budget ${budget}`);
        const text = (JSON.parse(result.text) as string[])[0]!;
        assert.match(text, /…\[cut: /);
        assert.ok(wellFormed(text), `budget ${budget}: ${JSON.stringify(text)}`);
      }
    }
  });

  it('keeps the first items of long arrays and says how many were cut', () => {
    const items = Array.from({ length: 5000 }, (_, index) => ({ id: index, name: `item ${index}` }));
    const result = assertFits(items, 10_000, 'long array');
    const kept = JSON.parse(result.text) as unknown[];
    const marker = kept.at(-1) as string;
    const match = /^…\[([\d,]+) more items\]$/.exec(marker);
    assert.ok(match, marker);
    assert.equal(kept.length - 1 + Number(match[1]!.replaceAll(',', '')), 5000);
    assert.deepEqual(kept[0], items[0]);
    assert.deepEqual(kept[kept.length - 2], items[kept.length - 2]);
    assert.ok(result.bytes > 5000, `uses the budget: ${result.bytes} of 10,000 bytes`);
    assert.match(result.notes.join('; '), /1 array cut to their first [\d,]+ items/);
  });

  it('cuts objects with many keys after their first keys', () => {
    const wide = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`key${index}`, index]));
    const result = assertFits(wide, 2000, 'wide object');
    const kept = JSON.parse(result.text) as Record<string, unknown>;
    const match = /^…\[([\d,]+) more keys\]$/.exec(String(kept['…']));
    assert.ok(match, result.text.slice(-80));
    assert.equal(Object.keys(kept).length - 1 + Number(match[1]!.replaceAll(',', '')), 3000);
    assert.equal(kept.key0, 0);
  });

  it('replaces branches beyond the kept depth with a marker', () => {
    let deep: unknown = { leaf: 'x'.repeat(50) };
    for (let level = 0; level < 40; level++) {
      deep = {
        list: Array.from({ length: 200 }, (_, index) => index),
        keys: Object.fromEntries(Array.from({ length: 14 }, (_, index) => [`k${index}`, index])),
        next: deep,
      };
    }
    const result = assertFits(deep, 600, 'deep value');
    assert.match(result.text, /\[array of 200 items, cut\]|\[object with (14|3) keys, cut\]/);
    assert.match(result.notes.join('; '), /branch(es)? beyond depth \d+ cut/);
  });

  it('cuts values nested deeper than MAX_DEPTH even when they fit, without overflowing the stack', () => {
    let nested: unknown = 'bottom';
    for (let level = 0; level < 10_000; level++) nested = [nested];
    const result = assertFits(nested, 1_000_000, 'deeply nested');
    assert.equal(result.cut, true);
    assert.match(result.text, /\[array of 1 item, cut\]/);
    assert.match(result.notes.join('; '), new RegExp(`beyond depth ${MAX_DEPTH} cut`));
  });

  it('falls back to one marker string when nothing else fits', () => {
    const value = Object.fromEntries(
      Array.from({ length: 12 }, (_, index) => [`${'k'.repeat(30)}${index}`, index]),
    );
    const result = assertFits(value, 50, 'tiny budget');
    assert.equal(result.text, '"[object with 12 keys: over the response budget]"');
    assert.match(result.notes[0]!, /whole object with 12 keys is over the response budget of 50 bytes/);
    assert.equal(fitJson(value, 2).text, '""');
    assert.equal(fitJson(value, 5).text, '"…"');
    assert.throws(() => fitJson(value, 1), /budget of at least 2 bytes/);
    assert.throws(() => fitJson(value, Number.NaN), RangeError);
  });

  it('always gives valid JSON within the budget, and cuts only when needed (random values and budgets)', () => {
    const next = seededRandom(2024);
    let cut = 0;
    for (let round = 0; round < 400; round++) {
      const value = randomValue(next, 0);
      const budget = 2 + Math.floor(next() ** 2 * 4000);
      const context = `round ${round}, budget ${budget}`;
      const result = assertFits(value, budget, context);
      const compact = Buffer.byteLength(JSON.stringify(value));
      if (compact <= budget) {
        assert.equal(result.cut, false, context);
        assert.deepEqual(JSON.parse(result.text), value, context);
      } else {
        cut += 1;
        assert.equal(result.cut, true, context);
        assert.ok(result.notes.length > 0, context);
        assert.match(result.text, MARKER, context);
      }
    }
    assert.ok(cut > 50, `only ${cut} rounds needed cutting`);
  });

  it('fits a 50 MB value into 100 KB quickly', () => {
    const row = { id: 0, name: 'n'.repeat(200), tags: ['alpha', 'beta', 'gamma'] };
    const big = Array.from({ length: 200_000 }, (_, index) => ({ ...row, id: index }));
    const wideString = 'é'.repeat(25_000_000);
    for (const [name, value] of [
      ['array of objects', big],
      ['string', wideString],
      ['object', { data: big, meta: { total: big.length } }],
    ] as const) {
      const started = performance.now();
      const result = assertFits(value, 100_000, name);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 5000, `${name}: ${elapsed.toFixed(0)} ms`);
      assert.ok(result.bytes > 50_000, `${name}: ${result.bytes} bytes`);
      assert.equal(result.cut, true);
    }
  });
});

describe('fitText', () => {
  it('returns text that fits unchanged', () => {
    assert.deepEqual(fitText('héllo', 6), { text: 'héllo', bytes: 6, cut: false });
    assert.deepEqual(fitText('', 0), { text: '', bytes: 0, cut: false });
  });

  it('cuts at a UTF-8 character boundary', () => {
    assert.deepEqual(fitText('abcdef', 3), { text: 'abc', bytes: 3, cut: true });
    assert.deepEqual(fitText('héllo', 2), { text: 'h', bytes: 1, cut: true });
    assert.deepEqual(fitText('€€€', 7), { text: '€€', bytes: 6, cut: true });
    assert.deepEqual(fitText('a😀b', 4), { text: 'a', bytes: 1, cut: true });
    assert.deepEqual(fitText('a😀b', 5), { text: 'a😀', bytes: 5, cut: true });
    assert.deepEqual(fitText('abc', 0), { text: '', bytes: 0, cut: true });
  });

  it('never splits a surrogate pair and always fits (random texts)', () => {
    const next = seededRandom(99);
    for (let round = 0; round < 500; round++) {
      const text = randomString(next, 40);
      const budget = Math.floor(next() * 60);
      const result = fitText(text, budget);
      assert.ok(result.bytes <= budget);
      assert.equal(result.bytes, Buffer.byteLength(result.text));
      assert.ok(wellFormed(result.text));
      assert.ok(text.startsWith(result.text));
      assert.equal(result.cut, result.text !== text);
      // The longest prefix that fits: one more character would not.
      if (result.cut) {
        const nextChar = String.fromCodePoint(text.codePointAt(result.text.length)!);
        assert.ok(result.bytes + Buffer.byteLength(nextChar) > budget);
      }
    }
  });

  it('is quick on large texts', () => {
    const text = '€'.repeat(20_000_000);
    const started = performance.now();
    const result = fitText(text, 100_000);
    assert.ok(performance.now() - started < 5000);
    assert.equal(result.bytes, 99_999);
  });
});
