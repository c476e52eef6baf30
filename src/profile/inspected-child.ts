/**
 * A Node program run as a child with its inspector on a loopback port, so that Headroom can watch
 * its heap from outside: a full GC and the heap in use (`HeapProfiler.collectGarbage`,
 * `Runtime.getHeapUsage`), and heap snapshots written to a file as V8 streams them. Any Node
 * program can be checked this way without changing it.
 *
 * The inspector speaks the DevTools protocol over a WebSocket; the child prints its address on
 * stderr ("Debugger listening on ws://..."), which is read here and passed through otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { WebSocket } from 'ws';
import { HeadroomError } from '../errors.js';

export class InspectedChildError extends HeadroomError {
  constructor(message: string) {
    super('HR_PROFILE_CHILD', message);
  }
}

/** Anything text can be written to: a stream, or the CLI's stderr. */
export interface TextSink {
  write(text: string): unknown;
}

export interface InspectedChildOptions {
  /** Milliseconds to wait for the inspector's address; default 15,000. */
  startTimeoutMs?: number;
  /** Where the child's stdout and stderr go (the inspector's own lines are kept out); default this process's stderr. */
  output?: TextSink;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface InspectedChild {
  pid: number;
  /** Resolves with the exit code (or the signal's name) when the child ends. */
  exited: Promise<number | string>;
  /** Runs a full GC in the child, then reads its heap in use (bytes). */
  heapAfterGc(): Promise<number>;
  /** Writes a heap snapshot of the child to `file`; returns its size in bytes. */
  writeHeapSnapshot(file: string): Promise<number>;
  /** Ends the inspector connection and the child (SIGTERM, then SIGKILL after 3 s). */
  close(): Promise<void>;
}

const ADDRESS = /Debugger listening on (ws:\/\/\S+)/;
const WAITING = /^Waiting for the debugger to disconnect/;
/** Inspector chatter that is not the program's own output. */
const INSPECTOR_LINES =
  /^(Debugger listening on|Debugger ending on|For help, see: https:\/\/nodejs\.org\/en\/docs\/inspector|Debugger attached\.|Waiting for the debugger to disconnect)/;

/**
 * Starts `node [nodeArgs] script [args]` with the inspector on 127.0.0.1 (a free port).
 * `command` is the program and its arguments: a script (`app.js`) or `node app.js`.
 */
export async function startInspectedChild(
  command: readonly string[],
  options: InspectedChildOptions = {},
): Promise<InspectedChild> {
  const [first, ...rest] = command;
  if (first === undefined)
    throw new InspectedChildError('no command to run: give a Node script after --, e.g. -- node app.js');
  const args = isNode(first) ? rest : [first, ...rest];
  if (args.length === 0)
    throw new InspectedChildError(
      `"${first}" alone runs no program: give the script to run, e.g. -- node app.js`,
    );
  const output = options.output ?? process.stderr;
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => output.write(text));
  // With a debugger attached, a program that ends (or calls process.exit) waits for it to detach.
  let detach = () => {};
  const address = await inspectorAddress(child, output, options.startTimeoutMs ?? 15_000, exited, () =>
    detach(),
  );
  const socket = await connect(address);
  detach = () => socket.close();
  const protocol = new Protocol(socket);
  return {
    pid: child.pid ?? 0,
    exited,
    async heapAfterGc() {
      await protocol.send('HeapProfiler.collectGarbage');
      const usage = (await protocol.send('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    async writeHeapSnapshot(file) {
      const out = createWriteStream(file);
      let bytes = 0;
      const stop = protocol.on('HeapProfiler.addHeapSnapshotChunk', (params) => {
        const chunk = (params as { chunk: string }).chunk;
        bytes += Buffer.byteLength(chunk);
        out.write(chunk);
      });
      try {
        await protocol.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        stop();
        await new Promise<void>((done, fail) =>
          out.end((error?: Error | null) => (error ? fail(error) : done())),
        );
      }
      return bytes;
    },
    async close() {
      socket.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function isNode(program: string): boolean {
  return /(^|[\\/])node(\.exe)?$/.test(program) || program === process.execPath;
}

/** Reads the child's stderr until the inspector's address shows; passes the rest on. */
function inspectorAddress(
  child: ChildProcess,
  output: TextSink,
  timeoutMs: number,
  exited: Promise<number | string>,
  onProgramEnd: () => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let found = false;
    let pending = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new InspectedChildError(
          `the child printed no inspector address within ${timeoutMs} ms: is it a Node program?`,
        ),
      );
    }, timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = ADDRESS.exec(line);
        if (match?.[1] && !found) {
          found = true;
          clearTimeout(timer);
          resolve(match[1]);
        } else if (WAITING.test(line)) onProgramEnd();
        else if (!INSPECTOR_LINES.test(line)) output.write(`${line}\n`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!found) reject(new InspectedChildError(`the child ended (${code}) before its inspector started`));
    });
  });
}

function connect(address: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    socket.once('open', () => resolve(socket));
    socket.once('error', (error) =>
      reject(
        new InspectedChildError(`cannot connect to the child's inspector at ${address}: ${error.message}`),
      ),
    );
  });
}

/** Requests with ids and their answers, and events by method, over one inspector WebSocket. */
class Protocol {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.once('close', () => {
      for (const { reject } of this.waiting.values())
        reject(new InspectedChildError('the child ended or closed its inspector'));
      this.waiting.clear();
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        reject(new InspectedChildError(`cannot call ${method}: the child's inspector is closed`));
        return;
      }
      this.waiting.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: (params: unknown) => void): () => void {
    const set = this.listeners.get(method) ?? new Set();
    this.listeners.set(method, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id !== undefined) {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new InspectedChildError(`inspector: ${message.error.message}`));
      else waiter?.resolve(message.result);
    } else if (message.method) {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
    }
  }
}
