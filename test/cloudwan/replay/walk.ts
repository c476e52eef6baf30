/** Reads an element's neighbours through typed connections (a handful of rows per element). */

import type { ConnectionType, ElementType, TopologyView } from '../../../src/topology/model.js';

/** The first element this one points at through `connection` (of `type`, when given), or -1. */
export function target(
  view: TopologyView,
  element: number,
  connection: ConnectionType,
  type?: ElementType,
): number {
  for (const c of view.outgoing(element)) {
    if (view.connectionType(c) !== connection) continue;
    const to = view.connectionTarget(c);
    if (type === undefined || view.type(to) === type) return to;
  }
  return -1;
}

/** Every element this one points at through `connection` (of `type`, when given), in connection order. */
export function targets(
  view: TopologyView,
  element: number,
  connection: ConnectionType,
  type?: ElementType,
): number[] {
  const found: number[] = [];
  for (const c of view.outgoing(element)) {
    if (view.connectionType(c) !== connection) continue;
    const to = view.connectionTarget(c);
    if (type === undefined || view.type(to) === type) found.push(to);
  }
  return found;
}

/** The first element pointing at this one through `connection` (of `type`, when given), or -1. */
export function source(
  view: TopologyView,
  element: number,
  connection: ConnectionType,
  type?: ElementType,
): number {
  for (const c of view.incoming(element)) {
    if (view.connectionType(c) !== connection) continue;
    const from = view.connectionSource(c);
    if (type === undefined || view.type(from) === type) return from;
  }
  return -1;
}

/** An element's name for AWS lists that carry names only (segments, function groups, edges). */
export function plainName(view: TopologyView, element: number, prefix: string): string {
  const id = view.id(element);
  return (
    view.segment(element) ?? view.name(element) ?? (id.startsWith(prefix) ? id.slice(prefix.length) : id)
  );
}
