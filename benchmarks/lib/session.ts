/**
 * Child processes for the server benchmarks: an MCP server spoken to in raw JSON-RPC over stdio
 * (so the client costs nothing measurable), the loopback upstream, and the kernel's memory figures
 * for a pid. Every wait has a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');

export class McpSession {
  readonly child: ChildProcess;
  private nextId = 1;
  private pending: string[] = [];
  private readonly waiting = new Map<
    number,
    (message: { line: string; value: Record<string, unknown> } | Error) => void
  >();

  /**
   * `command`: the script and its arguments. HEADROOM_BENCH_NODE_ARGS (space-separated) puts node
   * flags before them, to profile the server under a benchmark: `--cpu-prof --cpu-prof-dir=/tmp/p`.
   */
  constructor(command: string[], env: NodeJS.ProcessEnv = process.env) {
    const nodeArgs = (process.env.HEADROOM_BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
    this.child = spawn(process.execPath, [...nodeArgs, ...command], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env,
    });
    this.child.stdout?.setEncoding('utf8');
    // Chunks wait for their newline in a list, so a long answer is not rescanned chunk by chunk.
    this.child.stdout?.on('data', (data: string) => {
      let rest = data;
      for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
        const line = this.pending.join('') + rest.slice(0, nl);
        this.pending = [];
        rest = rest.slice(nl + 1);
        const value = JSON.parse(line) as Record<string, unknown>;
        if (typeof value.id === 'number') this.waiting.get(value.id)?.({ line, value });
      }
      if (rest !== '') this.pending.push(rest);
    });
    // A server that dies fails its open requests at once rather than at their deadlines.
    this.child.once('exit', (code, signal) => {
      for (const settle of [...this.waiting.values()])
        settle(new Error(`the server exited (${signal ?? `code ${code}`}) before answering`));
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Sends a request and resolves with its answer (and the answer's raw line). */
  request(
    method: string,
    params: unknown,
    timeoutMs = 120_000,
  ): Promise<{ line: string; value: Record<string, unknown> }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${method} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (message instanceof Error) reject(message);
        else resolve(message);
      });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  send(message: unknown): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  async initialize(): Promise<void> {
    await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  close(): void {
    this.child.stdin?.end();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    this.child.once('exit', () => clearTimeout(kill));
  }
}

/** The loopback upstream (test/e2e/upstream.ts) in a process of its own; it reports finished bodies. */
export class UpstreamProcess {
  readonly child: ChildProcess;
  readonly origin: Promise<string>;
  private readonly finished: string[] = [];
  private readonly wake: Array<() => void> = [];

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'upstream-child.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child.stdout?.setEncoding('utf8');
    let resolveOrigin: (origin: string) => void = () => undefined;
    this.origin = new Promise((resolve) => {
      resolveOrigin = resolve;
    });
    let buffered = '';
    this.child.stdout?.on('data', (data: string) => {
      buffered += data;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('origin ')) resolveOrigin(line.slice(7));
        else this.finished.push(line);
        for (const wake of this.wake.splice(0)) wake();
      }
    });
  }

  /** Waits until `count` responses have ended (completely or cut off); their report lines. */
  async responsesEnded(count: number, timeoutMs: number): Promise<string[]> {
    const deadline = performance.now() + timeoutMs;
    while (this.finished.length < count) {
      if (performance.now() > deadline)
        throw new Error(`only ${this.finished.length} of ${count} responses ended`);
      await new Promise<void>((resolve) => {
        this.wake.push(resolve);
        setTimeout(resolve, 500);
      });
    }
    return this.finished.slice(0, count);
  }

  close(): void {
    this.child.kill('SIGTERM');
  }
}

/** A figure of /proc/PID/status in MiB: VmRSS now, VmHWM the peak. */
export function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Resets the kernel's peak RSS of `pid` to its current RSS (Linux 4.0+), so a peak is a phase's own. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
