/**
 * Paging of Cloud WAN tool results. Lists are returned a page at a time with an opaque cursor for
 * the next page; a page that would not fit the response budget is made smaller until it does, so
 * the model always gets whole items and a cursor rather than a cut list. A cursor names the load
 * it was made on: after a refresh it is refused instead of silently skipping or repeating items.
 */
import { CursorError } from '../../errors.js';
import type { Args } from './args.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface PageRequest {
  offset: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** Pass as `cursor` for the next page; absent on the last. */
  nextCursor?: string;
}

export const PAGE_PROPERTIES = {
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    description: `Most items in this page (default ${DEFAULT_LIMIT}; fewer when they would not fit the response budget).`,
  },
  cursor: { type: 'string', description: 'nextCursor of the previous page.' },
} as const;

export function pageRequest(args: Args, generation: number): PageRequest {
  const limit = args.integer('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const cursor = args.string('cursor');
  if (cursor === undefined) return { offset: 0, limit };
  const match = /^p(\d+)\.(\d+)$/.exec(cursor);
  if (!match)
    throw new CursorError(
      `cursor '${cursor}' is not one this server made; call without cursor to start over`,
    );
  if (Number(match[1]) !== generation)
    throw new CursorError(
      'the topology was loaded again since this cursor was made (refresh or time to live); call without cursor to start over',
    );
  return { offset: Number(match[2]), limit };
}

/** The page of `items` that `request` asks for. */
export function pageOf<T>(items: readonly T[], request: PageRequest, generation: number): Page<T> {
  const end = Math.min(items.length, request.offset + request.limit);
  const page: Page<T> = { items: items.slice(request.offset, end), total: items.length };
  if (end < items.length) page.nextCursor = `p${generation}.${end}`;
  return page;
}

/**
 * `make(limit)` with the largest limit (at most `limit`) whose JSON fits `budgetBytes`, halving;
 * the one-item page when even that does not fit (the caller's fitting cuts it then).
 */
export function fitPage<T>(make: (limit: number) => T, limit: number, budgetBytes: number): T {
  let value = make(limit);
  for (let l = limit; l > 1 && Buffer.byteLength(JSON.stringify(value)) > budgetBytes; ) {
    l = Math.max(1, Math.floor(l / 2));
    value = make(l);
  }
  return value;
}
