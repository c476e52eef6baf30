/**
 * buildRequest and resolveBaseUrl: the request a tool call sends. Operations come from real
 * documents through buildCatalog where the catalog's shape matters (argument renames, `$ref` body
 * schemas, content parameters); multipart bodies are parsed back by undici's own form-data parser,
 * and one test sends built requests to a real HTTP server to see what arrives.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ToolArgumentError, UsageError } from '../../src/errors.js';
import { buildCatalog } from '../../src/openapi/catalog.js';
import { RefResolver } from '../../src/openapi/refs.js';
import { acceptHeader, buildRequest, decodeBase64, resolveBaseUrl } from '../../src/openapi/request.js';
import type { ApiInfo, Catalog, JsonObject, Operation, OperationParameter } from '../../src/openapi/types.js';

const ROOT = 'file:///spec.json';
const BASE = new URL('https://api.example.test/api/v1');

function catalogOf(paths: JsonObject, extra: JsonObject = {}, openapi = '3.0.3'): Catalog {
  const document: JsonObject = { openapi, info: { title: 't', version: '1' }, paths, ...extra };
  return buildCatalog(document, new RefResolver(ROOT, new Map([[ROOT, document]])), { apiName: 't' });
}

function opOf(catalog: Catalog, operationId: string): Operation {
  const op = catalog.operations.find((o) => o.operationId === operationId);
  assert.ok(op, operationId);
  return op;
}

function operation(extra: Partial<Operation> = {}): Operation {
  return {
    name: 'op',
    api: 't',
    method: 'get',
    path: '/items/{id}',
    title: 'op',
    tags: [],
    deprecated: false,
    parameters: [pathParam('id')],
    responses: [],
    security: [],
    inputSchema: { type: 'object', properties: {} },
    defs: [],
    ...extra,
  };
}

function pathParam(name: string, extra: Partial<OperationParameter> = {}): OperationParameter {
  return { name, in: 'path', argument: name, required: true, schema: { type: 'string' }, ...extra };
}

function api(servers: ApiInfo['servers']): ApiInfo {
  return { name: 'pets', title: 'Pets', version: '1', servers, securitySchemes: {} };
}

describe('resolveBaseUrl', () => {
  const op = operation();

  it('takes the first server, with variables replaced by their defaults and the trailing slash stripped', () => {
    const url = resolveBaseUrl(
      api([
        {
          url: 'https://{region}.api.test:{port}/{version}/',
          variables: { region: { default: 'eu' }, port: { default: '8443' }, version: { default: 'v2' } },
        },
        { url: 'https://other.test' },
      ]),
      op,
    );
    assert.equal(url.href, 'https://eu.api.test:8443/v2');
  });

  it("prefers the operation's server, then the override over both", () => {
    const servers = api([{ url: 'https://api.test/v1' }]);
    const withServer = operation({ servers: ['https://uploads.api.test/u/'] });
    assert.equal(resolveBaseUrl(servers, withServer).href, 'https://uploads.api.test/u');
    assert.equal(
      resolveBaseUrl(servers, withServer, 'http://127.0.0.1:9000/mock/').href,
      'http://127.0.0.1:9000/mock',
    );
  });

  it('refuses a relative server URL, saying what was found and what to set', () => {
    assert.throws(
      () => resolveBaseUrl(api([{ url: '/v1' }]), op),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'HR_USAGE' &&
        error.message.includes("'/v1' is relative") &&
        error.message.includes('--base-url') &&
        error.message.includes("baseUrl for 'pets' under openapi.apis in headroom.yml"),
    );
    assert.throws(() => resolveBaseUrl(api([{ url: 'v1/api' }]), op), /relative/);
  });

  it('refuses no servers, other schemes and URLs that do not parse', () => {
    assert.throws(
      () => resolveBaseUrl(api([]), op),
      (e: unknown) => e instanceof UsageError && /no servers/.test(e.message),
    );
    assert.throws(
      () => resolveBaseUrl(api([{ url: 'ftp://files.test/x' }]), op),
      /uses ftp, but only http and https/,
    );
    assert.throws(
      () => resolveBaseUrl(api([{ url: 'https://{tenant}.api.test' }]), op),
      /\{tenant\}, which has no default/,
    );
    assert.throws(() => resolveBaseUrl(api([]), op, 'http://exa mple.test'), /not a valid URL/);
    assert.throws(() => resolveBaseUrl(api([]), op, 'ws://x.test'), /uses ws/);
  });

  it('never repeats a password from the URL in its message', () => {
    assert.throws(
      () => resolveBaseUrl(api([]), op, 'ftp://user:hunter2@files.test/'),
      (error: unknown) => error instanceof UsageError && !error.message.includes('hunter2'),
    );
  });
});

describe('buildRequest: the path', () => {
  const build = (value: unknown, extra: Partial<OperationParameter> = {}) =>
    buildRequest(operation({ parameters: [pathParam('id', extra)] }), { id: value }, BASE).url;

  it('appends the operation path to the base path', () => {
    assert.equal(build('42').href, 'https://api.example.test/api/v1/items/42');
  });

  it('keeps every traversal attempt inside one segment under the base path', () => {
    const cases: Array<[string, string]> = [
      ['../../admin', '/api/v1/items/..%2F..%2Fadmin'],
      ['%2e%2e%2f', '/api/v1/items/%252e%252e%252f'],
      ['a/b', '/api/v1/items/a%2Fb'],
      ['?x=1', '/api/v1/items/%3Fx%3D1'],
      ['#frag', '/api/v1/items/%23frag'],
      ['..\\..\\admin', '/api/v1/items/..%5C..%5Cadmin'],
      ['...', '/api/v1/items/...'],
      ['a b', '/api/v1/items/a%20b'],
    ];
    for (const [value, path] of cases) {
      const url = build(value);
      assert.equal(url.pathname, path, value);
      assert.equal(url.search, '', value);
      assert.equal(url.hash, '', value);
      assert.equal(url.origin, BASE.origin, value);
    }
  });

  it('refuses a value that makes the segment . or .., which URLs resolve even when encoded', () => {
    for (const value of ['.', '..']) {
      assert.throws(
        () => build(value),
        (error: unknown) =>
          error instanceof ToolArgumentError &&
          error.message.includes("'id'") &&
          error.message.includes('directory'),
        value,
      );
    }
    // label style adds a dot of its own: `.` + `.` would be `..`
    assert.throws(() => build('.', { style: 'label' }), ToolArgumentError);
    assert.throws(() => build('', { style: 'label' }), ToolArgumentError);
  });

  it('refuses an empty value that would leave its segment empty (another resource)', () => {
    assert.throws(
      () => build(''),
      (e: unknown) => e instanceof ToolArgumentError && /'id' is empty/.test(e.message),
    );
    assert.equal(build('', { style: 'matrix' }).pathname, '/api/v1/items/;id');
  });

  it('keeps traversal out for label and matrix styles and for list values', () => {
    assert.equal(build('../x', { style: 'label' }).pathname, '/api/v1/items/...%2Fx');
    assert.equal(build('../x', { style: 'matrix' }).pathname, '/api/v1/items/;id=..%2Fx');
    assert.equal(build(['..', '/'], {}).pathname, '/api/v1/items/..,%2F');
  });

  it('names a missing path parameter rather than sending {id}', () => {
    for (const args of [{}, { id: null }]) {
      assert.throws(
        () => buildRequest(operation(), args, BASE),
        (error: unknown) =>
          error instanceof ToolArgumentError &&
          error.message.includes("missing required argument 'id'") &&
          !error.message.includes('%7B'),
      );
    }
  });

  it('a template name with no parameter is reported, not sent', () => {
    assert.throws(
      () => buildRequest(operation({ parameters: [] }), {}, BASE),
      /missing required argument 'id'/,
    );
  });

  it('uses the argument name the catalog gave a parameter renamed for a clash', () => {
    const catalog = catalogOf({
      '/pets/{id}': {
        get: {
          operationId: 'getPet',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'id', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'ok' } },
        },
      },
    });
    const op = opOf(catalog, 'getPet');
    const url = buildRequest(op, { id: 'p1', query_id: 'q1' }, BASE).url;
    assert.equal(url.pathname, '/api/v1/pets/p1');
    assert.equal(url.search, '?id=q1');
  });

  it('works with a root base URL and several parameters in one segment', () => {
    const op = operation({
      path: '/files/{name}.{ext}',
      parameters: [pathParam('name'), pathParam('ext')],
    });
    const url = buildRequest(op, { name: 'report', ext: 'pdf' }, new URL('http://127.0.0.1:8080/')).url;
    assert.equal(url.href, 'http://127.0.0.1:8080/files/report.pdf');
    assert.throws(() => buildRequest(op, { name: '', ext: '' }, BASE), /segment '\.'/);
  });

  it('keeps the query of the base URL and one written into the spec path', () => {
    const op = operation({
      path: '/items/{id}?action=archive',
      parameters: [pathParam('id'), { name: 'q', in: 'query', argument: 'q', required: false, schema: {} }],
    });
    const url = buildRequest(
      op,
      { id: '1', q: 'x y' },
      new URL('https://api.test/v1?api-version=2024-01-01'),
    ).url;
    assert.equal(url.href, 'https://api.test/v1/items/1?api-version=2024-01-01&action=archive&q=x%20y');
  });
});

describe('buildRequest: query, headers and cookies', () => {
  const catalog = catalogOf({
    '/search': {
      get: {
        operationId: 'search',
        parameters: [
          { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'ids', in: 'query', explode: false, schema: { type: 'array', items: { type: 'integer' } } },
          { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } },
          {
            name: 'near',
            in: 'query',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
          { name: 'X-Request-Id', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'X-Flags', in: 'header', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'session', in: 'cookie', schema: { type: 'string' } },
          { name: 'theme', in: 'cookie', schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'ok', content: { 'application/xml': {}, 'application/json': {} } },
          404: { description: 'no', content: { 'text/html': {} } },
        },
      },
    },
  });
  const op = opOf(catalog, 'search');

  it('serializes every location as the spec describes', () => {
    const request = buildRequest(
      op,
      {
        q: 'red shoes',
        tags: ['a', 'b'],
        ids: [1, 2],
        filter: { size: 42, color: 'red' },
        near: { lat: 1.5, lng: 2 },
        limit: undefined,
        'X-Request-Id': 'r-1',
        'X-Flags': ['x', 'y'],
        session: 'a b;c',
        theme: 'dark',
      },
      BASE,
    );
    assert.equal(request.method, 'GET');
    assert.equal(
      request.url.search,
      '?q=red%20shoes&tags=a&tags=b&ids=1,2&filter%5Bsize%5D=42&filter%5Bcolor%5D=red' +
        `&near=${encodeURIComponent('{"lat":1.5,"lng":2}')}`,
    );
    assert.deepEqual(request.headers, {
      accept: 'application/json, application/xml',
      'x-request-id': 'r-1',
      'x-flags': 'x,y',
      cookie: 'session=a%20b%3Bc; theme=dark',
    });
    assert.equal(request.body, undefined);
  });

  it('reports missing required query and header parameters', () => {
    assert.throws(
      () => buildRequest(op, { 'X-Request-Id': 'r' }, BASE),
      (e: unknown) => e instanceof ToolArgumentError && e.message.includes("missing required argument 'q'"),
    );
    assert.throws(() => buildRequest(op, { q: 'x' }, BASE), /missing required argument 'X-Request-Id'/);
  });

  it('refuses a header value with CR or LF (header injection)', () => {
    for (const value of ['r\r\nX-Admin: yes', 'r\nx', 'r\rx']) {
      assert.throws(
        () => buildRequest(op, { q: 'x', 'X-Request-Id': value }, BASE),
        (e: unknown) =>
          e instanceof ToolArgumentError && /X-Request-Id/.test(e.message) && !/X-Admin/.test(e.message),
      );
    }
  });
});

describe('acceptHeader', () => {
  it('lists the 2xx media types, JSON first; a JSON-leaning default otherwise', () => {
    const with2xx = operation({
      responses: [
        { status: '200', mediaTypes: ['text/csv', 'application/problem+json'] },
        { status: '2XX', mediaTypes: ['application/json', 'text/csv'] },
        { status: 'default', mediaTypes: ['text/html'] },
      ],
    });
    assert.equal(acceptHeader(with2xx), 'application/problem+json, application/json, text/csv');
    assert.equal(
      acceptHeader(operation({ responses: [{ status: '204', mediaTypes: [] }] })),
      'application/json, */*;q=0.8',
    );
    assert.equal(acceptHeader(operation()), 'application/json, */*;q=0.8');
  });
});

function bodyOp(mediaTypes: string[], schema: JsonObject = {}, extra: Partial<Operation> = {}): Operation {
  return operation({
    method: 'post',
    path: '/items',
    parameters: [],
    body: { required: true, mediaTypes, schema },
    ...extra,
  });
}

async function formParts(body: { contentType: string; data: Buffer }): Promise<FormData> {
  return new Response(body.data, { headers: { 'content-type': body.contentType } }).formData();
}

describe('buildRequest: bodies', () => {
  it('JSON and +json: JSON text with the media type as given', () => {
    for (const type of ['application/json', 'application/merge-patch+json']) {
      const request = buildRequest(bodyOp([type]), { body: { name: 'Rex', tags: ['a'] } }, BASE);
      assert.equal(request.body?.contentType, type);
      assert.deepEqual(JSON.parse(request.body!.data.toString()), { name: 'Rex', tags: ['a'] });
    }
  });

  it('chooses the first media type it can build', () => {
    const request = buildRequest(bodyOp(['*/*', 'multipart/mixed', 'application/json']), { body: [1] }, BASE);
    assert.equal(request.body?.contentType, 'application/json');
  });

  it('form-urlencoded: fields encoded, lists repeat their key, nested objects as JSON', () => {
    const request = buildRequest(
      bodyOp(['application/x-www-form-urlencoded']),
      { body: { name: 'a b&c', tags: ['x', 'y'], meta: { k: 1 }, skip: null, n: 2, ok: true } },
      BASE,
    );
    assert.equal(request.body?.contentType, 'application/x-www-form-urlencoded');
    const text = request.body!.data.toString();
    assert.equal(text, `name=a%20b%26c&tags=x&tags=y&meta=${encodeURIComponent('{"k":1}')}&n=2&ok=true`);
    const parsed = new URLSearchParams(text);
    assert.equal(parsed.get('name'), 'a b&c');
    assert.deepEqual(parsed.getAll('tags'), ['x', 'y']);
    assert.throws(
      () => buildRequest(bodyOp(['application/x-www-form-urlencoded']), { body: [1] }, BASE),
      /got array/,
    );
  });

  it('multipart: text, JSON and base64 file parts, read back by a real form-data parser', async () => {
    const catalog = catalogOf(
      {
        '/upload': {
          post: {
            operationId: 'upload',
            requestBody: {
              required: true,
              content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/Upload' } } },
            },
            responses: { 201: { description: 'ok' } },
          },
        },
      },
      {
        components: {
          schemas: {
            Upload: {
              type: 'object',
              properties: {
                title: { type: 'string' },
                count: { type: 'integer' },
                meta: { type: 'object' },
                file: { type: 'string', contentEncoding: 'base64', contentMediaType: 'image/png' },
                more: { type: 'array', items: { type: 'string', contentEncoding: 'base64' } },
              },
            },
          },
        },
      },
      '3.1.0',
    );
    const op = opOf(catalog, 'upload');
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x0d, 0x0a]);
    const args = {
      body: {
        title: 'a "quoted"\r\nname',
        count: 3,
        meta: { k: [1] },
        file: bytes.toString('base64'),
        more: [Buffer.from('one').toString('base64'), Buffer.from('two').toString('base64url')],
      },
    };
    const request = buildRequest(op, args, BASE, { definitions: catalog.definitions });
    assert.match(request.body!.contentType, /^multipart\/form-data; boundary=headroom-[0-9a-f]{32}$/);
    const form = await formParts(request.body!);
    assert.equal(form.get('title'), 'a "quoted"\r\nname');
    assert.equal(form.get('count'), '3');
    // A part without a filename reads back as text; its own Content-Type is in the raw body.
    assert.deepEqual(JSON.parse(form.get('meta') as string), { k: [1] });
    assert.match(
      request.body!.data.toString('latin1'),
      /name="meta"\r\nContent-Type: application\/json\r\n\r\n\{"k":\[1\]\}\r\n/,
    );
    assert.match(request.body!.data.toString('latin1'), /name="title"\r\n\r\n/);
    const file = form.get('file') as File;
    assert.equal(file.name, 'file');
    assert.equal(file.type, 'image/png');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes);
    const more = form.getAll('more') as File[];
    assert.deepEqual(await Promise.all(more.map((f) => f.text())), ['one', 'two']);
    assert.equal(more[0]!.type, 'application/octet-stream');

    // Two builds, two boundaries.
    const again = buildRequest(op, args, BASE, { definitions: catalog.definitions });
    assert.notEqual(again.body!.contentType, request.body!.contentType);
    // Without the definitions the `$ref`'d schema is unknown: fields go as text.
    const plain = await formParts(buildRequest(op, args, BASE).body!);
    assert.equal(plain.get('file'), args.body.file);
  });

  it('multipart: an invalid base64 file is refused', () => {
    const op = bodyOp(['multipart/form-data'], {
      type: 'object',
      properties: { file: { type: 'string', contentEncoding: 'base64' } },
    });
    assert.throws(
      () => buildRequest(op, { body: { file: 'not base64!' } }, BASE),
      (e: unknown) => e instanceof ToolArgumentError && e.message.startsWith('body.file: must be base64'),
    );
  });

  it('text/*: the string with a UTF-8 charset; other values as JSON text', () => {
    const text = buildRequest(bodyOp(['text/plain']), { body: 'héllo' }, BASE).body!;
    assert.equal(text.contentType, 'text/plain; charset=utf-8');
    assert.equal(text.data.toString('utf8'), 'héllo');
    const csv = buildRequest(bodyOp(['text/csv; charset=latin1']), { body: { a: 1 } }, BASE).body!;
    assert.equal(csv.contentType, 'text/csv; charset=latin1');
    assert.equal(csv.data.toString(), '{"a":1}');
  });

  it('octet-stream and other binary types: base64 decoded; invalid base64 refused', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    const schema = { type: 'string', contentEncoding: 'base64' };
    for (const type of ['application/octet-stream', 'image/png']) {
      for (const encoded of [
        bytes.toString('base64'),
        bytes.toString('base64url'),
        `data:${type};base64,${bytes.toString('base64')}`,
        bytes.toString('base64').replace(/(.{4})/g, '$1\n'),
      ]) {
        const body = buildRequest(bodyOp([type], schema), { body: encoded }, BASE).body!;
        assert.equal(body.contentType, type);
        assert.deepEqual(body.data, bytes, encoded);
      }
      for (const bad of ['abc$', 'a', 'ab=c', '====']) {
        assert.throws(
          () => buildRequest(bodyOp([type], schema), { body: bad }, BASE),
          ToolArgumentError,
          bad,
        );
      }
    }
  });

  it('the catalog marks a schemaless binary body as base64, and the builder decodes it', () => {
    const catalog = catalogOf({
      '/blob': {
        put: {
          operationId: 'putBlob',
          requestBody: { content: { 'application/octet-stream': {} } },
          responses: { 204: { description: 'ok' } },
        },
      },
    });
    const body = buildRequest(opOf(catalog, 'putBlob'), { body: 'AAEC' }, BASE).body!;
    assert.deepEqual(body.data, Buffer.from([0, 1, 2]));
    // Behind a `$ref`, found through the catalog's definitions.
    const viaRef = bodyOp(['image/png'], { $ref: '#/$defs/Png' });
    const definitions = {
      Png: { schema: { type: 'string', contentEncoding: 'base64' }, refs: [], bytes: 40 },
    };
    assert.deepEqual(
      buildRequest(viaRef, { body: 'AAEC' }, BASE, { definitions }).body!.data,
      Buffer.from([0, 1, 2]),
    );
    assert.equal(buildRequest(viaRef, { body: 'AAEC' }, BASE).body!.data.toString(), 'AAEC');
  });

  it('another media type with a string: the string as it is; an object it cannot encode is refused', () => {
    const xml = buildRequest(bodyOp(['application/xml'], { type: 'string' }), { body: '<a/>' }, BASE).body!;
    assert.equal(xml.contentType, 'application/xml');
    assert.equal(xml.data.toString(), '<a/>');
    assert.throws(
      () => buildRequest(bodyOp(['application/xml']), { body: { a: 1 } }, BASE),
      /pass the body as a string/,
    );
    const any = buildRequest(bodyOp(['*/*']), { body: { a: 1 } }, BASE).body!;
    assert.equal(any.contentType, 'application/json');
  });

  it('a required body that is missing is named; an optional one is left out', () => {
    assert.throws(
      () => buildRequest(bodyOp(['application/json']), {}, BASE),
      (e: unknown) =>
        e instanceof ToolArgumentError && e.message.includes("missing required argument 'body'"),
    );
    const optional = bodyOp(['application/json']);
    optional.body!.required = false;
    assert.equal(buildRequest(optional, {}, BASE).body, undefined);
  });

  it('GET and HEAD never carry a body', () => {
    for (const method of ['get', 'head']) {
      const request = buildRequest(bodyOp(['application/json'], {}, { method }), { body: { a: 1 } }, BASE);
      assert.equal(request.method, method.toUpperCase());
      assert.equal(request.body, undefined);
    }
  });
});

describe('decodeBase64', () => {
  it('decodes padded, unpadded and URL-safe text', () => {
    assert.equal(decodeBase64('aGk=', 'x').toString(), 'hi');
    assert.equal(decodeBase64('aGk', 'x').toString(), 'hi');
    assert.deepEqual(decodeBase64('-_8', 'x'), Buffer.from([0xfb, 0xff]));
    assert.equal(decodeBase64('', 'x').length, 0);
  });
});

describe('on the wire', () => {
  it('a real HTTP server receives the path, query, headers and body as built', async () => {
    const seen: Array<{ url: string; headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const base = new URL(`http://127.0.0.1:${port}/api/v1/`);
      const op = operation({
        method: 'put',
        parameters: [
          pathParam('id'),
          { name: 'q', in: 'query', argument: 'q', required: false, schema: {} },
          { name: 'X-Trace', in: 'header', argument: 'X-Trace', required: false, schema: {} },
        ],
        body: { required: false, mediaTypes: ['application/json'], schema: {} },
      });
      const values = ['../../admin', '%2e%2e%2f', 'a/b', '?x=1', '#frag', 'é'];
      for (const id of values) {
        const built = buildRequest(op, { id, q: 'a&b=c', 'X-Trace': 't-1', body: { id } }, base);
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(
            built.url,
            {
              method: built.method,
              headers: { ...built.headers, 'content-type': built.body!.contentType },
              timeout: 5000,
            },
            (res) => {
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.on('timeout', () => req.destroy(new Error('timed out')));
          req.end(built.body!.data);
        });
      }
      assert.equal(seen.length, values.length);
      for (const [i, id] of values.entries()) {
        const got = seen[i]!;
        const [path, query] = got.url.split('?');
        assert.ok(path!.startsWith('/api/v1/items/'), got.url);
        assert.equal(decodeURIComponent(path!.slice('/api/v1/items/'.length)), id);
        assert.equal(new URLSearchParams(query).get('q'), 'a&b=c');
        assert.equal(got.headers['x-trace'], 't-1');
        assert.deepEqual(JSON.parse(got.body), { id });
      }
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
