/**
 * A loopback HTTP server that answers as the API an OpenAPI 3 spec describes, built on
 * openapi-backend: every request is routed and validated against the spec (method, path, query,
 * headers, cookies, body) and recorded exactly as it arrived, with the validator's verdict. Valid
 * requests get a mock answer made from the spec; invalid ones a 400 with the validator's errors.
 * Errors a test knows to be the validator's own blind spots can be tolerated: they are recorded
 * apart, and the request is answered as valid.
 * Swagger 2.0 specs are refused: openapi-backend takes OpenAPI 3 only.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Context, type Document, OpenAPIBackend } from 'openapi-backend';

export interface MockRequest {
  method: string;
  /** The raw request target, path and query, exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether openapi-backend matched an operation and found no error (other than tolerated ones). */
  valid: boolean;
  /** The validator's errors (or why nothing matched) when `valid` is false. */
  errors?: unknown;
  /** The validator's errors that `tolerate` accepted. */
  tolerated?: unknown[];
  /** The operation openapi-backend matched, when one did. */
  operationId?: string;
}

export interface MockServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  requests: MockRequest[];
  /** The operationIds of the spec, as openapi-backend read them. */
  operationIds: string[];
  close(): Promise<void>;
}

export interface MockServerOptions {
  /** The path every operation's path is under, e.g. `/v2` (the spec's server path). Default `/`. */
  apiRoot?: string;
  /**
   * Whether a validation error (an Ajv error object) is a known limit of openapi-backend rather
   * than a fault of the request. Default: none is.
   */
  tolerate?: (error: unknown) => boolean;
}

/** Largest request body read; a test never sends more, and a runaway client cannot fill memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

interface Answer {
  status: number;
  body?: unknown;
}

/**
 * openapi-backend checks a document against the OpenAPI 3.0 schema only, so in strict mode it
 * refuses every 3.1 document; this takes 3.1 as it is and says plainly when a spec is not OpenAPI 3.
 */
class SpecBackend extends OpenAPIBackend {
  override validateDefinition(): Document {
    const doc = this.document as unknown as { openapi?: unknown; swagger?: unknown };
    const version = typeof doc.openapi === 'string' ? doc.openapi : '';
    if (!version.startsWith('3.')) {
      const declared = doc.swagger === undefined ? 'no OpenAPI version' : `Swagger ${String(doc.swagger)}`;
      throw new Error(`openapi-backend takes OpenAPI 3 documents only; this one declares ${declared}`);
    }
    return version.startsWith('3.0') ? super.validateDefinition() : this.document;
  }
}

/** What openapi-backend's handlers decide, with the verdict to record. */
interface Verdict extends Answer {
  valid: boolean;
  errors?: unknown;
  tolerated?: unknown[];
  operationId?: string;
}

export async function startMockServer(
  specPath: string,
  options: MockServerOptions = {},
): Promise<MockServer> {
  const api = new SpecBackend({
    definition: specPath,
    apiRoot: options.apiRoot ?? '/',
    // A spec openapi-backend cannot take (e.g. Swagger 2.0) must stop the test, not only warn.
    strict: true,
    validate: true,
    // Every error of a request, not only the first: the report names all that was wrong.
    ajvOpts: { allErrors: true },
    // Trailing slashes are part of what is under test.
    ignoreTrailingSlashes: false,
    handlers: {
      validationFail: (c: Context): Verdict => {
        const errors: unknown[] = c.validation.errors ?? [];
        const tolerated = errors.filter((error) => options.tolerate?.(error) === true);
        if (tolerated.length === errors.length) return { ...mockAnswer(c), tolerated };
        return {
          status: 400,
          body: { errors },
          valid: false,
          errors: errors.filter((error) => !tolerated.includes(error)),
          tolerated,
          operationId: c.operation.operationId,
        };
      },
      notFound: (c: Context): Verdict => ({
        status: 404,
        body: { error: 'no operation of the spec matches this method and path' },
        valid: false,
        errors: `no operation matches ${c.request.method.toUpperCase()} ${c.request.path}`,
      }),
      methodNotAllowed: (c: Context): Verdict => ({
        status: 405,
        body: { error: 'the spec has no operation with this method on this path' },
        valid: false,
        errors: `no operation has method ${c.request.method.toUpperCase()} on ${c.request.path}`,
      }),
      notImplemented: (c: Context): Verdict => mockAnswer(c),
    },
  });
  await api.init();

  const requests: MockRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        const url = req.url ?? '';
        const question = url.indexOf('?');
        const verdict = (await api.handleRequest({
          method: req.method ?? 'GET',
          path: question < 0 ? url : url.slice(0, question),
          // The raw query string: openapi-backend parses it (and the parameter styles) itself.
          query: question < 0 ? '' : url.slice(question + 1),
          headers: req.headers as Record<string, string | string[]>,
          body: parseBody(raw, req.headers['content-type']),
        })) as Verdict;
        const recorded: MockRequest = {
          method: req.method ?? '',
          url,
          headers: req.headers,
          body: raw,
          valid: verdict.valid,
        };
        if (verdict.errors !== undefined) recorded.errors = verdict.errors;
        if (verdict.tolerated && verdict.tolerated.length > 0) recorded.tolerated = verdict.tolerated;
        if (verdict.operationId !== undefined) recorded.operationId = verdict.operationId;
        requests.push(recorded);
        send(res, verdict);
      })
      .catch((error: unknown) => {
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: '',
          valid: false,
          errors: String(error),
        });
        send(res, { status: 500, body: { error: String(error) } });
      });
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => listening());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    operationIds: api.getOperations().flatMap((op) => (op.operationId ? [op.operationId] : [])),
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}

/** The answer to a valid request: the spec's mock of the operation's success response. */
function mockAnswer(c: Context): Verdict {
  const operationId = c.operation.operationId ?? '';
  const responses = (c.operation.responses ?? {}) as Record<string, { content?: unknown }>;
  const code = successCode(responses);
  const { status, mock } = c.api.mockResponseForOperation(operationId, code ? { code: Number(code) } : {});
  // A response the spec gives no content answers with no body (openapi-backend mocks `{}`).
  const empty = code !== undefined && responses[code]?.content === undefined;
  return { status, body: empty ? undefined : mock, valid: true, operationId };
}

/**
 * The operation's lowest 2xx status: openapi-backend's own pick skips 204 and answers an
 * operation with only `204` and `default` with the error schema under a 200.
 */
function successCode(responses: object): string | undefined {
  return Object.keys(responses)
    .filter((code) => /^2\d\d$/.test(code))
    .sort()[0];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        failed(new Error(`the mock server reads request bodies of at most ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.on('error', failed);
  });
}

/**
 * JSON bodies as values and form bodies as objects (a repeated field as an array), which is what
 * openapi-backend validates; anything else stays text. A JSON body that does not parse stays text
 * too, so the validator reports it.
 */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(raw)) {
      const seen = form[name];
      form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    return form;
  }
  return raw;
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.body === undefined || answer.status === 204 || answer.status === 304) {
    res.writeHead(answer.status).end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
