/**
 * Element records read field by field from any view (the columnar store builds its own faster).
 * Fields a view does not hold are left out rather than set to undefined, so a million records stay
 * small and share a few hidden classes; an empty `cidrs` list or `tags` object is left out too.
 */
import type { ElementRecord, TopologyView } from '../model.js';

export function leanElement(view: TopologyView, element: number): ElementRecord {
  const record: ElementRecord = { id: view.id(element), type: view.type(element) };
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
