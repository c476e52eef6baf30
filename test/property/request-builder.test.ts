/**
 * Property: no generated argument value ever leaves the base URL (src/openapi/request.ts with
 * serialize.ts). For generated base URLs (http/https, names and IP literals, ports, a path prefix,
 * sometimes a query of their own), generated path templates (literal segments and `{param}`
 * segments with literal text around them, styles simple/label/matrix, explode or not) and
 * generated values drawn from traversal and injection material (`../`, `..%2f`, `%2e%2e%2f`, `?`,
 * `#`, `@`, `//evil.example`, `\`, `.`, `..`, `%`, CR/LF, NUL, DEL, Latin-1, astral and unpaired
 * surrogates), buildRequest either refuses with a ToolArgumentError in exactly the documented cases
 * or builds a URL that
 * - has the base URL's origin and user info, no fragment, and a path that starts with the base
 *   path and has exactly the template's segments after it (a value never adds a segment);
 * - spells each path segment as RFC 6570 says for its style, so decoding the value's part of the
 *   segment gives the value back (an unpaired surrogate as U+FFFD);
 * - carries each query value so that URLSearchParams gives it back, with no parameter added;
 * and headers that Node's own validateHeaderValue accepts (a value it rejects, CR/LF included, is
 * refused by the builder instead, without echoing the value).
 * Why it matters: tool arguments come from a language model, which can be steered by the data it
 * reads; one value that climbs out of the base path or injects a header turns the MCP server into a
 * confused deputy against the upstream API. The expected results here are computed with
 * encodeURIComponent and Node's header check, not with the code under test.
 */
import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ToolArgumentError } from '../../src/errors.js';
import { buildRequest, resolveBaseUrl } from '../../src/openapi/request.js';
import type { ApiInfo, Operation, OperationParameter } from '../../src/openapi/types.js';

const NUM_RUNS = 1000;
const MARKER = 'SECRETv4lue';

// ---------------------------------------------------------------------------------------------
// Oracles, written apart from the code under test.

/** A string as UTF-8 would carry it: unpaired surrogates become U+FFFD. */
function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** RFC 3986 percent-encoding of everything outside the unreserved set, as UTF-8. */
function enc(text: string): string {
  return encodeURIComponent(wellFormed(text)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerValid(text: string): boolean {
  try {
    validateHeaderValue('x-test', text);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

const DANGER = [
  '../',
  '..',
  '.',
  '..%2f',
  '..%2F',
  '%2e%2e%2f',
  '%2E%2E/',
  '%',
  '%%',
  '%zz',
  '/',
  '//evil.example',
  '\\',
  '\\\\evil.example\\',
  '?',
  '?x=1',
  '#',
  '#frag',
  '@',
  'user:pass@evil.example',
  ':',
  ';',
  '=',
  '&',
  '&admin=1',
  '+',
  ',',
  ' ',
  '\t',
  '\r',
  '\n',
  '\r\nX-Admin: yes',
  '\u0000',
  '\u007f',
  '\u0085',
  'é',
  'ÿ',
  'İ',
  '\u2028',
  '\u202e',
  '😀',
  '\ud800',
  '\udfff',
  'Ａ',
  '．．／',
  MARKER,
];

/** Strings made of traversal and injection pieces and arbitrary code points. */
const dangerous = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...DANGER) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '~') },
  ),
  maxLength: 8,
});

/** A path segment for the base URL: plain text, sometimes with an escape, never `.` or `..`. */
const baseSegment = fc
  .string({
    unit: fc.constantFrom('a', 'v', '1', '2', '-', '.', '_', '~', '%20', '%2F', 'é'),
    minLength: 1,
    maxLength: 5,
  })
  .filter((s) => s !== '.' && s !== '..');

interface BaseCase {
  text: string;
}

const baseUrlArb: fc.Arbitrary<BaseCase> = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    userinfo: fc.constantFrom('', 'user@', 'user:pw@'),
    host: fc.constantFrom(
      'api.example.test',
      'API.Example.Test',
      '127.0.0.1',
      '[::1]',
      'xn--bcher-kva.example',
      'localhost',
    ),
    port: fc.constantFrom('', ':8080', ':443', ':1'),
    segments: fc.array(baseSegment, { maxLength: 3 }),
    trailing: fc.boolean(),
    query: fc.constantFrom('', '?api-version=2024-01-01', '?k=a%26b'),
  })
  .map((b) => ({
    text: `${b.scheme}://${b.userinfo}${b.host}${b.port}${b.segments.length ? `/${b.segments.join('/')}` : ''}${b.trailing ? '/' : ''}${b.query}`,
  }));

type Style = 'simple' | 'label' | 'matrix';
type PathValue = string | string[] | number | boolean;

interface PathSlot {
  kind: 'param';
  style: Style | undefined;
  explode: boolean | undefined;
  before: string;
  after: string;
  value: PathValue;
}

type Segment = { kind: 'literal'; text: string } | PathSlot;

const pathValue: fc.Arbitrary<PathValue> = fc.oneof(
  { weight: 6, arbitrary: dangerous },
  { weight: 2, arbitrary: fc.array(dangerous, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 1, arbitrary: fc.boolean() },
);

const segmentArb: fc.Arbitrary<Segment> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('items', 'v2', 'a.b', 'x-y', '~u')
      .map((text) => ({ kind: 'literal' as const, text })),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('param' as const),
      style: fc.constantFrom<Style | undefined>(undefined, 'simple', 'label', 'matrix'),
      explode: fc.constantFrom<boolean | undefined>(undefined, false, true),
      before: fc.constantFrom('', '', '', 'v', 'file-', '.'),
      after: fc.constantFrom('', '', '', '.json', '.', 'x'),
      value: pathValue,
    }),
  },
);

type QueryStyle = 'form' | 'spaceDelimited' | 'pipeDelimited';

interface QuerySlot {
  style: QueryStyle | undefined;
  explode: boolean | undefined;
  allowReserved: boolean;
  value: string | string[] | undefined;
}

const querySlot: fc.Arbitrary<QuerySlot> = fc.record({
  style: fc.constantFrom<QueryStyle | undefined>(undefined, 'form', 'spaceDelimited', 'pipeDelimited'),
  explode: fc.constantFrom<boolean | undefined>(undefined, false, true),
  allowReserved: fc.oneof(
    { weight: 4, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  value: fc.oneof(
    { weight: 4, arbitrary: dangerous },
    { weight: 2, arbitrary: fc.array(dangerous, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
});

/** Header values: the dangerous pieces plus Latin-1 text that HTTP may carry. */
const headerValue = fc.oneof(
  { weight: 3, arbitrary: dangerous },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('a', ' ', '\t', 'é', 'ÿ', '"', ';', ',', '='),
      maxLength: 6,
    }),
  },
);

const caseArb = fc.record({
  base: baseUrlArb,
  segments: fc.array(segmentArb, { minLength: 1, maxLength: 4 }),
  queries: fc.array(querySlot, { maxLength: 3 }),
  headers: fc.array(headerValue, { maxLength: 2 }),
  cookie: fc.option(dangerous, { nil: undefined }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// The expected segment text of one path slot (RFC 6570 / OpenAPI style table).

function scalar(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function styled(slot: PathSlot, name: string): string {
  const style = slot.style ?? 'simple';
  const explode = slot.explode ?? false;
  const value = slot.value;
  const undefinedValue = Array.isArray(value) && value.length === 0;
  if (style === 'matrix') {
    if (undefinedValue) return `;${name}`;
    if (!Array.isArray(value)) {
      const text = scalar(value);
      return text === '' ? `;${name}` : `;${name}=${enc(text)}`;
    }
    if (!explode) return `;${name}=${value.map(enc).join(',')}`;
    return value.map((item) => (item === '' ? `;${name}` : `;${name}=${enc(item)}`)).join('');
  }
  const prefix = style === 'label' ? '.' : '';
  if (undefinedValue) return prefix;
  if (!Array.isArray(value)) return prefix + enc(scalar(value));
  const separator = style === 'label' && explode ? '.' : ',';
  return prefix + value.map(enc).join(separator);
}

interface Built {
  op: Operation;
  args: Record<string, unknown>;
  /** Expected text of each template segment. */
  expectedSegments: string[];
  /** A path segment the builder must refuse ('', '.' or '..' made by a value), if any. */
  refusedSegment: string | undefined;
}

function assemble(c: Case): Built {
  const parameters: OperationParameter[] = [];
  const args: Record<string, unknown> = {};
  const template: string[] = [];
  const expectedSegments: string[] = [];
  let refusedSegment: string | undefined;
  c.segments.forEach((segment, k) => {
    if (segment.kind === 'literal') {
      template.push(segment.text);
      expectedSegments.push(segment.text);
      return;
    }
    const name = `p${k}`;
    template.push(`${segment.before}{${name}}${segment.after}`);
    const param: OperationParameter = { name, in: 'path', argument: name, required: true, schema: {} };
    if (segment.style !== undefined) param.style = segment.style;
    if (segment.explode !== undefined) param.explode = segment.explode;
    parameters.push(param);
    args[name] = segment.value;
    const text = segment.before + styled(segment, name) + segment.after;
    expectedSegments.push(text);
    if (refusedSegment === undefined && (text === '' || text === '.' || text === '..')) refusedSegment = text;
  });
  c.queries.forEach((q, k) => {
    const name = `q${k}`;
    const param: OperationParameter = { name, in: 'query', argument: name, required: false, schema: {} };
    if (q.style !== undefined) param.style = q.style;
    if (q.explode !== undefined) param.explode = q.explode;
    if (q.allowReserved) param.allowReserved = true;
    parameters.push(param);
    if (q.value !== undefined) args[name] = q.value;
  });
  c.headers.forEach((value, k) => {
    const name = `X-Prop-${k}`;
    parameters.push({ name, in: 'header', argument: name, required: false, schema: {} });
    args[name] = value;
  });
  if (c.cookie !== undefined) {
    parameters.push({ name: 'session', in: 'cookie', argument: 'session', required: false, schema: {} });
    args.session = c.cookie;
  }
  const op: Operation = {
    name: 'prop_op',
    api: 'prop',
    method: 'get',
    path: `/${template.join('/')}`,
    title: 'prop',
    tags: [],
    deprecated: false,
    parameters,
    responses: [],
    security: [],
    inputSchema: { type: 'object', properties: {} },
    defs: [],
  };
  return { op, args, expectedSegments, refusedSegment };
}

const API: ApiInfo = { name: 'prop', title: 'Prop', version: '1', servers: [], securitySchemes: {} };

/** Splits a raw query into [name, raw value] pairs. */
function rawPairs(search: string): Array<[string, string]> {
  if (search.length <= 1) return [];
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
}

describe('buildRequest: no generated value leaves the base URL (property)', () => {
  it('refuses exactly the documented cases, and otherwise builds the URL and headers the oracle expects', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const base = resolveBaseUrl(API, {} as Operation, c.base.text);
        const { op, args, expectedSegments, refusedSegment } = assemble(c);
        const badHeader = c.headers.some((value) => !headerValid(wellFormed(value)));
        let built: ReturnType<typeof buildRequest>;
        try {
          built = buildRequest(op, args, base);
        } catch (error) {
          assert.ok(error instanceof ToolArgumentError, `not a ToolArgumentError: ${String(error)}`);
          if (refusedSegment !== undefined) {
            assert.match(error.message, refusedSegment === '' ? /is empty/ : /directory even when encoded/);
          } else {
            assert.ok(badHeader, `refused for no documented reason: ${error.message}`);
            assert.match(error.message, /header parameter 'X-Prop-\d'/);
          }
          // Never echoes the value it refuses.
          assert.ok(!error.message.includes(MARKER), 'the error message echoes the value');
          return;
        }
        assert.equal(refusedSegment, undefined, `a path segment '${refusedSegment}' was sent`);
        assert.ok(!badHeader, 'a header value Node rejects was accepted');

        const url = built.url;
        // Same origin, same user info, no fragment.
        assert.equal(url.origin, base.origin);
        assert.equal(url.protocol, base.protocol);
        assert.equal(url.host, base.host);
        assert.equal(url.username, base.username);
        assert.equal(url.password, base.password);
        assert.equal(url.hash, '');
        // Under the base path, with exactly the template's segments, each spelled as the style says.
        const basePath = base.pathname.replace(/\/+$/, '');
        assert.ok(url.pathname.startsWith(`${basePath}/`), `${url.pathname} is not under ${basePath}/`);
        const rest = url.pathname.slice(basePath.length + 1).split('/');
        assert.deepEqual(rest, expectedSegments);
        // Re-parsing the href gives the same URL: nothing is left for a client to resolve.
        assert.equal(new URL(url.href).href, url.href);

        // Decoding a scalar value's part of its segment gives the value back.
        c.segments.forEach((segment, k) => {
          if (segment.kind !== 'param' || Array.isArray(segment.value)) return;
          const text = rest[k]!.slice(segment.before.length, rest[k]!.length - segment.after.length);
          const style = segment.style ?? 'simple';
          const encoded =
            style === 'label'
              ? text.slice(1)
              : style === 'matrix'
                ? text.replace(new RegExp(`^;p${k}=?`), '')
                : text;
          assert.equal(decodeURIComponent(encoded), wellFormed(scalar(segment.value)));
        });

        // The query: the base URL's own first, then the parameters, none added.
        const params = new URLSearchParams(url.search);
        const baseParams = [...new URLSearchParams(base.search).keys()];
        const reserved = c.queries.some((q) => q.allowReserved);
        if (!reserved) {
          const expectedKeys = [...baseParams];
          c.queries.forEach((q, k) => {
            const name = `q${k}`;
            const value = q.value;
            if (value === undefined || (Array.isArray(value) && value.length === 0)) {
              assert.equal(params.has(name), false);
              return;
            }
            const explode = q.explode ?? (q.style ?? 'form') === 'form';
            if (!Array.isArray(value) || explode) {
              const items = Array.isArray(value) ? value : [value];
              assert.deepEqual(params.getAll(name), items.map(wellFormed), `query ${name}`);
              for (const _ of items) expectedKeys.push(name);
              return;
            }
            // Not exploded: one pair, the items joined by the style's delimiter. A form list keeps its
            // commas literal (an item's own comma is %2C), so it splits back exactly; space and pipe
            // delimiters are written encoded, as OpenAPI says, and so cannot be told from an item's
            // own space or pipe: there only the joined text is checked.
            const raw = rawPairs(url.search).filter(([key]) => key === name);
            assert.equal(raw.length, 1);
            const text = raw[0]![1];
            if (q.style === 'spaceDelimited' || q.style === 'pipeDelimited') {
              const char = q.style === 'spaceDelimited' ? ' ' : '|';
              assert.equal(decodeURIComponent(text), value.map(wellFormed).join(char));
            } else {
              assert.deepEqual(text.split(',').map(decodeURIComponent), value.map(wellFormed));
            }
            expectedKeys.push(name);
          });
          assert.deepEqual([...params.keys()], expectedKeys, 'query parameters added or lost');
        } else {
          // allowReserved keeps `&` and `=` by the spec's own rule; still no fragment, same origin.
          assert.ok(!url.search.includes('#'));
        }

        // Headers: every value passes Node's check and the scalar ones are sent as they are.
        for (const [name, value] of Object.entries(built.headers)) {
          assert.ok(headerValid(value), `header ${name} would not pass validateHeaderValue`);
          assert.ok(!/[\r\n]/.test(value), `header ${name} carries CR/LF`);
        }
        c.headers.forEach((value, k) => {
          assert.equal(built.headers[`x-prop-${k}`], value);
        });
        if (c.cookie !== undefined) {
          const cookie = built.headers.cookie ?? '';
          assert.ok(cookie.startsWith('session='), cookie);
          assert.ok(!/[;,\s]/.test(cookie.slice('session='.length)), `cookie value not encoded: ${cookie}`);
          assert.equal(decodeURIComponent(cookie.slice('session='.length)), wellFormed(c.cookie));
        }
      }),
      { numRuns: NUM_RUNS, includeErrorInReport: true },
    );
  });

  it('a header value is accepted exactly when Node would accept it, and then sent unchanged', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        const op = assemble({
          base: { text: 'https://api.example.test/v1' },
          segments: [{ kind: 'literal', text: 'items' }],
          queries: [],
          headers: [value],
          cookie: undefined,
        }).op;
        const base = new URL('https://api.example.test/v1');
        const valid = headerValid(value);
        if (valid) {
          assert.equal(buildRequest(op, { 'X-Prop-0': value }, base).headers['x-prop-0'], value);
        } else {
          assert.throws(
            () => buildRequest(op, { 'X-Prop-0': value }, base),
            (e: unknown) => e instanceof ToolArgumentError && !e.message.includes(MARKER),
          );
        }
      }),
      { numRuns: NUM_RUNS, includeErrorInReport: true },
    );
  });
});
