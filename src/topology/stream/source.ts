/**
 * What the chunker reads: element records, and the columns it walks (types, connection ends, the
 * adjacency as compressed sparse rows), so visiting an element's connections costs array reads and
 * no call or view object per step. The columnar store lends its own columns and builds records
 * straight from them; any other view has its columns copied into typed arrays once per run
 * (counted in `stateBytes`) and its records read field by field.
 */
import { TopologyError } from '../../errors.js';
import { CONNECTION_TYPES, ELEMENT_TYPES, type ElementRecord, type TopologyView } from '../model.js';
import type { TraversalColumns } from '../store/traversal.js';
import { MemoryOptimizedTopology } from '../store.js';
import { leanElement } from './records.js';

export interface StreamSource {
  readonly view: TopologyView;
  /**
   * Connection ends are element indexes; an end at or past `elementCount` is not an element (a
   * view answering -1 for an end shows up as 0xFFFFFFFF).
   */
  readonly columns: TraversalColumns;
  /** Bytes this source holds for the run beyond the view. */
  readonly stateBytes: number;
  id(element: number): string;
  /** The id, when elements are read mostly in index order (the store then decodes ids in runs). */
  streamedId(element: number): string;
  /** The element's record with only the fields it has (an empty `cidrs` or `tags` left out too). */
  record(element: number): ElementRecord;
}

export function streamSource(view: TopologyView): StreamSource {
  // Only the store itself: a view derived from one (say, with a method replaced) is read through
  // its methods, like any other view.
  if (Object.getPrototypeOf(view) === MemoryOptimizedTopology.prototype) {
    return new StoreSource(view as MemoryOptimizedTopology);
  }
  return new ViewSource(view);
}

class StoreSource implements StreamSource {
  readonly columns: TraversalColumns;
  readonly stateBytes = 0;

  constructor(readonly view: MemoryOptimizedTopology) {
    this.columns = view.traversal();
  }

  id(element: number): string {
    return this.view.id(element);
  }

  streamedId(element: number): string {
    return this.view.streamedId(element);
  }

  record(element: number): ElementRecord {
    return this.view.storedElement(element);
  }
}

class ViewSource implements StreamSource {
  readonly columns: TraversalColumns;
  readonly stateBytes: number;

  constructor(readonly view: TopologyView) {
    const copied = copyColumns(view);
    this.columns = copied;
    let bytes = 0;
    for (const array of [
      copied.elementTypes,
      copied.connectionTypes,
      copied.connectionSources,
      copied.connectionTargets,
      copied.outgoing.start,
      copied.outgoing.items,
      copied.incoming.start,
      copied.incoming.items,
    ]) {
      bytes += array.byteLength;
    }
    this.stateBytes = bytes;
  }

  id(element: number): string {
    return this.view.id(element);
  }

  streamedId(element: number): string {
    return this.view.id(element);
  }

  record(element: number): ElementRecord {
    return leanElement(this.view, element);
  }
}

interface CopiedCsr {
  start: Uint32Array;
  items: Uint32Array;
}

interface CopiedColumns {
  elementTypes: Uint8Array;
  connectionTypes: Uint8Array;
  connectionSources: Uint32Array;
  connectionTargets: Uint32Array;
  outgoing: CopiedCsr;
  incoming: CopiedCsr;
}

const ELEMENT_CODES: ReadonlyMap<string, number> = new Map(ELEMENT_TYPES.map((type, code) => [type, code]));
const CONNECTION_CODES: ReadonlyMap<string, number> = new Map(
  CONNECTION_TYPES.map((type, code) => [type, code]),
);
/** An element type the chunker does not know: it only means "nothing follows this element". */
const UNKNOWN_TYPE = 0xff;

function copyColumns(view: TopologyView): CopiedColumns {
  const elements = view.elementCount;
  const connections = view.connectionCount;
  const elementTypes = new Uint8Array(elements);
  for (let e = 0; e < elements; e++) elementTypes[e] = ELEMENT_CODES.get(view.type(e)) ?? UNKNOWN_TYPE;
  const connectionTypes = new Uint8Array(connections);
  const connectionSources = new Uint32Array(connections);
  const connectionTargets = new Uint32Array(connections);
  for (let c = 0; c < connections; c++) {
    const type = view.connectionType(c);
    const code = CONNECTION_CODES.get(type);
    if (code === undefined) {
      throw new TopologyError(
        'stream',
        `connection ${c} has unknown type ${JSON.stringify(type)}; a view must give one of ${CONNECTION_TYPES.join(', ')}`,
      );
    }
    connectionTypes[c] = code;
    // -1 (no such element) becomes 0xFFFFFFFF, past every element index.
    connectionSources[c] = view.connectionSource(c) >>> 0;
    connectionTargets[c] = view.connectionTarget(c) >>> 0;
  }
  return {
    elementTypes,
    connectionTypes,
    connectionSources,
    connectionTargets,
    outgoing: copyAdjacency(elements, (e) => view.outgoing(e)),
    incoming: copyAdjacency(elements, (e) => view.incoming(e)),
  };
}

/** One counting pass and one filling pass over the view's lists, in the view's order. */
function copyAdjacency(count: number, list: (element: number) => Iterable<number>): CopiedCsr {
  const start = new Uint32Array(count + 1);
  for (let e = 0; e < count; e++) {
    let n = 0;
    for (const _ of list(e)) n++;
    start[e + 1] = start[e]! + n;
  }
  const items = new Uint32Array(start[count]!);
  for (let e = 0; e < count; e++) {
    let at = start[e]!;
    const end = start[e + 1]!;
    for (const connection of list(e)) {
      if (at === end) break;
      items[at++] = connection;
    }
  }
  return { start, items };
}
