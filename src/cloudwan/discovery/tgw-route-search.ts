/**
 * SearchTransitGatewayRoutes, read to the end. It is not token-paginated: it returns at most
 * MaxResults routes and `additionalRoutesAvailable` when more matched. A full table is read by
 * narrowing the search with `route-search.subnet-of-match` (which includes the prefix itself)
 * until each part fits:
 * - a part that fits is done;
 * - a part N that does not fit is split. The routes it did return share some prefix P inside N;
 *   when P is longer than N's halves, the search jumps straight to P, plus each sibling on the
 *   path from N down to P, plus one `supernet-of-match` of P for the routes on the path itself
 *   (and, should those be more than one answer holds, an `exact-match` per missing length).
 *   Otherwise N is halved, with an `exact-match` for N's own prefix unless its route was already
 *   in the answer (a table has one route per destination).
 * Every route inside N is in exactly one of the parts, so nothing is read twice.
 */

import {
  type EC2Client,
  type Filter,
  SearchTransitGatewayRoutesCommand,
  type TransitGatewayRoute,
} from '@aws-sdk/client-ec2';
import { type Cidr, cidrContains, formatCidr, parseCidr } from '../../topology/cidr.js';
import { eachPage } from './ec2.js';

const SEARCH_MAX_RESULTS = 1000;
/** Far more searches than a table of EC2's maximum size needs; a misbehaving server stops here. */
const MAX_SEARCHES = 1_000_000;

type SearchNode =
  | { mode: 'subnet-of' | 'exact'; cidr: Cidr }
  /** Routes containing `cidr` whose prefix is from `floor` to just above `cidr`'s. */
  | { mode: 'supernet-of'; cidr: Cidr; floor: number };

const FILTER_NAME = {
  'subnet-of': 'route-search.subnet-of-match',
  exact: 'route-search.exact-match',
  'supernet-of': 'route-search.supernet-of-match',
} as const;

/**
 * Every active and blackhole route of a TGW route table, handed over part by part. Returns the
 * prefixes that still had more routes than one search returns when nothing was left to split:
 * their routes are incomplete.
 */
export async function searchTransitGatewayRoutes(
  client: EC2Client,
  tableId: string,
  signal: AbortSignal | undefined,
  onRoutes: (routes: TransitGatewayRoute[]) => void,
): Promise<{ incomplete: string[]; searches: number }> {
  let searches = 0;
  const search = async (extra?: Filter): Promise<{ routes: TransitGatewayRoute[]; more: boolean }> => {
    const Filters: Filter[] = [{ Name: 'state', Values: ['active', 'blackhole'] }];
    if (extra) Filters.push(extra);
    const routes: TransitGatewayRoute[] = [];
    let more = false;
    // Newer EC2 versions may also page with NextToken; follow it when given.
    await eachPage(
      async (NextToken) => {
        searches++;
        const out = await client.send(
          new SearchTransitGatewayRoutesCommand({
            TransitGatewayRouteTableId: tableId,
            Filters,
            MaxResults: SEARCH_MAX_RESULTS,
            NextToken,
          }),
          { abortSignal: signal },
        );
        more = out.AdditionalRoutesAvailable === true && !out.NextToken;
        return { items: out.Routes, next: out.NextToken };
      },
      (items) => routes.push(...items),
    );
    return { routes, more };
  };

  const first = await search();
  if (!first.more) {
    onRoutes(first.routes);
    return { incomplete: [], searches };
  }
  const incomplete: string[] = [];
  const stack: SearchNode[] = [
    { mode: 'subnet-of', cidr: parseCidr('::/0')! },
    { mode: 'subnet-of', cidr: parseCidr('0.0.0.0/0')! },
  ];
  while (stack.length > 0 && searches < MAX_SEARCHES) {
    const node = stack.pop()!;
    const text = formatCidr(node.cidr);
    const found = await search({ Name: FILTER_NAME[node.mode], Values: [text] });
    // Servers that ignore a filter return too much: keep only what belongs to this part.
    const mine = found.routes.filter((route) => belongs(node, route.DestinationCidrBlock));
    const maxPrefix = node.cidr.version === 4 ? 32 : 128;
    if (node.mode === 'supernet-of' && found.more) {
      // More routes on the path than one answer holds (only with tiny pages): one per length at
      // most, so ask for each length the answer did not have.
      onRoutes(mine);
      const have = new Set(mine.map((route) => parseCidr(route.DestinationCidrBlock!)!.prefix));
      for (let length = node.floor; length < node.cidr.prefix; length++) {
        if (!have.has(length)) stack.push({ mode: 'exact', cidr: truncate(node.cidr, length) });
      }
      continue;
    }
    if (node.mode !== 'subnet-of' || !found.more || node.cidr.prefix >= maxPrefix) {
      if (found.more) incomplete.push(text);
      onRoutes(mine);
      continue;
    }
    const own = mine.filter((route) => parseCidr(route.DestinationCidrBlock!)!.prefix === node.cidr.prefix);
    if (own.length > 0) onRoutes(own);
    stack.push(...split(node.cidr, mine, own.length > 0));
  }
  if (stack.length > 0) incomplete.push(...stack.map((node) => formatCidr(node.cidr)));
  return { incomplete, searches };
}

/** The parts of `cidr` still to search, given some of its routes (`haveOwn`: its own prefix's route). */
function split(cidr: Cidr, sample: TransitGatewayRoute[], haveOwn: boolean): SearchNode[] {
  const inner = sample
    .map((route) => parseCidr(route.DestinationCidrBlock!)!)
    .filter((route) => route.prefix > cidr.prefix);
  const common = commonPrefix(inner, cidr.prefix);
  if (common <= cidr.prefix + 1) {
    const out: SearchNode[] = [
      { mode: 'subnet-of', cidr: child(cidr, cidr.prefix, 1) },
      { mode: 'subnet-of', cidr: child(cidr, cidr.prefix, 0) },
    ];
    if (!haveOwn) out.push({ mode: 'exact', cidr });
    return out;
  }
  const target = truncate(inner[0]!, common);
  const out: SearchNode[] = [
    { mode: 'subnet-of', cidr: target },
    { mode: 'supernet-of', cidr: target, floor: haveOwn ? cidr.prefix + 1 : cidr.prefix },
  ];
  for (let length = cidr.prefix; length < common; length++) {
    const onPath = bit(target, length);
    out.push({ mode: 'subnet-of', cidr: child(truncate(target, length), length, onPath ^ 1) });
  }
  return out;
}

/** How many leading bits all prefixes share (at most the shortest one's length). */
function commonPrefix(prefixes: Cidr[], from: number): number {
  const first = prefixes[0];
  if (!first) return from;
  let length = Math.min(...prefixes.map((p) => p.prefix));
  for (const other of prefixes) {
    for (let b = from; b < length; b++) {
      if (bit(other, b) !== bit(first, b)) {
        length = b;
        break;
      }
    }
  }
  return length;
}

function bit(cidr: Cidr, index: number): number {
  return ((cidr.words[index >>> 5] ?? 0) >>> (31 - (index & 31))) & 1;
}

/** `cidr`'s first `length` bits as a prefix of that length. */
function truncate(cidr: Cidr, length: number): Cidr {
  const words = cidr.words.map((word, i) => {
    const bits = Math.min(32, Math.max(0, length - i * 32));
    return bits === 0 ? 0 : (word & (0xffffffff << (32 - bits))) >>> 0;
  });
  return { version: cidr.version, words, prefix: length };
}

/** The half of a prefix of `length` bits whose next bit is `value`. */
function child(cidr: Cidr, length: number, value: number): Cidr {
  const words = [...truncate(cidr, length).words];
  if (value) words[length >>> 5] = ((words[length >>> 5] ?? 0) | (1 << (31 - (length & 31)))) >>> 0;
  return { version: cidr.version, words, prefix: length + 1 };
}

function belongs(node: SearchNode, destination: string | undefined): boolean {
  const route = destination === undefined ? undefined : parseCidr(destination);
  if (!route || route.version !== node.cidr.version) return false;
  if (node.mode === 'supernet-of') {
    return cidrContains(route, node.cidr) && route.prefix >= node.floor && route.prefix < node.cidr.prefix;
  }
  if (!cidrContains(node.cidr, route)) return false;
  return node.mode === 'exact' ? route.prefix === node.cidr.prefix : route.prefix >= node.cidr.prefix;
}
