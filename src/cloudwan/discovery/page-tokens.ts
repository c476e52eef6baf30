/**
 * Guards every NextToken listing against an endpoint that paginates wrongly: a token that comes back
 * (the same one again, or one of an earlier page: a loop) or pages without end. Either stops the
 * listing with a PaginationError, which the caller records as a problem (or a fatal error), instead
 * of ending it silently with pages missing or calling for ever.
 */

import { CloudWanError } from '../../errors.js';
import { formatCount } from '../../util/count.js';

/** More pages than any account has; a listing still going past it is stopped. */
export const MAX_PAGES = 100_000;

/** A listing that was stopped because its tokens loop or never end; its name is the problem code. */
export class PaginationError extends CloudWanError {}

/** The tokens one listing has been given so far. */
export class PageTokens {
  /** Token -> the page (1-based) that gave it. */
  private readonly seen = new Map<string, number>();
  private pages = 0;

  constructor(private readonly maxPages = MAX_PAGES) {}

  /**
   * Takes the NextToken of the page just read; true when there is a next page to ask for. Throws a
   * PaginationError when the token was given before, or when `maxPages` pages were read and
   * there are still more.
   */
  next(token: string | undefined): boolean {
    this.pages++;
    if (token === undefined || token === '') return false;
    const earlier = this.seen.get(token);
    if (earlier !== undefined) {
      throw new PaginationError(
        `AWS returned after page ${formatCount(this.pages)} the NextToken that page ${formatCount(earlier)} already returned: the listing loops, so it was stopped after ${formatCount(this.pages)} pages and what lies beyond them is missing. Discover again later; if it persists, check the endpoint (AWS_ENDPOINT_URL_*)`,
      );
    }
    if (this.pages >= this.maxPages) {
      throw new PaginationError(
        `AWS returned a NextToken after page ${formatCount(this.pages)}, more pages than any account has: the listing was stopped there and what lies beyond is missing. Check the endpoint (AWS_ENDPOINT_URL_*)`,
      );
    }
    this.seen.set(token, this.pages);
    return true;
  }
}
