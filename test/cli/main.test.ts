import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { main } from '../../src/cli/main.js';
import { settingsTable } from '../../src/config/settings.js';
import { fakeIo } from './fake-io.js';

let cwd = '';
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

async function run(argv: string[], env: Record<string, string> = {}, dir = cwd) {
  const fake = fakeIo(dir, env);
  const code = await main(argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('headroom help', () => {
  it('prints the general help with every command and environment variable, with or without --help', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const { code, stdout, stderr } = await run(argv);
      assert.equal(code, 0);
      assert.equal(stderr, '');
      assert.match(stdout, /Usage: headroom <command> \[options\]/);
      for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command.name} +\\S`, 'm'));
      for (const setting of settingsTable()) assert.ok(stdout.includes(setting.env), setting.env);
      assert.match(stdout, /--memory-budget SIZE/);
    }
  });

  it('prints a command help with its options and the global ones', async () => {
    for (const argv of [
      ['config', '--help'],
      ['help', 'config'],
      ['--help', 'config'],
    ]) {
      const { code, stdout } = await run(argv);
      assert.equal(code, 0);
      assert.match(stdout, /Usage: headroom config \[options\]/);
      assert.match(stdout, /--sources/);
      assert.match(stdout, /--log-format FORMAT/);
    }
    const stub = await run(['openapi', '-h']);
    assert.match(stub.stdout, /Usage: headroom openapi <SPEC\.\.\.> \[options\]/);
    assert.match(stub.stdout, /OpenAPI specifications/);
  });

  it('prints the version from package.json', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await run([flag]);
      assert.equal(code, 0);
      assert.equal(stdout, `${packageVersion}\n`);
    }
  });
});

describe('headroom errors', () => {
  it('suggests a command and writes nothing to stdout', async () => {
    const { code, stdout, stderr } = await run(['opnapi']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^headroom: unknown command 'opnapi'\. Did you mean 'openapi'\?/);
  });

  it('suggests an option', async () => {
    const { code, stderr } = await run(['config', '--log-levl', 'debug']);
    assert.equal(code, 2);
    assert.match(stderr, /Did you mean '--log-level'\?/);
  });

  it('reports a missing value', async () => {
    const { code, stderr } = await run(['config', '--config']);
    assert.equal(code, 2);
    assert.match(stderr, /option '--config' needs a value/);
  });

  it('reports a bad flag value against the flag, with nothing on stdout', async () => {
    const { code, stdout, stderr } = await run(['config', '--log-format=xml']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /^headroom: invalid value "xml" for log\.format \(from flag --log-format\): expected one of: text, json/,
    );
  });

  it('refuses a missing --config file', async () => {
    const { code, stderr } = await run(['config', '--config', 'nope.yml']);
    assert.equal(code, 2);
    assert.match(stderr, /config file nope\.yml \(given with --config\) does not exist/);
  });

  it('still shows help when the configuration is broken', async () => {
    const { code } = await run(['help'], { HEADROOM_LOG_LEVEL: 'loud' });
    assert.equal(code, 0);
  });
});

describe('headroom spec inspect', () => {
  it('reports operations, schemas and measured savings', async () => {
    const { code, stdout } = await run([
      'spec',
      'inspect',
      resolve('test/openapi/fixtures/petstore-2.0.json'),
    ]);
    assert.equal(code, 0);
    assert.match(stdout, /version 2\.0, JSON/);
    assert.match(stdout, /20 operations \(/);
    assert.match(stdout, /examples\s+[\d.]+ (B|KiB)/);
    assert.match(stdout, /20 tools, \d+ shared schemas/);
    // The variables that carry each security scheme's secret.
    assert.match(stdout, /api_key\s+apiKey in header api_key: HEADROOM_AUTH_API_KEY/);
    assert.match(stdout, /petstore_auth\s+.*HEADROOM_AUTH_PETSTORE_AUTH/);
  });

  it('prints JSON whose savings add up', async () => {
    const { code, stdout } = await run([
      'spec',
      'inspect',
      resolve('test/openapi/fixtures/petstore-3.0.yaml'),
      '--json',
    ]);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    const saved = Object.values(report.optimization.saved as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    assert.equal(report.optimization.bytesBefore - report.optimization.bytesAfter, saved);
    assert.equal(report.operations, 4);
  });

  it('explains its usage', async () => {
    const { code, stderr } = await run(['spec', 'show', 'x.yaml']);
    assert.equal(code, 2);
    assert.match(stderr, /usage: headroom spec inspect <SPEC>/);
  });
});

describe('headroom openapi', () => {
  it('asks for a specification when none is given', async () => {
    const { code, stdout, stderr } = await run(['openapi']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /no specification given: name one or more/);
  });
});

describe('headroom config', () => {
  it('prints the effective configuration as YAML', async () => {
    const { code, stdout } = await run(['config', '--memory-budget=512MB'], {
      HEADROOM_MONITORING_ENABLED: 'true',
    });
    assert.equal(code, 0);
    const printed = parse(stdout) as { memory: { budget: number }; monitoring: { enabled: boolean } };
    assert.equal(printed.memory.budget, 512 * 1024 ** 2);
    assert.equal(printed.monitoring.enabled, true);
  });

  it('says where each value came from with --sources', async () => {
    const dir = mkdtempSync(join(cwd, 'sources-'));
    writeFileSync(join(dir, 'headroom.yml'), 'streaming:\n  chunkSize: 1MB\nlog:\n  format: json\n');
    const { code, stdout, stderr } = await run(
      ['config', '--sources', '--log-level', 'warn'],
      { HEADROOM_MONITORING_PORT: '8080' },
      dir,
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ {2}chunkSize: 1048576 # 1 MiB, headroom\.yml:2$/m);
    assert.match(stdout, /^ {2}port: 8080 # environment variable HEADROOM_MONITORING_PORT$/m);
    assert.match(stdout, /^ {2}level: warn # flag --log-level$/m);
    assert.match(stdout, /^ {2}format: json # headroom\.yml:4$/m);
    assert.match(stdout, /^ {2}maxDepth: 1000 # default$/m);
    assert.match(stdout, /budget: not set \(derived from the V8 heap limit\)/);
    // The output is itself a valid configuration file.
    writeFileSync(join(dir, 'headroom.yml'), stdout);
    assert.equal((await run(['config'], {}, dir)).code, 0);
  });
});
