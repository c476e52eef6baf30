import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { UsageError } from '../../src/errors.js';
import {
  createMemoryDashboard,
  type Dashboard,
  type DashboardOptions,
} from '../../src/observe/dashboard/server.js';
import { findPageDir, resolveUplotFiles } from '../../src/observe/dashboard/static.js';
import { MemoryMonitor } from '../../src/observe/monitor.js';
import type {
  Alert,
  DashboardMessage,
  MemorySample,
  MonitorSource,
  ToolStats,
} from '../../src/observe/types.js';

/** A MonitorSource the test drives: it pushes samples and alerts when the test says. */
class TestSource implements MonitorSource {
  samples: MemorySample[] = [];
  tools: Record<string, ToolStats> = {};
  active: Alert[] = [];
  past: Alert[] = [];
  sampleListeners = new Set<(sample: MemorySample) => void>();
  alertListeners = new Set<(alert: Alert) => void>();
  latest() {
    return this.samples.at(-1);
  }
  history(seconds: number, maxPoints = Number.POSITIVE_INFINITY) {
    const last = this.samples.at(-1);
    if (last === undefined) return [];
    const recent = this.samples.filter((s) => s.t > last.t - seconds * 1000);
    const stride = Math.ceil(recent.length / maxPoints);
    return recent.filter((_, i) => i % stride === 0);
  }
  toolStats() {
    return this.tools;
  }
  activeAlerts() {
    return this.active;
  }
  alertHistory() {
    return this.past;
  }
  onSample(listener: (sample: MemorySample) => void) {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }
  onAlert(listener: (alert: Alert) => void) {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }
  push(sample: MemorySample) {
    this.samples.push(sample);
    for (const listener of this.sampleListeners) listener(sample);
  }
  raise(alert: Alert) {
    this.active = [alert];
    for (const listener of this.alertListeners) listener(alert);
  }
}

const T0 = 1_700_000_000_000;

function sample(t: number, rss = 100_000_000): MemorySample {
  return {
    t,
    rss,
    heapUsed: 40_000_000,
    heapTotal: 60_000_000,
    external: 2_000_000,
    arrayBuffers: 500_000,
    heapLimit: 4_000_000_000,
    heapSpaces: { old_space: 30_000_000 },
    systemTotal: 16e9,
    systemFree: 8e9,
    budgetBytes: 512_000_000,
    gc: { count: 0, pauseMs: 0, byKind: {} },
    eventLoop: { p50Ms: 1, p99Ms: 5, utilization: 0.1 },
    components: { topology: 1_234_567 },
  };
}

/** A source with 20 minutes of samples at 1 s, so that the 10-minute hello is a proper part of it. */
function filledSource(): TestSource {
  const source = new TestSource();
  for (let i = 0; i < 1200; i++) source.samples.push(sample(T0 + i * 1000, 100_000_000 + i));
  source.tools = {
    search: {
      calls: 3,
      errors: 1,
      p50Ms: 5,
      p95Ms: 9,
      p99Ms: 9,
      bytesOut: 300,
      meanMemoryDeltaBytes: 10,
      callsPerSecond: 1,
    },
  };
  source.past = [
    {
      id: 'gc',
      kind: 'gc',
      severity: 'warning',
      message: 'old',
      startedAt: T0,
      resolvedAt: T0 + 5000,
      value: 1,
      threshold: 0.5,
    },
  ];
  return source;
}

const alert: Alert = {
  id: 'memory',
  kind: 'memory',
  severity: 'warning',
  message: 'memory at 80% of the budget',
  startedAt: T0,
  value: 80,
  threshold: 75,
};

/** A page folder of the test's own, with a file outside it that must never be served. */
function makePageDir(): { root: string; pageDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'headroom-dashboard-'));
  const pageDir = join(root, 'page');
  mkdirSync(join(pageDir, 'img'), { recursive: true });
  writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>test page</title>');
  writeFileSync(join(pageDir, 'app.js'), 'console.log("app");');
  writeFileSync(join(pageDir, 'style.css'), 'body{}');
  writeFileSync(join(pageDir, 'img', 'logo.svg'), '<svg/>');
  writeFileSync(join(pageDir, '.env'), 'SECRET=dotfile');
  writeFileSync(join(root, 'secret.txt'), 'SECRET=outside');
  symlinkSync(join(root, 'secret.txt'), join(pageDir, 'link.txt'));
  return { root, pageDir };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET with the path sent exactly as written (fetch would normalise `..`), and any Host header. */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Messages of a WebSocket, in order, each awaited with a bound. */
function messages(ws: WebSocket) {
  const queue: DashboardMessage[] = [];
  const waiting: Array<(message: DashboardMessage) => void> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as DashboardMessage;
    const next = waiting.shift();
    if (next) next(message);
    else queue.push(message);
  });
  return (timeoutMs = 10_000): Promise<DashboardMessage> => {
    const queued = queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no WebSocket message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  };
}

/** Opens a WebSocket; resolves when open, or with the HTTP status that refused it. */
function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; next: ReturnType<typeof messages>; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    // Listening from the start: the hello can arrive in the same packet as the handshake, and is
    // then emitted before a listener added after 'open' would be.
    const next = messages(ws);
    ws.once('open', () => resolve({ ws, next }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ ws, next, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    ws.once('error', (error) => {
      if (ws.readyState !== ws.CLOSED) reject(error);
    });
  });
}

function wsUrl(url: string, path: string): string {
  return url.replace(/^http/, 'ws').replace(/\/$/, '') + path;
}

function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('createMemoryDashboard', () => {
  let dirs: { root: string; pageDir: string };
  const open: Dashboard[] = [];
  const warnings: string[] = [];
  const start = async (options: Partial<DashboardOptions> & { source: MonitorSource }) => {
    const dashboard = await createMemoryDashboard({
      port: 0,
      pageDir: dirs.pageDir,
      onWarning: (message) => warnings.push(message),
      ...options,
    });
    open.push(dashboard);
    return dashboard;
  };

  before(() => {
    dirs = makePageDir();
  });
  after(async () => {
    await Promise.all(open.map((dashboard) => dashboard.close()));
    rmSync(dirs.root, { recursive: true, force: true });
  });

  describe('on loopback without a token', () => {
    let source: TestSource;
    let url: string;
    before(async () => {
      source = filledSource();
      ({ url } = await start({ source, name: 'headroom test (1,200 samples)' }));
    });

    it('serves the page, its files and uPlot with their content types', async () => {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const expect = [
        ['', 'text/html; charset=utf-8', '<!doctype html><title>test page</title>'],
        ['index.html', 'text/html; charset=utf-8', '<!doctype html><title>test page</title>'],
        ['app.js', 'text/javascript; charset=utf-8', 'console.log("app");'],
        ['style.css', 'text/css; charset=utf-8', 'body{}'],
        ['img/logo.svg', 'image/svg+xml', '<svg/>'],
      ];
      for (const [path, type, body] of expect) {
        const res = await fetch(url + path);
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('content-type'), type, path);
        assert.equal(await res.text(), body, path);
      }
      const require = createRequire(import.meta.url);
      for (const [file, type] of [
        ['uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
        ['uPlot.min.css', 'text/css; charset=utf-8'],
      ] as const) {
        const res = await fetch(`${url}assets/${file}`);
        assert.equal(res.status, 200, file);
        assert.equal(res.headers.get('content-type'), type);
        assert.equal(await res.text(), readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8'));
      }
      const page = await fetch(url);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      const head = await fetch(`${url}app.js`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '19');
    });

    it('answers the JSON API from the source', async () => {
      const metrics = (await (await fetch(`${url}api/metrics`)).json()) as Record<string, unknown>;
      assert.deepEqual(metrics, {
        name: 'headroom test (1,200 samples)',
        sample: source.latest(),
        details: {},
        tools: source.tools,
        alerts: [],
      });

      const history = (await (await fetch(`${url}api/metrics/history?duration=30`)).json()) as {
        duration: number;
        samples: MemorySample[];
      };
      assert.equal(history.duration, 30);
      assert.deepEqual(history.samples, source.samples.slice(-30));

      // 1,200 samples asked for are downsampled to the 600-point bound, or fewer when asked.
      const long = (await (await fetch(`${url}api/metrics/history?duration=86400`)).json()) as {
        samples: unknown[];
      };
      assert.equal(long.samples.length, 600);
      const few = (await (await fetch(`${url}api/metrics/history?duration=3600&points=100`)).json()) as {
        samples: unknown[];
      };
      assert.ok(few.samples.length <= 100 && few.samples.length > 0, `${few.samples.length} points`);

      const alerts = await (await fetch(`${url}api/alerts`)).json();
      assert.deepEqual(alerts, { alerts: [] });
      const past = await (await fetch(`${url}api/alerts/history`)).json();
      assert.deepEqual(past, { alerts: source.past });
    });

    it('answers a bad query with 400 saying what is allowed', async () => {
      for (const query of [
        'duration=0',
        'duration=86401',
        'duration=abc',
        'duration=1.5',
        'duration=',
        'points=1',
        'points=601',
      ]) {
        const res = await fetch(`${url}api/metrics/history?${query}`);
        assert.equal(res.status, 400, query);
        const body = (await res.json()) as { error: string };
        assert.match(body.error, /use a whole number from \d+ to \d+/, query);
      }
    });

    it('answers unknown paths with 404 listing the endpoints, and other methods with 405', async () => {
      const res = await fetch(`${url}nope`);
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: string; endpoints: string[] };
      assert.equal(body.error, 'not found: /nope');
      assert.ok(body.endpoints.some((line) => line.startsWith('GET /api/metrics/history')));
      assert.equal((await fetch(`${url}assets/other.js`)).status, 404);
      const post = await fetch(`${url}api/metrics`, { method: 'POST', body: '{}' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const ws = await fetch(`${url}ws`);
      assert.equal(ws.status, 426);
    });

    it('serves Prometheus text at /metrics', async () => {
      const res = await fetch(`${url}metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.match(text, /^# TYPE headroom_memory_rss_bytes gauge$/m);
      assert.match(text, /^headroom_memory_rss_bytes 100001199$/m);
      assert.match(text, /^headroom_component_bytes\{component="topology"\} 1234567$/m);
      assert.match(text, /^headroom_tool_calls_total\{tool="search"\} 3$/m);
      assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    });

    it('refuses directory traversal, dotfiles and symlinks out of the page folder', async () => {
      for (const path of [
        '/..%2fsecret.txt',
        '/%2e%2e/secret.txt',
        '/img/..%2f..%2fsecret.txt',
        '/..%5csecret.txt',
        '/.env',
        '/link.txt',
        '/%00index.html',
        `/${encodeURIComponent(join(dirs.root, 'secret.txt'))}`,
        '/../secret.txt',
      ]) {
        const res = await rawGet(url, path);
        assert.ok([400, 403, 404].includes(res.status), `${path}: ${res.status}`);
        assert.doesNotMatch(res.body, /SECRET=/, path);
      }
      assert.equal((await rawGet(url, '/..%2fsecret.txt')).status, 403);
      assert.equal((await rawGet(url, '/%E0%A4%A')).status, 400);
    });

    it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
      const evil = await rawGet(url, '/api/metrics', { host: 'evil.example:80' });
      assert.equal(evil.status, 403);
      assert.match(JSON.parse(evil.body).error, /Host header "evil\.example:80" is not this dashboard's/);
      const port = new URL(url).port;
      assert.equal((await rawGet(url, '/api/metrics', { host: `localhost:${port}` })).status, 200);
      assert.equal((await rawGet(url, '/api/metrics', { host: `[::1]:${port}` })).status, 200);
      const ws = await connect(wsUrl(url, '/ws'), { host: 'evil.example' });
      assert.equal(ws.status, 403);
    });

    it('sends hello with the last 10 minutes, then every sample and alert over /ws', async () => {
      const { ws, next, status } = await connect(wsUrl(url, '/ws'));
      assert.equal(status, undefined);
      const hello = await next();
      assert.equal(hello.type, 'hello');
      if (hello.type !== 'hello') return;
      assert.equal(hello.name, 'headroom test (1,200 samples)');
      assert.equal(hello.history.length, 600);
      assert.deepEqual(hello.history.at(-1), source.latest());
      assert.equal(hello.history[0]?.t, (source.latest()?.t ?? 0) - 599_000);
      assert.deepEqual(hello.tools, source.tools);
      assert.deepEqual(hello.alertHistory, source.past);

      const fresh = sample(T0 + 1_200_000, 123);
      source.push(fresh);
      const pushed = await next();
      assert.deepEqual(pushed, { type: 'sample', sample: fresh, tools: source.tools, alerts: [] });

      source.raise(alert);
      assert.deepEqual(await next(), { type: 'alert', alert });
      source.push(sample(T0 + 1_201_000));
      const after = await next();
      assert.equal(after.type === 'sample' && after.alerts[0]?.id, 'memory');
      source.active = [];
      ws.close();
    });

    it('refuses a WebSocket from another origin and on another path', async () => {
      const foreign = await connect(wsUrl(url, '/ws'), { origin: 'http://evil.example' });
      assert.equal(foreign.status, 403);
      const own = await connect(wsUrl(url, '/ws'), { origin: url.replace(/\/$/, '') });
      assert.equal(own.status, undefined);
      own.ws.close();
      const elsewhere = await connect(wsUrl(url, '/api/metrics'));
      assert.equal(elsewhere.status, 404);
    });
  });

  it('requires the token: 401 without, the page with ?token=, the API with Bearer or ?token=', async () => {
    const source = filledSource();
    const { url } = await start({ source, token: 's3cret' });
    for (const path of [
      '',
      'api/metrics',
      'api/metrics/history',
      'api/alerts',
      'api/alerts/history',
      'metrics',
    ]) {
      const res = await fetch(url + path);
      assert.equal(res.status, 401, path);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="headroom dashboard"');
      assert.match(((await res.json()) as { error: string }).error, /\?token=/);
      assert.equal((await fetch(`${url + path}?token=wrong`)).status, 401, path);
      assert.equal(
        (await fetch(url + path, { headers: { authorization: 'Bearer wrong' } })).status,
        401,
        path,
      );
      assert.equal(
        (await fetch(url + path, { headers: { authorization: 'Bearer s3cret' } })).status,
        200,
        path,
      );
    }
    const page = await fetch(`${url}?token=s3cret`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /test page/);
    // The page's own files hold no data, and <script src> cannot carry the token.
    assert.equal((await fetch(`${url}app.js`)).status, 200);
    assert.equal((await fetch(`${url}assets/uPlot.min.css`)).status, 200);
    assert.equal((await fetch(`${url}api/alerts?token=s3cret`)).status, 200);

    assert.equal((await connect(wsUrl(url, '/ws'))).status, 401);
    assert.equal((await connect(wsUrl(url, '/ws?token=wrong'))).status, 401);
    const { ws, next, status } = await connect(wsUrl(url, '/ws?token=s3cret'));
    assert.equal(status, undefined);
    assert.equal((await next()).type, 'hello');
    ws.close();
  });

  it('refuses to start beyond loopback without a token, and on bad options', async () => {
    const source = new TestSource();
    for (const host of ['0.0.0.0', '192.0.2.10', '::']) {
      await assert.rejects(
        createMemoryDashboard({ source, host, port: 0, pageDir: dirs.pageDir }),
        (error: unknown) => error instanceof UsageError && /without a token/.test(error.message),
      );
    }
    await assert.rejects(
      createMemoryDashboard({ source, token: '', port: 0, pageDir: dirs.pageDir }),
      /token is empty/,
    );
    await assert.rejects(createMemoryDashboard({ source, port: -1 }), /option port is -1/);
    await assert.rejects(createMemoryDashboard({ source, port: 0, maxClients: 0 }), /option maxClients is 0/);
    await assert.rejects(
      createMemoryDashboard({ source, port: 0, pushIntervalMs: 0.5 }),
      /option pushIntervalMs/,
    );
    await assert.rejects(
      createMemoryDashboard({ source, port: 0, pageDir: join(dirs.root, 'missing') }),
      /has no index\.html/,
    );
    assert.equal(source.sampleListeners.size + source.alertListeners.size, 0, 'nothing left subscribed');
  });

  it('says the port is in use, and subscribes nothing when it cannot listen', async () => {
    const source = new TestSource();
    const first = await start({ source });
    const port = Number(new URL(first.url).port);
    const other = new TestSource();
    await assert.rejects(
      createMemoryDashboard({ source: other, port, pageDir: dirs.pageDir }),
      (error: unknown) => {
        return error instanceof UsageError && /port is in use/.test(error.message);
      },
    );
    assert.equal(other.sampleListeners.size + other.alertListeners.size, 0);
  });

  it('admits at most maxClients WebSocket clients', async () => {
    const { url } = await start({ source: filledSource(), maxClients: 2 });
    const one = await connect(wsUrl(url, '/ws'));
    const two = await connect(wsUrl(url, '/ws'));
    const three = await connect(wsUrl(url, '/ws'));
    assert.equal(three.status, 503);
    assert.match(three.body ?? '', /maxClients/);
    // A slot frees when a client leaves.
    const closed = new Promise((done) => one.ws.once('close', done));
    one.ws.close();
    await closed;
    let four = await connect(wsUrl(url, '/ws'));
    for (let attempt = 0; four.status === 503 && attempt < 50; attempt++) {
      await new Promise((done) => setTimeout(done, 20));
      four = await connect(wsUrl(url, '/ws'));
    }
    assert.equal(four.status, undefined);
    two.ws.close();
    four.ws.close();
  });

  it('pushes on its own period when pushIntervalMs is set', async () => {
    const source = filledSource();
    const { url } = await start({ source, pushIntervalMs: 20 });
    assert.equal(source.sampleListeners.size, 1, 'only the Prometheus GC counters follow samples');
    const { ws, next } = await connect(wsUrl(url, '/ws'));
    assert.equal((await next()).type, 'hello');
    // Nothing announces the sample: the timer finds it, once.
    source.samples.push(sample(T0 + 5_000_000, 777));
    const pushed = await next();
    assert.equal(pushed.type === 'sample' && pushed.sample.rss, 777);
    source.samples.push(sample(T0 + 5_001_000, 778));
    const again = await next();
    assert.equal(again.type === 'sample' && again.sample.rss, 778, 'the same sample is not pushed twice');
    ws.close();
  });

  it('close() ends WebSocket clients and the listener, unsubscribes, and is safe twice', async () => {
    const source = filledSource();
    const dashboard = await createMemoryDashboard({ source, port: 0, pageDir: dirs.pageDir });
    const clients = await Promise.all([
      connect(wsUrl(dashboard.url, '/ws')),
      connect(wsUrl(dashboard.url, '/ws')),
    ]);
    const codes = clients.map(
      ({ ws }) => new Promise<number>((done) => ws.once('close', (code) => done(code))),
    );
    // A keep-alive HTTP connection must not hold close() open either.
    const res = await fetch(`${dashboard.url}api/metrics`);
    await res.text();
    assert.ok(source.sampleListeners.size > 0 && source.alertListeners.size > 0);

    await Promise.all([dashboard.close(), dashboard.close()]);
    await dashboard.close();
    assert.deepEqual(await Promise.all(codes), [1001, 1001]);
    assert.equal(source.sampleListeners.size + source.alertListeners.size, 0);
    await assert.rejects(fetch(`${dashboard.url}api/metrics`));
    await waitFor(() => clients.every(({ ws }) => ws.readyState === ws.CLOSED), 'clients closed');
  });
});

describe('finding the page and uPlot', () => {
  it('finds the page beside the module (tsx, tsc) or in the package when bundled into dist/cli-bundle.js', () => {
    const root = mkdtempSync(join(tmpdir(), 'headroom-package-'));
    const cleanup = [root];
    try {
      writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'headroom', version: '0.0.0' }));
      for (const dir of ['src/observe/dashboard/page', 'dist/observe/dashboard/page']) {
        mkdirSync(join(root, dir), { recursive: true });
        writeFileSync(join(root, dir, 'index.html'), dir);
      }
      const require = createRequire(import.meta.url);
      const uplotDir = dirname(dirname(require.resolve('uplot/dist/uPlot.iife.min.js')));
      mkdirSync(join(root, 'node_modules'));
      symlinkSync(uplotDir, join(root, 'node_modules', 'uplot'));

      const url = (path: string) => pathToFileURL(join(root, path)).href;
      assert.equal(
        findPageDir(url('src/observe/dashboard/static.ts')),
        join(root, 'src/observe/dashboard/page'),
      );
      assert.equal(
        findPageDir(url('dist/observe/dashboard/static.js')),
        join(root, 'dist/observe/dashboard/page'),
      );
      assert.equal(findPageDir(url('dist/cli-bundle.js')), join(root, 'dist/observe/dashboard/page'));
      const bundled = resolveUplotFiles(url('dist/cli-bundle.js'));
      assert.match(bundled.get('uPlot.iife.min.js') ?? '', /uPlot\.iife\.min\.js$/);
      assert.match(bundled.get('uPlot.min.css') ?? '', /uPlot\.min\.css$/);

      rmSync(join(root, 'dist'), { recursive: true });
      assert.equal(findPageDir(url('dist/cli-bundle.js')), join(root, 'src/observe/dashboard/page'));
      rmSync(join(root, 'src'), { recursive: true });
      assert.throws(
        () => findPageDir(url('dist/cli-bundle.js')),
        /index\.html\) is missing: looked in .*copy src\/observe\/dashboard\/page/,
      );
      // A folder of its own: Node caches resolutions by path, so removing node_modules here would not show.
      const bare = mkdtempSync(join(tmpdir(), 'headroom-bare-'));
      cleanup.push(bare);
      assert.throws(
        () => resolveUplotFiles(pathToFileURL(join(bare, 'cli-bundle.js')).href),
        /cannot find uplot\/dist\/uPlot\.iife\.min\.js.*npm install/,
      );
    } finally {
      for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createMemoryDashboard with a real MemoryMonitor', () => {
  it('streams real samples, tool calls and alerts, and exports the same numbers to /metrics', async () => {
    const { root, pageDir } = makePageDir();
    const monitor = new MemoryMonitor({ sampleIntervalMs: 50 });
    let topologyBytes = 1_000_000;
    monitor.registerComponent('topology', () => topologyBytes);
    monitor.registerComponent('spill', () => ({ bytes: 4096, details: { onDisk: 8192 } }));
    monitor.start();
    const dashboard = await createMemoryDashboard({
      source: monitor,
      port: 0,
      pageDir,
      name: 'real monitor',
    });
    try {
      const { ws, next } = await connect(wsUrl(dashboard.url, '/ws'));
      const hello = await next();
      assert.equal(hello.type, 'hello');
      assert.equal(hello.type === 'hello' && hello.name, 'real monitor');

      // Samples arrive, and a changed component shows in them.
      const first = await next();
      assert.equal(first.type === 'sample' && first.sample.components.topology, 1_000_000);
      assert.ok(first.type === 'sample' && first.sample.rss > 0 && first.sample.heapUsed > 0);
      topologyBytes = 2_500_000;
      monitor.recordToolCall({ tool: 'trace_route', ms: 12, ok: true, bytesOut: 300 });
      monitor.recordToolCall({ tool: 'trace_route', ms: 30, ok: false });
      let seen: DashboardMessage | undefined;
      for (let i = 0; i < 100; i++) {
        seen = await next();
        if (seen.type === 'sample' && seen.sample.components.topology === 2_500_000) break;
      }
      assert.ok(seen?.type === 'sample' && seen.sample.components.topology === 2_500_000);
      assert.equal(seen.tools.trace_route?.calls, 2);
      assert.equal(seen.tools.trace_route?.errors, 1);

      // An alert raised and resolved reaches the client both times.
      const details = { severity: 'warning' as const, message: 'test condition', value: 2, threshold: 1 };
      monitor.reportCondition('leak:test', 'leak', true, details);
      monitor.reportCondition('leak:test', 'leak', false, details);
      const changes: Alert[] = [];
      for (let i = 0; i < 200 && changes.length < 2; i++) {
        const message = await next();
        if (message.type === 'alert' && message.alert.id === 'leak:test') changes.push(message.alert);
      }
      assert.equal(changes.length, 2);
      assert.equal(changes[0]?.resolvedAt, undefined);
      assert.equal(typeof changes[1]?.resolvedAt, 'number');
      const past = (await (await fetch(`${dashboard.url}api/alerts/history`)).json()) as { alerts: Alert[] };
      assert.ok(past.alerts.some((alert) => alert.id === 'leak:test'));

      // Stopped, the monitor's numbers hold still and /metrics and /api/metrics must equal them.
      monitor.stop();
      const latest = monitor.latest();
      assert.ok(latest);
      const text = await (await fetch(`${dashboard.url}metrics`)).text();
      const line = (pattern: string) => new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1];
      assert.equal(Number(line('headroom_memory_rss_bytes')), latest.rss);
      assert.equal(Number(line('headroom_memory_heap_used_bytes')), latest.heapUsed);
      assert.equal(Number(line('headroom_memory_budget_bytes')), latest.budgetBytes);
      assert.equal(Number(line('headroom_component_bytes\\{component="topology"\\}')), 2_500_000);
      assert.equal(Number(line('headroom_component_bytes\\{component="spill"\\}')), 4096);
      assert.equal(Number(line('headroom_tool_calls_total\\{tool="trace_route"\\}')), 2);
      assert.equal(Number(line('headroom_tool_errors_total\\{tool="trace_route"\\}')), 1);
      for (const space of Object.keys(latest.heapSpaces)) {
        assert.equal(
          Number(line(`headroom_heap_space_used_bytes\\{space="${space}"\\}`)),
          latest.heapSpaces[space],
        );
      }
      const api = (await (await fetch(`${dashboard.url}api/metrics`)).json()) as { sample: MemorySample };
      assert.deepEqual(api.sample, JSON.parse(JSON.stringify(latest)));
      const history = (await (await fetch(`${dashboard.url}api/metrics/history?duration=60`)).json()) as {
        samples: MemorySample[];
      };
      assert.ok(history.samples.length > 2 && history.samples.length <= 600);
      ws.close();
    } finally {
      monitor.stop();
      await dashboard.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('createMemoryDashboard without a source', () => {
  it('monitors this process itself and stops its monitor on close', async () => {
    const { root, pageDir } = makePageDir();
    const dashboard = await createMemoryDashboard({ port: 0, pageDir });
    try {
      assert.ok(dashboard.monitor, 'the monitor it started');
      dashboard.monitor.registerComponent('mine', () => 1234);
      dashboard.monitor.sample();
      const metrics = (await (await fetch(`${dashboard.url}api/metrics`)).json()) as {
        sample: { rss: number; components: Record<string, number> } | null;
      };
      assert.ok(metrics.sample && metrics.sample.rss > 0);
      assert.equal(metrics.sample.components.mine, 1234);
    } finally {
      await dashboard.close();
      rmSync(root, { recursive: true, force: true });
    }
    const before = dashboard.monitor.latest();
    await new Promise((done) => setTimeout(done, 1200));
    assert.equal(dashboard.monitor.latest(), before, 'no sample after close');
  });
});
