/**
 * What the shapers share: the context of one response, the first answer (given as soon as the
 * first page is full, while the rest of the body goes on streaming into the spill), and the words
 * of the notes.
 */
import { AbortedError, SpillFullError } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import type { UpstreamResponse } from './call-types.js';
import { fitText } from './fit.js';
import type { ShapedResponse, ShapeOptions } from './shape.js';
import type { BodyReader } from './shape-body.js';
import { formatDuration, type SpillKind, type SpillWriter } from './spill.js';

export interface ShapeContext {
  response: UpstreamResponse;
  options: ShapeOptions;
  body: BodyReader;
  /** Bytes for the main block: the budget less room for the note. */
  room: number;
  maxParseBytes: number;
  maxImageBytes: number;
  countGraceMs: number;
}

export type Content = ShapedResponse['content'];

/** The first answer without `done` and `bytesRead`, which the runner adds. */
export interface FirstPart {
  content: Content;
  cursor?: string;
  truncated: boolean;
  items?: { shown: number; total?: number };
}

/** The first part from the state at hand; `final` when the body was read to its end (or failed: `error`). */
export type Build = (final: boolean, error?: Error) => FirstPart;

export class FirstAnswer {
  readonly promise: Promise<FirstPart>;
  private resolve!: (part: FirstPart) => void;
  private reject!: (error: unknown) => void;
  private pageReady = false;
  private given = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly build: Build) {
    this.promise = new Promise<FirstPart>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get published(): boolean {
    return this.given;
  }

  /** The first page is full: the answer goes out after `graceMs`, or sooner when the body ends. */
  ready(graceMs: number): void {
    if (this.pageReady || this.given) return;
    this.pageReady = true;
    this.timer = setTimeout(() => this.publish(false), graceMs);
  }

  publish(final: boolean, error?: Error): void {
    if (this.given) return;
    this.give(this.build(final, error));
  }

  /** Gives a first part made otherwise (a fallback). */
  give(part: FirstPart): void {
    if (this.given) return;
    this.given = true;
    this.stopTimer();
    this.resolve(part);
  }

  /** A failure: with a page ready it goes out with the failure in its note, otherwise the answer fails. */
  fail(error: Error): void {
    if (this.given) return;
    if (this.pageReady) {
      this.publish(true, error);
      return;
    }
    this.given = true;
    this.stopTimer();
    this.reject(error);
  }

  stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Runs a shaper's reading loop: the answer comes from `answer` (published by the loop, by the grace
 * timer, or at the end), and `done` settles when the loop ends; it never rejects, because a failure
 * after the answer is recorded on the spill entry instead.
 */
export async function run(
  ctx: ShapeContext,
  answer: FirstAnswer,
  loop: () => Promise<void>,
  writer: () => SpillWriter | undefined,
): Promise<ShapedResponse> {
  const done = (async () => {
    try {
      await loop();
      await writer()?.finish();
      answer.publish(true);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      await writer()?.fail(error);
      answer.fail(error);
    } finally {
      answer.stopTimer();
      await release(ctx);
    }
  })();
  return respond(ctx, await answer.promise, done);
}

/** An answer that needs no more reading. */
export async function respondNow(ctx: ShapeContext, part: FirstPart): Promise<ShapedResponse> {
  return respond(ctx, part, release(ctx));
}

function respond(ctx: ShapeContext, part: FirstPart, done: Promise<void>): ShapedResponse {
  const { body } = ctx;
  return {
    ...part,
    done,
    get bytesRead() {
      return body.bytesRead;
    },
  };
}

async function release(ctx: ShapeContext): Promise<void> {
  await ctx.body.stop();
  await ctx.response.discard().catch(() => {});
}

/** A spill entry for the rest of the response, or why there is none. */
export function openSpill(
  ctx: ShapeContext,
  kind: SpillKind,
  firstIndex: number,
): { writer?: SpillWriter; why?: string } {
  const store = ctx.options.spill;
  if (!store) return { why: 'no spill store is configured, so it cannot be read later' };
  try {
    return {
      writer: store.create({
        kind,
        firstIndex,
        mediaType: ctx.response.mediaType,
        source: ctx.options.source,
      }),
    };
  } catch (error) {
    if (error instanceof SpillFullError || error instanceof AbortedError) return { why: error.message };
    throw error;
  }
}

/** `call read_result with {...}` for the rest of an entry. */
export function readHint(cursor: string, offset: number): string {
  return `call read_result with ${JSON.stringify({ cursor, offset })}`;
}

export function keptFor(ctx: ShapeContext): string {
  return `kept for ${formatDuration(ctx.options.spill?.ttlMs ?? 0)}`;
}

export { formatCount as count } from '../util/count.js';

/** `1.2 GiB response`, or what has arrived so far. */
export function sizeSoFar(ctx: ShapeContext, final: boolean): string {
  const bytes = formatBytes(ctx.body.bytesRead);
  return final ? `${bytes} response` : `${bytes} read so far`;
}

export const SELECT_HINT = 'Use _fields to pick fields or _query to filter, so that what matters fits.';

/** The text blocks: the main one, then the notes (if any) as one short block cut to what is left. */
export function blocks(main: string, notes: string[], budgetBytes: number): Content {
  const content: Content = [{ type: 'text', text: main }];
  const note = notes.filter(Boolean).join(' ');
  if (note) {
    const left = Math.max(0, budgetBytes - Buffer.byteLength(main));
    content.push({ type: 'text', text: fitText(note, left).text });
  }
  return content;
}
