/**
 * Bad specifications (issue 9): every case ends in a clear error (what is wrong, what to do) or a
 * correct answer, the process does not crash, and its memory stays bounded. The end-to-end part runs
 * the real `headroom openapi` and reads its exit code, stderr and peak RSS.
 *
 * | issue 9 bullet            | covered by                                                                          |
 * | ------------------------- | ----------------------------------------------------------------------------------- |
 * | truncated JSON            | test/openapi/load.test.ts "reports truncated JSON with the line and column where it   |
 * |                           | stops"; test/e2e/openapi-stdio.test.ts "exits non-zero with one clear line for        |
 * |                           | truncated JSON, and starts no server"                                                |
 * | truncated YAML            | load.test.ts "reports truncated YAML with the line and column"; here (e2e)           |
 * | invalid UTF-8             | load.test.ts "reports invalid UTF-8 with its line and column"; here (e2e, and a      |
 * |                           | UTF-16 byte order mark over bytes that are not UTF-16)                                |
 * | BOMs                      | load.test.ts "skips a UTF-8 byte order mark and reads UTF-16 with one";               |
 * |                           | test/property/json-scanner.test.ts (BOM cut across chunks); here: served e2e with a   |
 * |                           | UTF-8 BOM, refused e2e with a UTF-16 BOM over bad bytes                              |
 * | YAML alias bombs          | load.test.ts "rejects the billion laughs quickly and without growing memory",         |
 * |                           | "rejects more aliases than maxYamlAliases", "rejects an alias that contains itself";  |
 * |                           | here (e2e: fast, peak RSS bounded)                                                   |
 * | 10,000-deep nesting       | load.test.ts "deep nesting" (JSON loads, Swagger 2.0 conversion and YAML end in       |
 * |                           | clear errors); test/openapi/schema.test.ts "cuts a schema nested 200 levels deep";    |
 * |                           | here: YAML refused e2e naming the limit (RSS bounded), a 10,000-deep JSON schema      |
 * |                           | served e2e, cut to a bounded depth; 10,000-long chains and cycles of bare refs        |
 * | 100 MB strings            | load.test.ts "refuses a file over the size limit before reading it", "honours a      |
 * |                           | small maxSpecBytes", "stops reading an endless stream ..."; here: over the limit      |
 * |                           | e2e (exact bytes, the limit, --max-spec-size, RSS bounded), and a 100 MB string       |
 * |                           | within the limit served with peak RSS under a stated bound                            |
 * | circular $ref             | test/openapi/refs.test.ts "reports a loop (A -> B -> A, and a self-reference) ...",   |
 * |                           | "keeps serving the other operations when refs dangle or loop, ..."; schema.test.ts    |
 * |                           | "reports a cycle of bare $refs"; here: 10,000-long cycle, cycle reached by a chain    |
 * | dangling $ref             | refs.test.ts "names the missing target of a dangling ref, ...", "keeps serving the    |
 * |                           | other operations when refs dangle or loop, ..."                                       |
 * | escaping $ref             | refs.test.ts "refuses a ref outside the spec folder, ..."; test/security/             |
 * |                           | spec-refs.test.ts "refuses ../outside.yaml, /etc/passwd and file:///etc/passwd ...",  |
 * |                           | "refuses a symlink in the folder that leads outside it"; openapi-stdio.test.ts;       |
 * |                           | here: refs that make file URLs with a host or an encoded slash (unit and e2e)         |
 * | remote $ref               | refs.test.ts "refuses remote refs by default, ...", "prepareCatalog with remote refs  |
 * |                           | (loopback server)"; security/spec-refs.test.ts "refuses a remote ref by default, ..." |
 * | not OpenAPI               | load.test.ts "says what a non-OpenAPI document looks like", "rejects unsupported      |
 * |                           | versions clearly"; here (e2e: package.json, HTML, AsyncAPI)                          |
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SpecError, SpecTooLargeError } from '../../src/errors.js';
import { loadSpec, parseSpecText } from '../../src/openapi/load.js';
import { loadReferencedDocuments, RefResolver } from '../../src/openapi/refs.js';
import { SchemaTranslator } from '../../src/openapi/schema.js';
import { DEFAULT_MAX_SPEC_BYTES } from '../../src/openapi/source.js';
import { Cleanup, connectStdio, type Finished, NODE_ARGS, ROOT, within } from '../e2e/cli-helpers.js';
import { nestingDepth } from '../openapi/schema-helpers.js';

const MiB = 1024 * 1024;
const cleanup = new Cleanup();
after(() => cleanup.run());
const dir = cleanup.tempDir('headroom-faults-spec-');

/** Writes `content` to a file in this test's folder and returns its path. */
function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const MINIMAL_YAML = 'openapi: 3.0.3\ninfo: { title: t, version: "1" }\n';
const ONE_OPERATION = `paths:
  /things:
    get:
      operationId: listThings
      responses: { "200": { description: ok } }
`;

/** The billion laughs: nine levels of nine aliases, about 490 million nodes once expanded. */
function aliasBomb(): string {
  const lines = [
    `${MINIMAL_YAML}paths: {}`,
    'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ];
  let previous = 'a';
  for (const name of 'bcdefghi') {
    lines.push(`x-${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    previous = name;
  }
  return `${lines.join('\n')}\n`;
}

describe('regressions in the spec loader', () => {
  const root = pathToFileURL(write('root.yaml', MINIMAL_YAML)).href;

  it('a $ref that makes a file URL with a host or an encoded slash is a SpecError, never a TypeError', async () => {
    for (const ref of ['//evil.example/x.yaml', '..%2fsecret.yaml', 'sub%2Fx.yaml#/X']) {
      for (const policy of [{}, { allowOutsideFolder: true }]) {
        let loads = 0;
        await assert.rejects(
          loadReferencedDocuments(
            { x: { $ref: ref } },
            root,
            async () => {
              loads++;
              return {};
            },
            policy,
          ),
          (error: unknown) => {
            assert.ok(error instanceof SpecError, `${ref}: ${String(error)}`);
            assert.ok(error.message.includes(`$ref '${ref}'`), error.message);
            assert.match(error.message, /is not a usable file reference/);
            assert.match(error.message, /refer to a file by a path relative to the spec/);
            return true;
          },
        );
        assert.equal(loads, 0, `${ref} was read`);
      }
    }
  });

  it('just over the size limit, the message gives exact byte counts instead of "100 MiB over 100 MiB"', async () => {
    // A sparse file: its size is what stat reports, and nothing is read before the refusal.
    const file = join(dir, 'just-over.json');
    const fd = openSync(file, 'w');
    writeSync(fd, '{', DEFAULT_MAX_SPEC_BYTES);
    closeSync(fd);
    await assert.rejects(loadSpec(file), (error: unknown) => {
      assert.ok(error instanceof SpecTooLargeError, String(error));
      assert.match(
        error.message,
        /is 104,857,601 bytes, over the 104,857,600-byte \(100 MiB\) limit for a specification; raise the limit with --max-spec-size \(for example --max-spec-size 256MB\)/,
      );
      return true;
    });
    // The same from a stream, which stops reading one byte past the limit.
    const stdin = Readable.from([Buffer.alloc(MiB, 0x20), Buffer.from(' ')]);
    await assert.rejects(
      loadSpec('-', { stdin, maxSpecBytes: MiB }),
      /standard input is larger than the 1,048,576-byte \(1 MiB\) limit for a specification \(stopped reading after 1,048,577 bytes\); raise the limit with --max-spec-size/,
    );
    // Far apart, the rounded figures say it well enough.
    const big = write('big-enough.json', Buffer.alloc(3 * MiB, 0x20));
    await assert.rejects(
      loadSpec(big, { maxSpecBytes: MiB }),
      /is 3 MiB, over the 1 MiB limit for a specification; raise the limit with --max-spec-size/,
    );
  });

  it('YAML over the depth limit names the limit, its value and what to do; the same nesting in JSON loads', () => {
    const lines = ['openapi: 3.0.3', 'x-deep:'];
    for (let i = 1; i <= 1500; i++) lines.push(`${'  '.repeat(i)}k:`);
    assert.throws(
      () => parseSpecText(`${lines.join('\n')} end\n`, 'deep.yaml'),
      (error: unknown) =>
        error instanceof SpecError &&
        /^deep\.yaml:\d+:\d+: the document nests more than 1000 levels deep, the limit for YAML; /.test(
          error.message,
        ) &&
        /convert it to JSON, which has no such limit/.test(error.message),
    );
    const json = `{"openapi": "3.0.3", "x-deep": ${'{"k":'.repeat(1500)}"end"${'}'.repeat(1500)}}`;
    assert.equal(nestingDepth(parseSpecText(json, 'deep.json').value), 1501);
  });

  describe('bare $ref chains and cycles', () => {
    const ROOT = 'file:///spec.json';
    const translateAll = (schemas: Record<string, unknown>, first: string) => {
      const document = { components: { schemas } };
      const warnings: string[] = [];
      const translator = new SchemaTranslator(new RefResolver(ROOT, new Map([[ROOT, document]])), {
        dialect: '3.0',
        warn: (message) => warnings.push(message),
      });
      translator.translate({ $ref: `#/components/schemas/${first}` }, ROOT, 'test');
      return { defs: translator.exportDefinitions(), warnings };
    };
    const chain = (length: number, last: unknown) => {
      const schemas: Record<string, unknown> = {};
      for (let i = 0; i < length; i++)
        schemas[`S${i}`] = i === length - 1 ? last : { $ref: `#/components/schemas/S${i + 1}` };
      return schemas;
    };

    it('a chain of 10,000 bare refs ending in a schema: every definition kept, in linear time', () => {
      const started = performance.now();
      const { defs, warnings } = translateAll(chain(10_000, { type: 'string' }), 'S0');
      const ms = performance.now() - started;
      assert.deepEqual(warnings, []);
      assert.equal(Object.keys(defs).length, 10_000);
      assert.deepEqual(defs.S0?.schema, { $ref: '#/$defs/S1' });
      assert.deepEqual(defs.S9999?.schema, { type: 'string' });
      // Walking each chain from every definition took about 30 s here; once, well under a second.
      assert.ok(ms < 5000, `${Math.round(ms)} ms`);
    });

    it('a cycle of 10,000 bare refs: one short warning, one definition opened, in linear time', () => {
      const started = performance.now();
      const { defs, warnings } = translateAll(chain(10_000, { $ref: '#/components/schemas/S0' }), 'S0');
      const ms = performance.now() - started;
      assert.ok(ms < 5000, `${Math.round(ms)} ms`);
      assert.equal(warnings.length, 1, warnings.join('\n').slice(0, 500));
      assert.match(
        warnings[0] as string,
        /^S0: a cycle of references with no schema in it \(S0 -> S1 -> .* -> S9 -> \.\.\. \(10,000 definitions\) -> S0\); any value is accepted$/,
      );
      assert.ok((warnings[0] as string).length < 300);
      const opened = Object.entries(defs).filter(([, def]) => !('$ref' in (def.schema as object)));
      assert.deepEqual(
        opened.map(([key]) => key),
        ['S0'],
      );
    });

    it('a chain that runs into a cycle opens the cycle only; the chain keeps its refs', () => {
      const { defs, warnings } = translateAll(
        {
          C: { $ref: '#/components/schemas/A' },
          A: { $ref: '#/components/schemas/B' },
          B: { $ref: '#/components/schemas/A' },
          Self: { $ref: '#/components/schemas/Self' },
        },
        'C',
      );
      assert.deepEqual(defs.C?.schema, { $ref: '#/$defs/A' });
      assert.deepEqual(defs.A?.schema, { description: '(circular reference without a schema)' });
      assert.deepEqual(defs.B?.schema, { $ref: '#/$defs/A' });
      assert.deepEqual(warnings, [
        'A: a cycle of references with no schema in it (A -> B -> A); any value is accepted',
      ]);
      const self = translateAll({ Self: { $ref: '#/components/schemas/Self' } }, 'Self');
      assert.deepEqual(self.warnings, [
        'Self: a cycle of references with no schema in it (Self -> Self); any value is accepted',
      ]);
    });
  });
});

interface Run extends Finished {
  /** Peak resident set size of the child, in bytes. */
  peakRss: number;
  ms: number;
}

/** Runs `headroom openapi SPEC ARGS` to its end (stdin closed), recording its peak RSS. */
async function runOpenApi(spec: string, args: string[] = [], timeoutMs = 20_000): Promise<Run> {
  const peakFile = join(dir, `peak-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const child = cleanup.track(
    spawn(
      process.execPath,
      [
        ...NODE_ARGS.slice(0, 2),
        '--import',
        join(ROOT, 'test', 'faults', 'peak-rss.ts'),
        ...NODE_ARGS.slice(2),
        'openapi',
        spec,
        '--no-cache',
        ...args,
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: dir, FAULTS_PEAK_RSS_FILE: peakFile },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    ),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin?.end();
  const finished = await within(
    new Promise<Finished>((done) => {
      child.once('exit', (code, signal) => setImmediate(() => done({ code, signal, stdout, stderr })));
    }),
    timeoutMs,
    `headroom openapi ${spec}`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { ...finished, peakRss: Number(readFileSync(peakFile, 'utf8')), ms: performance.now() - started };
}

/**
 * Peak RSS allowed for a refused spec. Starting the CLI through tsx alone takes about 120 MiB here;
 * a refusal must add little to that, whatever the size of the input.
 */
const REFUSED_RSS = 200 * MiB;

/** The process refused the spec: exit 1, nothing on stdout, one `headroom:` line that says why. */
function assertRefused(run: Run, file: string, ...reasons: RegExp[]): string {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '', 'nothing on stdout: no server answered');
  const first = run.stderr.split('\n')[0] ?? '';
  assert.match(first, /^headroom: /, run.stderr);
  assert.ok(first.includes(file), first);
  for (const reason of reasons) assert.match(first, reason);
  assert.doesNotMatch(run.stderr, /internal error|TypeError|RangeError|\n\s+at /, 'no crash, no stack trace');
  return first;
}

describe('bad specs through headroom openapi (e2e)', { timeout: 60_000, concurrency: 4 }, () => {
  const refused: Array<[string, string, string | Uint8Array, RegExp[]]> = [
    [
      'truncated YAML',
      'truncated.yaml',
      `${MINIMAL_YAML}paths:\n  /a:\n    get: { description: "cut`,
      [/:\d+:\d+: invalid YAML: unexpected end of the stream/, /fix the document there/],
    ],
    [
      'invalid UTF-8 (Latin-1)',
      'latin1.yaml',
      Buffer.concat([
        Buffer.from('openapi: 3.0.3\ninfo: {title: caf'),
        Buffer.from([0xe9]),
        Buffer.from(', version: "1"}\n'),
      ]),
      [
        /latin1\.yaml:2:\d+: not valid UTF-8 \(byte 32 starts the bad sequence e9/,
        /re-save the file as UTF-8/,
      ],
    ],
    [
      'a UTF-16 byte order mark over bytes that are not UTF-16',
      'utf16.json',
      Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x00, 0xd8]),
      [/starts with a UTF-16LE byte order mark but is not valid UTF-16LE; save it as UTF-8/],
    ],
    [
      'a package.json',
      'package.json',
      '{"name": "x", "version": "1.0.0", "scripts": {}}',
      [/a package\.json-like object, not an OpenAPI document; expected a top-level `openapi: 3\.x\.y`/],
    ],
    [
      'an HTML page',
      'docs.yaml',
      '<!doctype html><html><body>Swagger UI</body></html>',
      [/is HTML or XML, not an OpenAPI document; .*pass the URL of the JSON or YAML file the page loads/],
    ],
    [
      'an AsyncAPI document',
      'events.yaml',
      'asyncapi: 2.6.0\ninfo: { title: t, version: "1" }\nchannels: {}\n',
      [/an AsyncAPI document .*, not an OpenAPI document/],
    ],
    [
      'a $ref to //host/x.yaml',
      'host-ref.yaml',
      `${MINIMAL_YAML}${ONE_OPERATION}components: { schemas: { X: { $ref: "//evil.example/x.yaml" } } }\n`,
      [/\$ref '\/\/evil\.example\/x\.yaml' .* is not a usable file reference/, /relative to the spec/],
    ],
    [
      'a $ref to ..%2fsecret.yaml',
      'encoded-ref.yaml',
      `${MINIMAL_YAML}${ONE_OPERATION}components: { schemas: { X: { $ref: "..%2fsecret.yaml" } } }\n`,
      [/\$ref '\.\.%2fsecret\.yaml' .* is not a usable file reference/],
    ],
  ];
  for (const [what, name, content, reasons] of refused) {
    it(`refuses ${what} with a clear line, exit 1`, async () => {
      const file = write(name, content);
      assertRefused(await runOpenApi(file), file, ...reasons);
    });
  }

  it('the billion laughs: refused fast, before any expansion, peak RSS bounded', async () => {
    const file = write('lol.yaml', aliasBomb());
    const run = await runOpenApi(file);
    assertRefused(
      run,
      file,
      /the YAML aliases \(\*name\) expand the document from \d+ to about 490,329,060 nodes, more than the 5,000,000 extra nodes allowed/,
      /alias bomb/,
      /replace the aliases with \$ref/,
    );
    // Most of this is starting Node and tsx; expanding the aliases would take minutes and gigabytes.
    assert.ok(run.ms < 15_000, `${Math.round(run.ms)} ms`);
    assert.ok(run.peakRss < REFUSED_RSS, `peak RSS ${Math.round(run.peakRss / MiB)} MiB`);
  });

  it('10,000-deep YAML: refused naming the limit and its value, peak RSS bounded', async () => {
    const file = write('deep.yaml', `${MINIMAL_YAML}x-deep: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const run = await runOpenApi(file);
    assertRefused(
      run,
      file,
      /deep\.yaml:3:\d+: the document nests more than 1000 levels deep, the limit for YAML/,
      /convert it to JSON, which has no such limit/,
    );
    assert.ok(run.peakRss < REFUSED_RSS, `peak RSS ${Math.round(run.peakRss / MiB)} MiB`);
  });

  it('a spec one byte over the 100 MiB limit: refused before reading, naming the limit and the option', async () => {
    const file = join(dir, 'huge.json');
    const fd = openSync(file, 'w');
    writeSync(fd, '{"openapi": "3.0.3", "x": "', 0);
    writeSync(fd, '"}', DEFAULT_MAX_SPEC_BYTES - 1);
    closeSync(fd);
    const run = await runOpenApi(file);
    assertRefused(
      run,
      file,
      /is 104,857,601 bytes, over the 104,857,600-byte \(100 MiB\) limit for a specification/,
      /raise the limit with --max-spec-size \(for example --max-spec-size 256MB\)/,
    );
    assert.ok(run.peakRss < REFUSED_RSS, `peak RSS ${Math.round(run.peakRss / MiB)} MiB`);
  });

  it('a 20 MB string over --max-spec-size 16MB: refused naming both sizes and the option', async () => {
    const file = write(
      'long-string.json',
      `{"openapi": "3.0.3", "info": {"title": "t", "version": "1", "description": "${'x'.repeat(20_000_000)}"}, "paths": {}}`,
    );
    const run = await runOpenApi(file, ['--max-spec-size', '16MB']);
    assertRefused(
      run,
      file,
      /is 19\.1 MiB, over the 16 MiB limit for a specification; raise the limit with --max-spec-size \(for example --max-spec-size 64MB\)/,
    );
    assert.ok(run.peakRss < REFUSED_RSS, `peak RSS ${Math.round(run.peakRss / MiB)} MiB`);
  });
});

describe('odd but valid specs are served (e2e)', { timeout: 60_000, concurrency: 3 }, () => {
  /** Starts the server on `file`, lists its tools, and returns them with the child's peak RSS. */
  async function serve(file: string) {
    const stdio = await connectStdio(['openapi', file, '--no-cache'], cleanup, {
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      name: 'headroom-faults-spec',
      timeoutMs: 30_000,
    });
    const { tools } = await within(stdio.client.listTools(), 15_000, 'listing tools');
    const status = readFileSync(`/proc/${stdio.transport.pid}/status`, 'utf8');
    const peakRss = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
    await within(stdio.client.close(), 8000, 'closing the client');
    // read_result (paging of large answers) is always listed beside the operations.
    assert.ok(tools.some((tool) => tool.name === 'read_result'));
    return { tools: tools.filter((tool) => tool.name !== 'read_result'), peakRss, stderr: stdio.stderr() };
  }

  it('a spec with a UTF-8 byte order mark', async () => {
    const file = write('bom.yaml', `\uFEFF${MINIMAL_YAML}${ONE_OPERATION}`);
    const { tools } = await serve(file);
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['listThings'],
    );
  });

  it('a request body schema nested 10,000 deep: listed cut to a bounded depth, with a warning', async () => {
    const levels = 10_000;
    const schema = `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;
    const file = write(
      'deep-schema.json',
      `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"post":{"operationId":"deepPost",` +
        `"requestBody":{"content":{"application/json":{"schema":${schema}}}},"responses":{"200":{"description":"ok"}}}}}}`,
    );
    const { tools, stderr, peakRss } = await serve(file);
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['deepPost'],
    );
    const depth = nestingDepth(tools[0]?.inputSchema);
    assert.ok(depth < 200, `the listed schema is ${depth} levels deep`);
    assert.match(stderr, /1 warnings for .*deep-schema\.json/);
    assert.ok(peakRss < REFUSED_RSS, `peak RSS ${Math.round(peakRss / MiB)} MiB`);
  });

  it('a 100 MB string in an operation description, within the limit: served, the description cut, RSS bounded', async () => {
    const file = write(
      'hundred-mb.json',
      `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"getA",` +
        `"description":"${'x'.repeat(100_000_000)}","responses":{"200":{"description":"ok"}}}}}}`,
    );
    const { tools, peakRss } = await serve(file);
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['getA'],
    );
    assert.ok(JSON.stringify(tools).length < 4096, `${JSON.stringify(tools).length} bytes of tools`);
    // The 95 MiB file, its text and the parsed string are each held once at most, briefly: about
    // 410 MiB here. Twice the bound would mean another copy of the document.
    const bound = 640 * MiB;
    assert.ok(peakRss < bound, `peak RSS ${Math.round(peakRss / MiB)} MiB, over ${bound / MiB} MiB`);
  });
});
