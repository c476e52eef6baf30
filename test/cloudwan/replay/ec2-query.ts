/**
 * The EC2 query protocol's plumbing: reading `Name.N` lists and `Filter.N` filters from the form,
 * matching filters (AND across filters, OR within one, `*` and `?` wildcards), and writing answers
 * and `<Response><Errors>` errors.
 */

import { parseCidr } from '../../../src/topology/cidr.js';
import type { Ec2Item } from './account.js';
import type { Reply } from './reply.js';
import { errorDocument, responseDocument } from './xml.js';

export interface Ec2Request {
  action: string;
  region: string;
  params: URLSearchParams;
  requestId: string;
}

export interface Filter {
  name: string;
  values: string[];
}

export function ec2Error(status: number, code: string, message: string, requestId: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body: errorDocument(code, message, requestId),
  };
}

export function ec2Reply(action: string, requestId: string, body: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body: responseDocument(action, requestId, body),
  };
}

/** `Name.1`, `Name.2`, ... until the first gap (at most 10,000: the query protocol's lists are small). */
export function readList(params: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; i <= 10_000; i++) {
    const value = params.get(`${name}.${i}`);
    if (value === null) break;
    out.push(value);
  }
  return out;
}

export function readFilters(params: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  for (let i = 1; i <= 200; i++) {
    const name = params.get(`Filter.${i}.Name`);
    if (name === null) break;
    filters.push({ name, values: readList(params, `Filter.${i}.Value`) });
  }
  return filters;
}

export function filterKey(filters: readonly Filter[]): string {
  return filters.map((f) => `${f.name}=${f.values.join(',')}`).join('&');
}

/**
 * A predicate for a set of filters: every filter matches (AND), within a filter any value (OR);
 * `*` and `?` are wildcards, as in EC2. Compiled once per query, since a DescribeSubnets call may
 * name 200 VPC ids and be checked against every subnet of the region.
 */
export function filterPredicate(filters: readonly Filter[]): (item: Ec2Item) => boolean {
  const compiled = filters.map((filter) => {
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const value of filter.values) {
      if (value.includes('*') || value.includes('?')) patterns.push(wildcard(value));
      else exact.add(value);
    }
    return { name: filter.name, exact, patterns };
  });
  return (item) => {
    for (const { name, exact, patterns } of compiled) {
      const have = item.filters[name] ?? [];
      if (!have.some((value) => exact.has(value) || patterns.some((p) => p.test(value)))) return false;
    }
    return true;
  };
}

function wildcard(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

/** Whether a CIDR filter value parses; the message names the filter otherwise. */
export function invalidCidr(filter: Filter): string | undefined {
  const bad = filter.values.find((v) => parseCidr(v) === undefined);
  return bad === undefined ? undefined : `The filter '${filter.name}' has an invalid CIDR value '${bad}'`;
}
