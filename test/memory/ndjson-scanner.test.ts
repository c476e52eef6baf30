/**
 * NdjsonScanner on fixed inputs: a byte order mark cut across the first chunks, and lines that are
 * not one JSON value each although the lines joined by commas would parse as an array (the shape
 * that fooled the old one-call parse of a chunk's lines). The property tests in
 * test/property/json-scanner.test.ts search for more such inputs; these pin the cases down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ItemTooLargeError, JsonStreamError } from '../../src/errors.js';
import { NdjsonScanner } from '../../src/memory/ndjson-scanner.js';

const LIMITS = { maxItemBytes: 1024 * 1024, maxDepth: 64 };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function scan(chunks: Buffer[], limits = LIMITS): { items: unknown[]; count: number; bytes: number } {
  const scanner = new NdjsonScanner(limits);
  const items: unknown[] = [];
  for (const chunk of chunks) scanner.push(chunk, items);
  scanner.end(items);
  return { items, count: scanner.items, bytes: scanner.bytes };
}

/** The error the scan of `chunks` ends with. */
function failure(chunks: Buffer[], limits = LIMITS): Error {
  try {
    scan(chunks, limits);
  } catch (error) {
    return error as Error;
  }
  assert.fail(`no error for ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`);
}

/** `bytes` in one chunk, in one-byte chunks, and cut at every pair of points in its first `within` bytes. */
function chunkings(bytes: Buffer, within = bytes.length): Buffer[][] {
  const out: Buffer[][] = [[bytes], Array.from(bytes, (b) => Buffer.from([b]))];
  for (let a = 0; a <= within; a++) {
    for (let b = a; b <= within; b++)
      out.push([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]);
  }
  return out;
}

const show = (chunks: Buffer[]): string => chunks.map((c) => c.length).join('+');

describe('NdjsonScanner: a UTF-8 byte order mark', () => {
  it('is skipped however the first chunks cut it', () => {
    const bytes = Buffer.concat([BOM, Buffer.from('{"a":1}\n\n[2]\r\n"é"\n3')]);
    for (const chunks of chunkings(bytes, 6)) {
      assert.deepEqual(
        scan(chunks),
        { items: [{ a: 1 }, [2], 'é', 3], count: 4, bytes: bytes.length },
        show(chunks),
      );
    }
    assert.deepEqual(scan([BOM.subarray(0, 1), BOM.subarray(1), Buffer.from('1\n2\n')]).items, [1, 2]);
  });

  it('counts in the byte offsets of errors, however it was cut', () => {
    const bytes = Buffer.concat([BOM, Buffer.from('1\n{"b":}\n')]);
    for (const chunks of chunkings(bytes, 6)) {
      const error = failure(chunks);
      assert.ok(error instanceof JsonStreamError, String(error));
      assert.match(
        error.message,
        /^invalid JSON at byte 10 in line 2 \(which starts at byte 5\)/,
        show(chunks),
      );
    }
  });

  it('a part of a mark followed by other bytes is the start of line 1, as in the uncut input', () => {
    for (const text of [
      [0xef, 0x31, 0x0a],
      [0xef, 0xbb, 0x31, 0x0a],
      [0xef, 0xbb, 0x0a, 0x31],
    ]) {
      const whole = Buffer.from(text);
      const expected = failure([whole]);
      assert.match(expected.message, /in line 1 \(which starts at byte 0\)/);
      for (const chunks of chunkings(whole)) {
        const error = failure(chunks);
        assert.ok(error instanceof JsonStreamError);
        assert.equal(error.message, expected.message, show(chunks));
      }
    }
  });

  it('input that stops inside a mark is a bad line 1; a mark alone is no lines; only the first is skipped', () => {
    for (const held of [BOM.subarray(0, 1), BOM.subarray(0, 2)]) {
      assert.match(failure([held]).message, /in line 1 \(which starts at byte 0\)/);
      const scanner = new NdjsonScanner(LIMITS);
      scanner.push(held, []);
      assert.equal(scanner.bytes, held.length, 'held bytes are counted as read');
    }
    assert.deepEqual(scan([BOM.subarray(0, 2), BOM.subarray(2)]), { items: [], count: 0, bytes: 3 });
    // JSON.parse refuses '\uFEFF1' too: a mark is not whitespace.
    const twice = Buffer.concat([BOM, BOM, Buffer.from('1\n')]);
    for (const chunks of chunkings(twice, 6)) {
      assert.match(failure(chunks).message, /^invalid JSON at byte 3 in line 1 \(which starts at byte 3\)/);
    }
  });
});

describe('NdjsonScanner: each line must be one JSON value', () => {
  it('refuses lines that only joined together would parse, naming the first bad line', () => {
    const cases: Array<[string, number, number]> = [
      // [text, bad line, its first byte]
      ['[1\n2]\n3,4\n', 1, 0],
      ['{"k":1\n"m":2}\n3,4\n', 1, 0],
      ['1\n[2\n3]\n', 2, 2],
      ['[1\n2],[3\n4]\n', 1, 0],
      ['1],[2\n[[3\n4]]\n', 1, 0],
      ['"a\nb",3\n', 1, 0],
      ['"é"\n{"a":[1\n2]}\n', 2, 5],
      ['1\n2,3\n', 2, 2],
      ['1\n2 3', 2, 2],
    ];
    for (const [text, line, start] of cases) {
      for (const chunks of chunkings(Buffer.from(text))) {
        const error = failure(chunks);
        assert.ok(error instanceof JsonStreamError, `${JSON.stringify(text)}: ${String(error)}`);
        assert.match(
          error.message,
          new RegExp(`in line ${line} \\(which starts at byte ${start}\\)`),
          `${JSON.stringify(text)} cut ${show(chunks)}: ${error.message}`,
        );
      }
    }
  });

  it('still reads valid lines: blank and whitespace lines skipped, CRLF, strings with brackets and escapes', () => {
    const text = '{"a":"[{,"}\n\n  \r\n[1,[2]]\r\n"q\\"]\\\\"\n -1.5e3 \ntrue\nnull\n{}';
    const expected = [{ a: '[{,' }, [1, [2]], 'q"]\\', -1500, true, null, {}];
    for (const chunks of chunkings(Buffer.from(text), 12)) {
      assert.deepEqual(
        scan(chunks),
        { items: expected, count: 7, bytes: Buffer.byteLength(text) },
        show(chunks),
      );
    }
  });

  it('holds each line to the item limit, naming the line over it, in one chunk or cut', () => {
    const limits = { maxItemBytes: 8, maxDepth: 8 };
    const fits = '[1,2,33]\n"abcdef"\n'; // lines of exactly 8 bytes
    assert.deepEqual(scan([Buffer.from(fits)], limits).items, [[1, 2, 33], 'abcdef']);
    const text = `${fits}[1,2,333]\n4\n`;
    for (const chunks of chunkings(Buffer.from(text), 4)) {
      const error = failure(chunks, limits);
      assert.ok(error instanceof ItemTooLargeError, String(error));
      assert.match(error.message, /^line 3, starting at byte 18, is longer than/);
      assert.equal(error.byteOffset, 18);
    }
  });
});
