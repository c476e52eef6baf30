/**
 * `headroom openapi` tool calls against a mock server that validates every request against the
 * spec (openapi-backend): each operation of each spec is called through the real CLI, over stdio,
 * with arguments generated from its listed input schema, and the request that arrives must be the
 * one the spec describes. For the parameter styles, the raw URLs, headers and cookies are also
 * compared with the OpenAPI style table, because openapi-backend does not decode every style
 * (see UNDECODED_BY_VALIDATOR). The table is the one of OpenAPI 3.1.1 and 3.2 ("Style Examples"),
 * which percent-encodes the pipe and the deepObject brackets as RFC 3986 requires in a query
 * (`%7C`, `%5B`, `%5D`); the 3.0 table showed them raw.
 *
 * Swagger 2.0 (petstore-2.0.json) is not covered here: openapi-backend takes OpenAPI 3 only, and
 * the 2.0 petstore shares no operation with the 3.0 one. Validating it against Headroom's own
 * 2.0-to-3.0 conversion would only check Headroom against itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Cleanup, fixture, NODE_ARGS, ROOT, within } from './cli-helpers.js';
import { type MockRequest, type MockServer, startMockServer } from './mock-server.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

// A bound on hangs, not a speed test: five servers starting at once on a busy 2-core machine take 10 s.
const STEP_MS = 20_000;
/** Tools every server may list beside the operations. */
const NOT_OPERATIONS = new Set(['read_result']);
/** Arguments every operation tool takes that shape the answer, not the request. */
const META_ARGUMENTS = new Set(['_fields', '_query']);

type Schema = Record<string, unknown>;
type ToolResult = Awaited<ReturnType<Client['callTool']>>;

interface SpecCase {
  file: string;
  /** The path of the spec's first server: the mock's API root. */
  basePath: string;
  /** Tool name -> the operationId openapi-backend must match for its request. */
  tools: Record<string, string>;
  /** A tool whose required path parameter `missing` is left out of `args`. */
  missing: { tool: string; missing: string; args: Record<string, unknown> };
  /** Calls whose raw request is known exactly. */
  exact: ExactCase[];
  /** Accept the validator errors of UNDECODED_BY_VALIDATOR (the styles it cannot decode). */
  undecodedStyles?: boolean;
}

interface ExactCase {
  what: string;
  tool: string;
  args: Record<string, unknown>;
  /** The raw request target: path and query. */
  url: string;
  headers?: Record<string, string>;
}

/** Arguments of `pathStyles` for which the style table gives the path of its exact case. */
const PATH_STYLE_ARGUMENTS = {
  simple: ['a', 'b'],
  simpleExploded: { a: 'x' },
  label: ['a', 'b'],
  labelExploded: ['a', 'b'],
  matrix: ['a', 'b'],
  matrixExploded: { a: 'x' },
  object: { x: 1, y: 2 },
};

function queryCase(what: string, args: Record<string, unknown>, query: string): ExactCase {
  return { what: `query, ${what}`, tool: 'queryStyles', args, url: `/styles/query?${query}` };
}

const SPECS: SpecCase[] = [
  {
    file: 'petstore-3.0.yaml',
    basePath: '/v2',
    tools: {
      findPets: 'findPets',
      addPet: 'addPet',
      find_pet_by_id: 'find pet by id',
      deletePet: 'deletePet',
    },
    missing: { tool: 'find_pet_by_id', missing: 'id', args: { id: 1 } },
    exact: [
      {
        what: 'query parameters in the order of the spec',
        tool: 'findPets',
        args: { limit: 2, tags: ['a', 'b'] },
        url: '/v2/pets?tags=a&tags=b&limit=2',
      },
      { what: 'an integer path parameter', tool: 'deletePet', args: { id: 42 }, url: '/v2/pets/42' },
    ],
  },
  {
    file: 'petstore-3.1.yaml',
    basePath: '/v1',
    tools: { listPets: 'listPets', createPets: 'createPets', showPetById: 'showPetById' },
    missing: { tool: 'showPetById', missing: 'petId', args: { petId: 'a' } },
    exact: [
      {
        what: 'a path parameter with a space and a slash',
        tool: 'showPetById',
        args: { petId: 'a b/c' },
        url: '/v1/pets/a%20b%2Fc',
      },
    ],
  },
  {
    file: 'styles-3.0.yaml',
    basePath: '/styles',
    tools: {
      queryStyles: 'queryStyles',
      pathStyles: 'pathStyles',
      headerStyles: 'headerStyles',
      cookieStyles: 'cookieStyles',
    },
    missing: { tool: 'pathStyles', missing: 'matrix', args: PATH_STYLE_ARGUMENTS },
    undecodedStyles: true,
    exact: [
      queryCase('form, exploded array', { formExploded: ['a', 'b'] }, 'formExploded=a&formExploded=b'),
      queryCase('form, joined array', { formJoined: ['a', 'b'] }, 'formJoined=a,b'),
      queryCase(
        'form, joined array of values to encode',
        { formJoined: ['a b', 'c,d'] },
        'formJoined=a%20b,c%2Cd',
      ),
      queryCase('form, exploded object', { formObject: { a: 'x', b: 1 } }, 'a=x&b=1'),
      queryCase('form, joined object', { formObjectJoined: { a: 'x', b: 1 } }, 'formObjectJoined=a,x,b,1'),
      queryCase('spaceDelimited', { spaces: ['a', 'b'] }, 'spaces=a%20b'),
      queryCase('pipeDelimited', { pipes: ['a', 'b'] }, 'pipes=a%7Cb'),
      queryCase(
        'deepObject',
        { filter: { status: 'open', age: 3 } },
        'filter%5Bstatus%5D=open&filter%5Bage%5D=3',
      ),
      queryCase('allowReserved', { reserved: 'a/b?c' }, 'reserved=a/b?c'),
      queryCase('a boolean', { empty: true }, 'empty=true'),
      queryCase(
        'content: application/json',
        { json: { lat: 1.5, long: 2 } },
        'json=%7B%22lat%22%3A1.5%2C%22long%22%3A2%7D',
      ),
      {
        what: 'path, simple, label and matrix, joined and exploded',
        tool: 'pathStyles',
        args: PATH_STYLE_ARGUMENTS,
        url: '/styles/path/a,b/a=x/.a,b/.a.b/;matrix=a,b/;a=x/x,1,y,2',
      },
      {
        what: 'header, simple: a joined array and an exploded object',
        tool: 'headerStyles',
        args: { 'X-List': [1, 2], 'X-Object': { a: 'x', b: 'y' } },
        url: '/styles/header',
        headers: { 'x-list': '1,2', 'x-object': 'a=x,b=y' },
      },
      {
        what: 'cookie, a string and a form, joined array',
        tool: 'cookieStyles',
        args: { session: 'abc', prefs: ['a', 'b'] },
        url: '/styles/cookie',
        headers: { cookie: 'session=abc; prefs=a,b' },
      },
    ],
  },
];

/**
 * Validator errors that come from openapi-backend 5.21.2 itself, not from the request: it passes
 * path, header and cookie values to Ajv as raw strings (no simple/label/matrix/form decoding, so an
 * array or object schema fails), splits a form explode=false object into an array, and reads an
 * exploded form object's properties as unknown query parameters. The raw-string tests below check
 * these styles exactly instead.
 */
const UNDECODED_BY_VALIDATOR = new Set([
  '/query additionalProperties a',
  '/query additionalProperties b',
  '/query/formObjectJoined type',
  '/path/simple type',
  '/path/simpleExploded type',
  '/path/label type',
  '/path/labelExploded type',
  '/path/matrix type',
  '/path/matrixExploded type',
  '/path/object type',
  '/header/x-list type',
  '/header/x-object type',
  '/cookie/prefs type',
]);

interface ValidatorError {
  instancePath?: string;
  keyword?: string;
  params?: { additionalProperty?: string };
}

function errorKey(error: ValidatorError): string {
  const extra = error.keyword === 'additionalProperties' ? ` ${error.params?.additionalProperty}` : '';
  return `${error.instancePath} ${error.keyword}${extra}`;
}

function undecodedByValidator(error: unknown): boolean {
  return UNDECODED_BY_VALIDATOR.has(errorKey(error as ValidatorError));
}

// ---------------------------------------------------------------------------------------------
// Arguments from a tool's input schema: the first valid value that comes to mind, deterministic.

const STRING_FORMATS: Record<string, string> = {
  'date-time': '2024-01-02T03:04:05Z',
  date: '2024-01-02',
  time: '03:04:05Z',
  email: 'ada@example.test',
  uri: 'https://example.test/a',
  url: 'https://example.test/a',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
  hostname: 'example.test',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  byte: 'aGVsbG8=',
  binary: 'hello',
};

/** Deeper than any fixture nests; a cycle of `$ref`s would otherwise never end. */
const MAX_DEPTH = 12;

function exampleFor(schema: unknown, root: Schema, index = 0, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Error(`the schema nests deeper than ${MAX_DEPTH} levels`);
  if (schema === true || schema === undefined) return `text${index + 1}`;
  if (typeof schema !== 'object' || schema === null)
    throw new Error(`not a schema: ${JSON.stringify(schema)}`);
  const s = schema as Schema;
  if (typeof s.$ref === 'string') return exampleFor(resolveRef(s.$ref, root), root, index, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((part) => exampleFor(part, root, index, depth + 1));
    return parts.every(isObject) ? Object.assign({}, ...parts) : parts[0];
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key];
    if (Array.isArray(options)) {
      const first = options.find((option) => (option as Schema).type !== 'null');
      return exampleFor(first, root, index, depth + 1);
    }
  }
  switch (typeOf(s)) {
    case 'integer':
      return clamp(3 + index, s, 1);
    case 'number':
      return clamp(1.5 + index, s, 0.5);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const count = Math.min(
        Math.max(2, Number(s.minItems ?? 0)),
        Number(s.maxItems ?? Number.POSITIVE_INFINITY),
      );
      return Array.from({ length: count }, (_, i) => exampleFor(s.items, root, i, depth + 1));
    }
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required ?? []) as string[]);
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (depth === 0 && META_ARGUMENTS.has(name)) continue;
        // A client never sends what the server owns.
        if ((property as Schema).readOnly === true && !required.has(name)) continue;
        value[name] = exampleFor(property, root, 0, depth + 1);
      }
      return value;
    }
    default: {
      const format = typeof s.format === 'string' ? STRING_FORMATS[s.format] : undefined;
      let text = format ?? `text${index + 1}`;
      const minLength = Number(s.minLength ?? 0);
      if (text.length < minLength) text = text.padEnd(minLength, 'x');
      if (typeof s.maxLength === 'number') text = text.slice(0, s.maxLength);
      return text;
    }
  }
}

function resolveRef(ref: string, root: Schema): unknown {
  const prefix = '#/$defs/';
  if (!ref.startsWith(prefix)) throw new Error(`a $ref outside the tool schema's $defs: ${ref}`);
  const key = ref.slice(prefix.length).replaceAll('~1', '/').replaceAll('~0', '~');
  const defs = (root.$defs ?? {}) as Record<string, unknown>;
  if (!Object.hasOwn(defs, key)) throw new Error(`the $ref ${ref} names no entry of $defs`);
  return defs[key];
}

function typeOf(s: Schema): string {
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (typeof type === 'string') return type;
  if (s.properties !== undefined) return 'object';
  if (s.items !== undefined) return 'array';
  return 'string';
}

function clamp(value: number, s: Schema, step: number): number {
  if (typeof s.minimum === 'number') value = Math.max(value, s.minimum);
  if (typeof s.exclusiveMinimum === 'number') value = Math.max(value, s.exclusiveMinimum + step);
  if (typeof s.maximum === 'number') value = Math.min(value, s.maximum);
  if (typeof s.exclusiveMaximum === 'number') value = Math.min(value, s.exclusiveMaximum - step);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// The CLI and the mock server, one pair per spec.

interface Session {
  mock: MockServer;
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

async function startSession(spec: SpecCase): Promise<Session> {
  const mock = await startMockServer(fixture(spec.file), {
    apiRoot: spec.basePath,
    ...(spec.undecodedStyles ? { tolerate: undecodedByValidator } : {}),
  });
  cleanup.onRun(() => mock.close());
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      ...NODE_ARGS,
      'openapi',
      fixture(spec.file),
      '--base-url',
      mock.origin + spec.basePath,
      '--tools',
      'all',
      '--log-level',
      'debug',
      '--cache-dir',
      cleanup.tempDir('headroom-e2e-mock-cache-'),
    ],
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'headroom-e2e-mock', version: '1.0.0' });
  // Registered before connecting, so that a connect that times out still ends the child.
  cleanup.onRun(() => transport.close());
  await within(client.connect(transport), STEP_MS, `connecting to headroom openapi ${spec.file}`);
  return {
    mock,
    client,
    stderr: () => stderr,
    close: async () => {
      await within(client.close(), STEP_MS, 'closing the stdio client');
      await within(mock.close(), STEP_MS, 'closing the mock server');
    },
  };
}

interface Call {
  result: ToolResult;
  /** What reached the mock server during the call. */
  sent: MockRequest[];
}

/** One tool call; calls of a session run one at a time, so what arrives meanwhile is its own. */
async function call(session: Session, name: string, args: Record<string, unknown>): Promise<Call> {
  const before = session.mock.requests.length;
  const result = await within(
    session.client.callTool({ name, arguments: args }),
    STEP_MS,
    `tools/call ${name} ${JSON.stringify(args)}`,
  );
  return { result, sent: session.mock.requests.slice(before) };
}

function resultText(result: ToolResult): string {
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return content.map((part) => part.text ?? `[${part.type}]`).join('\n');
}

/** Everything needed to see why a call failed, for assertion messages. */
function explain(session: Session, name: string, args: unknown, { result, sent }: Call): string {
  const requests = sent.map((r) => ({
    method: r.method,
    url: r.url,
    headers: r.headers,
    body: r.body,
    operationId: r.operationId,
    valid: r.valid,
    errors: r.errors,
    tolerated: r.tolerated,
  }));
  return [
    `tool ${name} with ${JSON.stringify(args)}`,
    `result (isError=${result.isError === true}): ${resultText(result).slice(0, 2000)}`,
    `requests received: ${JSON.stringify(requests, null, 2)}`,
    `headroom stderr (last 3000 characters): ${session.stderr().slice(-3000)}`,
  ].join('\n');
}

/** The call answered, and exactly one request of `operationId` arrived, valid by the spec. */
function assertOneValidRequest(
  session: Session,
  name: string,
  args: unknown,
  done: Call,
  operationId: string,
): MockRequest {
  const why = explain(session, name, args, done);
  assert.notEqual(done.result.isError, true, `the tool result is an error\n${why}`);
  assert.equal(done.sent.length, 1, `expected exactly one request\n${why}`);
  const request = done.sent[0]!;
  assert.equal(request.operationId, operationId, `the request reached the wrong operation\n${why}`);
  assert.equal(request.valid, true, `openapi-backend rejected the request\n${why}`);
  return request;
}

// ---------------------------------------------------------------------------------------------

describe('headroom openapi against a validating mock server (openapi-backend)', { timeout: 120_000 }, () => {
  for (const spec of SPECS) {
    describe(spec.file, () => {
      let session: Session;
      before(async () => {
        session = await startSession(spec);
      });
      after(() => session?.close());

      it('lists a tool for every operation, and each call sends one request the spec accepts', async () => {
        const { tools } = await within(session.client.listTools(), STEP_MS, 'tools/list');
        const operationTools = tools.filter((tool) => !NOT_OPERATIONS.has(tool.name));
        assert.deepEqual(operationTools.map((tool) => tool.name).sort(), Object.keys(spec.tools).sort());
        assert.deepEqual(Object.values(spec.tools).sort(), [...session.mock.operationIds].sort());
        for (const tool of operationTools) {
          const schema = tool.inputSchema as Schema;
          const args = exampleFor(schema, schema) as Record<string, unknown>;
          const done = await call(session, tool.name, args);
          const request = assertOneValidRequest(session, tool.name, args, done, spec.tools[tool.name]!);
          if (isObject(args.body) || Array.isArray(args.body)) {
            assert.match(String(request.headers['content-type']), /^application\/json\b/);
            assert.deepEqual(JSON.parse(request.body), args.body, explain(session, tool.name, args, done));
          }
        }
      });

      it(`answers a call that lacks the required path parameter '${spec.missing.missing}' with an error naming it, and sends nothing`, async () => {
        const { tool, missing, args } = spec.missing;
        const without = Object.fromEntries(Object.entries(args).filter(([key]) => key !== missing));
        const done = await call(session, tool, without);
        const why = explain(session, tool, without, done);
        assert.equal(done.result.isError, true, why);
        assert.match(resultText(done.result), new RegExp(`\\b${missing}\\b`), why);
        assert.deepEqual(done.sent, [], `no request may reach the API\n${why}`);
      });

      for (const exact of spec.exact) {
        it(`${exact.what}: ${exact.url}`, async () => {
          const done = await call(session, exact.tool, exact.args);
          const request = assertOneValidRequest(
            session,
            exact.tool,
            exact.args,
            done,
            spec.tools[exact.tool]!,
          );
          const why = explain(session, exact.tool, exact.args, done);
          assert.equal(request.url, exact.url, why);
          for (const [name, value] of Object.entries(exact.headers ?? {})) {
            assert.equal(request.headers[name], value, `header ${name}\n${why}`);
          }
        });
      }
    });
  }

  it('the mock server itself: accepts what the spec describes and rejects the rest', async () => {
    const mock = await startMockServer(fixture('petstore-3.0.yaml'), { apiRoot: '/v2' });
    try {
      const send = async (method: string, path: string, body?: string) => {
        const init: RequestInit = { method, signal: AbortSignal.timeout(STEP_MS) };
        if (body !== undefined) {
          init.body = body;
          init.headers = { 'content-type': 'application/json' };
        }
        const response = await fetch(mock.origin + path, init);
        return { status: response.status, text: await response.text() };
      };
      const ok = await send('GET', '/v2/pets?tags=a&tags=b&limit=3');
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.text), [{ name: 'string', tag: 'string', id: 0 }]);
      assert.deepEqual(await send('DELETE', '/v2/pets/7'), { status: 204, text: '' });
      assert.equal((await send('POST', '/v2/pets', '{"name":"rex"}')).status, 200);
      for (const [method, path, body, status] of [
        ['GET', '/v2/pets?limit=many', undefined, 400],
        ['GET', '/v2/pets?colour=red', undefined, 400],
        ['GET', '/v2/pets/seven', undefined, 400],
        ['POST', '/v2/pets', '{"tag":"no name"}', 400],
        ['POST', '/v2/pets', '{"name":', 400],
        ['GET', '/pets', undefined, 404],
        ['PUT', '/v2/pets/7', undefined, 405],
      ] as const) {
        assert.equal((await send(method, path, body)).status, status, `${method} ${path} ${body ?? ''}`);
      }
      assert.deepEqual(
        mock.requests.map((r) => [r.method, r.url, r.valid]),
        [
          ['GET', '/v2/pets?tags=a&tags=b&limit=3', true],
          ['DELETE', '/v2/pets/7', true],
          ['POST', '/v2/pets', true],
          ['GET', '/v2/pets?limit=many', false],
          ['GET', '/v2/pets?colour=red', false],
          ['GET', '/v2/pets/seven', false],
          ['POST', '/v2/pets', false],
          ['POST', '/v2/pets', false],
          ['GET', '/pets', false],
          ['PUT', '/v2/pets/7', false],
        ],
      );
      assert.equal(mock.requests[2]?.body, '{"name":"rex"}');
      assert.match(JSON.stringify(mock.requests[3]?.errors), /\/query\/limit.*must be integer/);
    } finally {
      await within(mock.close(), STEP_MS, 'closing the mock server');
    }
  });

  it('cannot take Swagger 2.0, which is why petstore-2.0.json is not called here', async () => {
    await assert.rejects(
      startMockServer(fixture('petstore-2.0.json')),
      /OpenAPI 3 documents only; this one declares Swagger 2\.0/,
    );
  });
});
