/**
 * Bodies shown as bytes: text (the first budget's worth, the rest spilled by byte offset), images
 * (small ones as image content) and other binary bodies (spilled, read back as base64 pages).
 */
import { formatBytes } from '../util/bytes.js';
import type { ShapedResponse } from './shape.js';
import {
  blocks,
  count,
  FirstAnswer,
  keptFor,
  openSpill,
  readHint,
  respondNow,
  run,
  type ShapeContext,
  sizeSoFar,
} from './shape-answer.js';
import type { SpillWriter } from './spill.js';
import { utf8Boundary } from './spill-read.js';

/** Shows the first budget's worth of text; `preface` says why a body is shown as text when it is not. */
export async function shapeText(ctx: ShapeContext, preface?: string): Promise<ShapedResponse> {
  const { body, room, options } = ctx;
  const budget = options.budgetBytes;
  const { chunks, size, ended } = await readUpTo(ctx, room);
  const whole = Buffer.concat(chunks, size);
  if (ended)
    return respondNow(ctx, {
      content: blocks(whole.toString('utf8'), preface ? [preface] : [], budget),
      truncated: false,
    });

  const cut = utf8Boundary(whole, room);
  const text = whole.toString('utf8', 0, cut);
  const { writer, why } = openSpill(ctx, 'text', cut);
  let complete = false;
  const build = (_final: boolean, error?: Error) => {
    const notes = preface ? [preface] : [];
    const total = complete ? ` of ${sizeSoFar(ctx, true).replace(' response', '')}` : '';
    const shown = `Bytes 0-${count(cut - 1)}${total} shown${complete ? '' : ' (the response is larger)'}.`;
    if (writer) notes.push(`${shown} The rest is ${keptFor(ctx)}: ${readHint(writer.cursor, cut)}.`);
    else notes.push(`${shown} The rest was not kept: ${why}.`);
    if (error) notes.push(`Reading the response stopped at byte ${count(body.bytesRead)}: ${error.message}`);
    return {
      content: blocks(text, notes, budget),
      ...(writer ? { cursor: writer.cursor } : {}),
      truncated: true,
    };
  };
  const answer = new FirstAnswer(build);
  answer.ready(ctx.countGraceMs);
  const loop = async (): Promise<void> => {
    const pending = writer?.write(whole.subarray(cut));
    if (pending) await pending;
    complete = await copyRest(ctx, writer, answer);
  };
  return run(ctx, answer, loop, () => writer);
}

/** Shows a small image as image content; anything larger is handled as binary. */
export async function shapeImage(ctx: ShapeContext): Promise<ShapedResponse> {
  const { chunks, size, ended } = await readUpTo(ctx, ctx.maxImageBytes);
  const mimeType = ctx.response.mediaType;
  if (ended) {
    const data = Buffer.concat(chunks, size).toString('base64');
    return respondNow(ctx, {
      content: [
        { type: 'image', data, mimeType },
        { type: 'text', text: `Image (${mimeType}, ${formatBytes(size)}).` },
      ],
      truncated: false,
    });
  }
  ctx.body.unshift(chunks);
  return shapeBinary(ctx, `The image is larger than ${formatBytes(ctx.maxImageBytes)}, too large to show.`);
}

/** Spills the bytes and says how to read them as base64 pages. */
export async function shapeBinary(ctx: ShapeContext, preface?: string): Promise<ShapedResponse> {
  const { writer, why } = openSpill(ctx, 'binary', 0);
  const page = formatBytes(Math.floor((ctx.options.budgetBytes * 3) / 4));
  let complete = false;
  const build = (final: boolean, error?: Error) => {
    const size = sizeSoFar(ctx, complete).replace(' response', '');
    const what = `Binary response (${ctx.response.mediaType || 'no media type'}, ${size}).`;
    const notes = preface ? [preface, what] : [what];
    if (writer) {
      notes.push(
        `It is ${keptFor(ctx)}: ${readHint(writer.cursor, 0)}; each page is the base64 of the next ${page}.`,
      );
    } else notes.push(`It was not kept: ${why}.`);
    if (error) notes.push(`Reading it stopped at byte ${count(ctx.body.bytesRead)}: ${error.message}`);
    if (!final && !complete) notes.push('It is still arriving.');
    return {
      content: blocks(notes.join(' '), [], ctx.options.budgetBytes),
      ...(writer ? { cursor: writer.cursor } : {}),
      truncated: true,
    };
  };
  const answer = new FirstAnswer(build);
  answer.ready(ctx.countGraceMs);
  const loop = async (): Promise<void> => {
    complete = await copyRest(ctx, writer, answer);
  };
  return run(ctx, answer, loop, () => writer);
}

/** Copies the rest of the body to the spill; true when it was read to its end. */
async function copyRest(
  ctx: ShapeContext,
  writer: SpillWriter | undefined,
  answer: FirstAnswer,
): Promise<boolean> {
  for (;;) {
    const chunk = await ctx.body.next();
    if (!chunk) return true;
    if (writer) {
      const pending = writer.write(chunk);
      if (pending) await pending;
    } else if (answer.published) return false; // nothing keeps it: count only until the answer is out
  }
}

/** Reads until more than `limit` bytes have arrived or the body ended. */
async function readUpTo(
  ctx: ShapeContext,
  limit: number,
): Promise<{ chunks: Buffer[]; size: number; ended: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size <= limit) {
    const chunk = await ctx.body.next();
    if (!chunk) return { chunks, size, ended: true };
    chunks.push(chunk);
    size += chunk.length;
  }
  return { chunks, size, ended: false };
}
