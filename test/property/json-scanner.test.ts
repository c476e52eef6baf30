/**
 * Property: the streaming JSON boundary scanner (src/memory/json-array-scanner.ts, and the NDJSON
 * scanner beside it) agrees with JSON.parse of the whole input, whatever the chunking.
 * - On generated JSON (hand-rolled texts with every number form, escapes, `\u` surrogates, raw
 *   multi-byte UTF-8, random whitespace and deep-ish nesting, plus fast-check's own fc.json and
 *   fc.jsonValue), fed in chunks whose split points fast-check chooses (and biases into multi-byte
 *   sequences and escapes), parse mode yields exactly JSON.parse's items and raw mode yields each
 *   item's exact bytes, at the document root and under a path of (sometimes escaped) keys.
 * - On random bytes and mutated JSON (truncated, a byte flipped, deleted or inserted, stray
 *   brackets, commas and quotes), it returns JSON.parse's items when the whole input is a valid
 *   array and ends with a JsonStreamError otherwise: it never yields an item the whole-document
 *   parse would not, never throws anything but its own errors, and never hangs (every case is
 *   synchronous, so the test's timeout bounds it).
 * - Its limits: an item over maxItemBytes ends with ItemTooLargeError at that item's first byte
 *   (an item of exactly the limit passes), and nesting over maxDepth ends with a depth error.
 * Why it matters: every large upstream response goes through this scanner, in network-sized
 * chunks that cut anywhere; a boundary slip silently drops, merges or invents items, which no
 * fixed test chunking is likely to show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HeadroomError, ItemTooLargeError, JsonStreamError } from '../../src/errors.js';
import { JsonArrayScanner, type ScannerLimits } from '../../src/memory/json-array-scanner.js';
import { NdjsonScanner } from '../../src/memory/ndjson-scanner.js';

const RUNS = 300;
const LOOSE: ScannerLimits = { maxItemBytes: 1 << 24, maxDepth: 1000 };
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const OPTIONS = { includeErrorInReport: true } as const;

// ---------------------------------------------------------------------------------------------
// Generated JSON texts.

const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });
const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** Every JSON number form: sign, zero or a leading non-zero, fraction, exponent of either case and sign. */
const numberText = fc
  .record({
    minus: fc.boolean(),
    int: fc.oneof(
      fc.constant('0'),
      fc.tuple(fc.constantFrom(...'123456789'), digits(0, 20)).map(([a, b]) => a + b),
    ),
    frac: fc.option(digits(1, 20), { nil: undefined }),
    exp: fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 4)), {
      nil: undefined,
    }),
  })
  .map(
    ({ minus, int, frac, exp }) =>
      `${minus ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}${exp ? exp.join('') : ''}`,
  );

const hex4 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([n, upper]) => {
  const h = n.toString(16).padStart(4, '0');
  return upper ? h.toUpperCase() : h;
});

/** The inside of a JSON string: raw code points (any plane), multi-byte text and every escape. */
const stringBody = fc.string({
  unit: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .string({ unit: 'binary', minLength: 1, maxLength: 1 })
        .filter((c) => c >= ' ' && c !== '"' && c !== '\\'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'é',
        '€',
        '😀',
        '中',
        '\u0080',
        '\u07ff',
        '\u0800',
        '\uffff',
        '\u2028',
        '\ufeff',
        '\u{10ffff}',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\\\\\"'),
    },
    { weight: 1, arbitrary: hex4.map((h) => `\\u${h}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('\\ud83d\\ude00', '\\uD800', '\\udfff', ',', ']', '}', '[', '{', ':'),
    },
  ),
  maxLength: 12,
});
const stringText = stringBody.map((body) => `"${body}"`);

const scalarText = fc.oneof(numberText, stringText, fc.constantFrom('true', 'false', 'null'));

const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarText, tie('array'), tie('object')),
  array: fc
    .tuple(ws, fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }))
    .map(([w, items]) => (items.length === 0 ? `[${w}]` : `[${items.map((p) => p.join('')).join(',')}]`)),
  object: fc
    .tuple(ws, fc.array(fc.tuple(ws, stringText, ws, ws, tie('value'), ws), { maxLength: 4 }))
    .map(([w, members]) =>
      members.length === 0
        ? `{${w}}`
        : `{${members.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`,
    ),
}));

/** A value wrapped in up to 60 arrays or single-key objects. */
const deepText = fc
  .tuple(
    fc.integer({ min: 1, max: 60 }),
    scalarText,
    fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
  )
  .map(([depth, inner, kinds]) => {
    let text = inner;
    for (let d = 0; d < depth; d++) text = kinds[d] ? `[${text}]` : `{"k\\u0030":${text}}`;
    return text;
  });

const itemText = fc.oneof(
  { weight: 4, arbitrary: valueText },
  { weight: 1, arbitrary: deepText },
  { weight: 1, arbitrary: fc.json() },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.jsonValue(), fc.constantFrom(undefined, 0, 1, 2, '\t'))
      .map(([v, indent]) => JSON.stringify(v, null, indent)),
  },
);

interface Doc {
  bytes: Buffer;
  /** Each item's exact text, as bytes. */
  items: Buffer[];
  /** Byte offset where each item starts. */
  starts: number[];
  bom: boolean;
}

const arrayDoc: fc.Arbitrary<Doc> = fc
  .record({
    bom: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 5, arbitrary: fc.constant(false) }),
    lead: ws,
    items: fc.array(fc.tuple(ws, itemText, ws), { maxLength: 8 }),
    inner: ws,
    trail: ws,
  })
  .map(({ bom, lead, items, inner, trail }) => {
    const parts: Buffer[] = [];
    let at = 0;
    const add = (b: Buffer): void => {
      parts.push(b);
      at += b.length;
    };
    const starts: number[] = [];
    const itemBytes: Buffer[] = [];
    if (bom) add(BOM);
    add(Buffer.from(`${lead}[`));
    if (items.length === 0) add(Buffer.from(inner));
    items.forEach(([a, text, b], k) => {
      if (k > 0) add(Buffer.from(','));
      add(Buffer.from(a));
      const bytes = Buffer.from(text);
      starts.push(at);
      itemBytes.push(bytes);
      add(bytes);
      add(Buffer.from(b));
    });
    add(Buffer.from(`]${trail}`));
    return { bytes: Buffer.concat(parts), items: itemBytes, starts, bom };
  });

// ---------------------------------------------------------------------------------------------
// Chunking.

/** Where to cut: random offsets, offsets inside multi-byte sequences or escapes, or every byte. */
const cutsArb = fc.record({
  anywhere: fc.array(fc.nat(), { maxLength: 8 }),
  tricky: fc.array(fc.nat(), { maxLength: 8 }),
  everyByte: fc.oneof(
    { weight: 1, arbitrary: fc.constant(true) },
    { weight: 9, arbitrary: fc.constant(false) },
  ),
});
type Cuts = typeof cutsArb extends fc.Arbitrary<infer T> ? T : never;

/**
 * Offsets that start or cut a UTF-8 sequence (so a U+FEFF inside a string can start a chunk) or
 * sit right after a backslash.
 */
function trickyOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80 || bytes[i - 1] === 0x5c) out.push(i);
  }
  return out;
}

/** The chunks for `cuts` (which may fall inside a leading BOM, as anywhere else). */
function chunk(bytes: Buffer, cuts: Cuts): Buffer[] {
  const n = bytes.length;
  let points: number[];
  if (cuts.everyByte) points = Array.from({ length: n }, (_, i) => i);
  else {
    const tricky = trickyOffsets(bytes);
    points = [
      ...cuts.anywhere.map((p) => p % (n + 1)),
      ...(tricky.length ? cuts.tricky.map((p) => tricky[p % tricky.length]!) : []),
    ];
  }
  points = [...new Set(points)].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p)); // empty chunks too: the scanner must take them
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Driving the scanner.

function scanParse(chunks: Buffer[], keys: string[] = [], limits = LOOSE): { out: unknown[]; items: number } {
  const scanner = new JsonArrayScanner(keys, limits);
  const out: unknown[] = [];
  for (const c of chunks) scanner.push(c, out);
  scanner.end();
  return { out, items: scanner.items };
}

/** Raw mode through pushRaw, or through push when `viaPush`; the items' bytes, copied. */
function scanRaw(
  chunks: Buffer[],
  keys: string[] = [],
  limits = LOOSE,
  viaPush = false,
  out: Buffer[] = [],
): Buffer[] {
  const scanner = new JsonArrayScanner(keys, limits, 'raw');
  for (const c of chunks) {
    if (viaPush) {
      const got: unknown[] = [];
      scanner.push(c, got);
      for (const b of got) out.push(Buffer.from(b as Buffer));
      continue;
    }
    const batch = scanner.pushRaw(c);
    if (batch.carried) out.push(Buffer.from(batch.carried));
    for (let k = 0; k < batch.count; k++) out.push(Buffer.from(c.subarray(batch.starts[k], batch.ends[k])));
  }
  scanner.end();
  return out;
}

/** JSON.parse of the whole input, a leading BOM skipped as the scanner documents. */
function parseWhole(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function show(bytes: Buffer): string {
  return JSON.stringify(bytes.toString('latin1'));
}

// ---------------------------------------------------------------------------------------------

describe('JsonArrayScanner: agrees with JSON.parse on generated JSON, however it is chunked (property)', () => {
  it('parse mode yields JSON.parse of the whole array, raw mode the exact bytes of each item', () => {
    fc.assert(
      fc.property(arrayDoc, cutsArb, fc.boolean(), (doc, cuts, viaPush) => {
        const chunks = chunk(doc.bytes, cuts);
        const whole = parseWhole(doc.bytes);
        assert.ok(whole.ok && Array.isArray(whole.value), 'the generator made invalid JSON');
        const parsed = scanParse(chunks);
        assert.deepEqual(parsed.out, whole.value);
        assert.equal(parsed.items, doc.items.length);
        const raw = scanRaw(chunks, [], LOOSE, viaPush);
        assert.equal(raw.length, doc.items.length);
        raw.forEach((bytes, k) => {
          assert.ok(
            bytes.equals(doc.items[k]!),
            `raw item ${k}: ${show(bytes)} is not ${show(doc.items[k]!)}`,
          );
          assert.deepEqual(JSON.parse(bytes.toString('utf8')), (whole.value as unknown[])[k]);
        });
      }),
      { numRuns: RUNS, ...OPTIONS },
    );
  });

  it('finds the array under a path of keys, written with or without escapes, past siblings of any shape', () => {
    const keyArb = fc.string({
      unit: fc.constantFrom('a', 'b', 'é', '😀', '"', '\\', '/', ' ', 'ü'),
      minLength: 1,
      maxLength: 4,
    });
    /** A key's JSON text, each character escaped as `\uXXXX` or not, as `escapes` says. */
    const keyText = (key: string, escapes: boolean[]): string =>
      `"${[...key]
        .map((ch, i) =>
          escapes[i % escapes.length]
            ? ch
                .split('')
                .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
                .join('')
            : JSON.stringify(ch).slice(1, -1),
        )
        .join('')}"`;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(keyArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), valueText, valueText),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        arrayDoc.filter((d) => !d.bom),
        cutsArb,
        (levels, doc, cuts) => {
          // Siblings are keyed `s0`/`s1`, which no generated key equals.
          let text = doc.bytes.toString('utf8');
          for (let l = levels.length - 1; l >= 0; l--) {
            const [key, escapes, before, after] = levels[l]!;
            text = `{ "s0" : ${before}, ${keyText(key, escapes)}:${text} ,"s1":${after}}`;
          }
          const keys = levels.map(([key]) => key);
          const bytes = Buffer.from(text);
          let expected = JSON.parse(text) as unknown;
          for (const key of keys) expected = (expected as Record<string, unknown>)[key];
          const chunks = chunk(bytes, cuts);
          assert.deepEqual(scanParse(chunks, keys).out, expected);
          const raw = scanRaw(chunks, keys);
          assert.deepEqual(
            raw.map((b) => b.toString('latin1')),
            doc.items.map((b) => b.toString('latin1')),
          );
        },
      ),
      { numRuns: RUNS, ...OPTIONS },
    );
  });

  it('skips a UTF-8 BOM even when the first chunks cut it', () => {
    // Cut after the BOM's first or second byte always (the chunkings above only sometimes do).
    fc.assert(
      fc.property(arrayDoc, fc.constantFrom(1, 2), cutsArb, fc.boolean(), (doc, cut, cuts, viaPush) => {
        const bytes = Buffer.concat([BOM, doc.bytes.subarray(doc.bom ? 3 : 0)]);
        const rest = chunk(bytes.subarray(cut), cuts);
        const chunks = [bytes.subarray(0, cut), ...rest];
        assert.deepEqual(scanParse(chunks).out, (parseWhole(bytes) as { value: unknown }).value);
        const raw = scanRaw(chunks, [], LOOSE, viaPush);
        assert.deepEqual(
          raw.map((b) => b.toString('latin1')),
          doc.items.map((b) => b.toString('latin1')),
        );
      }),
      { numRuns: 50, ...OPTIONS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Invalid input.

/** Valid JSON broken one way or another. */
const mutatedDoc = fc
  .tuple(
    arrayDoc,
    fc.array(
      fc.record({
        kind: fc.constantFrom('truncate', 'flip', 'delete', 'insert', 'duplicate', 'bom'),
        at: fc.nat(),
        byte: fc.oneof(
          fc.constantFrom(0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x22, 0x5c, 0x3a, 0x20, 0x00, 0xef, 0x80, 0xc3),
          fc.integer({ min: 0, max: 255 }),
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([doc, edits]) => {
    let bytes = Buffer.from(doc.bytes);
    for (const edit of edits) {
      const at = bytes.length === 0 ? 0 : edit.at % (bytes.length + 1);
      const before = bytes.subarray(0, at);
      const after = bytes.subarray(at);
      if (edit.kind === 'truncate') bytes = Buffer.from(before);
      else if (edit.kind === 'flip' && after.length > 0) {
        bytes = Buffer.from(bytes);
        bytes[at] = (bytes[at]! ^ (1 << (edit.byte & 7))) & 0xff;
      } else if (edit.kind === 'delete') bytes = Buffer.concat([before, after.subarray(1)]);
      else if (edit.kind === 'insert') bytes = Buffer.concat([before, Buffer.from([edit.byte]), after]);
      else if (edit.kind === 'bom') bytes = Buffer.concat([before, BOM, after]);
      else bytes = Buffer.concat([before, bytes.subarray(Math.max(0, at - 3), at), after]);
    }
    return bytes;
  });

const anyInput = fc.oneof(
  { weight: 3, arbitrary: mutatedDoc },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    // Mostly structural bytes, so the scanner gets deep into its state machine before failing.
    arbitrary: fc
      .array(fc.constantFrom(...'[]{}",:\\ 0-1.eE+tfnrulsa\u00e9\n'), { maxLength: 40 })
      .map((cs) => Buffer.from(`[${cs.join('')}`)),
  },
);

/** The scanner's verdict: its items, or the error it ended with. */
function verdict(run: () => unknown[]): { items: unknown[] } | { error: unknown } {
  try {
    return { items: run() };
  } catch (error) {
    return { error };
  }
}

describe('JsonArrayScanner: random and broken input ends in a clear error or the right answer (property)', () => {
  it('parse mode: JSON.parse items for a valid array, else a JsonStreamError; never anything else', {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(anyInput, cutsArb, (bytes, cuts) => {
        const whole = parseWhole(bytes);
        const started = performance.now();
        const got = verdict(() => scanParse(chunk(bytes, cuts)).out);
        // Inputs are at most a few kilobytes: a second means a runaway loop, not a slow machine.
        const took = performance.now() - started;
        assert.ok(took < 1000, `${bytes.length} bytes took ${Math.round(took)} ms`);
        if (whole.ok && Array.isArray(whole.value)) {
          assert.ok('items' in got, `valid array refused: ${'error' in got ? String(got.error) : ''}`);
          assert.deepEqual(got.items, whole.value);
        } else {
          assert.ok('error' in got, `invalid input ${show(bytes)} accepted as ${JSON.stringify(got)}`);
          assert.ok(got.error instanceof JsonStreamError, `not a JsonStreamError: ${String(got.error)}`);
          assert.ok(Number.isInteger(got.error.byteOffset) && got.error.byteOffset >= 0);
          assert.ok(
            got.error.byteOffset <= bytes.length,
            `error offset ${got.error.byteOffset} past the input`,
          );
        }
      }),
      { numRuns: 1000, ...OPTIONS },
    );
  });

  it('raw mode: the same bytes for a valid array; on broken input only its own errors', {
    timeout: 60_000,
  }, () => {
    // Raw items are documented as unchecked (`[1x]` gives the bytes `1x`), so only the structure
    // is held to JSON.parse here.
    fc.assert(
      fc.property(anyInput, cutsArb, (bytes, cuts) => {
        const whole = parseWhole(bytes);
        const got = verdict(() => scanRaw(chunk(bytes, cuts)));
        if ('error' in got) {
          assert.ok(got.error instanceof HeadroomError, `not a HeadroomError: ${String(got.error)}`);
          assert.ok(!(whole.ok && Array.isArray(whole.value)), `valid array refused: ${String(got.error)}`);
          return;
        }
        if (whole.ok && Array.isArray(whole.value)) {
          assert.deepEqual(
            got.items.map((b) => JSON.parse((b as Buffer).toString('utf8'))),
            whole.value,
          );
        }
      }),
      { numRuns: 1000, ...OPTIONS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Limits.

/**
 * The bracket nesting of an item's text (from the text: a duplicate key can hide a deeper value
 * from the parsed one).
 */
function depthOf(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

describe('JsonArrayScanner: limits (property)', () => {
  it('an item over maxItemBytes ends the scan with ItemTooLargeError at that item, never a mis-parse', () => {
    fc.assert(
      fc.property(
        arrayDoc.filter((d) => d.items.length > 0),
        fc.nat(),
        fc.integer({ min: -2, max: 2 }),
        cutsArb,
        fc.constantFrom<'parse' | 'raw'>('parse', 'raw'),
        (doc, pick, delta, cuts, mode) => {
          // A limit near one item's size, so some items are over it, some exactly at it.
          const size = doc.items[pick % doc.items.length]!.length;
          const limit = Math.max(0, size + delta);
          const limits = { maxItemBytes: limit, maxDepth: 1000 };
          const first = doc.items.findIndex((b) => b.length > limit);
          const chunks = chunk(doc.bytes, cuts);
          const seen: unknown[] = [];
          const run = (): unknown[] =>
            mode === 'parse'
              ? scanParse(chunks, [], limits).out
              : scanRaw(chunks, [], limits, false, seen as Buffer[]);
          const got = verdict(run);
          const expected = (parseWhole(doc.bytes) as { value: unknown[] }).value;
          if (first < 0) {
            assert.ok(
              'items' in got,
              `refused with every item within ${limit} bytes: ${String((got as { error: unknown }).error)}`,
            );
            if (mode === 'parse') assert.deepEqual(got.items, expected);
            else assert.equal(got.items.length, expected.length);
            return;
          }
          assert.ok(
            'error' in got,
            `item ${first} (${doc.items[first]!.length} bytes) passed a ${limit}-byte limit`,
          );
          assert.ok(got.error instanceof ItemTooLargeError, `not ItemTooLargeError: ${String(got.error)}`);
          assert.equal(got.error.limitBytes, limit);
          assert.equal(
            got.error.byteOffset,
            doc.starts[first],
            'the error names the first item over the limit',
          );
          assert.match(got.error.message, new RegExp(`^item ${first} of \\$`));
          // What came out before the error is the items before that one, whole.
          if (mode === 'raw') {
            assert.ok(seen.length <= first);
            seen.forEach((b, k) => {
              assert.ok((b as Buffer).equals(doc.items[k]!));
            });
          }
        },
      ),
      { numRuns: RUNS, ...OPTIONS },
    );
  });

  it('an item nested deeper than maxDepth ends the scan with a depth error; one at maxDepth passes', () => {
    fc.assert(
      fc.property(arrayDoc, fc.integer({ min: 1, max: 8 }), cutsArb, (doc, maxDepth, cuts) => {
        const expected = (parseWhole(doc.bytes) as { value: unknown[] }).value;
        const deepest = Math.max(0, ...doc.items.map(depthOf));
        const got = verdict(
          () => scanParse(chunk(doc.bytes, cuts), [], { maxItemBytes: 1 << 24, maxDepth }).out,
        );
        if (deepest <= maxDepth) {
          assert.ok(
            'items' in got,
            `refused at depth ${deepest} <= ${maxDepth}: ${String((got as { error: unknown }).error)}`,
          );
          assert.deepEqual(got.items, expected);
        } else {
          assert.ok('error' in got, `depth ${deepest} passed maxDepth ${maxDepth}`);
          assert.ok(got.error instanceof JsonStreamError);
          assert.match(got.error.message, new RegExp(`nesting deeper than ${maxDepth} levels`));
        }
      }),
      { numRuns: RUNS, ...OPTIONS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// NDJSON.

const ndjsonDoc = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.tuple(
          ws.map((s) => s.replace(/\n/g, ' ')),
          valueText.map((t) => t.replace(/[\n\r]/g, ' ')),
        ),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', ' ', '\t', '\r', ' \r'), fc.constant('')) },
    ),
    { maxLength: 8 },
  )
  .chain((lines) =>
    fc.tuple(fc.constant(lines), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([ls, eol, last]) => ({
      text: ls.map(([a, v]) => `${a}${v}`).join(eol) + (last && ls.length > 0 ? eol : ''),
      values: ls.filter(([, v]) => v !== '').map(([, v]) => JSON.parse(v) as unknown),
    })),
  );

const oneLine = valueText.map((t) => t.replace(/[\n\r]/g, ' '));

/**
 * Three lines, none a JSON value, that joined by commas are three values: `[a` / `b]` / `c,d`
 * (or the same with an object), the shape that fools a parse of the lines joined together.
 */
const mergingLines = fc
  .tuple(oneLine, oneLine, oneLine, oneLine, fc.boolean())
  .map(([a, b, c, d, array]) =>
    array ? [`[${a}`, `${b}]`, `${c},${d}`] : [`{"k":${a}`, `"m":${b}}`, `${c},${d}`],
  );

function scanNdjson(chunks: Buffer[], limits = LOOSE): unknown[] {
  const scanner = new NdjsonScanner(limits);
  const out: unknown[] = [];
  for (const c of chunks) scanner.push(c, out);
  scanner.end(out);
  return out;
}

describe('NdjsonScanner: agrees with JSON.parse line by line (property)', () => {
  it('yields each non-blank line parsed, however the lines are chunked', () => {
    fc.assert(
      fc.property(ndjsonDoc, cutsArb, (doc, cuts) => {
        assert.deepEqual(scanNdjson(chunk(Buffer.from(doc.text), cuts)), doc.values);
      }),
      { numRuns: RUNS, ...OPTIONS },
    );
  });

  it('skips a UTF-8 BOM even when the first chunks cut it', () => {
    fc.assert(
      fc.property(ndjsonDoc, fc.constantFrom(1, 2), cutsArb, (doc, cut, cuts) => {
        const bytes = Buffer.concat([BOM, Buffer.from(doc.text)]);
        const chunks = [bytes.subarray(0, cut), ...chunk(bytes.subarray(cut), cuts)];
        assert.deepEqual(scanNdjson(chunks), doc.values);
      }),
      { numRuns: 50, ...OPTIONS },
    );
  });

  it('refuses a line that is not one JSON value, even when lines joined by commas would parse', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.array(oneLine, { maxLength: 3 }),
            fc.oneof(
              { weight: 3, arbitrary: mergingLines },
              { weight: 1, arbitrary: fc.array(oneLine, { maxLength: 2 }) },
            ),
            fc.array(oneLine, { maxLength: 3 }),
          )
          .map(([before, middle, after]) => [...before, ...middle, ...after]),
        cutsArb,
        (lines, cuts) => {
          const text = lines.join('\n');
          const perLine = verdict(() =>
            lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown),
          );
          const got = verdict(() => scanNdjson(chunk(Buffer.from(text), cuts)));
          if ('items' in perLine) {
            assert.ok('items' in got, `valid NDJSON refused: ${String((got as { error: unknown }).error)}`);
            assert.deepEqual(got.items, perLine.items);
          } else {
            assert.ok(
              'error' in got,
              `invalid line accepted: ${JSON.stringify(lines)} gave ${JSON.stringify(got)}`,
            );
            assert.ok(got.error instanceof JsonStreamError);
            // The error names the first bad line and where it starts.
            const bad = lines.findIndex((l) => l.trim() !== '' && 'error' in verdict(() => [JSON.parse(l)]));
            const start = bad === 0 ? 0 : Buffer.byteLength(lines.slice(0, bad).join('\n')) + 1;
            assert.match(
              got.error.message,
              new RegExp(`in line ${bad + 1} \\(which starts at byte ${start}\\)`),
            );
          }
        },
      ),
      { numRuns: RUNS, ...OPTIONS },
    );
  });
});
