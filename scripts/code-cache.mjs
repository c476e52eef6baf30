/**
 * Writes the V8 code cache that ships beside the bundle (dist/code/, read by src/cli/boot.ts when
 * the user has no cache of their own), so that even the first start of an installed `headroom`
 * skips compiling its ~2 MB bundle: about 75 ms of CPU and 18 MB less on a first `headroom openapi`.
 * The cache holds what one training start compiled: `headroom openapi` on a JSON copy of the
 * example petstore (the JSON path a large spec takes), answering initialize and tools/list. Not a
 * tool call: V8 reads the whole cache at every start, and the call path would make it 70% larger
 * (about 10 ms more of every start, to save a first call its compiling).
 * A cache only fits the Node version and V8 flags it was made with; on any other, boot.ts compiles
 * from source and keeps a cache in the user's folder, as without this file. A failed training start
 * is a warning, not a failed build (test/cli/code-cache.test.ts checks that the cache is made).
 *
 *   node scripts/code-cache.mjs [OUTDIR]     default: dist
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

const outdir = resolve(process.argv[2] ?? 'dist');
const target = join(outdir, 'code');
// Trained from source: a cache left by an earlier build would be used instead of written.
rmSync(target, { recursive: true, force: true });
const temp = mkdtempSync(join(tmpdir(), 'headroom-code-cache-build-'));
try {
  const spec = join(temp, 'petstore.json');
  writeFileSync(
    spec,
    JSON.stringify(yaml.load(readFileSync(join('examples', 'petstore.yaml'), 'utf8')), null, 2),
  );
  const messages = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'build', version: '1' },
      },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ];
  // Nothing of the builder's own configuration may shape the training start.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('HEADROOM_') && name !== 'NODE_OPTIONS'),
  );
  const xdg = join(temp, 'xdg');
  await train(
    [join(outdir, 'cli.cjs'), 'openapi', spec, '--tools', 'all', '--log-level', 'warn'],
    { cwd: temp, env: { ...env, XDG_CACHE_HOME: xdg } },
    messages,
  );
  // The start wrote its cache at exit, named for this bundle and Node, in the user cache it was given.
  const made = readdirSync(join(xdg, 'headroom', 'code')).filter((name) => name.endsWith('.v8cache'));
  if (made.length !== 1) throw new Error(`expected one code cache file, found: ${made.join(', ') || 'none'}`);
  const name = made[0];
  mkdirSync(target, { recursive: true });
  copyFileSync(join(xdg, 'headroom', 'code', name), join(target, name));
  // Readable by all, writable by the owner only: boot.ts refuses a file others can write.
  chmodSync(join(target, name), 0o644);
} catch (error) {
  // An optimisation only: a build without it works, and its first start compiles instead.
  process.stderr.write(
    `code-cache: no code cache written (${error instanceof Error ? error.message : error}); ` +
      'headroom works without it, its first start compiles the bundle\n',
  );
} finally {
  rmSync(temp, { recursive: true, force: true });
}

/** Runs the training start: sends `messages`, waits for an answer to each request, ends stdin, waits for exit. */
function train(args, options, messages) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    const expected = messages.filter((message) => message.id !== undefined).length;
    const answers = [];
    let stderr = '';
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the training start did not answer within 60 s: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (data) => {
      stderr += data;
    });
    child.stdout.on('data', (data) => {
      pending += data;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        answers.push(JSON.parse(pending.slice(0, nl)));
        pending = pending.slice(nl + 1);
      }
      if (answers.length === expected) child.stdin.end();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && answers.length === expected) resolve(answers);
      else
        reject(new Error(`the training start failed (exit ${code}, ${answers.length} answers): ${stderr}`));
    });
    child.stdin.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
  });
}
