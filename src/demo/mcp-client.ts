/**
 * A minimal MCP client over Streamable HTTP, with fetch: enough for the demo's self-check
 * (initialize, tools/list, tools/call, closing the session). The SDK's client is only a development
 * dependency, and the check should exercise the wire a third-party client sees anyway. Answers come
 * as JSON or as a short server-sent event stream; both are read, up to a size limit, within a
 * deadline.
 */

const PROTOCOL_VERSION = '2025-06-18';
/** Larger than any answer the check asks for (a tool result is cut to its response budget). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  isError?: boolean;
  structuredContent?: unknown;
}

export class McpHttpClient {
  private sessionId: string | undefined;
  private protocolVersion = PROTOCOL_VERSION;
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly options: { timeoutMs: number; signal?: AbortSignal },
  ) {}

  async initialize(): Promise<{ serverInfo?: { name?: string; version?: string } }> {
    const result = (await this.request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'headroom-demo-check', version: '1.0.0' },
    })) as { protocolVersion?: string; serverInfo?: { name?: string; version?: string } };
    if (typeof result.protocolVersion === 'string') this.protocolVersion = result.protocolVersion;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return result;
  }

  async listTools(): Promise<Array<{ name: string }>> {
    return ((await this.request('tools/list', {})) as { tools: Array<{ name: string }> }).tools;
  }

  async callTool(name: string, args: Record<string, unknown>, timeoutMs?: number): Promise<ToolResult> {
    return (await this.request('tools/call', { name, arguments: args }, timeoutMs)) as ToolResult;
  }

  /** Ends the session (HTTP DELETE); never throws. */
  async close(): Promise<void> {
    if (this.sessionId === undefined) return;
    const { signal, done } = this.deadline();
    try {
      await fetch(this.url, { method: 'DELETE', headers: this.headers(), signal });
    } catch {
      // The server may already be stopping; the session ends with it.
    } finally {
      done();
    }
  }

  async request(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    const id = this.nextId++;
    const message = await this.post({ jsonrpc: '2.0', id, method, params }, id, timeoutMs);
    if (message === undefined) throw new Error(`${method}: no answer`);
    if (message.error) {
      const error = message.error as { code?: number; message?: string };
      throw new Error(
        `${method}: error ${error.code ?? ''} ${error.message ?? JSON.stringify(error)}`.trim(),
      );
    }
    return message.result;
  }

  /** Sends one message; for a request, returns the answer with its id. */
  private async post(
    body: Record<string, unknown>,
    id?: number,
    timeoutMs?: number,
  ): Promise<Record<string, unknown> | undefined> {
    const { signal, done } = this.deadline(timeoutMs);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      const session = response.headers.get('mcp-session-id');
      if (session) this.sessionId = session;
      if (!response.ok) {
        const text = (await readLimited(response, 4096)).trim();
        throw new Error(`HTTP ${response.status} from ${this.url}${text ? `: ${text}` : ''}`);
      }
      if (id === undefined) {
        await response.body?.cancel();
        return undefined;
      }
      const text = await readLimited(response, MAX_ANSWER_BYTES);
      const type = response.headers.get('content-type') ?? '';
      const messages = type.includes('text/event-stream') ? eventData(text) : [text];
      for (const data of messages) {
        const message = JSON.parse(data) as Record<string, unknown>;
        if (message.id === id) return message;
      }
      return undefined;
    } catch (error) {
      if (signal.aborted && !this.options.signal?.aborted)
        throw new Error(`${String(body.method)}: no answer within ${timeoutMs ?? this.options.timeoutMs} ms`);
      throw error;
    } finally {
      done();
    }
  }

  private headers(): Record<string, string> {
    return {
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': this.protocolVersion,
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
    };
  }

  /** A signal that fires at the deadline or when the caller's signal does. */
  private deadline(timeoutMs = this.options.timeoutMs): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    const outer = this.options.signal;
    const abort = () => controller.abort();
    const timer = setTimeout(abort, timeoutMs);
    if (outer?.aborted) controller.abort();
    outer?.addEventListener('abort', abort, { once: true });
    return {
      signal: controller.signal,
      done: () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', abort);
      },
    };
  }
}

/** The body as text, failing past `limit` bytes. */
async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) {
      await response.body.cancel().catch(() => {});
      throw new Error(`the answer is over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The `data` of each server-sent event (multi-line data joined with newlines). */
export function eventData(text: string): string[] {
  const events: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) events.push(data.join('\n'));
  }
  return events;
}
