import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { HeadroomError, SpecError, SpecTooLargeError } from '../../src/errors.js';
import { loadSpec, parseSpecText } from '../../src/openapi/load.js';
import { prepareCatalog } from '../../src/openapi/prepare.js';
import { readSource } from '../../src/openapi/source.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const fixture = (name: string) => join(FIXTURES, name);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'headroom-load-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Uint8Array): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  return file;
}

/** Asserts that `promise` rejects with a SpecError whose message matches every pattern. */
async function rejectsSpec(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<SpecError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SpecError, `expected a SpecError, got ${String(caught)}`);
  assert.equal(caught.code, 'HR_SPEC_INVALID');
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

const MINIMAL_JSON = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}';
const MINIMAL_YAML = 'openapi: 3.0.3\ninfo:\n  title: t\n  version: "1"\npaths: {}\n';

describe('loadSpec from files', () => {
  it('reads a file into the memory the caller allocates, or to its end when the size is off', async () => {
    const file = join(dir, 'sized.json');
    const text = JSON.stringify({ openapi: '3.0.3', pad: 'x'.repeat(300_000) });
    await writeFile(file, text);
    let given: Uint8Array | undefined;
    const read = await readSource(file, {
      allocate: (size) => {
        given = new Uint8Array(size);
        return given;
      },
    });
    assert.equal(read.bytes, given, 'the bytes are in the allocated memory, not a copy');
    assert.equal(Buffer.from(read.bytes).toString(), text);
    const plain = await readSource(file);
    assert.equal(Buffer.from(plain.bytes).toString(), text);
  });

  it('reads a file whose measured size is not its length (as /proc files measure 0) to its end', {
    skip: process.platform !== 'linux',
  }, async () => {
    const read = await readSource('/proc/self/cmdline', { allocate: (size) => new Uint8Array(size) });
    assert.ok(read.bytes.length > 0);
    assert.deepEqual(Buffer.from(read.bytes), await readFile('/proc/self/cmdline'));
  });

  it('loads each fixture with its format, version, size and hash', async () => {
    const cases: Array<[string, 'json' | 'yaml', string]> = [
      ['petstore-2.0.json', 'json', '2.0'],
      ['petstore-3.0.yaml', 'yaml', '3.0.0'],
      ['petstore-3.1.yaml', 'yaml', '3.1.0'],
      ['styles-2.0.yaml', 'yaml', '2.0'],
      ['styles-3.0.yaml', 'yaml', '3.0.3'],
    ];
    for (const [name, format, version] of cases) {
      const raw = await readFile(fixture(name));
      const spec = await loadSpec(fixture(name));
      assert.equal(spec.format, format, name);
      assert.equal(spec.version, version, name);
      assert.equal(spec.bytes, raw.length);
      assert.equal(spec.hash, createHash('blake2b512').update(raw).digest('hex').slice(0, 64));
      assert.equal(spec.file, fixture(name));
      assert.equal(spec.url, undefined);
      assert.equal(spec.source, fixture(name));
      assert.equal(typeof spec.document.paths, 'object');
    }
  });

  it('resolves a relative path against cwd and keeps the source as given', async () => {
    const spec = await loadSpec('petstore-3.1.yaml', { cwd: FIXTURES });
    assert.equal(spec.source, 'petstore-3.1.yaml');
    assert.equal(spec.file, fixture('petstore-3.1.yaml'));
  });

  it('accepts a file:// URL as a path', async () => {
    const spec = await loadSpec(pathToFileURL(fixture('petstore-3.0.yaml')).href);
    assert.equal(spec.file, fixture('petstore-3.0.yaml'));
    assert.equal(spec.version, '3.0.0');
  });

  it('detects JSON and YAML by content, whatever the extension says', async () => {
    const yamlText = await readFile(fixture('petstore-3.0.yaml'), 'utf8');
    const jsonText = await readFile(fixture('petstore-2.0.json'), 'utf8');
    assert.equal((await loadSpec(await write('yaml-inside.json', yamlText))).format, 'yaml');
    assert.equal((await loadSpec(await write('json-inside.yaml', jsonText))).format, 'json');
    assert.equal((await loadSpec(await write('no-extension', `\n\n  ${jsonText}`))).format, 'json');
    const flow = await loadSpec(
      await write('flow.yaml', '{openapi: 3.1.0, info: {title: t, version: v}, paths: {}}'),
    );
    assert.equal(flow.format, 'yaml');
    assert.equal(flow.version, '3.1.0');
  });

  it('skips a UTF-8 byte order mark and reads UTF-16 with one', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const json = await loadSpec(await write('bom.json', Buffer.concat([bom, Buffer.from(MINIMAL_JSON)])));
    assert.equal(json.format, 'json');
    assert.equal(json.bytes, MINIMAL_JSON.length + 3);
    const yaml = await loadSpec(await write('bom.yaml', Buffer.concat([bom, Buffer.from(MINIMAL_YAML)])));
    assert.equal(yaml.format, 'yaml');
    assert.equal(yaml.version, '3.0.3');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MINIMAL_YAML, 'utf16le')]);
    assert.equal((await loadSpec(await write('utf16.yaml', utf16))).version, '3.0.3');
  });

  it('reports invalid UTF-8 with its line and column', async () => {
    const bytes = Buffer.concat([
      Buffer.from('openapi: 3.0.3\ninfo:\n  title: caf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from('\n  version: "1"\npaths: {}\n'),
    ]);
    const file = await write('latin1.yaml', bytes);
    const error = await rejectsSpec(loadSpec(file), /latin1\.yaml:3:13: not valid UTF-8/, /UTF-8/);
    assert.equal(error.line, 3);
    assert.equal(error.column, 13);
  });

  it('reports truncated JSON with the line and column where it stops', async () => {
    const text = await readFile(fixture('petstore-2.0.json'), 'utf8');
    const cut = text.slice(0, Math.floor(text.length / 2));
    const file = await write('truncated.json', cut);
    const lines = cut.split('\n');
    const error = await rejectsSpec(loadSpec(file), /truncated\.json:\d+:\d+: invalid JSON/, /cut off/);
    assert.equal(error.line, lines.length);
    assert.ok(error.column !== undefined && error.column <= lines.at(-1)!.length + 1);
    const atEnd = await rejectsSpec(
      loadSpec(await write('truncated2.json', '{"openapi": "3.0.3",\n  "info": ')),
    );
    assert.deepEqual([atEnd.line, atEnd.column], [2, 11]);
  });

  it('reports trailing commas and comments as JSON errors, not as odd YAML', async () => {
    const comma = await write('trailing.json', '{\n  "openapi": "3.0.3",\n}\n');
    await rejectsSpec(loadSpec(comma), /trailing\.json:3:1: invalid JSON/);
    const comment = await write('comment.json', '{\n  // the API\n  "openapi": "3.0.3"\n}\n');
    await rejectsSpec(loadSpec(comment), /comment\.json:2:3: invalid JSON/);
    assert.equal(parseSpecText('\ufeff{"openapi": "3.1.0"}', 'bom.json').format, 'json');
  });

  it('reports a JSON syntax error in the middle with its line and column', async () => {
    const file = await write(
      'comma.json',
      '{\n  "openapi": "3.0.3",\n  "info": {"title": "t" "version": "1"}\n}\n',
    );
    const error = await rejectsSpec(loadSpec(file), /comma\.json:3:25: invalid JSON: expected ','/);
    assert.deepEqual([error.line, error.column], [3, 25]);
  });

  it('reports truncated YAML with the line and column', async () => {
    const text = await readFile(fixture('petstore-3.1.yaml'), 'utf8');
    // Cut inside a double-quoted $ref, as an interrupted download would.
    const cut = text.slice(0, text.indexOf('"#/components/schemas/Pets"') + 10);
    const file = await write('truncated.yaml', cut);
    const error = await rejectsSpec(loadSpec(file), /truncated\.yaml:\d+:\d+: invalid YAML/, /double quoted/);
    assert.ok(error.line !== undefined && error.line >= cut.split('\n').length - 1);
    assert.ok(error.column !== undefined);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const file = join(dir, 'huge.json');
    const handle = await open(file, 'w');
    await handle.truncate(300 * 1024 * 1024); // sparse: costs no disk and would be slow to read
    await handle.close();
    const started = performance.now();
    await assert.rejects(loadSpec(file), (error: unknown) => {
      assert.ok(error instanceof SpecTooLargeError);
      assert.equal(error.code, 'HR_SPEC_TOO_LARGE');
      assert.ok(error instanceof HeadroomError);
      assert.equal(error.sizeBytes, 300 * 1024 * 1024);
      assert.equal(error.limitBytes, 100 * 1024 * 1024);
      assert.match(error.message, /huge\.json is 300 MiB, over the 100 MiB limit/);
      assert.match(error.message, /--max-spec-size/);
      return true;
    });
    assert.ok(performance.now() - started < 500);
  });

  it('honours a small maxSpecBytes', async () => {
    const file = await write('small.json', MINIMAL_JSON);
    await assert.rejects(loadSpec(file, { maxSpecBytes: MINIMAL_JSON.length - 1 }), SpecTooLargeError);
    assert.equal((await loadSpec(file, { maxSpecBytes: MINIMAL_JSON.length })).version, '3.0.3');
  });

  it('explains a missing file, a directory and an unsupported scheme', async () => {
    await rejectsSpec(loadSpec(join(dir, 'nope.yaml')), /nope\.yaml: no such file/);
    await rejectsSpec(
      loadSpec('petstore.swagger.io/v2/swagger.json', { cwd: dir }),
      /https:\/\/petstore\.swagger\.io/,
    );
    await rejectsSpec(loadSpec(dir), /is a directory/);
    await rejectsSpec(loadSpec('ftp://example.test/api.yaml'), /ftp:\/\//, /http\(s\)/);
    await rejectsSpec(loadSpec('file://elsewhere/api.yaml'), /not a usable file URL/);
  });
});

describe('what the document is', () => {
  const parse = async (name: string, text: string) => loadSpec(await write(name, text));

  it('says what a non-OpenAPI document looks like', async () => {
    await rejectsSpec(
      parse('schema.json', '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}'),
      /this is a JSON Schema/,
      /expected a top-level `openapi: 3\.x\.y` or `swagger: "2\.0"` field/,
    );
    await rejectsSpec(
      parse('package.json', '{"name": "x", "version": "1.0.0", "dependencies": {}}'),
      /a package\.json-like object/,
    );
    await rejectsSpec(parse('list.json', '[1, 2, 3]'), /holds a list of 3 items/);
    await rejectsSpec(parse('text.yaml', 'just some words\n'), /holds a plain string \("just some words"\)/);
    await rejectsSpec(parse('empty.yaml', '\n \n'), /is empty/);
    await rejectsSpec(parse('null.yaml', '# only a comment\n'), /nothing/);
    await rejectsSpec(parse('page.html', '<!DOCTYPE html><html></html>'), /HTML or XML/, /Swagger UI/);
    await rejectsSpec(parse('asyncapi.yaml', 'asyncapi: 2.6.0\n'), /AsyncAPI/);
    await rejectsSpec(parse('other.yaml', 'alpha: 1\nbeta: 2\n'), /an object with the keys alpha, beta/);
    await rejectsSpec(parse('noversion.yaml', 'info: {title: t}\npaths: {}\n'), /no version field/);
  });

  it('rejects unsupported versions clearly', async () => {
    await rejectsSpec(
      parse('swagger12.json', '{"swaggerVersion": "1.2", "apis": []}'),
      /Swagger 1\.2 is not supported/,
      /Convert the document to OpenAPI 3/,
    );
    await rejectsSpec(parse('swagger12b.yaml', 'swagger: "1.2"\n'), /Swagger 1\.2 is not supported/);
    const four = await rejectsSpec(
      parse('oas4.yaml', 'openapi: 4.0.0\n'),
      /OpenAPI 4\.0\.0 is not supported/,
    );
    assert.equal(four.pointer, '/openapi');
    await rejectsSpec(parse('oas2.yaml', 'openapi: 2.0.0\n'), /OpenAPI 2\.0\.0 is not supported/);
    await rejectsSpec(parse('oasobj.yaml', 'openapi: {v: 3}\n'), /the openapi field is an object/);
  });

  it('accepts unquoted version numbers', async () => {
    assert.equal(
      (await parse('s2.yaml', 'swagger: 2.0\ninfo: {title: t, version: v}\npaths: {}\n')).version,
      '2.0',
    );
    assert.equal(
      (await parse('o31.yaml', 'openapi: 3.1\ninfo: {title: t, version: v}\npaths: {}\n')).version,
      '3.1',
    );
  });
});

describe('YAML safety', () => {
  const LOL_BOMB = `openapi: 3.0.3
info: {title: lol, version: "1"}
paths: {}
x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

  it('rejects the billion laughs quickly and without growing memory', async () => {
    const file = await write('lol.yaml', LOL_BOMB);
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await rejectsSpec(loadSpec(file), /lol\.yaml: the YAML aliases/, /alias bomb/);
    assert.ok(performance.now() - started < 1000, 'rejected within a second');
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'memory stayed bounded');
  });

  it('rejects more aliases than maxYamlAliases, with where it happened', () => {
    const lines = ['openapi: 3.0.3', 'x-v: &v 1', 'x-list:'];
    for (let i = 0; i < 5; i++) lines.push('  - *v');
    const text = `${lines.join('\n')}\n`;
    assert.doesNotThrow(() => parseSpecText(text, 'a.yaml', { maxYamlAliases: 5 }));
    assert.throws(
      () => parseSpecText(text, 'a.yaml', { maxYamlAliases: 4 }),
      (error: unknown) =>
        error instanceof SpecError &&
        error.line === 8 &&
        /^a\.yaml:8:\d+: the YAML uses more than 4 aliases/.test(error.message),
    );
  });

  it('lets a document with an ordinary amount of aliasing through', () => {
    const text = `openapi: 3.0.3
info: {title: t, version: "1"}
x-defaults: &errors
  '400': {description: Bad request}
  '500': {description: Server error}
paths:
  /a:
    get:
      responses:
        <<: *errors
        '200': {description: OK}
  /b:
    get:
      responses: *errors
`;
    const { value } = parseSpecText(text, 'ok.yaml');
    const paths = (value as { paths: Record<string, { get: { responses: Record<string, unknown> } }> }).paths;
    assert.deepEqual(Object.keys(paths['/a']!.get.responses).sort(), ['200', '400', '500']);
    assert.deepEqual(Object.keys(paths['/b']!.get.responses), ['400', '500']);
  });

  it('rejects an alias that contains itself', () => {
    assert.throws(
      () => parseSpecText('openapi: 3.0.3\nx-loop: &loop\n  again: *loop\n', 'loop.yaml'),
      (error: unknown) =>
        error instanceof SpecError &&
        error.pointer === '/x-loop/again' &&
        /infinitely deep/.test(error.message),
    );
  });

  it('keeps dates and odd scalars as JSON would', () => {
    const { value } = parseSpecText(
      'openapi: 3.0.3\nx-date: 2024-01-02\nx-yes: yes\nx-num: 0o17\n',
      'd.yaml',
    );
    const doc = value as Record<string, unknown>;
    assert.equal(doc['x-date'], '2024-01-02');
    assert.equal(doc['x-yes'], 'yes');
  });
});

describe('deep nesting', () => {
  const DEPTH = 10_000;

  it('loads 10,000-deep JSON without a crash, and the pipeline ends it cleanly', async () => {
    const deep = `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},\n"x-deep": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`;
    const file = await write('deep.json', deep);
    // JSON.parse does not recurse, so the document loads; nothing later walks an extension.
    assert.equal((await loadSpec(file)).version, '3.0.3');
    const served = await prepareCatalog(file, { catalog: { apiName: 'deep' }, version: 'test' });
    assert.equal(served.catalog.operations.length, 0);
    // A Swagger 2.0 schema that deep reaches the recursive conversion: a clear error, not a crash.
    const nested = `${'{"type":"array","items":'.repeat(DEPTH)}{"type":"string"}${'}'.repeat(DEPTH)}`;
    const swagger = `{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, "definitions": {"D": ${nested}}}`;
    const file2 = await write('deep-swagger.json', swagger);
    await assert.rejects(
      prepareCatalog(file2, { catalog: { apiName: 'deep' }, version: 'test' }),
      (error: unknown) =>
        error instanceof SpecError && /nests too deeply to convert it from Swagger 2\.0/.test(error.message),
    );
  });

  it('ends 10,000-deep flow YAML with a clear error, not a crash', async () => {
    const deep = `openapi: 3.0.3\nx-deep: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n`;
    const file = await write('deep.yaml', deep);
    const error = await rejectsSpec(
      loadSpec(file),
      /deep\.yaml:2:\d+: the document nests more than 1000 levels/,
    );
    assert.equal(error.line, 2);
    // js-yaml recurses; past what the stack holds the RangeError becomes a SpecError too.
    await rejectsSpec(loadSpec(file, { maxDepth: 1_000_000 }), /nests too deeply to parse/);
  });

  it('ends deep block YAML cleanly and accepts nesting within the limit', () => {
    const block = (levels: number) => {
      const lines = ['openapi: 3.0.3', 'x-deep:'];
      for (let i = 1; i <= levels; i++) lines.push(`${'  '.repeat(i)}k:`);
      return `${lines.join('\n')} end\n`;
    };
    assert.throws(() => parseSpecText(block(1500), 'block.yaml'), /nests more than 1000 levels/);
    assert.doesNotThrow(() => parseSpecText(block(900), 'block.yaml'));
  });
});

describe('loadSpec from standard input', () => {
  it('reads - from the given stream', async () => {
    const text = await readFile(fixture('petstore-3.1.yaml'));
    const stream = Readable.from([text.subarray(0, 100), text.subarray(100)]);
    const spec = await loadSpec('-', { stdin: stream });
    assert.equal(spec.source, '-');
    assert.equal(spec.format, 'yaml');
    assert.equal(spec.file, undefined);
    assert.equal(spec.bytes, text.length);
    assert.equal(spec.hash, createHash('blake2b512').update(text).digest('hex').slice(0, 64));
  });

  it('names standard input in errors', async () => {
    await rejectsSpec(
      loadSpec('-', { stdin: Readable.from(['{"openapi": ']) }),
      /^standard input:1:\d+: invalid JSON/,
    );
  });

  it('stops reading an endless stream as soon as it passes the limit', async () => {
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced += 1024;
        yield Buffer.alloc(1024, 0x20);
      }
    }
    await assert.rejects(loadSpec('-', { stdin: endless(), maxSpecBytes: 64 * 1024 }), (error: unknown) => {
      assert.ok(error instanceof SpecTooLargeError);
      assert.match(
        error.message,
        /^standard input is larger than the 64 KiB limit for a specification \(stopped reading after 65 KiB\)/,
      );
      assert.match(error.message, /--max-spec-size/);
      return true;
    });
    assert.equal(produced, 65 * 1024);
  });
});

describe('loadSpec from a URL', () => {
  let server: Server;
  let base: string;
  const petstore = readFile(fixture('petstore-2.0.json'));

  before(async () => {
    const body = await petstore;
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      switch (request.url) {
        case '/specs/petstore.json':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(body);
          return;
        case '/moved':
          response.writeHead(302, { location: '/specs/petstore.json' });
          response.end();
          return;
        case '/declared-large':
          response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
          response.write(Buffer.alloc(1024, 0x20));
          return; // never finishes: the client must not wait for the rest
        case '/chunked-large': {
          response.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < 10 * 1024 * 1024 && !response.destroyed) {
              sent += chunk.length;
              if (!response.write(chunk)) return void response.once('drain', pump);
            }
            response.end();
          };
          pump();
          return;
        }
        case '/slow-body':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{"openapi": ');
          return; // the rest never comes
        case '/no-answer':
          return; // not even headers
        default:
          response.writeHead(404, 'Not Found');
          response.end('nothing here');
      }
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it('fetches a spec and keeps the final URL as the base', async () => {
    const raw = await petstore;
    const spec = await loadSpec(`${base}/specs/petstore.json`, { allowNetwork: true });
    assert.equal(spec.version, '2.0');
    assert.equal(spec.format, 'json');
    assert.equal(spec.url, `${base}/specs/petstore.json`);
    assert.equal(spec.file, undefined);
    assert.equal(spec.bytes, raw.length);
    assert.equal(spec.hash, createHash('blake2b512').update(raw).digest('hex').slice(0, 64));
    const moved = await loadSpec(`${base}/moved`, { allowNetwork: true });
    assert.equal(moved.source, `${base}/moved`);
    assert.equal(moved.url, `${base}/specs/petstore.json`);
  });

  it('does not touch the network unless allowed', async () => {
    await rejectsSpec(loadSpec(`${base}/specs/petstore.json`), /not allowed/, /download it/);
  });

  it('reports HTTP errors and refused connections', async () => {
    await rejectsSpec(loadSpec(`${base}/missing.json`, { allowNetwork: true }), /HTTP 404 Not Found/);
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await rejectsSpec(
      loadSpec(`http://127.0.0.1:${port}/x`, { allowNetwork: true }),
      /cannot download/,
      /ECONNREFUSED/,
    );
  });

  it('refuses a body whose declared length is over the limit without reading it', async () => {
    const started = performance.now();
    await assert.rejects(
      loadSpec(`${base}/declared-large`, { allowNetwork: true, maxSpecBytes: 1024 * 1024 }),
      (error: unknown) =>
        error instanceof SpecTooLargeError && /is 10 MiB, over the 1 MiB limit/.test(error.message),
    );
    assert.ok(performance.now() - started < 2000);
  });

  it('stops a body without a length as soon as it passes the limit', async () => {
    await assert.rejects(
      loadSpec(`${base}/chunked-large`, { allowNetwork: true, maxSpecBytes: 256 * 1024 }),
      (error: unknown) =>
        error instanceof SpecTooLargeError &&
        error.sizeBytes > 256 * 1024 &&
        error.sizeBytes < 1024 * 1024 &&
        /is larger than the 256 KiB limit/.test(error.message),
    );
  });

  it('times out a slow body and a server that never answers', async () => {
    for (const path of ['/slow-body', '/no-answer']) {
      const started = performance.now();
      await rejectsSpec(
        loadSpec(`${base}${path}`, { allowNetwork: true, fetchTimeoutMs: 200 }),
        /did not finish within 0\.2 s/,
      );
      assert.ok(performance.now() - started < 2000, path);
    }
  });
});
