import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { UsageError } from '../../src/errors.js';
import { type HttpServerHandle, isLoopback, type ServeHttpOptions, serveHttp } from '../../src/mcp/http.js';
import {
  captureLogger,
  issueSchema,
  type JsonRpcAnswer,
  readMessages,
  testFactory,
  testProvider,
} from './helpers.js';

const ACCEPT = 'application/json, text/event-stream';
const open: HttpServerHandle[] = [];
after(async () => {
  await Promise.all(open.map((handle) => handle.close()));
});

async function serve(
  options: Partial<ServeHttpOptions> & Pick<ServeHttpOptions, 'mode'>,
  provider = testProvider(),
) {
  const { logger, lines } = captureLogger();
  const handle = await serveHttp(testFactory(provider, logger), { port: 0, logger, ...options });
  open.push(handle);
  return { handle, lines, provider };
}

async function connectClient(url: string, options: { era?: '2025' | '2026'; token?: string } = {}) {
  const client = new Client(
    { name: 'http-test', version: '1.0.0' },
    options.era === '2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(options.token !== undefined && {
      requestInit: { headers: { authorization: `Bearer ${options.token}` } },
    }),
  });
  await client.connect(transport);
  return { client, transport };
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** node:http rather than fetch, because fetch will not send a Host header of our choosing. */
function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined && !options.chunked)
      headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(url, { method: options.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    // The server may answer and close before it has read everything we send.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    req.end(options.body);
  });
}

function rpc(id: number, method: string, params: Record<string, unknown> = {}): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

const initializeBody = rpc(1, 'initialize', {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'raw-2025-client', version: '0.15.0' },
});

async function exerciseClient(url: string, era: '2025' | '2026') {
  const { client } = await connectClient(url, { era });
  try {
    assert.equal(client.getProtocolEra(), era === '2025' ? 'legacy' : 'modern');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.find((tool) => tool.name === 'create_issue')?.inputSchema, issueSchema);
    const result = await client.callTool({ name: 'echo', arguments: { text: `over HTTP, ${era}` } });
    assert.deepEqual(result.content, [{ type: 'text', text: `over HTTP, ${era}` }]);
    const unknown = await client.callTool({ name: 'ecoh', arguments: {} });
    assert.equal(unknown.isError, true);
  } finally {
    await client.close();
  }
}

for (const mode of ['stateless', 'stateful'] as const) {
  describe(`serveHttp, ${mode}`, () => {
    it('serves the SDK client of the 2025 era (initialize handshake): list and call', async () => {
      const { handle } = await serve({ mode });
      await exerciseClient(handle.url, '2025');
    });

    it('serves the SDK client of the 2026-07-28 era (no handshake): list and call', async () => {
      const { handle } = await serve({ mode });
      await exerciseClient(handle.url, '2026');
    });

    it('answers a raw 2025-06-18 initialize and tools/list sent with fetch', async () => {
      const { handle } = await serve({ mode });
      const headers = { 'content-type': 'application/json', accept: ACCEPT };
      const init = await fetch(handle.url, { method: 'POST', headers, body: initializeBody });
      assert.equal(init.status, 200);
      const sessionId = init.headers.get('mcp-session-id');
      assert.equal(sessionId === null, mode === 'stateless');
      const [initAnswer] = await readMessages(init);
      assert.deepEqual(initAnswer, {
        jsonrpc: '2.0',
        id: 1,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'headroom-test', version: '1.2.3' },
          instructions: 'Test tools.',
        },
      });

      const next = {
        ...headers,
        'mcp-protocol-version': '2025-06-18',
        ...(sessionId !== null && { 'mcp-session-id': sessionId }),
      };
      const initialized = await fetch(handle.url, {
        method: 'POST',
        headers: next,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      assert.equal(initialized.status, 202);
      await initialized.arrayBuffer();

      const list = await fetch(handle.url, { method: 'POST', headers: next, body: rpc(2, 'tools/list') });
      assert.equal(list.status, 200);
      const [listAnswer] = await readMessages(list);
      assert.equal(listAnswer?.id, 2);
      // 2025-era answers carry none of the 2026 fields (resultType, ttlMs, _meta serverInfo).
      assert.deepEqual(Object.keys(listAnswer?.result ?? {}), ['tools']);
      assert.deepEqual(listAnswer?.result?.tools?.[0], {
        name: 'create_issue',
        title: 'Create an issue',
        description: 'Opens an issue in a repository.',
        inputSchema: issueSchema,
        annotations: { destructiveHint: false, openWorldHint: true },
      });

      const call = await fetch(handle.url, {
        method: 'POST',
        headers: next,
        body: rpc(3, 'tools/call', { name: 'echo', arguments: { text: 'raw' } }),
      });
      const [callAnswer] = await readMessages(call);
      assert.deepEqual(callAnswer?.result, {
        content: [{ type: 'text', text: 'raw' }],
        structuredContent: { text: 'raw' },
      });
    });

    for (const era of mode === 'stateful' ? (['2025', '2026'] as const) : (['2026'] as const)) {
      it(`aborts the provider's signal when a ${era}-era client cancels a call`, async () => {
        const { handle, provider } = await serve({ mode });
        const { client } = await connectClient(handle.url, { era });
        try {
          const controller = new AbortController();
          const call = client.callTool(
            { name: 'waits_for_cancel', arguments: {} },
            { signal: controller.signal },
          );
          await provider.waiting;
          controller.abort(new Error('stop'));
          await assert.rejects(call);
          // 2025 era: notifications/cancelled reaches the session's server. 2026 era: the client
          // drops the HTTP request, which closes the per-request server and aborts its handlers.
          await withTimeout(provider.cancelled, 3000);
        } finally {
          await client.close();
        }
      });
    }

    if (mode === 'stateless') {
      // A 2025-era cancellation cannot reach a stateless server: the notification arrives on a
      // new request with nothing to tie it to the call. Dropping the request does cancel it.
      // (In a session the 2025 spec says a dropped connection is not a cancellation.)
      it("aborts the provider's signal when a 2025-era client drops the HTTP request", async () => {
        const { handle, provider } = await serve({ mode });
        const controller = new AbortController();
        const call = fetch(handle.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: ACCEPT },
          body: rpc(7, 'tools/call', { name: 'waits_for_cancel', arguments: {} }),
          signal: controller.signal,
        });
        await provider.waiting;
        controller.abort();
        await assert.rejects(call);
        await withTimeout(provider.cancelled, 3000);
      });
    }

    it('rejects a Host header that is not this server with 403 (DNS rebinding)', async () => {
      const { handle, lines } = await serve({ mode });
      const response = await raw(handle.url, {
        method: 'POST',
        headers: { host: 'evil.example:80', 'content-type': 'application/json', accept: ACCEPT },
        body: initializeBody,
      });
      assert.equal(response.status, 403);
      assert.match(JSON.parse(response.text).error.message, /Invalid Host: evil\.example.*--allowed-host/);
      assert.ok(lines.some((line) => line.includes('HTTP request rejected')));
      const allowed = await raw(handle.url.replace('/mcp', '/healthz'), {
        headers: { host: `localhost:${port(handle)}` },
      });
      assert.equal(allowed.status, 200);
    });

    it('accepts extra Host names given in allowedHosts', async () => {
      const { handle } = await serve({ mode, allowedHosts: ['MCP.internal'] });
      const response = await raw(handle.url.replace('/mcp', '/healthz'), {
        headers: { host: 'mcp.internal:9999' },
      });
      assert.equal(response.status, 200);
    });

    it('rejects a foreign Origin with 403 and accepts local and listed ones', async () => {
      const { handle } = await serve({ mode, allowedOrigins: ['https://app.example.com'] });
      const post = (origin: string) =>
        raw(handle.url, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json', accept: ACCEPT },
          body: initializeBody,
        });
      const evil = await post('https://evil.example');
      assert.equal(evil.status, 403);
      assert.match(JSON.parse(evil.text).error.message, /Invalid Origin.*--allowed-origin/);
      assert.equal((await post('null')).status, 403);
      assert.equal((await post('http://localhost:6274')).status, 200);
      assert.equal((await post('https://app.example.com')).status, 200);
    });

    it('requires the bearer token when one is set: 401 without or wrong, served with it', async () => {
      const { handle, lines } = await serve({ mode, token: 'correct-horse-battery' });
      const post = (headers: Record<string, string>) =>
        raw(handle.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
          body: initializeBody,
        });
      const missing = await post({});
      assert.equal(missing.status, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="headroom"');
      assert.match(JSON.parse(missing.text).error.message, /missing bearer token/);
      const wrong = await post({ authorization: 'Bearer correct-horse-battery-staple' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="headroom", error="invalid_token"');
      assert.equal((await post({ authorization: 'Basic Y29ycmVjdA==' })).status, 401);
      assert.equal((await post({ authorization: 'bearer correct-horse-battery' })).status, 200);

      const { client } = await connectClient(handle.url, { token: 'correct-horse-battery' });
      assert.equal((await client.listTools()).tools.length > 0, true);
      await client.close();
      await assert.rejects(connectClient(handle.url, { token: 'nope' }));
      assert.ok(lines.every((line) => !line.includes('correct-horse-battery')));
    });

    it('answers 413 for a body over maxBodyBytes, declared or streamed', async () => {
      const { handle } = await serve({ mode, maxBodyBytes: 1024 });
      const body = rpc(1, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(4096) } });
      for (const chunked of [false, true]) {
        const response = await raw(handle.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: ACCEPT },
          body,
          chunked,
        });
        assert.equal(response.status, 413, `chunked: ${chunked}`);
        assert.equal(
          JSON.parse(response.text).error.message,
          'request body too large: the limit is 1 KiB (maxBodyBytes); send smaller arguments or raise the limit',
        );
      }
      const fine = await raw(handle.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: initializeBody,
      });
      assert.equal(fine.status, 200);
    });

    it('answers the default 4 MiB limit with 413 too', async () => {
      const { handle } = await serve({ mode });
      const response = await fetch(handle.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: rpc(1, 'tools/call', { name: 'echo', arguments: { text: 'x'.repeat(4 * 1024 * 1024) } }),
      });
      assert.equal(response.status, 413);
      assert.match(((await response.json()) as JsonRpcAnswer).error?.message ?? '', /the limit is 4 MiB/);
    });

    it('serves GET /healthz, answers 404 elsewhere and 400 for a body that is not JSON', async () => {
      const { handle } = await serve({ mode });
      const health = await fetch(handle.url.replace('/mcp', '/healthz'));
      assert.equal(health.status, 200);
      assert.equal(await health.text(), 'ok');
      const elsewhere = await fetch(handle.url.replace('/mcp', '/other'));
      assert.equal(elsewhere.status, 404);
      assert.match(await elsewhere.text(), /MCP is served at \/mcp/);
      const garbage = await fetch(handle.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: '{not json',
      });
      assert.equal(garbage.status, 400);
      assert.equal(((await garbage.json()) as JsonRpcAnswer).error?.code, -32700);
    });

    it('close() can be called twice and stops the listener', async () => {
      const { handle } = await serve({ mode });
      const { client } = await connectClient(handle.url);
      await handle.close();
      await handle.close();
      await assert.rejects(fetch(handle.url.replace('/mcp', '/healthz')));
      await client.close();
    });
  });
}

describe('serveHttp, stateful sessions', () => {
  it('answers 503 with a clear message once maxSessions sessions are open', async () => {
    const { handle } = await serve({ mode: 'stateful', maxSessions: 1 });
    const first = await connectClient(handle.url);
    try {
      const response = await raw(handle.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: initializeBody,
      });
      assert.equal(response.status, 503);
      assert.match(
        JSON.parse(response.text).error.message,
        /too many MCP sessions: 1 are open, the maxSessions limit/,
      );
      // 2026-era requests need no session, so they are still served.
      const modern = await connectClient(handle.url, { era: '2026' });
      assert.ok((await modern.client.listTools()).tools.length > 0);
      await modern.client.close();
    } finally {
      await first.client.close();
    }
  });

  it('closes a session on DELETE and frees its slot', async () => {
    const { handle } = await serve({ mode: 'stateful', maxSessions: 1 });
    const first = await connectClient(handle.url);
    const sessionId = first.transport.sessionId;
    assert.ok(sessionId);
    await first.transport.terminateSession();
    await first.client.close();
    const gone = await raw(handle.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT, 'mcp-session-id': sessionId },
      body: rpc(2, 'tools/list'),
    });
    assert.equal(gone.status, 404);
    assert.match(JSON.parse(gone.text).error.message, /session .* not found/);
    const second = await connectClient(handle.url);
    assert.ok((await second.client.listTools()).tools.length > 0);
    await second.client.close();
  });

  it('closes sessions with no request in flight for sessionIdleMs', async () => {
    const { handle } = await serve({ mode: 'stateful', sessionIdleMs: 100 });
    const headers = { 'content-type': 'application/json', accept: ACCEPT };
    const init = await fetch(handle.url, { method: 'POST', headers, body: initializeBody });
    await init.arrayBuffer();
    const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id') as string };
    const listTools = () =>
      fetch(handle.url, { method: 'POST', headers: session, body: rpc(2, 'tools/list') });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const soon = await listTools();
    assert.equal(soon.status, 200);
    await soon.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const late = await listTools();
    assert.equal(late.status, 404);
    await late.arrayBuffer();
  });

  it('keeps a session whose client holds its event stream open', async () => {
    const { handle } = await serve({ mode: 'stateful', sessionIdleMs: 50 });
    const { client } = await connectClient(handle.url);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok((await client.listTools()).tools.length > 0);
    } finally {
      await client.close();
    }
  });

  it('asks for initialize when a 2025-era request comes without a session', async () => {
    const { handle } = await serve({ mode: 'stateful' });
    const response = await raw(handle.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: ACCEPT },
      body: rpc(2, 'tools/list'),
    });
    assert.equal(response.status, 400);
    assert.match(
      JSON.parse(response.text).error.message,
      /missing Mcp-Session-Id header: send initialize first/,
    );
  });

  it('closes open sessions when the server closes', async () => {
    const { handle } = await serve({ mode: 'stateful' });
    const { client } = await connectClient(handle.url);
    const closed = new Promise<void>((resolve) => {
      client.onclose = resolve;
    });
    await handle.close();
    await client.close();
    await closed;
  });
});

describe('serveHttp, binding', () => {
  it('refuses a non-loopback address without a token', async () => {
    const { logger } = captureLogger();
    await assert.rejects(
      serveHttp(testFactory(testProvider()), { host: '0.0.0.0', port: 0, mode: 'stateless', logger }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          'refusing to listen on 0.0.0.0 without --token: anyone on the network could call the API with your credentials; pass --token or bind to 127.0.0.1',
    );
  });

  it('binds a wildcard address when a token is set, and still takes loopback Host names', async () => {
    const { handle } = await serve({ mode: 'stateless', host: '0.0.0.0', token: 'a-long-enough-token' });
    assert.match(handle.url, /^http:\/\/0\.0\.0\.0:\d+\/mcp$/);
    const health = await fetch(`http://127.0.0.1:${port(handle)}/healthz`);
    assert.equal(health.status, 200);
  });

  it('serves IPv6 loopback with a bracketed URL', async () => {
    const { handle } = await serve({ mode: 'stateless', host: '::1' });
    assert.match(handle.url, /^http:\/\/\[::1\]:\d+\/mcp$/);
    await exerciseClient(handle.url, '2025');
  });

  it('reports a port in use as a usage error', async () => {
    const { handle } = await serve({ mode: 'stateless' });
    const { logger } = captureLogger();
    await assert.rejects(
      serveHttp(testFactory(testProvider()), { port: port(handle), mode: 'stateless', logger }),
      /the port is in use; pick another with --port/,
    );
  });

  it('knows which addresses are loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      assert.equal(isLoopback(host), true, host);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '10.0.0.1']) {
      assert.equal(isLoopback(host), false, host);
    }
  });
});

function port(handle: HttpServerHandle): number {
  return Number(new URL(handle.url).port);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
