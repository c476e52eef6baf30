/**
 * The demo's parts on their own: its configurations (built by the real loader, with the demo's
 * settings on top), its ports (settled before anything starts), the banner, the self-check's
 * reading of server-sent events, the generated data, and finding the spec in the package.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type FlagOverrides, loadConfig } from '../../src/config/load.js';
import { banner, compactJson } from '../../src/demo/banner.js';
import { selfCheck } from '../../src/demo/check.js';
import { demoConfigs } from '../../src/demo/config.js';
import { event, eventJson, order, product } from '../../src/demo/data.js';
import { eventData } from '../../src/demo/mcp-client.js';
import { demoFiles } from '../../src/demo/package-files.js';
import { settlePorts } from '../../src/demo/ports.js';
import { ConfigError, UsageError } from '../../src/errors.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SETTINGS = {
  host: '127.0.0.1',
  openapiPort: 3000,
  cloudwanPort: 3001,
  dashboardPort: 9464,
  baseUrl: 'http://127.0.0.1:3002',
  elements: 10_000,
};

describe('demo configurations', () => {
  it('keep the user settings and set what the demo needs, whatever the file and variables say', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'headroom-demo-config-'));
    dirs.push(cwd);
    writeFileSync(
      join(cwd, 'headroom.yml'),
      [
        'openapi:',
        '  tools: dynamic',
        '  responseBudget: 8000',
        '  includeTags: [pets]',
        '  apis:',
        '    - spec: other.yaml',
        'cloudwan:',
        '  snapshot: net.ndjson',
        'server:',
        '  port: 8080',
        '',
      ].join('\n'),
    );
    const env = { HEADROOM_TOKEN: 'secret-token', HEADROOM_MEMORY_BUDGET: '768MB' };
    const load = (overrides: FlagOverrides) =>
      loadConfig({ flags: { 'log.level': { value: 'debug', flag: '--log-level' }, ...overrides }, env, cwd })
        .config;
    const { openapi, cloudwan, monitoring } = demoConfigs(load, SETTINGS);
    for (const config of [openapi, cloudwan]) {
      assert.equal(config.server.transport, 'http');
      assert.equal(config.server.host, '127.0.0.1');
      assert.equal(config.server.token, undefined);
      assert.equal(config.memory.budget, 768 * 1024 * 1024);
      assert.equal(config.log.level, 'debug');
    }
    assert.equal(openapi.server.port, 3000);
    assert.equal(cloudwan.server.port, 3001);
    assert.equal(openapi.openapi.baseUrl, 'http://127.0.0.1:3002');
    assert.equal(openapi.openapi.tools, 'all');
    assert.deepEqual(openapi.openapi.apis, []);
    assert.equal(openapi.openapi.includeTags, undefined);
    assert.equal(openapi.openapi.responseBudget, 8000);
    assert.equal(cloudwan.cloudwan.generate, 10_000);
    assert.equal(cloudwan.cloudwan.snapshot, undefined);
    assert.equal(monitoring.monitoring.port, 9464);
    assert.equal(monitoring.monitoring.host, '127.0.0.1');
  });

  it('are validated by the loader, which names the option', () => {
    const load = (overrides: FlagOverrides) =>
      loadConfig({ flags: overrides, env: {}, cwd: tmpdir() }).config;
    assert.throws(
      () => demoConfigs(load, { ...SETTINGS, elements: 0 }),
      (error: unknown) => error instanceof ConfigError && /--elements/.test(error.message),
    );
  });
});

describe('demo ports', () => {
  it('turn 0 into distinct free ports and keep the ones asked for', async () => {
    const ports = await settlePorts('127.0.0.1', [
      { option: '--a', port: 0 },
      { option: '--b', port: 0 },
      { option: '--c', port: 0 },
    ]);
    assert.equal(new Set(ports).size, 3);
    assert.ok(ports.every((port) => port > 0));
    const [kept] = await settlePorts('127.0.0.1', [{ option: '--a', port: ports[0] as number }]);
    assert.equal(kept, ports[0]);
  });

  it('refuse a port in use, or the same port twice, naming the options', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await assert.rejects(
        settlePorts('127.0.0.1', [{ option: '--openapi-port', port }]),
        (error: unknown) =>
          error instanceof UsageError && error.message.includes('pick another with --openapi-port'),
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await assert.rejects(
      settlePorts('127.0.0.1', [
        { option: '--a', port: 4000 },
        { option: '--b', port: 4000 },
      ]),
      /--a and --b are both 4000/,
    );
  });
});

describe('the demo banner', () => {
  const text = banner({
    version: '1.2.3',
    upstreamUrl: 'http://127.0.0.1:3002',
    openapiUrl: 'http://127.0.0.1:3000/mcp',
    cloudwanUrl: 'http://127.0.0.1:3001/mcp',
    dashboardUrl: 'http://127.0.0.1:9464/',
    specPath: '/pkg/examples/demo-api.yaml',
    specShown: 'examples/demo-api.yaml',
    cliPath: '/pkg/dist/cli.js',
    elements: 10_000,
    exportCount: 500_000,
    responseBudget: 25_000,
    apiKey: { env: 'HEADROOM_AUTH_DEMOKEY', value: 'k' },
    stopping: 'Ctrl-C stops it.',
  });

  it('is ASCII and names every URL, the Inspector commands and a call to try', () => {
    assert.match(text, /^[\x20-\x7e\n]*$/);
    assert.match(text, /headroom 1\.2\.3 demo: everything is up\. Ctrl-C stops it\./);
    for (const url of [
      'http://127.0.0.1:3002',
      'http://127.0.0.1:3000/mcp',
      'http://127.0.0.1:3001/mcp',
      'http://127.0.0.1:9464/',
    ])
      assert.ok(text.includes(url), url);
    assert.match(
      text,
      /npx @modelcontextprotocol\/inspector@0\.15\.0 --cli http:\/\/127\.0\.0\.1:3000\/mcp --transport http --method tools\/list/,
    );
    assert.match(text, /--method tools\/call --tool-name exportEvents --tool-arg count=500000/);
  });

  it('prints client configurations that are valid JSON', () => {
    const blocks = text
      .split('\n{\n')
      .slice(1)
      .map((rest) => JSON.parse(`{\n${rest.slice(0, rest.indexOf('\n}\n') + 2)}`));
    assert.deepEqual(blocks[0], {
      mcpServers: {
        'headroom-demo-api': { type: 'http', url: 'http://127.0.0.1:3000/mcp' },
        'headroom-cloudwan': { type: 'http', url: 'http://127.0.0.1:3001/mcp' },
      },
    });
    assert.deepEqual(blocks[1].mcpServers['headroom-demo-api'], {
      command: 'node',
      args: [
        '/pkg/dist/cli.js',
        'openapi',
        '/pkg/examples/demo-api.yaml',
        '--base-url',
        'http://127.0.0.1:3002',
      ],
      env: { HEADROOM_AUTH_DEMOKEY: 'k' },
    });
    assert.deepEqual(blocks[1].mcpServers['headroom-cloudwan'].args, [
      '/pkg/dist/cli.js',
      'cloudwan',
      '--generate',
      '10000',
    ]);
  });

  it('keeps short JSON on one line and long JSON indented', () => {
    assert.equal(compactJson({ a: [1, 2] }), '{ "a": [ 1, 2 ] }');
    const long = { key: 'x'.repeat(120), other: 1 };
    assert.deepEqual(JSON.parse(compactJson(long)), long);
    assert.equal(compactJson(long).split('\n').length, 4);
  });
});

describe('the self-check client', () => {
  it('fails, one line per check, when nothing answers', async () => {
    const [a, b, c] = (await settlePorts('127.0.0.1', [
      { option: '--a', port: 0 },
      { option: '--b', port: 0 },
      { option: '--c', port: 0 },
    ])) as [number, number, number];
    const lines: string[] = [];
    const passed = await selfCheck(
      {
        openapiUrl: `http://127.0.0.1:${a}/mcp`,
        cloudwanUrl: `http://127.0.0.1:${b}/mcp`,
        dashboardUrl: `http://127.0.0.1:${c}/`,
        exportCount: 10,
        elements: 10,
        responseBudget: 100,
      },
      (line) => lines.push(line),
    );
    assert.equal(passed, false);
    assert.match(lines.join('\n'), /FAIL {2}openapi {2}initialize/);
    assert.match(lines.join('\n'), /FAIL {2}cloudwan initialize/);
    assert.match(lines.join('\n'), /FAIL {2}dashboard/);
    assert.equal(lines.at(-1), 'Self-check FAILED: 3 of 3 checks failed.');
  });

  it('reads the data of server-sent events', () => {
    assert.deepEqual(eventData('event: message\nid: 1\ndata: {"a":1}\n\ndata: {"b":\ndata: 2}\n\n'), [
      '{"a":1}',
      '{"b":\n2}',
    ]);
    assert.deepEqual(eventData('data:{"c":3}\r\n\r\n'), ['{"c":3}']);
  });
});

describe('the demo data', () => {
  it('is a pure function of the index', () => {
    assert.equal(eventJson(12345), eventJson(12345));
    assert.deepEqual(product(7), product(7));
    assert.deepEqual(order(99), order(99));
    assert.notEqual(eventJson(1), eventJson(2));
  });

  it('writes events as the JSON their objects are', () => {
    for (const seq of [0, 1, 86_400, 999_999]) {
      const e = event(seq);
      assert.equal(JSON.stringify(e), eventJson(seq));
      assert.equal(e.seq, seq);
      assert.equal(e.time, new Date(Date.UTC(2025, 0, 1) + seq * 7000).toISOString());
      assert.equal(e.amount.value, Math.round(e.amount.value * 100) / 100);
    }
  });

  it('is found in the package, from the sources', () => {
    const files = demoFiles();
    assert.match(files.spec, /examples[/\\]demo-api\.yaml$/);
    assert.match(files.cli, /dist[/\\]cli\.js$/);
  });
});
