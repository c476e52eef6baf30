/**
 * Records for chunks, read field by field from the view. Fields a store does not hold are left out
 * rather than set to undefined, so a million records stay small and share a few hidden classes.
 */
import type { ConnectionRecord, ElementRecord, TopologyView } from '../model.js';
import type { IdCache } from './id-cache.js';

export function leanElement(view: TopologyView, ids: IdCache, element: number): ElementRecord {
  const record: ElementRecord = { id: ids.id(element), type: view.type(element) };
  const name = view.name(element);
  if (name !== undefined) record.name = name;
  const region = view.region(element);
  if (region !== undefined) record.region = region;
  const segment = view.segment(element);
  if (segment !== undefined) record.segment = segment;
  const accountId = view.accountId(element);
  if (accountId !== undefined) record.accountId = accountId;
  const state = view.state(element);
  if (state !== undefined) record.state = state;
  const asn = view.asn(element);
  if (asn !== undefined) record.asn = asn;
  const cidrs = view.cidrs(element);
  if (cidrs.length > 0) record.cidrs = cidrs;
  const tags = view.tags(element);
  for (const _ in tags) {
    record.tags = tags;
    break;
  }
  return record;
}

/** `source` and `target` are the connection's ends, which the caller has already read. */
export function connectionRecord(
  view: TopologyView,
  ids: IdCache,
  connection: number,
  source: number,
  target: number,
): ConnectionRecord {
  return { type: view.connectionType(connection), source: ids.id(source), target: ids.id(target) };
}
