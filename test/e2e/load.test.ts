/**
 * The load harness of issue 9 (benchmarks/load-harness.ts, which benchmarks/load.ts runs at 50
 * clients for 60 s) at small scale: the built `headroom openapi --transport http` process, SDK
 * clients over Streamable HTTP, and the loopback upstream streaming the responses. Every call must
 * end in an answer or the server's overload refusal, the server must not crash, and its peak RSS
 * must stay under the budget. The executable is bundled from the current source into a temporary
 * folder (as test/cli/code-cache.test.ts does), so the test neither needs nor touches dist/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { budgetMb, isOverload, quantile, runLoad } from '../../benchmarks/load-harness.js';
import { Cleanup, ROOT } from './cli-helpers.js';
import { startUpstream, type Upstream } from './upstream.js';

const cleanup = new Cleanup();
let upstream: Upstream;
let server: string[];
before(async () => {
  // The bundle finds package.json and its external dependencies from its folder, as in a package.
  const dir = cleanup.tempDir('headroom-e2e-load-');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  execFileSync(process.execPath, ['scripts/bundle.mjs', join(dir, 'dist')], { cwd: ROOT, timeout: 60_000 });
  server = [join(dir, 'dist', 'cli.js')];
  upstream = await startUpstream();
});
after(async () => {
  await upstream?.close();
  await cleanup.run();
});

/** Calls that reached the upstream's streamed endpoints. */
function upstreamCalls(): number {
  return upstream.requests.filter((r) => /^\/api\/(items|document)\?/.test(r.url)).length;
}

describe('the load harness against the real server', { timeout: 60_000 }, () => {
  it('5 clients for 3 s under 256MB: answers only, no crash, peak RSS under the budget', async () => {
    const before = upstreamCalls();
    const { figures, errors, serverLog } = await runLoad({
      origin: upstream.origin,
      server,
      clients: 5,
      durationMs: 3000,
      budget: '256MB',
      // Smaller than the benchmark's 1 to 50 MB: about 160 MB peak here, clear of the budget.
      mix: [
        { tool: 'listItems', mb: 0.25 },
        { tool: 'getDocument', mb: 0.5 },
        { tool: 'listItems', mb: 1 },
      ],
      maxCallsPerClient: 50,
      callTimeoutMs: 20_000,
    });
    const why = `${JSON.stringify(figures)}\n${errors.join('\n')}\n${serverLog}`;
    assert.equal(figures.crashes, 0, why);
    assert.equal(figures.failed, 0, why);
    assert.equal(figures.calls, figures.ok + figures.overloaded, why);
    assert.ok(figures.ok >= 5, why);
    assert.equal(figures.budgetMb, 256);
    assert.ok(figures.peakRssMb > figures.idleRssMb && figures.peakRssMb < figures.budgetMb, why);
    assert.ok(figures.p50Ms > 0 && figures.p50Ms <= figures.p99Ms && figures.p99Ms <= figures.maxMs, why);
    // Every answer came from the upstream: the calls were made, not answered from nowhere.
    assert.ok(upstreamCalls() - before >= figures.ok, why);
  });

  it('counts the refusals of a server whose budget is below its idle RSS as overloads, not errors', async () => {
    const before = upstreamCalls();
    const { figures, errors, serverLog } = await runLoad({
      origin: upstream.origin,
      server,
      clients: 2,
      durationMs: 2500,
      // A Node process starts at about 50 MB: this server is over its budget before any call.
      budget: '32MB',
      mix: [{ tool: 'listItems', mb: 1 }],
      maxCallsPerClient: 5,
      callTimeoutMs: 20_000,
    });
    const why = `${JSON.stringify(figures)}\n${errors.join('\n')}\n${serverLog}`;
    assert.equal(figures.crashes, 0, why);
    assert.equal(figures.ok, 0, why);
    assert.equal(figures.failed, 0, why);
    assert.ok(figures.overloaded >= 2, why);
    assert.equal(figures.calls, figures.overloaded, why);
    // Refused before sending: nothing reached the upstream.
    assert.equal(upstreamCalls(), before, why);
  });
});

describe('the load harness arithmetic', () => {
  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(quantile(values, 0.5), 50);
    assert.equal(quantile(values, 0.99), 99);
    assert.equal(quantile(values, 1), 100);
    assert.equal(quantile([], 0.5), 0);
  });

  it("reads the budget as the server does (powers of 1024) and knows the server's refusals", () => {
    assert.equal(budgetMb('256MB'), 256);
    assert.equal(budgetMb('1GiB'), 1024);
    assert.throws(() => budgetMb('lots'), /cannot read the budget lots/);
    assert.ok(isOverload('overloaded: memory is at 230 MiB of the 256 MiB budget (CRITICAL), so this call'));
    assert.ok(!isOverload('http://127.0.0.1:1/api answered 500. The API failed'));
  });
});
