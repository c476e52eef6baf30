/**
 * Running the real `headroom` CLI as a child process in end-to-end tests: every wait has a deadline,
 * and every child started here is tracked so that `killAll` can end it (by its pid) in `after`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'src', 'cli.ts');
export const FIXTURES = join(ROOT, 'test', 'openapi', 'fixtures');
/** `node --import tsx src/cli.ts`, as the command and its first arguments. */
export const NODE_ARGS = ['--import', 'tsx', CLI];

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Rejects when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Temporary folders and child processes to clean up after a test file. */
export class Cleanup {
  private readonly children = new Set<ChildProcess>();
  private readonly closers: Array<() => Promise<void>> = [];
  private readonly dirs: string[] = [];

  tempDir(prefix = 'headroom-e2e-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Something that ends a child started on our behalf (the SDK's stdio transport, whose close()
   * ends stdin, then sends SIGTERM, then SIGKILL). Run in `after`, so a failed test leaves nothing.
   */
  onRun(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async run(): Promise<void> {
    const exits: Array<Promise<void>> = [];
    for (const child of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      exits.push(
        within(new Promise<void>((done) => child.once('exit', () => done())), 3000, 'child exit').catch(
          () => {
            child.kill('SIGKILL');
          },
        ),
      );
      child.kill('SIGTERM');
    }
    await Promise.all([
      ...exits,
      ...this.closers.map((close) => within(close(), 8000, 'closing a transport').catch(() => undefined)),
    ]);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (stdin closed at once unless `input` is given), within `timeoutMs`. */
export async function runCli(
  args: string[],
  cleanup: Cleanup,
  options: { input?: string; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = cleanup.track(
    spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin?.end(options.input ?? '');
  const exit = new Promise<Finished>((done) => {
    child.once('exit', (code, signal) => {
      // Let the pipes drain.
      setImmediate(() => done({ code, signal, stdout, stderr }));
    });
  });
  try {
    return await within(exit, options.timeoutMs ?? 8000, `headroom ${args.join(' ')}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** A line-oriented JSON-RPC session over a child's stdin and stdout, keeping every raw stdout line. */
export class RawSession {
  readonly lines: string[] = [];
  stderr = '';
  private buffered = '';
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let newline = this.buffered.indexOf('\n'); newline >= 0; newline = this.buffered.indexOf('\n')) {
        this.lines.push(this.buffered.slice(0, newline));
        this.buffered = this.buffered.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  }

  /** What stdout held after the last newline (a partial line: never expected). */
  get rest(): string {
    return this.buffered;
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }

  /** Waits for the answer to request `id`. */
  async answer(id: number, ms = 5000): Promise<Record<string, unknown>> {
    const find = () =>
      this.lines
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        })
        .find((message) => message?.id === id);
    return within(
      (async () => {
        for (let found = find(); ; found = find()) {
          if (found) return found;
          await new Promise<void>((wake) => this.waiters.push(wake));
        }
      })(),
      ms,
      `the answer to request ${id}`,
    );
  }
}

export interface StdioClient {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts `headroom ARGS` and connects the SDK's Client to it over stdio, within `timeoutMs`. The
 * transport is closed by `cleanup` even when connecting fails.
 */
export async function connectStdio(
  args: string[],
  cleanup: Cleanup,
  options: { env?: Record<string, string>; name?: string; timeoutMs?: number } = {},
): Promise<StdioClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...NODE_ARGS, ...args],
    ...(options.env ? { env: options.env } : {}),
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: options.name ?? 'headroom-e2e', version: '1.0.0' });
  cleanup.onRun(() => transport.close());
  await within(client.connect(transport), options.timeoutMs ?? 15_000, `connecting to headroom ${args[0]}`);
  return { client, transport, stderr: () => stderr };
}

export interface Listening {
  url: string;
  stderr: () => string;
  stdout: () => string;
}

/**
 * Collects a server child's output and waits (up to `ms`) for its "MCP over Streamable HTTP at URL"
 * line; fails if the child exits first.
 */
export async function waitForHttpUrl(child: ChildProcess, ms: number): Promise<Listening> {
  let stderr = '';
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const url = await within(
    new Promise<string>((found, failed) => {
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /MCP over Streamable HTTP at (http:\/\/\S+)/.exec(stderr);
        if (match) found(match[1] as string);
      });
      child.once('exit', (code) =>
        failed(new Error(`the server exited (${code}) before listening:\n${stderr}`)),
      );
    }),
    ms,
    'the HTTP server starting',
  );
  return { url, stderr: () => stderr, stdout: () => stdout };
}
