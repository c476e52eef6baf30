/**
 * The load harness of issue 9, shared by the benchmark (benchmarks/load.ts) and its end-to-end test
 * (test/e2e/load.test.ts): a real `headroom openapi --transport http` process under a memory budget,
 * and N MCP clients (the SDK's Client over Streamable HTTP) each calling tools with large responses
 * in a loop for a fixed time. Every call ends in one of: an answer (success), the server's overload
 * refusal (an isError result about the memory budget), or another error (counted, with its first
 * messages kept). A server that exits, or refuses connections, while the load runs has crashed.
 *
 * Bounds: the load runs for `durationMs`, each client makes at most `maxCallsPerClient` calls, each
 * call has its own timeout, and starting and stopping the server have deadlines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { parseBytes } from '../src/util/bytes.js';
import { item } from '../test/e2e/upstream.js';

export const ROOT = resolve(import.meta.dirname, '..');
/** The API of test/e2e/upstream.ts: streamed arrays (listItems) and Graph-like documents (getDocument). */
export const SPEC = join(ROOT, 'test', 'e2e', 'fixtures', 'upstream.yaml');

/** One kind of call: a tool of the upstream spec and the size of the response it asks for. */
export interface CallKind {
  tool: 'listItems' | 'getDocument';
  mb: number;
}

/** 1, 10 and 50 MB arrays, and a 10 MB object whose `value` array holds the items. */
export const DEFAULT_MIX: readonly CallKind[] = [
  { tool: 'listItems', mb: 1 },
  { tool: 'listItems', mb: 10 },
  { tool: 'getDocument', mb: 10 },
  { tool: 'listItems', mb: 50 },
];

export interface LoadOptions {
  /** `http://127.0.0.1:PORT` of a running test/e2e/upstream.ts. */
  origin: string;
  /** How the server is started: the arguments before `openapi`, after `node` (e.g. `[dist/cli.js]`). */
  server: readonly string[];
  clients: number;
  durationMs: number;
  /** e.g. `256MB`, passed as `--memory-budget`. */
  budget: string;
  mix?: readonly CallKind[];
  /** A bound on each client's loop besides the time (default 10,000). */
  maxCallsPerClient?: number;
  /** Per call; one that takes longer counts as an error (default 60 s). */
  callTimeoutMs?: number;
  /** More arguments for the server (e.g. `--max-spill-size 1GB`). */
  serverArgs?: readonly string[];
}

export interface LoadFigures {
  clients: number;
  calls: number;
  ok: number;
  overloaded: number;
  /** Errors that are neither (timeouts, upstream errors, transport failures). */
  failed: number;
  timeouts: number;
  /** 1 when the server exited or refused connections while the load ran, else 0. */
  crashes: number;
  peakRssMb: number;
  idleRssMb: number;
  budgetMb: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  callsPerS: number;
  durationS: number;
}

export interface LoadReport {
  figures: LoadFigures;
  /** The first few messages of other errors, for whoever reads why `failed` is not 0. */
  errors: string[];
  /** The last lines the server wrote to stderr. */
  serverLog: string;
}

const START_MS = 30_000;
const STOP_MS = 5_000;
const CONNECT_MS = 15_000;
const RSS_POLL_MS = 200;
const ERRORS_KEPT = 10;
const LOG_TAIL = 4000;
const MIB = 1024 * 1024;
/** Body bytes per listItems item: about 1,000 bytes of JSON each, as in benchmarks/openapi-calls.ts. */
const ITEM_BODY = 800;

/** The upstream's query for `kind`: enough items for about `kind.mb` MiB. */
export function callArguments(kind: CallKind): Record<string, number> {
  const size = kind.tool === 'listItems' ? ITEM_BODY : 64;
  const itemBytes = Buffer.byteLength(JSON.stringify(item(1000, size))) + 1;
  const count = Math.max(1, Math.round((kind.mb * MIB) / itemBytes));
  return kind.tool === 'listItems' ? { count, size } : { count };
}

/**
 * The server's refusals for memory: the admission check's `overloaded: memory is at ...`, a circuit
 * opened by memory pressure, and the limiter's `memory budget exceeded` / `would pass the budget`.
 */
export function isOverload(text: string): boolean {
  return /^overloaded: memory is at|memory pressure \w+ \(|memory budget exceeded|would pass the .* budget/.test(
    text,
  );
}

/** The budget in MiB (units are powers of 1024, as the server reads them). */
export function budgetMb(budget: string): number {
  const bytes = parseBytes(budget);
  if (bytes === undefined)
    throw new Error(`load harness: cannot read the budget ${budget} (write e.g. 256MB)`);
  return bytes / MIB;
}

/** The `q` quantile (0..1) of `values`, nearest rank; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A figure of /proc/PID/status in MiB (VmRSS now, VmHWM the peak); undefined once the process is gone. */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

interface Server {
  child: ChildProcess;
  url: string;
  /** Set once the process has exited. */
  exited: () => boolean;
  log: () => string;
}

async function startServer(options: LoadOptions, dir: string): Promise<Server> {
  const args = [
    ...options.server,
    'openapi',
    SPEC,
    '--base-url',
    `${options.origin}/api`,
    '--tools',
    'all',
    '--transport',
    'http',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--memory-budget',
    options.budget,
    '--cache-dir',
    join(dir, 'cache'),
    '--spill-dir',
    join(dir, 'spill'),
    // Info, for the line that says where it listens.
    '--log-level',
    'info',
    ...(options.serverArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = await new Promise<string>((found, failed) => {
    const timer = setTimeout(
      () => failed(new Error(`the server did not listen within ${START_MS} ms:\n${log}`)),
      START_MS,
    );
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      log = (log + chunk).slice(-LOG_TAIL * 4);
      const match = /MCP over Streamable HTTP at (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        found(match[1] as string);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      failed(new Error(`the server exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
  return { child, url, exited: () => exited, log: () => log.slice(-LOG_TAIL) };
}

async function stopServer(server: Server): Promise<void> {
  if (server.exited()) return;
  const gone = new Promise<void>((done) => server.child.once('exit', () => done()));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_MS);
  await gone;
  clearTimeout(timer);
}

/** Why a call failed, as text; and whether it was the connection being refused (a dead server). */
function describeError(error: unknown): { text: string; refused: boolean; timeout: boolean } {
  const e = error as { message?: string; code?: unknown; cause?: { code?: string; message?: string } };
  const text = [e.message ?? String(error), e.cause?.message].filter(Boolean).join(': ');
  const refused = e.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text);
  const timeout = /timed out|timeout/i.test(text);
  return { text, refused, timeout };
}

interface Tally {
  calls: number;
  ok: number;
  overloaded: number;
  failed: number;
  timeouts: number;
  refused: number;
  latencies: number[];
  errors: string[];
}

async function clientLoop(
  index: number,
  url: string,
  options: LoadOptions,
  deadline: number,
  tally: Tally,
): Promise<void> {
  const mix = options.mix ?? DEFAULT_MIX;
  const client = new Client({ name: `headroom-load-${index}`, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const fail = (error: unknown) => {
    const { text, refused, timeout } = describeError(error);
    tally.failed++;
    if (refused) tally.refused++;
    if (timeout) tally.timeouts++;
    if (tally.errors.length < ERRORS_KEPT) tally.errors.push(`client ${index}: ${text.slice(0, 300)}`);
  };
  try {
    await client.connect(transport, { timeout: CONNECT_MS });
  } catch (error) {
    // Counted as a call: the client never got to make one, and that must show.
    tally.calls++;
    fail(error);
    return;
  }
  try {
    const most = options.maxCallsPerClient ?? 10_000;
    // Each client starts at its own place in the mix, so every size is in flight at once.
    for (let n = 0; n < most && performance.now() < deadline; n++) {
      const kind = mix[(index + n) % mix.length] as CallKind;
      tally.calls++;
      const started = performance.now();
      try {
        const result = await client.callTool(
          { name: kind.tool, arguments: callArguments(kind) },
          { timeout: options.callTimeoutMs ?? 60_000 },
        );
        const text = (result.content as Array<{ type: string; text?: string }>)
          .map((block) => block.text ?? '')
          .join('\n');
        if (!result.isError) {
          tally.ok++;
          tally.latencies.push(performance.now() - started);
        } else if (isOverload(text)) tally.overloaded++;
        else fail(new Error(`isError result: ${text}`));
      } catch (error) {
        fail(error);
      }
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Runs the load and reports its figures; the server and its folders are gone when it resolves. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  if (!(options.clients >= 1 && options.durationMs > 0))
    throw new Error(
      `load harness: need at least 1 client and a positive duration, got ${options.clients}, ${options.durationMs}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'headroom-load-'));
  let server: Server | undefined;
  let poll: NodeJS.Timeout | undefined;
  try {
    server = await startServer(options, dir);
    const pid = server.child.pid as number;
    const idleRssMb = procMb(pid, 'VmRSS') ?? 0;
    let polledPeak = idleRssMb;
    poll = setInterval(() => {
      polledPeak = Math.max(polledPeak, procMb(pid, 'VmRSS') ?? 0);
    }, RSS_POLL_MS);
    const tally: Tally = {
      calls: 0,
      ok: 0,
      overloaded: 0,
      failed: 0,
      timeouts: 0,
      refused: 0,
      latencies: [],
      errors: [],
    };
    const started = performance.now();
    const deadline = started + options.durationMs;
    const url = server.url;
    await Promise.all(
      Array.from({ length: options.clients }, (_, i) => clientLoop(i, url, options, deadline, tally)),
    );
    const durationS = (performance.now() - started) / 1000;
    // The kernel's peak, read while the process still runs; the polled peak if it has died.
    const peakRssMb = Math.max(polledPeak, procMb(pid, 'VmHWM') ?? 0);
    const crashed = server.exited() || tally.refused > 0;
    return {
      figures: {
        clients: options.clients,
        calls: tally.calls,
        ok: tally.ok,
        overloaded: tally.overloaded,
        failed: tally.failed,
        timeouts: tally.timeouts,
        crashes: crashed ? 1 : 0,
        peakRssMb,
        idleRssMb,
        budgetMb: budgetMb(options.budget),
        p50Ms: quantile(tally.latencies, 0.5),
        p99Ms: quantile(tally.latencies, 0.99),
        maxMs: quantile(tally.latencies, 1),
        callsPerS: tally.calls / durationS,
        durationS,
      },
      errors: tally.errors,
      serverLog: server.log(),
    };
  } finally {
    clearInterval(poll);
    if (server) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
