/**
 * Seeded random topology records for differential tests: prefixes drawn from a shared pool so they
 * nest and repeat across elements, ids partly non-ASCII, optional fields present or not.
 */
import { type Cidr, formatCidr, maskWord } from '../../../src/topology/cidr.js';
import {
  CONNECTION_TYPES,
  type ConnectionRecord,
  ELEMENT_TYPES,
  type ElementRecord,
  type RouteRecord,
} from '../../../src/topology/model.js';
import type { TopologyRecords } from '../helpers.js';

export type Random = () => number;

/** mulberry32: small, fast and good enough to drive test data. */
export function seeded(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (random: Random, n: number): number => Math.floor(random() * n);
export const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;
const word = (random: Random): number => int(random, 0x100000000) >>> 0;

/** A prefix with its host bits cleared. */
export function randomCidr(random: Random, version: 4 | 6, prefix: number, near?: Cidr): Cidr {
  const count = version === 4 ? 1 : 4;
  const words: number[] = [];
  for (let i = 0; i < count; i++)
    words.push(near && random() < 0.8 ? (near.words[i] as number) : word(random));
  // Mostly under a known prefix, so lookups meet nested and shared prefixes.
  if (near)
    for (let i = 0; i < count; i++)
      words[i] = (((words[i] as number) & ~maskWord(near.prefix, i)) >>> 0) | (near.words[i] as number);
  for (let i = 0; i < count; i++) words[i] = ((words[i] as number) & maskWord(prefix, i)) >>> 0;
  return { version, words, prefix };
}

/** Prefixes that nest: a few roots, then children under earlier ones. */
export function prefixPool(random: Random, version: 4 | 6, size: number): Cidr[] {
  const max = version === 4 ? 32 : 128;
  const pool: Cidr[] = [randomCidr(random, version, 0)];
  for (let i = 1; i < size; i++) {
    const parent = pick(random, pool);
    const prefix = Math.min(max, parent.prefix + 1 + int(random, version === 4 ? 8 : 24));
    pool.push(randomCidr(random, version, prefix, random() < 0.9 ? parent : undefined));
  }
  return pool;
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'sa-east-1'];
const SEGMENTS = ['prod', 'dev', 'shared', 'inspection', 'ségment-ü'];
const TAG_KEYS = ['Name', 'env', 'team', 'Ünïcode'];

export function randomRecords(seed: number, elementCount: number): TopologyRecords & { pool: Cidr[] } {
  const random = seeded(seed);
  const pool = [...prefixPool(random, 4, 60), ...prefixPool(random, 6, 30)];
  const texts = pool.map(formatCidr);
  const elements: ElementRecord[] = [];
  for (let i = 0; i < elementCount; i++) {
    const type = pick(random, ELEMENT_TYPES);
    const id = random() < 0.1 ? `${type}-ñ-${i}-☃` : `${type}-${(i * 2654435761) >>> 0}`;
    const e: ElementRecord = { id, type };
    if (random() < 0.6) e.name = random() < 0.2 ? `näme ${i}` : `name-${i}`;
    if (random() < 0.1) e.name = '';
    if (random() < 0.8) e.region = pick(random, REGIONS);
    if (random() < 0.4) e.segment = pick(random, SEGMENTS);
    if (random() < 0.5) e.accountId = `1111222233${int(random, 10)}${int(random, 10)}`;
    if (random() < 0.5) e.state = pick(random, ['available', 'pending', 'deleting']);
    if (random() < 0.2) e.asn = pick(random, [0, 64512, 65000 + int(random, 500), 4294967295]);
    const cidrs = new Set<string>();
    for (let k = int(random, 4); k > 0; k--) cidrs.add(pick(random, texts));
    if (cidrs.size > 0 || random() < 0.1) e.cidrs = [...cidrs];
    if (random() < 0.4) {
      const tags: Record<string, string> = {};
      for (let k = 1 + int(random, 3); k > 0; k--)
        tags[pick(random, TAG_KEYS)] = random() < 0.5 ? `v${int(random, 5)}` : `unique-${i}-${k}-é`;
      e.tags = tags;
    } else if (random() < 0.1) e.tags = {};
    elements.push(e);
  }
  const connections: ConnectionRecord[] = [];
  for (let i = 0; i < elementCount * 2; i++) {
    const source = pick(random, elements).id;
    connections.push({
      type: pick(random, CONNECTION_TYPES),
      source,
      target: random() < 0.1 ? source : pick(random, elements).id,
    });
  }
  const routes: RouteRecord[] = [];
  for (let i = 0; i < elementCount / 2; i++) {
    const route: RouteRecord = {
      table: pick(random, elements.slice(0, 20)).id,
      destination: pick(random, texts),
      state: random() < 0.2 ? 'blackhole' : 'active',
      origin: random() < 0.5 ? 'static' : 'propagated',
    };
    if (random() < 0.8) route.target = pick(random, elements).id;
    routes.push(route);
  }
  const core = elements.find((e) => e.type === 'core-network');
  const policies = core ? { [core.id]: { version: '2021.12', segments: [{ name: 'prod' }] } as never } : {};
  return { elements, connections, routes, policies, pool };
}

/** An address inside `cidr` (host bits random), as text. */
export function addressIn(random: Random, cidr: Cidr): string {
  const words = cidr.words.map(
    (w, i) => (((w as number) | (word(random) & ~maskWord(cidr.prefix, i))) >>> 0) as number,
  );
  return formatCidr({ ...cidr, words, prefix: cidr.version === 4 ? 32 : 128 }).split('/')[0] as string;
}
