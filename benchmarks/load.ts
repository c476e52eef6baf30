/**
 * Issue 9's load test: N concurrent MCP clients over Streamable HTTP, each calling tools whose
 * upstream answers are 1, 10 and 50 MB of JSON (generated on the fly and streamed by the loopback
 * upstream, in a process of its own), for S seconds, against the built server (`dist/cli.cjs
 * openapi --transport http --memory-budget 256MB`). Figures: calls, successes, overload refusals,
 * other errors (timeouts among them), crashes (the server exited or refused connections), the
 * server's peak RSS (the kernel's VmHWM) against the budget, and p50/p99 latency of the successes.
 *
 * Variant: `clients-N` (e.g. `clients-50`, `clients-1`). Usage:
 *   node --import tsx benchmarks/child.ts ./load.ts clients-50 [seconds=60]
 */
import { join } from 'node:path';
import { ROOT, UpstreamProcess } from './lib/session.js';
import { runLoad } from './load-harness.js';

const CLI = join(ROOT, 'dist', 'cli.cjs');
const BUDGET = '256MB';

export async function run(variant: string, seconds = '60'): Promise<Record<string, number>> {
  const match = /^clients-(\d+)$/.exec(variant);
  const clients = Number(match?.[1]);
  const durationMs = Number(seconds) * 1000;
  if (!match || !(clients >= 1 && clients <= 1000))
    throw new Error(`load benchmark: unknown variant ${variant} (clients-N, N from 1 to 1000)`);
  if (!(durationMs > 0 && durationMs <= 600_000))
    throw new Error(`load benchmark: seconds must be from 1 to 600, not ${seconds}`);
  const upstream = new UpstreamProcess();
  try {
    const report = await runLoad({
      origin: await upstream.origin,
      server: [CLI],
      clients,
      durationMs,
      budget: BUDGET,
      // Responses are spilled for read_result; keep the disk they take bounded (oldest go first).
      serverArgs: ['--max-spill-size', '1GB'],
    });
    for (const error of report.errors) process.stderr.write(`load: ${error}\n`);
    if (report.figures.crashes > 0)
      process.stderr.write(`load: the server crashed; its log:\n${report.serverLog}\n`);
    return { ...report.figures };
  } finally {
    upstream.close();
  }
}
