/**
 * Comparisons of a discovered topology with the one the replay server served, as sorted lines,
 * so that a failing assertion shows exactly which records differ.
 */

import type { ConnectionType, ElementType, TopologyView } from '../../src/topology/model.js';

/** Element ids of one type, sorted. */
export function idsOfType(view: TopologyView, type: ElementType): string[] {
  return [...view.elementsOfType(type)].map((e) => view.id(e)).sort();
}

/** `id field=value` for each element, sorted; `fields` picks what to compare. */
export function elementLines(
  view: TopologyView,
  fields: ReadonlyArray<'region' | 'segment' | 'accountId' | 'state' | 'asn' | 'name' | 'cidrs' | 'tags'>,
  only: (type: ElementType) => boolean = () => true,
): string[] {
  const lines: string[] = [];
  for (let e = 0; e < view.elementCount; e++) {
    if (!only(view.type(e))) continue;
    const record = view.element(e);
    const values = fields.map((field) => `${field}=${JSON.stringify(record[field] ?? null)}`);
    lines.push(`${record.id} ${values.join(' ')}`);
  }
  return lines.sort();
}

/** `type source target` for each connection (a multiset: repeats stay), sorted. */
export function connectionLines(view: TopologyView, keep: (line: Connection) => boolean): string[] {
  const lines: string[] = [];
  for (let c = 0; c < view.connectionCount; c++) {
    const connection: Connection = {
      type: view.connectionType(c),
      source: view.id(view.connectionSource(c)),
      target: view.id(view.connectionTarget(c)),
      sourceType: view.type(view.connectionSource(c)),
      sourceRegion: view.region(view.connectionSource(c)),
    };
    if (keep(connection)) lines.push(`${connection.type} ${connection.source} ${connection.target}`);
  }
  return lines.sort();
}

export interface Connection {
  type: ConnectionType;
  source: string;
  target: string;
  sourceType: ElementType;
  sourceRegion: string | undefined;
}

/** `table destination target state origin` for every route, sorted. */
export function routeLines(view: TopologyView): string[] {
  const lines: string[] = [];
  for (let r = 0; r < view.routeCount; r++) {
    const route = view.route(r);
    const target = route.target < 0 ? '-' : view.id(route.target);
    lines.push(`${view.id(route.table)} ${route.destination} ${target} ${route.state} ${route.origin}`);
  }
  return lines.sort();
}
