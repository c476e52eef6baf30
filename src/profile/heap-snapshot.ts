/**
 * Heap snapshots: writing one of this process, and diffing two `.heapsnapshot` files (V8's JSON
 * format, as written by v8.writeHeapSnapshot, `node --heapsnapshot-signal` or DevTools) to name the
 * object types that grew, and for the top few, how one new instance is held: the shortest chain of
 * retainers from it to a GC root.
 *
 * The reader does not build one JavaScript string of the file (V8 caps strings at about 512 MB, and
 * a 1 GB heap makes a snapshot larger than that): it scans the file's bytes, reads `nodes` and
 * `edges` straight into Uint32Arrays and decodes the strings one at a time. Memory needed is about
 * the file's size plus half of it again while a diff runs. Types are grouped the way DevTools'
 * Summary view groups them: objects by constructor name, everything else by kind: `(closure)`,
 * `(string)`, `(array)`, `(compiled code)`, `(system)`... Sizes are self sizes (retained sizes need
 * a dominator tree and are not computed).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import v8 from 'node:v8';
import { HeadroomError } from '../errors.js';
import { formatBytes, parseBytes } from '../util/bytes.js';

/** A file that is not a V8 heap snapshot (`HR_HEAP_SNAPSHOT_INVALID`) or is over the size limit (`HR_HEAP_SNAPSHOT_TOO_LARGE`). */
export class HeapSnapshotError extends HeadroomError {
  readonly path: string;

  constructor(
    code: 'HR_HEAP_SNAPSHOT_INVALID' | 'HR_HEAP_SNAPSHOT_TOO_LARGE',
    path: string,
    message: string,
  ) {
    super(code, message);
    this.path = path;
  }
}

export interface HeapSnapshotFile {
  path: string;
  bytes: number;
}

export interface HeapSnapshotDiffOptions {
  /** How many grown types to return; default 20. */
  top?: number;
  /** Order of growth: by self-size delta (default) or by instance-count delta. */
  sortBy?: 'bytes' | 'count';
  /** For how many of the top types a retainer path is traced; default 5. */
  retainerPaths?: number;
  /** Most retainers walked from an instance towards a GC root; default 12. */
  retainerDepth?: number;
  /** Largest snapshot file read (bytes, or a size such as '2GB'); default 1 GiB. */
  maxBytes?: number | string;
}

/** One retainer on the way from an instance to a GC root. */
export interface RetainerStep {
  /** The retaining object: constructor or kind name as DevTools shows it, its kind and snapshot id. */
  name: string;
  type: string;
  id: number;
  selfSize: number;
  /** The edge from this object to the previous step: a property name, `[index]`, or a variable. */
  edge: string;
  edgeType: string;
}

export interface TypeGrowth {
  /** The constructor name (objects) or the kind in parentheses, e.g. `(string)`. */
  name: string;
  /** The V8 node type of the group (`object`, `closure`, `string`...). */
  type: string;
  countBefore: number;
  countAfter: number;
  countDelta: number;
  bytesBefore: number;
  bytesAfter: number;
  bytesDelta: number;
  /** Instances in `after` whose id is not in `before`: allocated between the two and still alive. */
  newCount: number;
  /** For the top `retainerPaths` types: the instance traced (the newest), and its retainers, nearest first. */
  instance?: { id: number; selfSize: number };
  retainers?: RetainerStep[];
  /** Whether `retainers` reaches a GC root (false when cut at `retainerDepth`). */
  reachesRoot?: boolean;
  /** The path in one line, as DevTools words it: `LeakyThing@81 <- [1999] in Array@77 <- things in Object@75 <- ...`. */
  retainerText?: string;
}

export interface SnapshotSummary {
  path: string;
  fileBytes: number;
  nodeCount: number;
  edgeCount: number;
  /** Sum of the self sizes of every node. */
  heapBytes: number;
}

export interface HeapSnapshotDiff {
  before: SnapshotSummary;
  after: SnapshotSummary;
  countDelta: number;
  bytesDelta: number;
  /** Types that grew (bytes or count), most first. */
  grown: TypeGrowth[];
}

const DEFAULT_MAX_BYTES = 1024 ** 3;

/**
 * Writes a heap snapshot of this process to a new file in `dir` (created if missing; default the
 * current directory, as Node does). It blocks the process while it runs (about a second per
 * 100 MB of heap) and needs memory of the order of the heap again.
 */
export function writeHeapSnapshot(dir: string = process.cwd()): HeapSnapshotFile {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `headroom-${stamp}-${process.pid}-${randomBytes(3).toString('hex')}.heapsnapshot`);
  v8.writeHeapSnapshot(path);
  return { path, bytes: statSync(path).size };
}

/** Compares two snapshots of the same process (ids are stable within a process) and names what grew. */
export async function diffHeapSnapshots(
  beforePath: string,
  afterPath: string,
  options: HeapSnapshotDiffOptions = {},
): Promise<HeapSnapshotDiff> {
  const top = positiveInteger(options.top ?? 20, 'top');
  const retainerPaths = nonNegativeInteger(options.retainerPaths ?? 5, 'retainerPaths');
  const retainerDepth = positiveInteger(options.retainerDepth ?? 12, 'retainerDepth');
  const sortBy = options.sortBy ?? 'bytes';
  if (sortBy !== 'bytes' && sortBy !== 'count')
    throw new RangeError(
      `diffHeapSnapshots: sortBy must be 'bytes' or 'count', got ${JSON.stringify(sortBy)}`,
    );
  const maxBytes = parseBytes(options.maxBytes ?? DEFAULT_MAX_BYTES);
  if (maxBytes === undefined || maxBytes < 1)
    throw new RangeError(
      `diffHeapSnapshots: maxBytes must be a positive size such as '1GB', got ${JSON.stringify(options.maxBytes)}`,
    );

  // One snapshot at a time in memory: `before` is reduced to its groups and a sorted id list first.
  const before = await readHeapSnapshot(beforePath, { maxBytes });
  const beforeGroups = aggregate(before, undefined);
  const beforeIds = sortedIds(before);
  const beforeSummary = summarize(before);
  const after = await readHeapSnapshot(afterPath, { maxBytes });
  const afterGroups = aggregate(after, beforeIds);

  const grown: TypeGrowth[] = [];
  for (const [name, a] of afterGroups) {
    const b = beforeGroups.get(name);
    const countBefore = b?.count ?? 0;
    const bytesBefore = b?.bytes ?? 0;
    const growth: TypeGrowth = {
      name,
      type: a.type,
      countBefore,
      countAfter: a.count,
      countDelta: a.count - countBefore,
      bytesBefore,
      bytesAfter: a.bytes,
      bytesDelta: a.bytes - bytesBefore,
      newCount: a.newCount,
    };
    if (growth.bytesDelta > 0 || growth.countDelta > 0) grown.push(growth);
  }
  const key =
    sortBy === 'bytes'
      ? (g: TypeGrowth) => [g.bytesDelta, g.countDelta]
      : (g: TypeGrowth) => [g.countDelta, g.bytesDelta];
  grown.sort((x, y) => {
    const [x1, x2] = key(x) as [number, number];
    const [y1, y2] = key(y) as [number, number];
    return y1 - x1 || y2 - x2 || (x.name < y.name ? -1 : 1);
  });
  const result = grown.slice(0, top);

  if (retainerPaths > 0 && result.length > 0) {
    const graph = new RetainerGraph(after);
    for (const growth of result.slice(0, retainerPaths)) {
      const group = afterGroups.get(growth.name);
      if (!group || group.sample < 0) continue;
      const path = graph.path(group.sample, retainerDepth);
      growth.instance = { id: after.id(group.sample), selfSize: after.selfSize(group.sample) };
      growth.retainers = path.steps;
      growth.reachesRoot = path.reachesRoot;
      growth.retainerText = [
        `${after.displayName(group.sample)}@${growth.instance.id}`,
        ...path.steps.map((s) => `${s.edge} in ${s.name}@${s.id}`),
      ].join(' <- ');
    }
  }
  const afterSummary = summarize(after);
  return {
    before: beforeSummary,
    after: afterSummary,
    countDelta: afterSummary.nodeCount - beforeSummary.nodeCount,
    bytesDelta: afterSummary.heapBytes - beforeSummary.heapBytes,
    grown: result,
  };
}

/** A parsed snapshot: the node and edge tables as V8 lays them out, and its strings. */
export class HeapSnapshot {
  readonly nodeStride: number;
  readonly edgeStride: number;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** The type names that node and edge type fields index. */
  readonly nodeTypes: string[];
  readonly edgeTypes: string[];
  /** Offsets of the fields within a node and within an edge. */
  private readonly f: { type: number; name: number; id: number; size: number; edges: number };
  private readonly e: { type: number; name: number; to: number };
  /** Index of each node's first edge (in edges, not fields), nodeCount + 1 entries. */
  readonly firstEdge: Uint32Array;

  constructor(
    readonly path: string,
    readonly fileBytes: number,
    meta: SnapshotMeta,
    readonly nodes: Uint32Array,
    readonly edges: Uint32Array,
    readonly strings: string[],
  ) {
    const invalid = (what: string) => notASnapshot(path, what);
    const field = (fields: string[], name: string, where: string): number => {
      const i = fields.indexOf(name);
      if (i < 0) throw invalid(`snapshot.meta.${where} has no "${name}"`);
      return i;
    };
    this.nodeStride = meta.node_fields.length;
    this.edgeStride = meta.edge_fields.length;
    this.f = {
      type: field(meta.node_fields, 'type', 'node_fields'),
      name: field(meta.node_fields, 'name', 'node_fields'),
      id: field(meta.node_fields, 'id', 'node_fields'),
      size: field(meta.node_fields, 'self_size', 'node_fields'),
      edges: field(meta.node_fields, 'edge_count', 'node_fields'),
    };
    this.e = {
      type: field(meta.edge_fields, 'type', 'edge_fields'),
      name: field(meta.edge_fields, 'name_or_index', 'edge_fields'),
      to: field(meta.edge_fields, 'to_node', 'edge_fields'),
    };
    this.nodeTypes = meta.node_types[this.f.type] as string[];
    this.edgeTypes = meta.edge_types[this.e.type] as string[];
    if (!Array.isArray(this.nodeTypes) || !Array.isArray(this.edgeTypes))
      throw invalid('snapshot.meta.node_types or edge_types does not list the type names');
    if (nodes.length % this.nodeStride !== 0)
      throw invalid(`nodes holds ${nodes.length} numbers, not a multiple of ${this.nodeStride} fields`);
    if (edges.length % this.edgeStride !== 0)
      throw invalid(`edges holds ${edges.length} numbers, not a multiple of ${this.edgeStride} fields`);
    this.nodeCount = nodes.length / this.nodeStride;
    this.edgeCount = edges.length / this.edgeStride;
    if (this.nodeCount === 0) throw invalid('it has no nodes');
    this.firstEdge = new Uint32Array(this.nodeCount + 1);
    let sum = 0;
    for (let n = 0; n < this.nodeCount; n++) {
      this.firstEdge[n] = sum;
      sum += nodes[n * this.nodeStride + this.f.edges] as number;
      const nameIndex = nodes[n * this.nodeStride + this.f.name] as number;
      if (nameIndex >= strings.length)
        throw invalid(`node ${n} names string ${nameIndex}, but there are ${strings.length} strings`);
      if ((nodes[n * this.nodeStride + this.f.type] as number) >= this.nodeTypes.length)
        throw invalid(`node ${n} has an unknown type ${nodes[n * this.nodeStride + this.f.type]}`);
    }
    this.firstEdge[this.nodeCount] = sum;
    if (sum !== this.edgeCount)
      throw invalid(`the nodes' edge counts add up to ${sum}, but edges holds ${this.edgeCount} edges`);
    for (let i = 0; i < this.edgeCount; i++) {
      const to = edges[i * this.edgeStride + this.e.to] as number;
      if (to % this.nodeStride !== 0 || to >= nodes.length)
        throw invalid(`edge ${i} points at ${to}, which is not a node`);
    }
  }

  type(node: number): string {
    return this.nodeTypes[this.nodes[node * this.nodeStride + this.f.type] as number] as string;
  }

  name(node: number): string {
    return this.strings[this.nodes[node * this.nodeStride + this.f.name] as number] as string;
  }

  id(node: number): number {
    return this.nodes[node * this.nodeStride + this.f.id] as number;
  }

  selfSize(node: number): number {
    return this.nodes[node * this.nodeStride + this.f.size] as number;
  }

  edgeType(edge: number): string {
    return this.edgeTypes[this.edgeTypeIndex(edge)] as string;
  }

  /** The edge's type as its index in `edgeTypes`. */
  edgeTypeIndex(edge: number): number {
    return this.edges[edge * this.edgeStride + this.e.type] as number;
  }

  /** The node an edge points to (a node number, not a field offset). */
  edgeTarget(edge: number): number {
    return (this.edges[edge * this.edgeStride + this.e.to] as number) / this.nodeStride;
  }

  /** A property or variable name, or `[i]` for elements and hidden links (which V8 numbers). */
  edgeName(edge: number): string {
    const value = this.edges[edge * this.edgeStride + this.e.name] as number;
    const type = this.edgeType(edge);
    if (type === 'element' || type === 'hidden') return `[${value}]`;
    return this.strings[value] ?? `[${value}]`;
  }

  /** The group a node is counted in: constructor name for objects, the kind for the rest. */
  groupName(node: number): string {
    const type = this.type(node);
    switch (type) {
      case 'object':
      case 'native':
        return this.name(node);
      case 'string':
      case 'concatenated string':
      case 'sliced string':
        return '(string)';
      case 'code':
        return '(compiled code)';
      case 'hidden':
        return '(system)';
      default:
        return `(${type})`;
    }
  }

  /** How DevTools would name one node in a retainer path (string contents quoted and cut short). */
  displayName(node: number): string {
    const type = this.type(node);
    const name = this.name(node);
    if (type === 'string') return JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}...` : name);
    if (type === 'closure') return `${name || '(anonymous)'}()`;
    return name || `(${type})`;
  }
}

interface SnapshotMeta {
  node_fields: string[];
  node_types: unknown[];
  edge_fields: string[];
  edge_types: unknown[];
}

/** Reads and checks one `.heapsnapshot` file. */
export async function readHeapSnapshot(
  path: string,
  options: { maxBytes?: number } = {},
): Promise<HeapSnapshot> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new HeapSnapshotError(
      'HR_HEAP_SNAPSHOT_INVALID',
      path,
      `cannot read heap snapshot ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  let buffer: Buffer;
  try {
    const { size } = await handle.stat();
    // A look at the first bytes first, so a wrong file fails at once rather than after reading it all.
    const head = Buffer.alloc(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);
    if (!/^\s*\{\s*"snapshot"\s*:/.test(head.toString('utf8')))
      throw notASnapshot(path, 'it does not begin with {"snapshot": (V8 writes that first)');
    if (size > maxBytes)
      throw new HeapSnapshotError(
        'HR_HEAP_SNAPSHOT_TOO_LARGE',
        path,
        `heap snapshot ${path} is ${formatBytes(size)}, over the maxBytes limit of ${formatBytes(maxBytes)}: ` +
          `reading it needs about ${formatBytes(Math.round(size * 1.5))} of memory; raise maxBytes if this ` +
          'process has that much, or take the snapshots on a smaller heap',
      );
    buffer = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(
        buffer,
        offset,
        Math.min(size - offset, 64 * 1024 * 1024),
        offset,
      );
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset < size) buffer = buffer.subarray(0, offset);
  } finally {
    await handle.close();
  }
  return parseHeapSnapshot(buffer, path);
}

/** Parses a snapshot held in memory; `path` names it in errors. */
export function parseHeapSnapshot(buffer: Uint8Array, path = '(buffer)'): HeapSnapshot {
  const reader = new SnapshotReader(buffer, path);
  return reader.read();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** A scanner over the bytes of the top-level object; only what the diff needs is decoded. */
class SnapshotReader {
  private pos = 0;
  private readonly buf: Buffer;
  /** The same bytes as a plain Uint8Array: V8 indexes it faster than a Buffer in the hot loops. */
  private readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly path: string,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): HeapSnapshot {
    this.ws();
    if (this.buf[this.pos] !== 0x7b) throw this.invalid('it does not start with a JSON object');
    this.pos++;
    let meta: SnapshotMeta | undefined;
    let nodes: Uint32Array | undefined;
    let edges: Uint32Array | undefined;
    let strings: string[] | undefined;
    for (let first = true; ; first = false) {
      this.ws();
      if (this.buf[this.pos] === 0x7d) break;
      if (!first) {
        if (this.buf[this.pos] !== COMMA) throw this.invalid(`expected "," or "}" at byte ${this.pos}`);
        this.pos++;
        this.ws();
      }
      const key = this.string();
      this.ws();
      if (this.buf[this.pos] !== 0x3a) throw this.invalid(`expected ":" after "${key}" at byte ${this.pos}`);
      this.pos++;
      this.ws();
      if (first && key !== 'snapshot') throw this.invalid(`its first key is "${key}", not "snapshot"`);
      if (key === 'snapshot') meta = this.meta();
      else if (key === 'nodes') nodes = this.numbers('nodes');
      else if (key === 'edges') edges = this.numbers('edges');
      else if (key === 'strings') strings = this.strings();
      else this.skipValue();
    }
    if (!meta) throw this.invalid('it has no "snapshot" (with "meta")');
    if (!nodes || !edges || !strings)
      throw this.invalid(
        `it lacks ${[!nodes && '"nodes"', !edges && '"edges"', !strings && '"strings"'].filter(Boolean).join(', ')}`,
      );
    return new HeapSnapshot(this.path, this.buf.byteLength, meta, nodes, edges, strings);
  }

  private meta(): SnapshotMeta {
    const start = this.pos;
    this.skipValue();
    let value: { meta?: Partial<SnapshotMeta> };
    try {
      value = JSON.parse(this.buf.toString('utf8', start, this.pos));
    } catch {
      throw this.invalid('its "snapshot" header is not valid JSON');
    }
    const meta = value?.meta;
    const lists = ['node_fields', 'node_types', 'edge_fields', 'edge_types'] as const;
    if (!meta || lists.some((k) => !Array.isArray(meta[k])))
      throw this.invalid(`its "snapshot.meta" lacks ${lists.join(', ')}`);
    return meta as SnapshotMeta;
  }

  /** An array of non-negative integers, read into a Uint32Array sized by counting its commas first. */
  private numbers(what: string): Uint32Array {
    const buf = this.bytes;
    if (buf[this.pos] !== 0x5b) throw this.invalid(`"${what}" is not an array`);
    const end = this.buf.indexOf(0x5d, this.pos);
    if (end < 0) throw this.invalid(`"${what}" is not closed (the file may be cut short)`);
    let commas = 0;
    let digits = false;
    for (let i = this.pos + 1; i < end; i++) {
      const c = buf[i] as number;
      if (c === COMMA) commas++;
      else if (c >= 0x30 && c <= 0x39) digits = true;
    }
    const out = new Uint32Array(digits ? commas + 1 : 0);
    let n = 0;
    let value = 0;
    let inNumber = false;
    for (let i = this.pos + 1; i < end; i++) {
      const c = buf[i] as number;
      if (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        inNumber = true;
      } else if (c === COMMA) {
        if (!inNumber) throw this.invalid(`"${what}" has an empty entry at byte ${i}`);
        if (value > 0xffffffff) throw this.invalid(`"${what}" holds ${value}, beyond 32 bits, at byte ${i}`);
        out[n++] = value;
        value = 0;
        inNumber = false;
      } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        throw this.invalid(`"${what}" holds something other than non-negative integers at byte ${i}`);
      }
    }
    if (digits) {
      if (!inNumber) throw this.invalid(`"${what}" ends with an empty entry`);
      if (value > 0xffffffff) throw this.invalid(`"${what}" holds ${value}, beyond 32 bits`);
      out[n++] = value;
    }
    this.pos = end + 1;
    return out;
  }

  /** An array of strings, decoded one at a time (JSON.parse only for those with escapes). */
  private strings(): string[] {
    const buf = this.buf;
    if (buf[this.pos] !== 0x5b) throw this.invalid('"strings" is not an array');
    this.pos++;
    const out: string[] = [];
    for (;;) {
      this.ws();
      if (buf[this.pos] === 0x5d) break;
      if (out.length > 0) {
        if (buf[this.pos] !== COMMA) throw this.invalid(`"strings" expected "," at byte ${this.pos}`);
        this.pos++;
        this.ws();
      }
      out.push(this.string());
    }
    this.pos++;
    return out;
  }

  private string(): string {
    const buf = this.buf;
    if (buf[this.pos] !== QUOTE) throw this.invalid(`expected a string at byte ${this.pos}`);
    const start = this.pos;
    const end = this.stringEnd(start);
    this.pos = end + 1;
    const backslash = buf.indexOf(BACKSLASH, start + 1);
    if (backslash < 0 || backslash > end) return buf.toString('utf8', start + 1, end);
    try {
      return JSON.parse(buf.toString('utf8', start, end + 1)) as string;
    } catch {
      throw this.invalid(`a string at byte ${start} is not valid JSON`);
    }
  }

  /** The index of the quote closing the string that opens at `start`. */
  private stringEnd(start: number): number {
    let at = start;
    for (;;) {
      at = this.buf.indexOf(QUOTE, at + 1);
      if (at < 0) throw this.invalid(`a string at byte ${start} is not closed (the file may be cut short)`);
      let slashes = 0;
      while (this.buf[at - 1 - slashes] === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return at;
    }
  }

  /** Skips any JSON value (used for the parts the diff does not need). */
  private skipValue(): void {
    const buf = this.buf;
    let depth = 0;
    for (;;) {
      if (this.pos >= buf.length) throw this.invalid('it ends inside a value (the file may be cut short)');
      const c = buf[this.pos] as number;
      if (c === QUOTE) {
        this.pos = this.stringEnd(this.pos) + 1;
        if (depth === 0) return;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
        this.pos++;
      } else if (c === 0x7d || c === 0x5d) {
        // At depth 0 this closes the enclosing object: the value (a number or literal) ended before it.
        if (depth === 0) return;
        depth--;
        this.pos++;
        if (depth === 0) return;
      } else if (depth === 0 && (c === COMMA || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) {
        return;
      } else {
        this.pos++;
      }
    }
  }

  private ws(): void {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const c = buf[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private invalid(what: string): HeapSnapshotError {
    return notASnapshot(this.path, what);
  }
}

function notASnapshot(path: string, what: string): HeapSnapshotError {
  return new HeapSnapshotError(
    'HR_HEAP_SNAPSHOT_INVALID',
    path,
    `${path} is not a V8 heap snapshot: ${what}. Write one with writeHeapSnapshot(), ` +
      "node --heapsnapshot-signal, or DevTools' Memory tab (a .heapsnapshot file)",
  );
}

interface Group {
  type: string;
  count: number;
  bytes: number;
  newCount: number;
  /** The node traced for retainers: the new instance with the highest id (the newest), else the last one. */
  sample: number;
  sampleId: number;
  sampleIsNew: boolean;
}

function aggregate(snapshot: HeapSnapshot, beforeIds: Uint32Array | undefined): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (let n = 0; n < snapshot.nodeCount; n++) {
    const name = snapshot.groupName(n);
    let group = groups.get(name);
    if (!group) {
      group = {
        type: snapshot.type(n),
        count: 0,
        bytes: 0,
        newCount: 0,
        sample: -1,
        sampleId: 0,
        sampleIsNew: false,
      };
      groups.set(name, group);
    }
    group.count++;
    group.bytes += snapshot.selfSize(n);
    if (!beforeIds) continue;
    const id = snapshot.id(n);
    const isNew = !contains(beforeIds, id);
    if (isNew) group.newCount++;
    if (
      group.sample < 0 ||
      (isNew && (!group.sampleIsNew || id > group.sampleId)) ||
      (!group.sampleIsNew && !isNew)
    ) {
      group.sample = n;
      group.sampleId = id;
      group.sampleIsNew = isNew;
    }
  }
  return groups;
}

function sortedIds(snapshot: HeapSnapshot): Uint32Array {
  const ids = new Uint32Array(snapshot.nodeCount);
  for (let n = 0; n < snapshot.nodeCount; n++) ids[n] = snapshot.id(n);
  return ids.sort();
}

function contains(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid] as number;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function summarize(snapshot: HeapSnapshot): SnapshotSummary {
  let heapBytes = 0;
  for (let n = 0; n < snapshot.nodeCount; n++) heapBytes += snapshot.selfSize(n);
  return {
    path: snapshot.path,
    fileBytes: snapshot.fileBytes,
    nodeCount: snapshot.nodeCount,
    edgeCount: snapshot.edgeCount,
    heapBytes,
  };
}

const UNREACHED = 0xffffffff;

/**
 * Retainers of every node (edges reversed), and each node's distance from the snapshot's root
 * (node 0) over strong edges, so a path can always step to a retainer nearer the root: the
 * shortest retaining chain, as DevTools shows first.
 */
class RetainerGraph {
  private readonly firstRetainer: Uint32Array;
  private readonly retainerEdge: Uint32Array;
  private readonly retainerNode: Uint32Array;
  private readonly distance: Uint32Array;
  private readonly weak: number;

  constructor(private readonly s: HeapSnapshot) {
    this.weak = s.edgeTypes.indexOf('weak');
    const counts = new Uint32Array(s.nodeCount + 1);
    for (let e = 0; e < s.edgeCount; e++) {
      const t = s.edgeTarget(e);
      counts[t + 1] = (counts[t + 1] as number) + 1;
    }
    for (let n = 0; n < s.nodeCount; n++) counts[n + 1] = (counts[n + 1] as number) + (counts[n] as number);
    this.firstRetainer = counts.slice();
    const fill = counts;
    this.retainerEdge = new Uint32Array(s.edgeCount);
    this.retainerNode = new Uint32Array(s.edgeCount);
    for (let n = 0; n < s.nodeCount; n++) {
      for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) {
        const t = s.edgeTarget(e);
        const at = fill[t] as number;
        fill[t] = at + 1;
        this.retainerEdge[at] = e;
        this.retainerNode[at] = n;
      }
    }
    this.distance = new Uint32Array(s.nodeCount).fill(UNREACHED);
    const queue = new Uint32Array(s.nodeCount);
    let head = 0;
    let tail = 0;
    this.distance[0] = 0;
    queue[tail++] = 0;
    while (head < tail) {
      const n = queue[head++] as number;
      const d = (this.distance[n] as number) + 1;
      for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) {
        if (this.isWeak(e)) continue;
        const t = s.edgeTarget(e);
        if (this.distance[t] !== UNREACHED) continue;
        this.distance[t] = d;
        queue[tail++] = t;
      }
    }
  }

  /** From `node` towards the root: at each step the strong retainer nearest the root. */
  path(node: number, depth: number): { steps: RetainerStep[]; reachesRoot: boolean } {
    const steps: RetainerStep[] = [];
    const seen = new Set<number>([node]);
    let current = node;
    while (steps.length < depth) {
      if (current === 0) return { steps, reachesRoot: true };
      let best = -1;
      let bestEdge = -1;
      let bestDistance = UNREACHED;
      for (
        let r = this.firstRetainer[current] as number;
        r < (this.firstRetainer[current + 1] as number);
        r++
      ) {
        const e = this.retainerEdge[r] as number;
        const from = this.retainerNode[r] as number;
        if (seen.has(from)) continue;
        // A weak retainer is used only when nothing holds the node strongly.
        const d = this.isWeak(e) ? UNREACHED - 1 : (this.distance[from] as number);
        if (best < 0 || d < bestDistance) {
          best = from;
          bestEdge = e;
          bestDistance = d;
        }
      }
      if (best < 0) return { steps, reachesRoot: false };
      steps.push({
        name: this.s.displayName(best),
        type: this.s.type(best),
        id: this.s.id(best),
        selfSize: this.s.selfSize(best),
        edge: this.s.edgeName(bestEdge),
        edgeType: this.s.edgeType(bestEdge),
      });
      seen.add(best);
      current = best;
    }
    return { steps, reachesRoot: current === 0 };
  }

  private isWeak(edge: number): boolean {
    return this.weak >= 0 && this.s.edgeTypeIndex(edge) === this.weak;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!(Number.isSafeInteger(value) && value >= 1))
    throw new RangeError(`diffHeapSnapshots: ${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!(Number.isSafeInteger(value) && value >= 0))
    throw new RangeError(`diffHeapSnapshots: ${name} must be a non-negative integer, got ${value}`);
  return value;
}
