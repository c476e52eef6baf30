/**
 * Plain JSON descriptions of topology elements for tool results: short for lists, with their
 * links for single answers. Only what is set is written, so results carry no empty fields.
 */
import { CloudWanError } from '../../errors.js';
import { ATTACHMENT_TYPES, type ElementType, type TopologyView } from '../../topology/model.js';
import { closestNames } from '../server.js';

/** Most CIDRs listed per element in a list (the rest are counted). */
const LIST_CIDRS = 8;

export function briefElement(view: TopologyView, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: view.id(i), type: view.type(i) };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set('name', view.name(i));
  set('region', view.region(i));
  set('segment', view.segment(i));
  set('state', view.state(i));
  set('accountId', view.accountId(i));
  set('asn', view.asn(i));
  const cidrs = view.cidrs(i);
  if (cidrs.length > 0) {
    out.cidrs = cidrs.slice(0, LIST_CIDRS);
    if (cidrs.length > LIST_CIDRS) out.moreCidrs = cidrs.length - LIST_CIDRS;
  }
  const tags = view.tags(i);
  if (Object.keys(tags).length > 0) out.tags = tags;
  return out;
}

/** The element with its links: each connection as `type`, direction and the element at the other end. */
export function fullElement(view: TopologyView, i: number): Record<string, unknown> {
  const out = { ...briefElement(view, i), cidrs: view.cidrs(i) } as Record<string, unknown>;
  if ((out.cidrs as string[]).length === 0) delete out.cidrs;
  delete out.moreCidrs;
  const links: Array<Record<string, string>> = [];
  for (const c of view.outgoing(i)) {
    const other = view.connectionTarget(c);
    links.push({ type: view.connectionType(c), to: view.id(other), toType: view.type(other) });
  }
  for (const c of view.incoming(i)) {
    const other = view.connectionSource(c);
    links.push({ type: view.connectionType(c), from: view.id(other), fromType: view.type(other) });
  }
  if (links.length > 0) out.links = links;
  return out;
}

/** The first element at the end of an outgoing connection of `type` to an element of `targetType`. */
export function linked(view: TopologyView, i: number, type: string, targetType?: ElementType): number {
  for (const c of view.outgoing(i)) {
    if (view.connectionType(c) !== type) continue;
    const target = view.connectionTarget(c);
    if (!targetType || view.type(target) === targetType) return target;
  }
  return -1;
}

export function isAttachmentType(type: ElementType): boolean {
  return ATTACHMENT_TYPES.includes(type);
}

/**
 * The element with this id and one of these types; otherwise an error naming what was looked for,
 * the closest ids of those types, and how many there are.
 */
export function findElement(
  view: TopologyView,
  id: string,
  types: readonly ElementType[],
  what: string,
): number {
  const index = view.indexOf(id);
  if (index >= 0 && types.includes(view.type(index))) return index;
  if (index >= 0) throw new CloudWanError(`'${id}' is a ${view.type(index)}, not a ${what}`);
  const ids: string[] = [];
  for (const type of types) for (const e of view.elementsOfType(type)) ids.push(view.id(e));
  const near = closestNames(id, ids, 3);
  throw new CloudWanError(
    `no ${what} '${id}' (the topology has ${ids.length}${near.length > 0 ? `; closest: ${near.join(', ')}` : ''})`,
  );
}

/** Counts of `key(element)` over elements, largest first. */
export function countBy(
  elements: Iterable<number>,
  key: (element: number) => string | undefined,
): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of elements) {
    const k = key(e) ?? '(none)';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}

export function attachmentsOfView(view: TopologyView): number[] {
  const out: number[] = [];
  for (const type of ATTACHMENT_TYPES) for (const e of view.elementsOfType(type)) out.push(e);
  return out;
}
