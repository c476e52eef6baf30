/**
 * `headroom openapi` tool calls whose upstream answers are hundreds of megabytes: the loopback
 * upstream (its own process) streams a JSON array of ~1 KB items; the server answers with the first
 * page and spills the rest to disk for read_result. Figures: time from tools/call to its answer,
 * the answer's size, the server's peak RSS above its idle RSS (the kernel's peak, reset once the
 * server is idle), and the time until the upstream had sent its whole body (the spill is paced by
 * the disk). The peer, @ivotoby/openapi-mcp-server, reads the same response whole.
 *
 * Variants: `peer-MB`, `headroom-MB` (one call of MB megabytes); `concurrent-N-MB` (N calls at
 * once under --memory-budget 256MB: successes, overload refusals, other errors, peak RSS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McpSession, procMb, ROOT, resetPeak, sleep, UpstreamProcess } from './lib/session.js';

const SPEC = join(ROOT, 'test', 'e2e', 'fixtures', 'upstream.yaml');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const PEER = join(
  ROOT,
  'benchmarks',
  'node_modules',
  '@ivotoby',
  'openapi-mcp-server',
  'bin',
  'mcp-server.js',
);
/** Each generated item is about 1,000 bytes of JSON with this body size. */
const ITEM_BODY = 800;
const ITEM_BYTES = 1003;
const BUDGET_MB = 256;

export async function run(variant: string): Promise<Record<string, number>> {
  const [kind, a, b] = variant.split('-');
  const upstream = new UpstreamProcess();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-calls-'));
  try {
    const origin = await upstream.origin;
    if (kind === 'concurrent') return await concurrent(origin, upstream, dir, Number(a), Number(b));
    return await single(kind === 'peer', origin, upstream, dir, Number(a));
  } finally {
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function countFor(mb: number): number {
  return Math.round((mb * 1024 * 1024) / ITEM_BYTES);
}

function server(peer: boolean, origin: string, dir: string, extra: string[] = []): McpSession {
  if (peer)
    return new McpSession([
      PEER,
      '--api-base-url',
      `${origin}/api`,
      '--openapi-spec',
      SPEC,
      '--transport',
      'stdio',
    ]);
  return new McpSession([
    CLI,
    'openapi',
    SPEC,
    '--base-url',
    `${origin}/api`,
    '--tools',
    'all',
    '--cache-dir',
    join(dir, 'cache'),
    '--spill-dir',
    join(dir, 'spill'),
    '--log-level',
    'warn',
    ...extra,
  ]);
}

/** The name the server gives the listItems operation. */
async function listItemsTool(session: McpSession): Promise<string> {
  const { value } = await session.request('tools/list', {});
  const tools = (value.result as { tools: Array<{ name: string }> }).tools;
  // Headroom keeps the operationId; the peer abbreviates it (lst-items).
  const tool = tools.find((t) => t.name === 'listItems' || t.name === 'lst-items');
  if (!tool) throw new Error(`no listItems tool among ${tools.map((t) => t.name).join(', ')}`);
  return tool.name;
}

async function single(
  peer: boolean,
  origin: string,
  upstream: UpstreamProcess,
  dir: string,
  mb: number,
): Promise<Record<string, number>> {
  const session = server(peer, origin, dir);
  try {
    await session.initialize();
    const name = await listItemsTool(session);
    await sleep(500);
    const idleRssMb = procMb(session.pid, 'VmRSS');
    resetPeak(session.pid);
    const start = performance.now();
    const { line, value } = await session.request(
      'tools/call',
      { name, arguments: { count: countFor(mb), size: ITEM_BODY } },
      300_000,
    );
    const answerMs = performance.now() - start;
    const result = value.result as { isError?: boolean } | undefined;
    const [ended] = await upstream.responsesEnded(1, 300_000);
    const bodyMs = Number(ended?.split(' ')[2]);
    await sleep(200);
    return {
      answerMs,
      answerBytes: Buffer.byteLength(line),
      isError: result?.isError ? 1 : 0,
      idleRssMb,
      peakAboveIdleMb: procMb(session.pid, 'VmHWM') - idleRssMb,
      bodyMs,
      bodyMbPerS: mb / (bodyMs / 1000),
    };
  } finally {
    session.close();
  }
}

async function concurrent(
  origin: string,
  upstream: UpstreamProcess,
  dir: string,
  calls: number,
  mb: number,
): Promise<Record<string, number>> {
  const session = server(false, origin, dir, [
    '--memory-budget',
    `${BUDGET_MB}MB`,
    '--max-spill-size',
    '1GB',
  ]);
  try {
    await session.initialize();
    const name = await listItemsTool(session);
    const start = performance.now();
    const answers = await Promise.all(
      Array.from({ length: calls }, () =>
        session.request('tools/call', { name, arguments: { count: countFor(mb), size: ITEM_BODY } }, 300_000),
      ),
    );
    const answerMs = performance.now() - start;
    let ok = 0;
    let overloaded = 0;
    let failed = 0;
    for (const { value } of answers) {
      const result = value.result as { isError?: boolean; content?: Array<{ text?: string }> } | undefined;
      if (result && !result.isError) ok++;
      else if (/overloaded|memory pressure|circuit/i.test(JSON.stringify(value))) overloaded++;
      else {
        failed++;
        process.stderr.write(`failed: ${JSON.stringify(value).slice(0, 400)}\n`);
      }
    }
    await upstream.responsesEnded(ok, 300_000);
    const allMs = performance.now() - start;
    return {
      calls,
      ok,
      overloaded,
      failed,
      answerMs,
      allMs,
      peakRssMb: procMb(session.pid, 'VmHWM'),
      budgetMb: BUDGET_MB,
    };
  } finally {
    session.close();
  }
}
