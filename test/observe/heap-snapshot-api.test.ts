/**
 * POST /api/heap-snapshot on the real dashboard server (127.0.0.1, port 0, a token), over a real
 * MemoryMonitor: it writes a heap snapshot of this process that the snapshot reader parses, answers
 * where, one at a time (409 for a request that comes while one is under way), under the same
 * token, Host and Origin checks as the rest of the API, and POST only.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryDashboard, type Dashboard } from '../../src/observe/dashboard/server.js';
import { MemoryMonitor } from '../../src/observe/monitor.js';
import { readHeapSnapshot } from '../../src/profile/heap-snapshot.js';

const TOKEN = 'heap-snapshot-token';
const root = mkdtempSync(join(tmpdir(), 'headroom-heap-api-'));
const dir = join(root, 'snapshots');

function snapshotsIn(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => name.endsWith('.heapsnapshot'));
  } catch {
    return [];
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly these headers (fetch would add or refuse some, such as Origin). */
function send(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, method, path: '/api/heap-snapshot', headers, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} /api/heap-snapshot timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Two POSTs written at once on one connection (HTTP/1.1 pipelining): the server reads both before
 * the first snapshot is written, so the second must find it under way. Returns the raw answers.
 */
function pipelinedPosts(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const post = (close: boolean) =>
    `POST /api/heap-snapshot HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n` +
    `Content-Length: 0\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(post(false) + post(true));
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.setTimeout(30_000, () => socket.destroy(new Error('the pipelined POSTs timed out')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('POST /api/heap-snapshot', { timeout: 60_000 }, () => {
  let monitor: MemoryMonitor;
  let dashboard: Dashboard;
  const infos: string[] = [];
  const warnings: string[] = [];

  before(async () => {
    monitor = new MemoryMonitor({ sampleIntervalMs: 1000 });
    monitor.start();
    dashboard = await createMemoryDashboard({
      source: monitor,
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      heapSnapshotDir: dir,
      onInfo: (message) => infos.push(message),
      onWarning: (message) => warnings.push(message),
    });
  });

  after(async () => {
    await dashboard?.close();
    monitor?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes a heap snapshot of the process to its folder and answers path, bytes and ms', async () => {
    const res = await fetch(`${dashboard.url}api/heap-snapshot`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { path: string; bytes: number; ms: number };
    assert.deepEqual(Object.keys(body).sort(), ['bytes', 'ms', 'path']);
    assert.equal(dirname(body.path), dir, 'written in the configured folder');
    assert.match(body.path, /\.heapsnapshot$/);
    assert.equal(statSync(body.path).size, body.bytes);
    assert.ok(Number.isInteger(body.ms) && body.ms >= 0, `ms ${body.ms}`);
    const snapshot = await readHeapSnapshot(body.path);
    assert.ok(snapshot.nodeCount > 1000, `${snapshot.nodeCount} nodes`);
    // The dashboard's own server is in this process, so it is in the snapshot.
    assert.ok(snapshot.strings.includes('MemoryMonitor'), 'the snapshot holds this process');
    assert.ok(
      infos.some((line) => line.includes(`heap snapshot written to ${body.path}`)),
      infos.join('\n'),
    );
  });

  it('answers 409 to a second POST that comes while the first is being written', async () => {
    const before = snapshotsIn(dir).length;
    const raw = await pipelinedPosts(dashboard.url);
    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
    assert.deepEqual(statuses, [200, 409], raw.slice(0, 2000));
    assert.match(raw, /"error":"a heap snapshot is being written already: wait for it to finish/);
    assert.equal(snapshotsIn(dir).length, before + 1, 'one snapshot for the two requests');
    // Once it is written, the next one is welcome again.
    const again = await send(dashboard.url, 'POST', { authorization: `Bearer ${TOKEN}` });
    assert.equal(again.status, 200, again.body);
    assert.equal(snapshotsIn(dir).length, before + 2);
  });

  it('needs the token, the own Host and no foreign Origin, and writes nothing when refused', async () => {
    const before = snapshotsIn(dir).length;
    const none = await send(dashboard.url, 'POST', {});
    assert.equal(none.status, 401);
    assert.match(none.body, /needs its token/);
    const wrong = await send(dashboard.url, 'POST', { authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /wrong dashboard token/);
    const foreign = await send(dashboard.url, 'POST', {
      authorization: `Bearer ${TOKEN}`,
      origin: 'http://evil.example',
    });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /origin http:\/\/evil\.example refused/);
    const rebound = await send(dashboard.url, 'POST', {
      authorization: `Bearer ${TOKEN}`,
      host: 'evil.example',
    });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /Host header/);
    // The page's own origin is fine.
    const own = await send(dashboard.url, 'POST', {
      authorization: `Bearer ${TOKEN}`,
      origin: dashboard.url.replace(/\/$/, ''),
    });
    assert.equal(own.status, 200, own.body);
    assert.equal(snapshotsIn(dir).length, before + 1);
  });

  it('takes POST only: GET and HEAD get 405, and the route is listed', async () => {
    const before = snapshotsIn(dir).length;
    for (const method of ['GET', 'HEAD', 'PUT']) {
      const res = await send(dashboard.url, method, { authorization: `Bearer ${TOKEN}` });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'POST', method);
    }
    assert.equal(snapshotsIn(dir).length, before);
    const missing = await fetch(`${dashboard.url}nope?token=${TOKEN}`);
    const { endpoints } = (await missing.json()) as { endpoints: string[] };
    assert.ok(
      endpoints.some((line) => line.startsWith('POST /api/heap-snapshot')),
      endpoints.join('\n'),
    );
    // The other routes still take GET and HEAD only.
    const post = await fetch(`${dashboard.url}api/metrics?token=${TOKEN}`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('answers 500 saying which folder and what to do when the snapshot cannot be written', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const broken = await createMemoryDashboard({
      source: monitor,
      host: '127.0.0.1',
      port: 0,
      heapSnapshotDir: join(blocker, 'snapshots'),
      onWarning: (message) => warnings.push(message),
    });
    try {
      const res = await fetch(`${broken.url}api/heap-snapshot`, { method: 'POST' });
      assert.equal(res.status, 500);
      const { error } = (await res.json()) as { error: string };
      assert.match(error, /^heap snapshot to .*a-file\/snapshots failed: .*ENOTDIR/);
      assert.match(error, /profiling\.snapshotDir \(HEADROOM_PROFILING_SNAPSHOT_DIR\)/);
      assert.ok(warnings.some((line) => line.includes(error)));
      // It is not stuck as busy after a failure.
      assert.equal((await fetch(`${broken.url}api/heap-snapshot`, { method: 'POST' })).status, 500);
    } finally {
      await broken.close();
    }
  });
});
