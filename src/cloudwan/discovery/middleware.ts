/**
 * The small slice of a smithy middleware stack that discovery uses, typed structurally so that the
 * Network Manager client (smithy 2) and the EC2 client (smithy 4) both fit without importing either
 * generation's type package.
 */

/** What a handler hands back: the parsed output and the raw HTTP response. */
export interface HandlerResult {
  output: unknown;
  response: unknown;
}

export type Handler = (args: unknown) => Promise<HandlerResult>;

/** Per-call context the SDK creates for each `send`; `commandName` is e.g. 'ListAttachmentsCommand'. */
export type HandlerContext = Record<string | symbol, unknown> & { commandName?: string };

export type Middleware = (next: Handler, context: HandlerContext) => Handler;

export interface MiddlewareOptions {
  step?: 'initialize' | 'serialize' | 'build' | 'finalizeRequest' | 'deserialize';
  priority?: 'high' | 'normal' | 'low';
  name?: string;
  tags?: string[];
  override?: boolean;
}

/** Any smithy middleware stack: its `add` is overloaded per step with each generation's own types. */
export interface MiddlewareStackLike {
  add: (...args: never[]) => void;
}

/**
 * Adds a middleware written against the structural types above. The cast is the one place where
 * they meet the SDK's own: both describe the same runtime calling convention.
 */
export function addMiddleware(
  stack: MiddlewareStackLike,
  middleware: Middleware,
  options: MiddlewareOptions,
): void {
  (stack.add as (middleware: Middleware, options: MiddlewareOptions) => void).call(
    stack,
    middleware,
    options,
  );
}

/** 'ListAttachmentsCommand' -> 'ListAttachments'. */
export function operationOf(context: HandlerContext): string {
  const name = typeof context.commandName === 'string' ? context.commandName : 'Unknown';
  return name.endsWith('Command') ? name.slice(0, -'Command'.length) : name;
}
