/**
 * The response shaper: an upstream body of any size turned into an answer that fits the model's
 * budget, quickly, within the memory budget, with nothing lost. What does not fit goes to the spill
 * store and the answer carries a cursor for read_result. The first page goes out as soon as it is
 * full (after a short grace to count small responses exactly), so the time to answer does not grow
 * with the response; the rest streams on in the background (`done`).
 *
 * By kind: JSON arrays are streamed (shape-array.ts); other JSON is parsed whole up to a limit
 * (shape-document.ts); text, images and binary bodies are shown or spilled as bytes (shape-text.ts).
 */
import type { ScavengePacer } from '../memory/gc.js';
import type { MemoryLimiter } from '../memory/limiter.js';
import type { UpstreamResponse } from './call-types.js';
import type { CompiledQuery } from './query.js';
import { respondNow, type ShapeContext } from './shape-answer.js';
import { shapeArray } from './shape-array.js';
import { BodyReader, classify, firstSignificant } from './shape-body.js';
import { shapeDocument } from './shape-document.js';
import { shapeBinary, shapeImage, shapeText } from './shape-text.js';
import type { SpillStore } from './spill.js';

export const DEFAULT_MAX_PARSE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_IMAGE_BYTES = 512 * 1024;
export const DEFAULT_COUNT_GRACE_MS = 200;
/** The least budget that leaves room for a page and its note. */
export const MIN_BUDGET_BYTES = 256;

export interface ShapeOptions {
  /** Text for the model, in bytes. */
  budgetBytes: number;
  fields?: string[];
  query?: CompiledQuery;
  /** Without one, what does not fit is counted where cheap, then dropped (the note says so). */
  spill?: SpillStore;
  /** What answered, for notes and messages: `GET /pets`. */
  source: string;
  /** JSON that is not an array at the top is parsed whole up to this; 8 MiB by default. */
  maxParseBytes?: number;
  /** Images up to this are returned as image content; 512 KiB by default. */
  maxImageBytes?: number;
  /** After the first page is full, reading goes on this long so small responses report an exact total; 200 ms by default. */
  countGraceMs?: number;
  limiter?: MemoryLimiter;
  /** Paces scavenges over every answer being read; by default, over this one alone. */
  scavenges?: ScavengePacer;
  signal?: AbortSignal;
}

export interface ShapedResponse {
  content: Array<{ type: 'text'; text: string } | { type: 'image'; data: string; mimeType: string }>;
  cursor?: string;
  truncated: boolean;
  items?: { shown: number; total?: number };
  /** Decoded body bytes read so far. */
  bytesRead: number;
  /** Settles when the body was read to its end or failed (the spill is complete); never rejects. */
  done: Promise<void>;
}

// Enough to tell JSON from text from binary.
const SNIFF_BYTES = 1024;

export async function shapeResponse(
  response: UpstreamResponse,
  options: ShapeOptions,
): Promise<ShapedResponse> {
  if (!(options.budgetBytes >= MIN_BUDGET_BYTES)) {
    throw new RangeError(
      `shapeResponse: budgetBytes must be at least ${MIN_BUDGET_BYTES}, got ${options.budgetBytes}`,
    );
  }
  const { source, signal, limiter, scavenges } = options;
  const body = new BodyReader(response.body, source, signal, limiter, scavenges);
  const ctx: ShapeContext = {
    response,
    options,
    body,
    room: options.budgetBytes - Math.min(1024, Math.floor(options.budgetBytes / 4)),
    maxParseBytes: options.maxParseBytes ?? DEFAULT_MAX_PARSE_BYTES,
    maxImageBytes: options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES,
    countGraceMs: options.countGraceMs ?? DEFAULT_COUNT_GRACE_MS,
  };
  try {
    const head = await body.peek(SNIFF_BYTES);
    switch (classify(response.mediaType, head)) {
      case 'empty':
        return await respondNow(ctx, { content: [{ type: 'text', text: '(empty body)' }], truncated: false });
      case 'json':
        return await shapeJson(ctx, head);
      case 'text':
        return await shapeText(ctx);
      case 'image':
        return await shapeImage(ctx);
      default:
        return await shapeBinary(ctx);
    }
  } catch (error) {
    await body.stop();
    await response.discard().catch(() => {});
    throw error;
  }
}

async function shapeJson(ctx: ShapeContext, head: Buffer): Promise<ShapedResponse> {
  let at = firstSignificant(head);
  if (at >= head.length && head.length >= SNIFF_BYTES) {
    // Whitespace all through the sniffed bytes: look further for the first real one.
    head = await ctx.body.peek(1024 * 1024);
    at = firstSignificant(head);
  }
  const { query } = ctx.options;
  if (head[at] === 0x5b && (!query || query.perItem)) return shapeArray(ctx, [], undefined);
  return shapeDocument(ctx);
}
