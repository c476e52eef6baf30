/**
 * The body of an upstream response as the shaper reads it: the socket's chunks through a small
 * queue, or the decoder's output for an encoded body, with the size limit, error naming, and the
 * release of the socket when reading stops.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { type DecodeOptions, tooLarge } from './decode.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Bytes that may wait in SocketChunks' queue before the body stream is paused (and behind it, once
 * its own 64 KiB buffer is full, the socket): what a slow reader costs in memory.
 */
const QUEUE_BYTES = 64 * 1024;

/**
 * The chunks of an undici body as they came off the socket, through a small queue that 'data'
 * events fill and next() empties. The stream's own async iterator costs an async generator and
 * promises per chunk, and its read() merges the chunks buffered meanwhile into a new buffer: a copy
 * of much of a large body. Listening starts at the first next(), so that a body nobody read can
 * still be drained (discard) for the socket's reuse.
 */
export class SocketChunks implements AsyncIterableIterator<Buffer> {
  /** Bytes that came off the socket so far (encoded, when the body is). */
  received = 0;
  started = false;
  readonly #raw: Dispatcher.ResponseData['body'];
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #failure: { error: unknown } | undefined;
  /** Reads waiting for a chunk; more than one only when a reader calls next() without waiting. */
  readonly #waiters: Array<{
    resolve: (result: IteratorResult<Buffer>) => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(raw: Dispatcher.ResponseData['body']) {
    this.#raw = raw;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (!this.started) this.#listen();
    // A failure goes first: a destroyed body (discarded, cancelled, broken) has nothing more to give.
    if (this.#failure) return Promise.reject(this.#failure.error);
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queued -= chunk.length;
      if (this.#queued < QUEUE_BYTES && this.#raw.isPaused()) this.#raw.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** Stops reading: the stream is destroyed unless it has ended (the owner names the error, if any). */
  return(): Promise<IteratorResult<Buffer>> {
    if (!this.#raw.readableEnded) destroy(this.#raw);
    this.#queue.length = 0;
    this.#queued = 0;
    return Promise.resolve(DONE);
  }

  #listen(): void {
    this.started = true;
    const raw = this.#raw;
    // Destroyed before the first read (a reset, a timeout): its events are gone, its error is not.
    if (raw.readableEnded) {
      this.#ended = true;
      return;
    }
    if (raw.destroyed) {
      this.#fail(raw.errored ?? prematureClose());
      return;
    }
    raw.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      const waiter = this.#waiters.shift();
      if (waiter !== undefined) {
        waiter.resolve({ done: false, value: chunk });
        return;
      }
      this.#queue.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= QUEUE_BYTES) raw.pause();
    });
    raw.on('end', () => {
      this.#ended = true;
      // Waiters exist only while the queue is empty: there is nothing more for them.
      for (const waiter of this.#waiters.splice(0)) waiter.resolve(DONE);
    });
    raw.on('error', (error: unknown) => this.#fail(error));
    // Undici fails a body destroyed before its end; this covers a close that comes without either.
    raw.on('close', () => {
      if (!this.#ended) this.#fail(prematureClose());
    });
  }

  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = { error };
    this.#queue.length = 0;
    this.#queued = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

function prematureClose(): Error {
  return Object.assign(new Error('the body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The body handed to the shaper: the socket's chunks as they are when the body is not encoded (one
 * promise per chunk, the size limit checked here), else decodeBody's output. Errors are named by
 * `name` (cancelled, discarded, timeout, broken connection, the limits); stopping early destroys the
 * stream, and the end waits a turn of the event loop so that the connection is free again.
 */
export class ResponseBody implements AsyncIterableIterator<Buffer> {
  /** Set by discard(), so that the error it causes reads as a discard. */
  discarded = false;
  readonly #raw: Dispatcher.ResponseData['body'];
  readonly #chunks: SocketChunks;
  readonly #decoded: AsyncIterator<Buffer> | undefined;
  readonly #source: AsyncIterator<Buffer>;
  readonly #limits: DecodeOptions;
  readonly #name: (error: unknown) => unknown;
  #done = false;

  constructor(
    raw: Dispatcher.ResponseData['body'],
    chunks: SocketChunks,
    decoded: AsyncIterator<Buffer> | undefined,
    limits: DecodeOptions,
    name: (error: unknown) => unknown,
  ) {
    this.#raw = raw;
    this.#chunks = chunks;
    this.#decoded = decoded;
    this.#source = decoded ?? chunks;
    this.#limits = limits;
    this.#name = name;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.#done) return Promise.resolve(DONE);
    return this.#source.next().then(this.#onResult, this.#onError);
  }

  async return(): Promise<IteratorResult<Buffer>> {
    if (this.#done) return DONE;
    this.#done = true;
    await this.#release();
    return DONE;
  }

  readonly #onResult = async (result: IteratorResult<Buffer>): Promise<IteratorResult<Buffer>> => {
    if (result.done) {
      this.#done = true;
      await settle();
      return DONE;
    }
    // Decoded bodies are held to the limit by decodeBody; raw ones here, as they come.
    if (this.#decoded === undefined && this.#chunks.received > this.#limits.maxResponseBytes) {
      return this.#onError(tooLarge(this.#limits, this.#chunks.received));
    }
    return result;
  };

  readonly #onError = async (error: unknown): Promise<never> => {
    // Named first: a stream destroyed below fails with an error of its own.
    const named = this.#name(error);
    this.#done = true;
    await this.#release();
    throw named;
  };

  /** The socket goes first: a decoder waiting on it would otherwise keep return() waiting too. */
  async #release(): Promise<void> {
    if (!this.#raw.readableEnded) destroy(this.#raw);
    await this.#decoded?.return?.(undefined).catch(() => undefined);
  }
}

/** Destroying an unread body makes it emit an error nobody listens to; that error is expected. */
export function destroy(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Undici marks a connection free a moment after its response body ends; a request sent at once
 * would open a second socket. One turn of the event loop lets sequential calls share one.
 */
export async function settle(): Promise<void> {
  await nextTurn();
}
