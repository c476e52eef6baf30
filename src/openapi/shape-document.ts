/**
 * JSON that is parsed whole: anything but an array at the top, and arrays under a `_query` that
 * needs the whole document. Up to maxParseBytes it is parsed, selected (`_fields`, `_query`) and
 * fitted into the budget, the full text spilled when it was cut. Past that limit, the array open at
 * the cut point is streamed instead (or, when there is none, the body is shown as text).
 */
import { QueryError } from '../errors.js';
import { locateJsonError } from '../memory/json-locate.js';
import { formatJsonPath } from '../memory/json-path.js';
import { formatBytes } from '../util/bytes.js';
import { compileFields } from './fields.js';
import { fitJson } from './fit.js';
import type { ShapedResponse } from './shape.js';
import {
  blocks,
  FirstAnswer,
  keptFor,
  openSpill,
  readHint,
  respondNow,
  run,
  SELECT_HINT,
  type ShapeContext,
} from './shape-answer.js';
import { shapeArray } from './shape-array.js';
import { findOpenArray } from './shape-locate.js';
import { shapeText } from './shape-text.js';

export async function shapeDocument(ctx: ShapeContext): Promise<ShapedResponse> {
  const { body, options } = ctx;
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const chunk = await body.next();
    if (!chunk) break;
    chunks.push(chunk);
    size += chunk.length;
    if (size > ctx.maxParseBytes) return shapeOversized(ctx, chunks, size);
  }
  const bytes = Buffer.concat(chunks, size);
  chunks.length = 0;
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = bytes.toString('utf8', start);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const found = locateJsonError(text);
    const at = start + Buffer.byteLength(text.slice(0, found?.index ?? 0));
    const reason = found?.reason ?? 'it could not be parsed';
    body.unshift([bytes]);
    return shapeText(ctx, `The response is not valid JSON: at byte ${at}, ${reason}. It is shown as text.`);
  }
  const selected = Boolean(options.fields || options.query);
  if (options.fields) value = compileFields(options.fields)(value);
  if (options.query) value = options.query.apply(value);
  const fitted = fitJson(value, ctx.room);
  const budget = options.budgetBytes;
  if (!fitted.cut) return respondNow(ctx, { content: blocks(fitted.text, [], budget), truncated: false });

  const { writer, why } = openSpill(ctx, 'text', 0);
  const what = selected ? 'The result of _fields/_query' : `The response (${formatBytes(size)})`;
  const notes = [`${what} was cut to fit the response budget: ${fitted.notes.join('; ')}.`];
  if (writer) {
    const whole = selected ? 'All of that result' : 'All of it';
    notes.push(
      `${whole} is ${keptFor(ctx)} as JSON text: ${readHint(writer.cursor, 0)} to read it by byte offset.`,
    );
  } else notes.push(`The rest was not kept: ${why}.`);
  notes.push(SELECT_HINT);
  const answer = new FirstAnswer(() => ({
    content: blocks(fitted.text, notes, budget),
    ...(writer ? { cursor: writer.cursor } : {}),
    truncated: true,
  }));
  // The answer does not wait for the copy: a reader that comes early waits for it instead.
  answer.publish(true);
  const loop = async (): Promise<void> => {
    const full = selected ? Buffer.from(JSON.stringify(value) ?? 'null') : bytes;
    const pending = writer?.write(full);
    if (pending) await pending;
  };
  return run(ctx, answer, loop, () => writer);
}

/** A body past maxParseBytes: stream the array open at that point, or show the body as text. */
async function shapeOversized(ctx: ShapeContext, chunks: Buffer[], size: number): Promise<ShapedResponse> {
  const { options } = ctx;
  const limit = formatBytes(ctx.maxParseBytes);
  if (options.query && !options.query.perItem) {
    throw new QueryError(
      `_query "${options.query.expression}" needs the whole response, and this response is larger than ` +
        `${limit} (${formatBytes(size)} read so far), the most that is parsed whole. Queries that filter or ` +
        "pick per item, such as [?state=='open'].name, stream over responses of any size; or raise " +
        '--max-parse-bytes.',
    );
  }
  const found = findOpenArray(Buffer.concat(chunks, size));
  ctx.body.unshift(chunks);
  if (found) {
    const path = formatJsonPath(found.keys);
    const before = found.before.length > 0 ? ` Before that array it held: ${found.before.join(', ')}.` : '';
    return shapeArray(
      ctx,
      found.keys,
      `The response is an object larger than ${limit}; these are the items of its array ${path}, and offsets count them.${before}`,
    );
  }
  return shapeText(
    ctx,
    `The response is JSON larger than ${limit} (--max-parse-bytes) with no array to stream at that point, so it is shown as text.`,
  );
}
