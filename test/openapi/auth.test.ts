import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { AbortedError, AuthFailedError, AuthMissingError } from '../../src/errors.js';
import { Logger } from '../../src/log/logger.js';
import {
  Authenticator,
  type AuthenticatorOptions,
  authEnvName,
  describeCredentials,
} from '../../src/openapi/auth.js';
import type { BuiltRequest } from '../../src/openapi/call-types.js';
import type { ApiInfo, JsonObject } from '../../src/openapi/types.js';

const CLIENT_ID = 'client:one';
// Characters that RFC 6749 2.3.1 form-encodes before Basic: the server checks the decoded value.
const CLIENT_SECRET = 'S3cr3t+/ü&=:x';

const SCHEMES: Record<string, JsonObject> = {
  ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  queryKey: { type: 'apiKey', in: 'query', name: 'api key' },
  cookieKey: { type: 'apiKey', in: 'cookie', name: 'session' },
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
  basicAuth: { type: 'http', scheme: 'Basic' },
  digestAuth: { type: 'http', scheme: 'digest' },
  mtls: { type: 'mutualTLS' },
  petstore_auth: { type: 'oauth2', flows: { implicit: { authorizationUrl: 'https://x/auth', scopes: {} } } },
  oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://x/.well-known/openid-configuration' },
};

function api(extra: Record<string, JsonObject> = {}): ApiInfo {
  return {
    name: 'test',
    title: 'Test',
    version: '1',
    servers: [],
    securitySchemes: { ...SCHEMES, ...extra },
  };
}

function built(url = 'http://api.test/v1/pets?limit=5'): BuiltRequest {
  return { method: 'GET', url: new URL(url), headers: { accept: 'application/json' } };
}

function auth(options: Partial<AuthenticatorOptions> = {}): Authenticator {
  return new Authenticator({ api: api(), baseUrl: new URL('http://api.test/v1/'), env: {}, ...options });
}

async function rejectsWith<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
  ...patterns: RegExp[]
): Promise<T> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected a ${type.name}, got ${String(caught)}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

describe('authEnvName', () => {
  it('upper-cases the scheme and turns every other character into _', () => {
    assert.equal(authEnvName('ApiKeyAuth'), 'HEADROOM_AUTH_APIKEYAUTH');
    assert.equal(authEnvName('petstore_auth'), 'HEADROOM_AUTH_PETSTORE_AUTH');
    assert.equal(authEnvName('api-key'), 'HEADROOM_AUTH_API_KEY');
    assert.equal(authEnvName('my.key 2'), 'HEADROOM_AUTH_MY_KEY_2');
  });
});

describe('describeCredentials', () => {
  it('names the kind and the variables of every scheme', () => {
    const described = describeCredentials(
      api({ cc: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } } } })
        .securitySchemes,
    );
    const byName = Object.fromEntries(described.map((d) => [d.scheme, d]));
    assert.deepEqual(byName.ApiKeyAuth, {
      scheme: 'ApiKeyAuth',
      kind: 'apiKey in header X-API-Key',
      variables: ['HEADROOM_AUTH_APIKEYAUTH'],
    });
    assert.equal(byName.queryKey?.kind, 'apiKey in query api key');
    assert.equal(byName.cookieKey?.kind, 'apiKey in cookie session');
    assert.equal(byName.bearerAuth?.kind, 'http bearer');
    assert.equal(byName.basicAuth?.kind, 'http basic');
    assert.deepEqual(byName.cc, {
      scheme: 'cc',
      kind: 'oauth2 client credentials',
      variables: ['HEADROOM_AUTH_CC_CLIENT_ID', 'HEADROOM_AUTH_CC_CLIENT_SECRET', 'HEADROOM_AUTH_CC'],
    });
    assert.equal(byName.petstore_auth?.kind, 'oauth2 access token');
    assert.deepEqual(byName.petstore_auth?.variables, ['HEADROOM_AUTH_PETSTORE_AUTH']);
    assert.equal(byName.oidc?.kind, 'openIdConnect access token');
    assert.deepEqual(byName.digestAuth, {
      scheme: 'digestAuth',
      kind: 'http digest (not supported)',
      variables: [],
    });
    assert.deepEqual(byName.mtls, { scheme: 'mtls', kind: 'mutualTLS (not supported)', variables: [] });
  });
});

describe('Authenticator: static credentials', () => {
  it('adds an apiKey header and lists it as secret', async () => {
    const request = built();
    await auth({ env: { HEADROOM_AUTH_APIKEYAUTH: 'k-123' } }).apply(request, [{ ApiKeyAuth: [] }]);
    assert.equal(request.headers['x-api-key'], 'k-123');
    assert.deepEqual(request.secretHeaders, ['x-api-key']);
    assert.equal(request.url.search, '?limit=5');
  });

  it('adds an apiKey query parameter after the existing ones, encoded', async () => {
    const request = built();
    await auth({ env: { HEADROOM_AUTH_QUERYKEY: 'a b&c' } }).apply(request, [{ queryKey: [] }]);
    assert.equal(request.url.search, '?limit=5&api%20key=a%20b%26c');
    assert.equal(request.url.searchParams.get('api key'), 'a b&c');
    assert.equal(request.secretHeaders, undefined);
    const bare = built('http://api.test/v1/pets');
    await auth({ env: { HEADROOM_AUTH_QUERYKEY: 'k' } }).apply(bare, [{ queryKey: [] }]);
    assert.equal(bare.url.href, 'http://api.test/v1/pets?api%20key=k');
  });

  it('appends an apiKey cookie to the existing cookies', async () => {
    const request = built();
    request.headers.cookie = 'theme=dark';
    request.secretHeaders = ['x-other'];
    await auth({ env: { HEADROOM_AUTH_COOKIEKEY: 'c00kie' } }).apply(request, [{ cookieKey: [] }]);
    assert.equal(request.headers.cookie, 'theme=dark; session=c00kie');
    assert.deepEqual(request.secretHeaders, ['x-other', 'cookie']);
    const fresh = built();
    await auth({ env: { HEADROOM_AUTH_COOKIEKEY: 'a;b' } }).apply(fresh, [{ cookieKey: [] }]);
    assert.equal(fresh.headers.cookie, 'session=a%3Bb');
  });

  it('sends http bearer and http basic in authorization', async () => {
    const bearer = built();
    await auth({ env: { HEADROOM_AUTH_BEARERAUTH: 'tok.en' } }).apply(bearer, [{ bearerAuth: [] }]);
    assert.equal(bearer.headers.authorization, 'Bearer tok.en');
    assert.deepEqual(bearer.secretHeaders, ['authorization']);
    const basic = built();
    await auth({ env: { HEADROOM_AUTH_BASICAUTH: 'ann:pa:ss wörd' } }).apply(basic, [{ basicAuth: [] }]);
    const encoded = basic.headers.authorization?.replace(/^Basic /, '') ?? '';
    assert.equal(Buffer.from(encoded, 'base64').toString('utf8'), 'ann:pa:ss wörd');
  });

  it('refuses a basic value without a colon, without echoing it', async () => {
    const error = await rejectsWith(
      auth({ env: { HEADROOM_AUTH_BASICAUTH: 'justapassword' } }).apply(built(), [{ basicAuth: [] }]),
      AuthMissingError,
      /HEADROOM_AUTH_BASICAUTH/,
      /user:password/,
    );
    assert.equal(error.code, 'HR_AUTH_MISSING');
    assert.doesNotMatch(error.message, /justapassword/);
  });

  it('drops a trailing line break and refuses other control characters, without echoing', async () => {
    const request = built();
    await auth({ env: { HEADROOM_AUTH_BEARERAUTH: 'tok\r\n' } }).apply(request, [{ bearerAuth: [] }]);
    assert.equal(request.headers.authorization, 'Bearer tok');
    const error = await rejectsWith(
      auth({ env: { HEADROOM_AUTH_BEARERAUTH: 'evil\r\nx-injected: 1' } }).apply(built(), [
        { bearerAuth: [] },
      ]),
      AuthMissingError,
      /control character/,
    );
    assert.doesNotMatch(error.message, /evil|injected/);
  });

  it('takes a ready token for oauth2 and openIdConnect schemes', async () => {
    const request = built();
    await auth({ env: { HEADROOM_AUTH_PETSTORE_AUTH: 'ready-1' } }).apply(request, [
      { petstore_auth: ['read'] },
    ]);
    assert.equal(request.headers.authorization, 'Bearer ready-1');
    const oidc = built();
    await auth({ configured: { oidc: 'ready-2' } }).apply(oidc, [{ oidc: [] }]);
    assert.equal(oidc.headers.authorization, 'Bearer ready-2');
  });

  it('reads the configuration file, and the environment wins over it', async () => {
    const fromFile = built();
    await auth({ configured: { ApiKeyAuth: 'file-key' } }).apply(fromFile, [{ ApiKeyAuth: [] }]);
    assert.equal(fromFile.headers['x-api-key'], 'file-key');
    const both = built();
    await auth({
      configured: { ApiKeyAuth: 'file-key' },
      env: { HEADROOM_AUTH_APIKEYAUTH: 'env-key' },
    }).apply(both, [{ ApiKeyAuth: [] }]);
    assert.equal(both.headers['x-api-key'], 'env-key');
    const empty = built();
    await auth({ configured: { ApiKeyAuth: 'file-key' }, env: { HEADROOM_AUTH_APIKEYAUTH: '' } }).apply(
      empty,
      [{ ApiKeyAuth: [] }],
    );
    assert.equal(empty.headers['x-api-key'], 'file-key', 'an empty variable counts as unset');
  });
});

describe('Authenticator: alternatives', () => {
  const env = { HEADROOM_AUTH_APIKEYAUTH: 'k', HEADROOM_AUTH_QUERYKEY: 'q' };

  it('does nothing for an empty security list', async () => {
    const request = built();
    await auth({ env }).apply(request, []);
    assert.deepEqual(request.headers, { accept: 'application/json' });
    assert.equal(request.secretHeaders, undefined);
  });

  it('picks the first alternative whose schemes all have credentials', async () => {
    const request = built();
    await auth({ env }).apply(request, [
      { bearerAuth: [] },
      { ApiKeyAuth: [], basicAuth: [] },
      { queryKey: [] },
    ]);
    assert.equal(request.url.searchParams.get('api key'), 'q');
    assert.equal(request.headers['x-api-key'], undefined, 'a partly satisfied alternative adds nothing');
    assert.equal(request.headers.authorization, undefined);
    const both = built();
    await auth({ env }).apply(both, [{ ApiKeyAuth: [], queryKey: [] }, { queryKey: [] }]);
    assert.equal(both.headers['x-api-key'], 'k');
    assert.equal(both.url.searchParams.get('api key'), 'q');
  });

  it('treats {} as optional auth: sends a credential that fits, else nothing', async () => {
    const none = built();
    await auth().apply(none, [{}, { ApiKeyAuth: [] }]);
    assert.equal(none.secretHeaders, undefined);
    const some = built();
    await auth({ env }).apply(some, [{}, { ApiKeyAuth: [] }]);
    assert.equal(some.headers['x-api-key'], 'k');
  });

  it('names the variables of every way to satisfy the operation', async () => {
    const error = await rejectsWith(
      auth().apply(built(), [{ bearerAuth: [] }, { ApiKeyAuth: [] }]),
      AuthMissingError,
    );
    assert.match(
      error.message,
      /^this operation needs credentials: set HEADROOM_AUTH_BEARERAUTH \(http bearer\) or HEADROOM_AUTH_APIKEYAUTH \(apiKey in header X-API-Key\)/,
    );
    const pair = await rejectsWith(
      auth({ env: { HEADROOM_AUTH_APIKEYAUTH: 'k' } }).apply(built(), [{ ApiKeyAuth: [], basicAuth: [] }]),
      AuthMissingError,
      /set HEADROOM_AUTH_BASICAUTH \(http basic, as user:password\)/,
    );
    assert.doesNotMatch(pair.message, /APIKEYAUTH/, 'only the missing part of an alternative is named');
  });

  it('names unsupported and undefined schemes, and oauth2 without a clientCredentials flow', async () => {
    const error = await rejectsWith(
      auth().apply(built(), [{ digestAuth: [] }, { mtls: [] }, { nowhere: [] }, { petstore_auth: ['read'] }]),
      AuthMissingError,
      /set HEADROOM_AUTH_PETSTORE_AUTH \(an oauth2 access token: the scheme has no clientCredentials flow/,
      /'digestAuth' \(http digest is not supported\)/,
      /'mtls' \(mutualTLS is not supported\)/,
      /'nowhere' \(not defined in the specification's securitySchemes\)/,
    );
    assert.equal(error.code, 'HR_AUTH_MISSING');
    await rejectsWith(
      auth().apply(built(), [{ digestAuth: [] }]),
      AuthMissingError,
      /needs credentials that Headroom cannot provide/,
    );
  });

  it('describes the needs of an operation for a 401 hint', () => {
    const cc = { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } } };
    const authenticator = auth({ api: api({ cc }) });
    assert.equal(
      authenticator.describeNeeds([{ bearerAuth: [] }, { ApiKeyAuth: [], cc: ['read'] }, {}]),
      'HEADROOM_AUTH_BEARERAUTH: http bearer or HEADROOM_AUTH_APIKEYAUTH: apiKey in header X-API-Key and ' +
        'HEADROOM_AUTH_CC_CLIENT_ID/_CLIENT_SECRET (or HEADROOM_AUTH_CC): oauth2 client credentials',
    );
    assert.equal(authenticator.describeNeeds([]), '');
    assert.equal(authenticator.describeNeeds([{ nowhere: [] }]), 'nowhere: not defined in the specification');
  });

  it('points out a client id without its secret', async () => {
    const cc = { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } } };
    await rejectsWith(
      auth({ api: api({ cc }), env: { HEADROOM_AUTH_CC_CLIENT_ID: 'id' } }).apply(built(), [{ cc: [] }]),
      AuthMissingError,
      /set HEADROOM_AUTH_CC_CLIENT_ID with HEADROOM_AUTH_CC_CLIENT_SECRET \(oauth2 client credentials; or HEADROOM_AUTH_CC, a ready access token\)/,
      /HEADROOM_AUTH_CC_CLIENT_ID is set but HEADROOM_AUTH_CC_CLIENT_SECRET is not/,
    );
  });
});

describe('Authenticator: secrets stay out of messages and logs', () => {
  it('reports every form of each secret and the logger redacts them', async () => {
    const reported: string[] = [];
    const lines: string[] = [];
    const logger = new Logger({ level: 'trace', stream: { write: (line: string) => lines.push(line) } });
    const secrets = {
      HEADROOM_AUTH_BASICAUTH: 'ann:hunter2-secret',
      HEADROOM_AUTH_QUERYKEY: 'query secret/1',
    };
    const authenticator = auth({
      env: secrets,
      configured: { cookieKey: 'cookie-secret-9' },
      onSecret: (value) => {
        reported.push(value);
        logger.addSecret(value);
      },
    });
    assert.equal(new Set(reported).size, reported.length, 'each value is reported once');
    for (const value of [
      'ann:hunter2-secret',
      'hunter2-secret',
      'query secret/1',
      'query%20secret%2F1',
      'cookie-secret-9',
    ])
      assert.ok(reported.includes(value), `${value} is reported`);
    const request = built();
    await authenticator.apply(request, [{ basicAuth: [], queryKey: [], cookieKey: [] }]);
    logger.info('sending', { url: request.url.href, headers: request.headers });
    logger.info(`headers ${JSON.stringify(request.headers)} to ${request.url.href}`);
    const text = lines.join('');
    assert.ok(lines.length === 2 && text.includes('sending'));
    for (const secret of [...reported, 'hunter2', 'query%20secret'])
      assert.ok(!text.includes(secret), secret);
  });
});

// --- OAuth2 client credentials against a real token server ---------------------------------------

interface TokenCall {
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

type Handler = (call: TokenCall, res: ServerResponse) => void;

describe('Authenticator: OAuth2 client credentials', () => {
  let server: Server;
  let origin: string;
  let calls: TokenCall[] = [];
  let handler: Handler;
  let issued = 0;
  const dispatcher = new Agent();

  /** Checks the client authentication, grant type and scope, then issues `token-N`. */
  const validating =
    (
      answer: (n: number) => JsonObject = (n) => ({
        access_token: `token-${n}`,
        token_type: 'Bearer',
        expires_in: 3600,
      }),
    ) =>
    (call: TokenCall, res: ServerResponse) => {
      const basic = /^Basic (.+)$/.exec(call.authorization ?? '')?.[1] ?? '';
      const [id, secret] = Buffer.from(basic, 'base64')
        .toString('utf8')
        .split(':')
        .map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      const json = (status: number, body: JsonObject) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (id !== CLIENT_ID || secret !== CLIENT_SECRET)
        return json(401, { error: 'invalid_client', error_description: 'unknown client' });
      if (
        call.contentType !== 'application/x-www-form-urlencoded' ||
        call.form.get('grant_type') !== 'client_credentials'
      )
        return json(400, { error: 'unsupported_grant_type' });
      const scope = call.form.get('scope');
      if (scope !== null && !scope.split(' ').every((s) => ['read', 'write'].includes(s)))
        return json(400, { error: 'invalid_scope', error_description: `scope ${scope} is not allowed` });
      issued += 1;
      json(200, answer(issued));
    };

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const call = {
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        };
        calls.push(call);
        handler(call, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await dispatcher.close();
  });

  beforeEach(() => {
    calls = [];
    issued = 0;
    handler = validating();
  });

  const CREDENTIALS = {
    HEADROOM_AUTH_CC_CLIENT_ID: CLIENT_ID,
    HEADROOM_AUTH_CC_CLIENT_SECRET: CLIENT_SECRET,
  };

  function oauth(options: Partial<AuthenticatorOptions> & { tokenUrl?: string } = {}): Authenticator {
    const { tokenUrl = '/oauth/token', ...rest } = options;
    const cc = {
      type: 'oauth2',
      flows: { clientCredentials: { tokenUrl, scopes: { read: '', write: '' } } },
    };
    return new Authenticator({
      api: api({ cc }),
      baseUrl: new URL(`${origin}/api/v1`),
      env: CREDENTIALS,
      dispatcher,
      ...rest,
    });
  }

  async function bearer(authenticator: Authenticator, scopes: string[] = ['read', 'write']): Promise<string> {
    const request = built();
    await authenticator.apply(request, [{ cc: scopes }]);
    assert.deepEqual(request.secretHeaders, ['authorization']);
    return request.headers.authorization ?? '';
  }

  it('fetches a token with the grant, the scopes and Basic client authentication, then caches it', async () => {
    const authenticator = oauth();
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.form.get('grant_type'), 'client_credentials');
    assert.equal(calls[0]?.form.get('scope'), 'read write');
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    assert.equal(
      await bearer(authenticator, ['write', 'read']),
      'Bearer token-1',
      'scope order does not matter',
    );
    assert.equal(calls.length, 1);
  });

  it('caches by scopes and sends no scope when the requirement has none', async () => {
    const authenticator = oauth();
    assert.equal(await bearer(authenticator, ['read']), 'Bearer token-1');
    assert.equal(await bearer(authenticator, []), 'Bearer token-2');
    assert.equal(calls[1]?.form.has('scope'), false);
    assert.equal(await bearer(authenticator, ['read']), 'Bearer token-1');
    assert.equal(calls.length, 2);
  });

  it('refreshes a token 30 s before it expires (real clock)', async () => {
    handler = validating((n) => ({ access_token: `token-${n}`, token_type: 'bearer', expires_in: 31 }));
    const authenticator = oauth();
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    await sleep(1100);
    assert.equal(await bearer(authenticator), 'Bearer token-2');
    assert.equal(calls.length, 2);
  });

  it('keeps a token without expires_in for an hour, and does not keep one that lives under the margin', async () => {
    let now = 1_000_000;
    handler = validating((n) => ({ access_token: `token-${n}` }));
    const authenticator = oauth({ now: () => now });
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    now += 3_600_000 - 30_001;
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    now += 2;
    assert.equal(await bearer(authenticator), 'Bearer token-2');
    handler = validating((n) => ({ access_token: `token-${n}`, expires_in: '20' }));
    authenticator.invalidate('cc');
    assert.equal(await bearer(authenticator), 'Bearer token-3');
    assert.equal(
      await bearer(authenticator),
      'Bearer token-4',
      'a 20 s token is not cached with a 30 s margin',
    );
  });

  it('shares one in-flight fetch among concurrent calls', async () => {
    const slow = validating();
    handler = (call, res) => {
      setTimeout(() => slow(call, res), 100);
    };
    const authenticator = oauth();
    const results = await Promise.all(Array.from({ length: 10 }, () => bearer(authenticator)));
    assert.deepEqual(new Set(results), new Set(['Bearer token-1']));
    assert.equal(calls.length, 1);
  });

  it('lets one caller give up without cancelling the shared fetch', async () => {
    const slow = validating();
    handler = (call, res) => {
      setTimeout(() => slow(call, res), 150);
    };
    const authenticator = oauth();
    const controller = new AbortController();
    const impatient = authenticator.apply(built(), [{ cc: ['read'] }], controller.signal);
    const patient = bearer(authenticator, ['read']);
    setTimeout(() => controller.abort(), 20);
    await rejectsWith(impatient, AbortedError, /OAuth2 token request for scheme 'cc' was cancelled/);
    assert.equal(await patient, 'Bearer token-1');
    assert.equal(calls.length, 1);
  });

  it('fetches a new token after invalidate and invalidateAll', async () => {
    const authenticator = oauth();
    assert.equal(authenticator.hasTokens(), false);
    assert.equal(await bearer(authenticator), 'Bearer token-1');
    assert.equal(authenticator.hasTokens(), true);
    authenticator.invalidate('cc');
    assert.equal(await bearer(authenticator), 'Bearer token-2');
    authenticator.invalidate('other');
    assert.equal(await bearer(authenticator), 'Bearer token-2');
    assert.equal(calls.length, 2);
    authenticator.invalidateAll();
    assert.equal(authenticator.hasTokens(), false);
    assert.equal(await bearer(authenticator), 'Bearer token-3');
  });

  it('reports a refusal with status and error fields, never the secret, and does not cache it', async () => {
    const lines: string[] = [];
    const logger = new Logger({ stream: { write: (line: string) => lines.push(line) } });
    const authenticator = oauth({
      env: { HEADROOM_AUTH_CC_CLIENT_ID: CLIENT_ID, HEADROOM_AUTH_CC_CLIENT_SECRET: 'wrong-secret-42' },
      onSecret: (value) => logger.addSecret(value),
    });
    const error = await rejectsWith(
      authenticator.apply(built(), [{ cc: ['read'] }]),
      AuthFailedError,
      /scheme 'cc'/,
      /status 401/,
      /error: invalid_client, error_description: unknown client/,
      /check the client id and secret/,
    );
    assert.equal(error.code, 'HR_AUTH_FAILED');
    assert.doesNotMatch(error.message, /wrong-secret-42/);
    logger.error(error.message, { error, env: 'wrong-secret-42' });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]?.includes('wrong-secret-42'));
    await assert.rejects(authenticator.apply(built(), [{ cc: ['read'] }]), AuthFailedError);
    assert.equal(calls.length, 2, 'a failed fetch is not cached');
  });

  it('scrubs the secret from an error description that echoes it', async () => {
    handler = (call, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'invalid_request',
          error_description: `bad body ${call.authorization}\n${CLIENT_SECRET}`,
        }),
      );
    };
    const error = await rejectsWith(
      oauth().apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /status 400/,
      /invalid_request/,
    );
    assert.ok(!error.message.includes(CLIENT_SECRET));
    const basic = calls[0]?.authorization?.slice('Basic '.length) ?? 'x';
    assert.ok(!error.message.includes(basic));
    assert.doesNotMatch(error.message, /\n/);
  });

  it('names a scope the endpoint refuses', async () => {
    await rejectsWith(
      oauth().apply(built(), [{ cc: ['admin'] }]),
      AuthFailedError,
      /status 400 \(error: invalid_scope, error_description: scope admin is not allowed\)/,
    );
  });

  it('fails clearly on invalid JSON, a missing access_token, a token a header cannot carry', async () => {
    handler = (_call, res) => res.writeHead(200).end('<html>login</html>');
    await rejectsWith(oauth().apply(built(), [{ cc: [] }]), AuthFailedError, /not a JSON object/);
    handler = (_call, res) => res.writeHead(200).end(JSON.stringify({ token_type: 'bearer', error: 'odd' }));
    await rejectsWith(
      oauth().apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /without an access_token \(error: odd\)/,
    );
    handler = (_call, res) =>
      res.writeHead(200).end(JSON.stringify({ access_token: 'abc\r\nx: secret-token' }));
    const error = await rejectsWith(
      oauth().apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /characters a header/,
    );
    assert.doesNotMatch(error.message, /secret-token/);
  });

  it('refuses an answer over 64 KiB', async () => {
    handler = (_call, res) => res.writeHead(200).end(JSON.stringify({ access_token: 'x'.repeat(70_000) }));
    await rejectsWith(oauth().apply(built(), [{ cc: [] }]), AuthFailedError, /more than 64 KiB/);
  });

  it('times out a token endpoint that does not answer', async () => {
    handler = () => {};
    const started = Date.now();
    await rejectsWith(
      oauth({ timeoutMs: 200 }).apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /did not answer within 200 ms/,
    );
    assert.ok(Date.now() - started < 5000);
  });

  it('reports an unreachable endpoint and a tokenUrl that is not http', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await rejectsWith(
      oauth({ tokenUrl: `http://127.0.0.1:${port}/token` }).apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /could not be reached \(ECONNREFUSED\)/,
    );
    await rejectsWith(
      oauth({ tokenUrl: 'ftp://example.test/token' }).apply(built(), [{ cc: [] }]),
      AuthFailedError,
      /uses ftp:; only http and https/,
    );
  });

  it('resolves a relative tokenUrl against the base URL, and takes the client from the configuration', async () => {
    let path = '';
    const paths = createServer((req, res) => {
      path = req.url ?? '';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: 'from-config' }));
    });
    await new Promise<void>((resolve) => paths.listen(0, '127.0.0.1', resolve));
    try {
      const authenticator = new Authenticator({
        api: api({ cc: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'token', scopes: {} } } } }),
        baseUrl: new URL(`http://127.0.0.1:${(paths.address() as AddressInfo).port}/api/v1/`),
        env: {},
        configured: { cc: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
        dispatcher,
      });
      assert.equal(await bearer(authenticator, []), 'Bearer from-config');
      assert.equal(path, '/api/v1/token');
    } finally {
      paths.closeAllConnections();
      await new Promise((resolve) => paths.close(resolve));
    }
  });

  it('prefers environment client credentials over a configured token, and a ready token over a configured client', async () => {
    assert.equal(await bearer(oauth({ configured: { cc: 'configured-token' } })), 'Bearer token-1');
    const ready = oauth({
      env: { HEADROOM_AUTH_CC: 'env-token' },
      configured: { cc: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } },
    });
    assert.equal(await bearer(ready), 'Bearer env-token');
    assert.equal(calls.length, 1);
  });

  it('reports each token to onSecret', async () => {
    const reported: string[] = [];
    const authenticator = oauth({ onSecret: (value) => reported.push(value) });
    assert.ok(reported.includes(CLIENT_SECRET));
    await bearer(authenticator);
    assert.ok(reported.includes('token-1'));
  });
});
