/**
 * Pagination shared by both protocols: opaque next tokens that carry an offset and the query they
 * belong to (a token from another query is refused, as AWS does), pages of min(MaxResults, page
 * size) items, and a small cache of filtered result lists so that page N of a filtered listing
 * slices the list computed for page 1 instead of filtering again.
 */

export interface Page<T> {
  items: readonly T[];
  nextToken: string | undefined;
}

export type PageResult<T> = Page<T> | { error: string };

export const DEFAULT_PAGE_SIZE = 50;

/**
 * One page of `items`. `query` identifies the listing (operation, region, filters); `maxResults`
 * is the caller's text (undefined when not sent).
 */
export function pageOf<T>(
  items: readonly T[],
  query: string,
  token: string | undefined,
  maxResults: string | undefined,
  pageSize: number,
): PageResult<T> {
  let limit = pageSize;
  if (maxResults !== undefined) {
    const asked = Number(maxResults);
    if (!Number.isInteger(asked) || asked < 1) {
      return { error: `MaxResults must be a positive integer, got '${maxResults}'` };
    }
    limit = Math.min(asked, pageSize);
  }
  let offset = 0;
  if (token !== undefined && token !== '') {
    const decoded = decodeToken(token, query);
    if (decoded === undefined || decoded > items.length) {
      return {
        error: `NextToken '${token.slice(0, 40)}' is not a token of this listing; pass back the NextToken the previous page returned, with the same parameters`,
      };
    }
    offset = decoded;
  }
  const end = Math.min(items.length, offset + limit);
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodeToken(end, query) : undefined,
  };
}

function encodeToken(offset: number, query: string): string {
  return Buffer.from(`${offset}.${queryHash(query)}`, 'utf8').toString('base64url');
}

function decodeToken(token: string, query: string): number | undefined {
  const [offsetText, hash] = Buffer.from(token, 'base64url').toString('utf8').split('.');
  if (hash !== queryHash(query) || !/^\d+$/.test(offsetText ?? '')) return undefined;
  return Number(offsetText);
}

/** FNV-1a of the query: tokens stay short however many ids the query names. */
function queryHash(query: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) hash = Math.imul(hash ^ query.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(36);
}

/** Filtered lists by query, the oldest dropped past `capacity` (a listing rarely has more pages in flight). */
export class ResultCache {
  private readonly lists = new Map<string, readonly unknown[]>();

  constructor(private readonly capacity = 256) {}

  get<T>(query: string, compute: () => readonly T[]): readonly T[] {
    const found = this.lists.get(query);
    if (found) return found as readonly T[];
    const list = compute();
    if (this.lists.size >= this.capacity) {
      const oldest = this.lists.keys().next().value;
      if (oldest !== undefined) this.lists.delete(oldest);
    }
    this.lists.set(query, list);
    return list;
  }
}
