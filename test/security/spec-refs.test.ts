/**
 * The spec loader of the real `headroom openapi` process reads no file outside the spec's folder and
 * fetches no remote `$ref` unless told to: a loopback server records every hit, and a refused ref
 * must leave it untouched.
 *
 * | issue 9 point                                       | covered by                                             |
 * | --------------------------------------------------- | ------------------------------------------------------ |
 * | no file outside the spec's folder: ../outside.yaml  | this file (CLI); test/openapi/refs.test.ts (library)   |
 * | ... an absolute path (/etc/passwd, file:///...)     | this file                                              |
 * | ... a symlink in the folder pointing outside        | this file (CLI); test/openapi/refs.test.ts             |
 * | no remote ref unless --allow-remote-refs            | this file (recorder: zero hits); refs.test.ts          |
 * | a remote spec cannot reach local files at all       | this file; refs.test.ts (stdin spec)                   |
 * | the allow options work (so refusals are not bugs)   | this file (--allow-external-refs, --allow-remote-refs) |
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cleanup, type Finished, runCli } from '../e2e/cli-helpers.js';
import { type Recorder, startRecorder } from './helpers.js';

const cleanup = new Cleanup();
after(() => cleanup.run());

/** A one-operation spec whose response schema is `ref`. */
function specWith(ref: string): string {
  return `openapi: 3.0.3
info: { title: refs, version: "1" }
servers: [{ url: "http://127.0.0.1:9" }]
paths:
  /thing:
    get:
      operationId: getThing
      responses:
        "200": { description: ok, content: { application/json: { schema: { $ref: "${ref}" } } } }
`;
}

const THING = 'Thing: { type: object, properties: { name: { type: string } } }\n';

describe('$ref policy of headroom openapi', { timeout: 55_000 }, () => {
  let root: string;
  let folder: string;
  let remote: Recorder;
  /** What the remote spec (served at /spec.yaml) refers to; set by each test that serves it. */
  let remoteRef: string | undefined;

  /** Starts the server over stdio with stdin closed: it loads the spec, then ends (0) or fails (1). */
  const load = (spec: string, ...flags: string[]): Promise<Finished> =>
    runCli(['openapi', spec, '--no-cache', '--log-level', 'warn', ...flags], cleanup, { timeoutMs: 15_000 });

  before(async () => {
    remote = await startRecorder((hit, res) => {
      if (hit.url === '/spec.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(specWith(String(remoteRef)));
      } else if (hit.url === '/x.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(THING);
      } else {
        res.writeHead(404).end();
      }
    });
    cleanup.onRun(() => remote.close());
    root = cleanup.tempDir('headroom-security-refs-');
    folder = join(root, 'specs');
    mkdirSync(folder);
    writeFileSync(join(root, 'outside.yaml'), THING);
    writeFileSync(join(folder, 'inside.yaml'), THING);
    symlinkSync(join(root, 'outside.yaml'), join(folder, 'link.yaml'));
    const specs: Record<string, string> = {
      'parent.yaml': '../outside.yaml#/Thing',
      'passwd.yaml': '/etc/passwd',
      'passwd-url.yaml': 'file:///etc/passwd',
      'symlink.yaml': './link.yaml#/Thing',
      'inside.spec.yaml': './inside.yaml#/Thing',
      'remote.yaml': `${remote.origin}/x.yaml#/Thing`,
    };
    for (const [name, ref] of Object.entries(specs)) writeFileSync(join(folder, name), specWith(ref));
  });

  it('follows a ref to a file inside the spec folder', async () => {
    const run = await load(join(folder, 'inside.spec.yaml'));
    assert.equal(run.code, 0, run.stderr);
  });

  it('refuses ../outside.yaml, /etc/passwd and file:///etc/passwd, naming the file and the option', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'parent.yaml',
        /\$ref '\.\.\/outside\.yaml#\/Thing'.*points outside the spec's folder \(.*outside\.yaml\)/,
      ],
      ['passwd.yaml', /\$ref '\/etc\/passwd'.*points outside the spec's folder \(\/etc\/passwd\)/],
      [
        'passwd-url.yaml',
        /\$ref 'file:\/\/\/etc\/passwd'.*points outside the spec's folder \(\/etc\/passwd\)/,
      ],
    ];
    const runs = await Promise.all(cases.map(([name]) => load(join(folder, name))));
    for (const [index, [name, message]] of cases.entries()) {
      const run = runs[index] as Finished;
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.match(run.stderr, message, name);
      assert.match(run.stderr, /--allow-external-refs/, name);
      assert.doesNotMatch(run.stderr, /root:|nologin/, `${name}: the file's content is shown`);
    }
  });

  it('refuses a symlink in the folder that leads outside it', async () => {
    const run = await load(join(folder, 'symlink.yaml'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /points outside the spec's folder .*--allow-external-refs/);
  });

  it('follows ../outside.yaml with --allow-external-refs', async () => {
    const run = await load(join(folder, 'parent.yaml'), '--allow-external-refs');
    assert.equal(run.code, 0, run.stderr);
  });

  it('refuses a remote ref by default, naming --allow-remote-refs, and fetches nothing', async () => {
    remote.hits.length = 0;
    const run = await load(join(folder, 'remote.yaml'));
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /points to a remote document \(http:\/\/127\.0\.0\.1:\d+\/x\.yaml\).*--allow-remote-refs/,
    );
    assert.deepEqual(remote.hits, [], 'the remote server was called');
    // External-file permission is not remote permission.
    const external = await load(join(folder, 'remote.yaml'), '--allow-external-refs');
    assert.equal(external.code, 1, external.stderr);
    assert.deepEqual(remote.hits, []);
  });

  it('fetches the remote ref with --allow-remote-refs (the recorder sees what a leak would be)', async () => {
    remote.hits.length = 0;
    const run = await load(join(folder, 'remote.yaml'), '--allow-remote-refs');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      remote.hits.map((hit) => hit.url),
      ['/x.yaml'],
    );
  });

  it('lets a spec loaded from a URL reach no local file, whatever is allowed', async () => {
    remoteRef = 'file:///etc/passwd';
    remote.hits.length = 0;
    const run = await load(`${remote.origin}/spec.yaml`, '--allow-remote-refs', '--allow-external-refs');
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /points to a local file, but the spec itself is not a local file/);
    assert.deepEqual(
      remote.hits.map((hit) => hit.url),
      ['/spec.yaml'],
    );

    // A path ref in a remote spec is a URL on its server: remote, so refused by default.
    remoteRef = '/etc/passwd';
    remote.hits.length = 0;
    const relative = await load(`${remote.origin}/spec.yaml`);
    assert.equal(relative.code, 1, relative.stderr);
    assert.match(relative.stderr, /points to a remote document \(http:\/\/127\.0\.0\.1:\d+\/etc\/passwd\)/);
    assert.deepEqual(
      remote.hits.map((hit) => hit.url),
      ['/spec.yaml'],
    );
  });
});
