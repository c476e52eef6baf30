/**
 * The shapes that flow through a tool call of `headroom openapi`:
 * arguments -> validate -> build the request -> apply auth -> send (HTTP client) -> shape the
 * response within the budget (spilling what does not fit) -> tool result.
 * Each arrow is a function of its own file, testable alone; these types are their contracts.
 */

/** A request ready to send: what the request builder makes, auth completes and the client sends. */
export interface BuiltRequest {
  /** Upper-case: `GET`, `POST`, ... */
  method: string;
  /** Absolute; its origin is the API's origin and its path starts with the base URL's path. */
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: RequestBody;
  /**
   * Names of headers that carry credentials (set by auth): dropped when a redirect leads to another
   * origin, never logged.
   */
  secretHeaders?: string[];
}

export interface RequestBody {
  /** The full Content-Type header value, with the multipart boundary or charset when there is one. */
  contentType: string;
  data: Buffer;
}

/** An upstream answer whose body has not been read yet. */
export interface UpstreamResponse {
  status: number;
  /** Lower-case names; repeated headers joined with `, ` (except set-cookie, dropped). */
  headers: Record<string, string>;
  /** The media type, lower-case, without parameters; `''` when the response names none. */
  mediaType: string;
  /** The URL that answered (the request's, or the last allowed redirect's). */
  url: string;
  /**
   * The decoded body (gzip, br and deflate undone), guarded by the response-size and
   * decompression-ratio limits: past either it throws a HeadroomError that names the limit.
   * Read it once; pull-based, so a slow reader slows the socket rather than filling memory.
   */
  body: AsyncIterable<Buffer>;
  /** Stops reading and releases the connection; safe to call after the body was read. */
  discard(): Promise<void>;
}
