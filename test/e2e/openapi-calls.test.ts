/**
 * Tool calls of the real `headroom openapi` process, through the SDK's Client over stdio, against a
 * real loopback upstream (test/e2e/upstream.ts) that records every request exactly as it arrived:
 * bodies of every media type, credentials of every kind (never leaked), responses far over the
 * budget paged through read_result until every item came back once, _fields and _query, error
 * statuses, compression, redirects, and arguments that must never reach the upstream.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cleanup, connectStdio, ROOT, within } from './cli-helpers.js';
import { API_KEY, BASIC, BEARER, item, startUpstream, TOKEN_CLIENT, type Upstream } from './upstream.js';

const SPEC = join(ROOT, 'test', 'e2e', 'fixtures', 'upstream.yaml');
const STEP_MS = 15_000;
const cleanup = new Cleanup();
let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await cleanup.run();
  await upstream.close();
});

interface Content {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
}
interface Result {
  content: Content[];
  isError?: boolean;
}

const SECRETS = {
  HEADROOM_AUTH_APIKEYAUTH: API_KEY,
  HEADROOM_AUTH_BEARERAUTH: BEARER,
  HEADROOM_AUTH_BASICAUTH: `${BASIC.user}:${BASIC.password}`,
  HEADROOM_AUTH_OAUTH_CLIENT_ID: TOKEN_CLIENT.id,
  HEADROOM_AUTH_OAUTH_CLIENT_SECRET: TOKEN_CLIENT.secret,
};

async function serve(extra: string[] = [], env: Record<string, string> = SECRETS) {
  const dir = cleanup.tempDir('headroom-e2e-calls-');
  const args = ['openapi', SPEC, '--base-url', `${upstream.origin}/api`, '--tools', 'all'];
  args.push('--cache-dir', join(dir, 'cache'), '--spill-dir', join(dir, 'spill'), '--log-level', 'debug');
  const { client, stderr } = await connectStdio([...args, ...extra], cleanup, {
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    name: 'headroom-e2e-calls',
    timeoutMs: STEP_MS,
  });
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<Result> =>
    (await within(client.callTool({ name, arguments: args }), STEP_MS, `calling ${name}`)) as Result;
  return { client, call, stderr };
}

function text(result: Result, index = 0): string {
  return result.content[index]?.text ?? '';
}

/** The requests the upstream received for paths starting with `prefix`, from index `from` on. */
function received(prefix: string, from = 0) {
  return upstream.requests.slice(from).filter((r) => r.url.startsWith(`/api${prefix}`));
}

describe('headroom openapi calls the API (stdio e2e, loopback upstream)', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve(['--response-budget', '2000']);
  });

  it('lists read_result and the meta arguments beside the operations', async () => {
    const { tools } = await server.client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('listItems'));
    assert.ok(names.includes('read_result'));
    const listItems = tools.find((t) => t.name === 'listItems');
    assert.ok(listItems?.inputSchema.properties?._fields);
    assert.ok(listItems?.inputSchema.properties?._query);
  });

  it('sends each body media type exactly as described', async () => {
    const from = upstream.requests.length;
    const created = await server.call('createItem', { body: { name: 'lamp', tags: ['a'] } });
    assert.equal(created.isError, undefined, text(created));
    await server.call('submitForm', { body: { name: 'a b', tags: ['x', 'y'] } });
    await server.call('putNote', { id: 'n1', body: 'plain words' });
    await server.call('putBlob', { id: 'b1', body: Buffer.from([0, 1, 2, 255]).toString('base64') });
    await server.call('uploadFile', { body: { title: 'report', meta: { a: 1 } } });
    const [json] = received('/items', from);
    assert.equal(json?.method, 'POST');
    assert.match(String(json?.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(String(json?.body)), { name: 'lamp', tags: ['a'] });
    const [form] = received('/forms', from);
    assert.equal(form?.headers['content-type'], 'application/x-www-form-urlencoded');
    const fields = new URLSearchParams(String(form?.body));
    assert.equal(fields.get('name'), 'a b');
    assert.deepEqual(fields.getAll('tags'), ['x', 'y']);
    const [note] = received('/notes', from);
    assert.equal(note?.method, 'PUT');
    assert.equal(note?.url, '/api/notes/n1');
    assert.match(String(note?.headers['content-type']), /^text\/plain/);
    assert.equal(String(note?.body), 'plain words');
    const [blob] = received('/blobs', from);
    assert.equal(blob?.headers['content-type'], 'application/octet-stream');
    assert.deepEqual([...(blob?.body ?? [])], [0, 1, 2, 255]);
    const [upload] = received('/uploads', from);
    const boundary = /boundary=(.+)$/.exec(String(upload?.headers['content-type']))?.[1];
    assert.ok(boundary, 'multipart boundary');
    const parts = String(upload?.body).split(`--${boundary}`);
    assert.ok(parts.some((p) => /name="title"[\s\S]*\r\n\r\nreport\r\n/.test(p)));
    assert.ok(parts.some((p) => /name="meta"[\s\S]*application\/json[\s\S]*\{"a":1\}/.test(p)));
  });

  it('keeps path values inside their segment and the base path', async () => {
    const from = upstream.requests.length;
    for (const id of ['../../admin', '%2e%2e%2f', 'a/b?c#d', '..\\..\\admin'])
      assert.equal((await server.call('putNote', { id, body: 'x' })).isError, undefined);
    // A whole segment of dots would be resolved away by every URL parser: refused, not sent.
    for (const id of ['..', '.', '']) {
      const refused = await server.call('putNote', { id, body: 'x' });
      assert.equal(refused.isError, true, id);
    }
    const urls = received('/notes', from).map((r) => r.url);
    assert.equal(urls.length, 4);
    for (const url of urls) {
      assert.match(url, /^\/api\/notes\/[^/?#]+$/, url);
      assert.doesNotMatch(url, /\/\.\.?(\/|$)/);
    }
    assert.ok(upstream.requests.slice(from).every((r) => r.url.startsWith('/api/notes/')));
  });

  it('answers bad arguments with what is wrong, and sends nothing', async () => {
    const from = upstream.requests.length;
    const missing = await server.call('getItem', {});
    assert.equal(missing.isError, true);
    assert.match(text(missing), /\bid\b/);
    const wrong = await server.call('createItem', { body: { name: 42 } });
    assert.equal(wrong.isError, true);
    assert.match(text(wrong), /name/);
    const extra = await server.call('getItem', { id: 1, bogus: true });
    assert.equal(extra.isError, true);
    assert.match(text(extra), /bogus/);
    const wrongBody = await server.call('putNote', { id: 'a', body: 1 });
    assert.equal(wrongBody.isError, true);
    assert.equal(upstream.requests.length, from, 'no request reached the upstream');
  });

  it('pages a response far over the budget through read_result, losing nothing', async () => {
    const count = 600;
    const first = await server.call('listItems', { count, size: 10 });
    assert.equal(first.isError, undefined, text(first));
    const firstItems = JSON.parse(text(first)) as Array<{ id: number }>;
    assert.ok(firstItems.length > 0 && firstItems.length < count);
    assert.ok(Buffer.byteLength(text(first)) <= 2000 * 4);
    const note = text(first, 1);
    const cursor = /"cursor":"([^"]+)"/.exec(note)?.[1];
    assert.ok(cursor, note);
    const ids = firstItems.map((i) => i.id);
    let offset = ids.length;
    for (let pages = 0; offset < count && pages < 200; pages++) {
      const page = await server.call('read_result', { cursor, offset });
      assert.equal(page.isError, undefined, text(page));
      const items = JSON.parse(text(page)) as Array<{ id: number }>;
      assert.ok(items.length > 0);
      ids.push(...items.map((i) => i.id));
      offset += items.length;
    }
    assert.deepEqual(
      ids,
      Array.from({ length: count }, (_, i) => i),
    );
    const at = firstItems.length + 3;
    const resource = await server.client.readResource({ uri: `headroom://results/${cursor}?offset=${at}` });
    assert.match(JSON.stringify(resource.contents), new RegExp(`"id\\\\?":${at}\\b`));
  });

  it('applies _fields and _query to the streamed items', async () => {
    const picked = await server.call('listItems', { count: 30, _fields: ['id', 'owner.login'] });
    const items = JSON.parse(text(picked)) as unknown[];
    assert.deepEqual(items[4], { id: 4, owner: { login: 'user4' } });
    const queried = await server.call('listItems', { count: 30, _query: "[?state=='closed'].id" });
    const expected = Array.from({ length: 30 }, (_, i) => item(i))
      .filter((i) => i.state === 'closed')
      .map((i) => i.id);
    assert.deepEqual(JSON.parse(text(queried)), expected);
    const bad = await server.call('listItems', { count: 3, _query: '[?state==' });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /JMESPath|query/i);
  });

  it('decodes gzip, shows images, and pages text', async () => {
    const zipped = await server.call('listItemsGzipped', { count: 5 });
    assert.deepEqual(
      (JSON.parse(text(zipped)) as Array<{ id: number }>).map((i) => i.id),
      [0, 1, 2, 3, 4],
    );
    const image = await server.call('getImage');
    assert.ok(image.content.some((c) => c.type === 'image' && c.mimeType === 'image/png'));
    const long = await server.call('getText', { size: 5000 });
    assert.ok(Buffer.byteLength(text(long)) <= 8000);
    assert.match(JSON.stringify(long.content), /read_result/);
  });

  it('turns upstream errors into tool errors that say what to do', async () => {
    const notFound = await server.call('failWith', { status: 404 });
    assert.equal(notFound.isError, true);
    assert.match(text(notFound), /404/);
    assert.match(text(notFound), /failed with 404/);
    const limited = await server.call('failWith', { status: 429 });
    assert.match(text(limited), /rate limited/i);
    const away = await server.call('redirectAway');
    assert.equal(away.isError, true);
    assert.match(text(away), /redirect/i);
  });

  it('stops the upstream request when the MCP client cancels the call', async () => {
    const from = upstream.requests.length;
    const controller = new AbortController();
    const call = server.client.callTool({ name: 'getSlow', arguments: {} }, { signal: controller.signal });
    // Cancel once the request has reached the upstream.
    await within(
      (async () => {
        while (received('/slow', from).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      STEP_MS,
      'the request reaching the upstream',
    );
    controller.abort();
    await assert.rejects(call);
    await within(
      (async () => {
        while (upstream.closed('/api/slow') === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
      STEP_MS,
      'the upstream connection closing',
    );
  });

  it('sends every kind of credential, and never shows a secret', async () => {
    const from = upstream.requests.length;
    for (const name of ['secureKey', 'secureBearer', 'secureBasic', 'secureOauth']) {
      const result = await server.call(name);
      assert.equal(result.isError, undefined, `${name}: ${text(result)}`);
      assert.match(text(result), /the protected answer/);
    }
    const tokenRequests = received('/oauth/token', from);
    assert.equal(tokenRequests.length, 1);
    assert.equal(new URLSearchParams(String(tokenRequests[0]?.body)).get('scope'), 'items:read');
    // The token is cached: a second call fetches none.
    await server.call('secureOauth');
    assert.equal(received('/oauth/token', from).length, 1);
    const logs = server.stderr();
    for (const secret of [API_KEY, BEARER, BASIC.password, TOKEN_CLIENT.secret])
      assert.ok(!logs.includes(secret), 'a secret reached the logs');
  });

  it('names the variable to set when a credential is missing', async () => {
    const bare = await serve([], {});
    const from = upstream.requests.length;
    const result = await bare.call('secureKey');
    assert.equal(result.isError, true);
    assert.match(text(result), /HEADROOM_AUTH_APIKEYAUTH/);
    assert.equal(received('/secure', from).length, 0);
  });
});

describe('structured output (--structured-output)', { timeout: 60_000 }, () => {
  it('declares output schemas and returns structuredContent that the SDK client accepts', async () => {
    const server = await serve(['--structured-output', '--response-budget', '2000']);
    const { tools } = await server.client.listTools();
    const getItem = tools.find((t) => t.name === 'getItem');
    assert.equal(getItem?.outputSchema?.type, 'object');
    assert.ok((getItem?.outputSchema?.properties as Record<string, unknown> | undefined)?.result);
    // The SDK client validates structuredContent against the listed output schema.
    const one = (await server.client.callTool({ name: 'getItem', arguments: { id: 7 } })) as Result & {
      structuredContent?: { result?: { id: number }; truncated: boolean };
    };
    assert.equal(one.isError, undefined, text(one));
    assert.equal(one.structuredContent?.truncated, false);
    assert.equal(one.structuredContent?.result?.id, 7);
    const many = (await server.client.callTool({
      name: 'listItems',
      arguments: { count: 500 },
    })) as Result & {
      structuredContent?: { result?: unknown[]; truncated: boolean; cursor?: string };
    };
    assert.equal(many.structuredContent?.truncated, true);
    assert.ok(many.structuredContent?.cursor);
    assert.ok((many.structuredContent?.result?.length ?? 0) > 0);
    const queried = (await server.client.callTool({
      name: 'listItems',
      arguments: { count: 5, _query: '[*].id' },
    })) as Result & { structuredContent?: { result?: unknown; note?: string } };
    assert.equal(queried.structuredContent?.result, undefined);
    assert.match(String(queried.structuredContent?.note), /_query/);
  });
});
