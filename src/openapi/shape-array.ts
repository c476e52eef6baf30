/**
 * A JSON array streamed: at the top of the body, or at a path of keys inside an object too large to
 * parse. The first page is the items that fit; the rest go to the spill as they arrive. Without
 * `_fields`/`_query` the items are not parsed at all past the first page: the scanner says where
 * each chunk's items are, and the spill writer copies those ranges as lines (CR and LF turned to
 * spaces), with no object per item: at a million items a second, per-item garbage is what makes
 * the young generation, and so the process, grow.
 */
import { JsonStreamError } from '../errors.js';
import { JsonArrayScanner, type RawItems } from '../memory/json-array-scanner.js';
import { itemError } from '../memory/json-parse.js';
import { formatJsonPath } from '../memory/json-path.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_ITEM_BYTES } from '../memory/json-stream.js';
import { compileFields } from './fields.js';
import { fitJson, fitText } from './fit.js';
import type { ShapedResponse } from './shape.js';
import {
  blocks,
  count,
  FirstAnswer,
  keptFor,
  openSpill,
  readHint,
  run,
  SELECT_HINT,
  type ShapeContext,
  sizeSoFar,
} from './shape-answer.js';
import type { SpillWriter } from './spill.js';

export async function shapeArray(
  ctx: ShapeContext,
  keys: string[],
  preface: string | undefined,
): Promise<ShapedResponse> {
  const { options, body, room } = ctx;
  const budget = options.budgetBytes;
  const raw = !options.fields && !options.query;
  const project = options.fields ? compileFields(options.fields) : undefined;
  const query = options.query;
  const limits = { maxItemBytes: DEFAULT_MAX_ITEM_BYTES, maxDepth: DEFAULT_MAX_DEPTH };
  const scanner = new JsonArrayScanner(keys, limits, raw ? 'raw' : 'parse');
  const path = formatJsonPath(keys);
  const head = new Head(budget);

  const page: string[] = [];
  let pageBytes = 2;
  let produced = 0; // items after _fields/_query: shown, spilled or dropped
  let full = false;
  let complete = false;
  let fitNotes: string[] = [];
  let writer: SpillWriter | undefined;
  let why: string | undefined;
  let chunkStart = 0;

  const build = (final: boolean, error?: Error) => {
    const shown = page.length;
    const total = complete ? produced : undefined;
    const notes: string[] = preface ? [preface] : [];
    if (fitNotes.length > 0)
      notes.push(`Item 0 alone is larger than the response budget and was cut: ${fitNotes.join('; ')}.`);
    const range = shown === 1 ? 'Item 0' : `Items 0-${count(shown - 1)}`;
    if (full && writer && total !== undefined) {
      notes.push(
        `${range} of ${count(total)} shown (${sizeSoFar(ctx, true)}). The rest is ${keptFor(ctx)}: ${readHint(writer.cursor, shown)}.`,
      );
    } else if (full && writer) {
      const state = final ? `${count(produced)} items were read` : 'still arriving';
      notes.push(
        `${count(shown)} items shown; the response has more (${state}). ${cap(readHint(writer.cursor, shown))}.`,
      );
    } else if (full && total !== undefined) {
      notes.push(
        `${range} of ${count(total)} shown; the other ${count(total - shown)} were not kept: ${why}.`,
      );
    } else if (full) {
      notes.push(
        `${count(shown)} items shown; the response has more (at least ${count(produced)} items in the first ${sizeSoFar(ctx, false).replace(' read so far', '')}), which were not kept: ${why}.`,
      );
    }
    if (error) notes.push(`Reading the response stopped after ${count(produced)} items: ${error.message}`);
    if (full && !writer) notes.push(SELECT_HINT);
    const items = total === undefined ? { shown } : { shown, total };
    return {
      content: blocks(`[${page.join(',')}]`, notes, budget),
      ...(full && writer ? { cursor: writer.cursor } : {}),
      truncated: full || fitNotes.length > 0 || error !== undefined,
      items,
    };
  };
  const answer = new FirstAnswer(build);

  /** Puts the item on the first page if it fits (or is the first); false when it is for the spill. */
  const onFirstPage = (value: unknown): boolean => {
    const text = JSON.stringify(value) ?? 'null';
    const size = Buffer.byteLength(text) + (page.length > 0 ? 1 : 0);
    let taken = false;
    if (pageBytes + size <= room) {
      page.push(text);
      pageBytes += size;
      produced++;
      return true;
    }
    full = true;
    if (page.length === 0) {
      const fitted = fitJson(value, room - 2);
      page.push(fitted.text);
      fitNotes = fitted.notes;
      produced++;
      taken = true;
    }
    ({ writer, why } = openSpill(ctx, 'items', produced));
    answer.ready(ctx.countGraceMs);
    return taken;
  };

  const accept = async (items: unknown[]): Promise<void> => {
    for (const item of items) {
      if (!full && onFirstPage(item)) continue;
      produced++;
      if (!writer) continue;
      const pending = writer.writeItem(JSON.stringify(item) ?? 'null');
      if (pending) await pending;
    }
  };

  /** One item in raw mode, parsed for the first page or else written as it is. */
  const acceptOne = (bytes: Buffer, start: number, end: number, at: number): Promise<void> | void => {
    if (!full && onFirstPage(parseRaw(bytes, start, end, at))) return;
    produced++;
    return writer?.writeItem(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  };

  /** A chunk's items in raw mode: parsed while the first page fills, then handed to the spill as ranges. */
  const acceptRaw = async (items: RawItems, chunk: Buffer): Promise<void> => {
    const { carried, starts, ends, count } = items;
    if (carried) {
      const pending = acceptOne(carried, 0, carried.length, items.carriedAt);
      if (pending) await pending;
    }
    let k = 0;
    for (; k < count && !full; k++) {
      const start = starts[k] as number;
      const pending = acceptOne(chunk, start, ends[k] as number, chunkStart + start);
      if (pending) await pending;
    }
    if (k >= count) return;
    produced += count - k;
    const pending = writer?.writeItems(chunk, starts, ends, k, count);
    if (pending) await pending;
  };

  const parseRaw = (bytes: Buffer, start: number, end: number, at: number): unknown => {
    const text = bytes.toString('utf8', start, end);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw itemError(text, at, `item ${produced} of ${path}`, cause);
    }
  };

  const loop = async (): Promise<void> => {
    try {
      for (;;) {
        const chunk = await body.next();
        if (!chunk) break;
        if (!full) head.keep(chunk);
        if (raw) {
          const items = scanner.pushRaw(chunk);
          if (items.carried || items.count > 0) await acceptRaw(items, chunk);
        } else {
          const out: unknown[] = [];
          scanner.push(chunk, out);
          if (out.length > 0) await accept(transform(out));
        }
        chunkStart += chunk.length;
        // Without a spill there is nothing to read on for once the answer is out.
        if (answer.published && !writer) return;
      }
      scanner.end();
      complete = true;
    } catch (error) {
      if (!(error instanceof JsonStreamError) || full || answer.published) throw error;
      answer.give(invalidJson(ctx, head.text(), error));
    }
  };

  const transform = (values: unknown[]): unknown[] => {
    const projected = project ? (project(values) as unknown[]) : values;
    return query ? query.applyToBatch(projected) : projected;
  };

  return run(ctx, answer, loop, () => writer);
}

/** The first bytes of the body, kept while no answer is out, to show them when the JSON is invalid. */
class Head {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  keep(chunk: Buffer): void {
    if (this.size >= this.limit) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }
}

function invalidJson(ctx: ShapeContext, text: string, error: JsonStreamError) {
  const shown = fitText(text, ctx.room);
  return {
    content: blocks(
      shown.text,
      [
        `The response is not valid JSON (${error.message}). Its first ${count(shown.bytes)} bytes are shown as text; the rest was not kept.`,
      ],
      ctx.options.budgetBytes,
    ),
    truncated: true,
  };
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
