/**
 * The tool list of a server as the client receives it, cached beside the catalogs it came from, so a
 * warm start answers `tools/list` without reading a catalog: the list is keyed by the catalogs'
 * keys (each the spec's content hash and its shaping options) and every option that shapes the list.
 */
import { SpecCache } from '../openapi/cache.js';
import { RawJson, textPieces } from './raw-json.js';

export interface ToolListing {
  /** The APIs' titles, for the server's instructions. */
  title: string;
  mode: 'all' | 'dynamic';
  operationCount: number;
  names: ReadonlySet<string>;
  tools: RawJson;
}

export function listingKey(catalogKeys: readonly string[], shaping: unknown, version: string): string {
  return SpecCache.key(`listing:${catalogKeys.join(',')}`, shaping, version);
}

/** The listing, or undefined when there is none or it cannot be trusted (then it is rewritten). */
export function readToolListing(cache: SpecCache, key: string): ToolListing | undefined {
  const read = cache.readRaw(key);
  if (!read.hit) return undefined;
  const { head, rest } = read.value;
  const { title, mode, operationCount, names } = head;
  if (
    typeof title !== 'string' ||
    (mode !== 'all' && mode !== 'dynamic') ||
    typeof operationCount !== 'number' ||
    !Array.isArray(names)
  )
    return undefined;
  return { title, mode, operationCount, names: new Set(names as string[]), tools: new RawJson(rest) };
}

export function writeToolListing(
  cache: SpecCache,
  key: string,
  listing: {
    title: string;
    mode: 'all' | 'dynamic';
    operationCount: number;
    names: string[];
    /** Each tool's wire form as JSON text, in listing order. */
    texts: Iterable<string>;
  },
): Promise<void> {
  const { texts, ...head } = listing;
  // In pieces, as the answer is written: the whole text as one string can take twice its size.
  const text = Buffer.concat(Array.from(textPieces(texts), (piece) => Buffer.from(piece)));
  return cache.writeRaw(key, head, text);
}
