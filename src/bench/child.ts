/**
 * Runs one variant of a benchmark module in a child process of its own, so that its figures (peak
 * RSS above all) are its own: `node [--import tsx] CHILD MODULE VARIANT ARGS...`, where CHILD
 * imports MODULE, calls `run(VARIANT, ...ARGS)` and prints the figures as the last line of stdout.
 * The child leads a process group, so a timeout also ends the servers and upstreams it started.
 */
import { spawn } from 'node:child_process';

export interface ChildCommand {
  /** The arguments after `process.execPath`. */
  args: string[];
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The figures a child printed, or why there are none. */
export type ChildOutcome = { figures: Record<string, number> } | { error: string };

/** Enough of a child's stderr to show its error and where it came from. */
const STDERR_TAIL = 2000;
/** Figures are one short line; more than this on stdout is not a benchmark's output. */
const STDOUT_LIMIT = 1024 * 1024;

export function runChild(command: ChildCommand): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command.args, {
      cwd: command.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let ended: string | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += data;
    });
    child.stderr.on('data', (data: string) => {
      stderr = (stderr + data).slice(-STDERR_TAIL * 2);
    });
    const killGroup = () => {
      try {
        // The negative pid is the group: the child and everything it started.
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const end = (why: string) => {
      ended ??= why;
      killGroup();
    };
    const timer = setTimeout(() => end(`timed out after ${command.timeoutMs} ms`), command.timeoutMs);
    const abort = () => end('stopped');
    command.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error) => {
      ended ??= `could not start: ${error.message}`;
    });
    // Whatever the child left running in its group goes with it; its pipes then close.
    child.on('exit', () => {
      if (child.pid !== undefined) killGroup();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      command.signal?.removeEventListener('abort', abort);
      const tail = stderrTail(stderr);
      const headline = errorLine(stderr);
      const fail = (why: string) =>
        resolve({
          error: [headline ? `${why}: ${headline}` : why, tail && `stderr: ${tail}`]
            .filter(Boolean)
            .join('; '),
        });
      if (ended) return fail(ended);
      if (code !== 0) return fail(signal ? `killed by ${signal}` : `exited with code ${code}`);
      const figures = parseFigures(stdout);
      if (typeof figures === 'string') return fail(figures);
      resolve({ figures });
    });
  });
}

/** The last `...Error: message` line of a stack trace, which says what went wrong. */
function errorLine(text: string): string | undefined {
  const lines = text.split('\n').filter((line) => /^[\w.]*Error\b.*:/.test(line.trim()));
  return lines.pop()?.trim();
}

function stderrTail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > STDERR_TAIL ? `...${trimmed.slice(-STDERR_TAIL)}` : trimmed;
}

/** The last line of stdout as `{ key: number }`, or what is wrong with it. */
export function parseFigures(stdout: string): Record<string, number> | string {
  const line = stdout.trim().split('\n').pop()?.trim() ?? '';
  if (line === '') return 'printed no JSON result';
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `printed no JSON result (last line: ${line.slice(0, 200)})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `printed ${line.slice(0, 200)}, not an object of figures`;
  const figures: Record<string, number> = {};
  for (const [key, figure] of Object.entries(value)) if (typeof figure === 'number') figures[key] = figure;
  return figures;
}
