/**
 * SnapshotSink: a TopologySink that writes a snapshot file instead of building a store. Sink
 * methods are synchronous, so records are encoded into a batch buffer; `drain()` hands full batches
 * to the stream and waits while it is backed up, so a producer that awaits `drain()` when `full`
 * keeps memory at a batch or two plus the stream's buffer. A producer that never drains is stopped
 * with an error once `maxPendingBytes` is waiting, rather than filling memory.
 */

import type { Writable } from 'node:stream';
import { ChunkedWriter } from '../../../memory/chunked-writer.js';
import { formatBytes } from '../../../util/bytes.js';
import type { ConnectionRecord, ElementRecord, RouteRecord, TopologySink } from '../../model.js';
import type { CoreNetworkPolicy } from '../../policy-types.js';
import { connectionJson, elementJson, routeJson, SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './records.js';

export type SnapshotFormat = 'ndjson' | 'json';

export interface SnapshotCounts {
  elements: number;
  connections: number;
  routes: number;
  policies: number;
}

export interface SnapshotSinkOptions {
  format?: SnapshotFormat;
  /** Counts for the NDJSON header line, when known in advance (the reader checks them). */
  counts?: SnapshotCounts;
  /** Bytes gathered before a batch is full; 1 MiB by default. */
  batchBytes?: number;
  /** Bytes allowed to wait unwritten before a record is refused; 64 MiB by default. */
  maxPendingBytes?: number;
  /** End the stream when done (true by default; say false for a stream you keep, like stdout). */
  end?: boolean;
  signal?: AbortSignal;
}

export interface SnapshotWriteResult extends SnapshotCounts {
  bytes: number;
}

/** Sections of the JSON form, in the order they must come. */
const SECTIONS = ['elements', 'connections', 'routes'] as const;

export class SnapshotSink implements TopologySink {
  readonly format: SnapshotFormat;
  private readonly writer: ChunkedWriter;
  private readonly batchBytes: number;
  private readonly maxPendingBytes: number;
  private readonly endStream: boolean;
  private readonly counts: SnapshotCounts = { elements: 0, connections: 0, routes: 0, policies: 0 };
  private batch: Buffer;
  private used = 0;
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  // JSON form: the open section (-1 before the first) and the policies, written at the end.
  private section = -1;
  private first = true;
  private readonly policies: Array<[string, CoreNetworkPolicy]> = [];

  constructor(stream: Writable, options: SnapshotSinkOptions = {}) {
    this.format = options.format ?? 'ndjson';
    this.batchBytes = options.batchBytes ?? 1024 * 1024;
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.endStream = options.end ?? true;
    this.writer = new ChunkedWriter(stream, {
      chunkSize: Math.min(this.batchBytes, 256 * 1024),
      signal: options.signal,
    });
    this.batch = Buffer.allocUnsafe(this.batchBytes);
    if (this.format === 'ndjson') {
      const c = options.counts;
      const counts = c
        ? `,"elements":${c.elements},"connections":${c.connections},"routes":${c.routes},"policies":${c.policies}`
        : '';
      this.push(`{"kind":"header","format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION}${counts}}\n`);
    } else {
      this.push(`{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION}`);
    }
  }

  /** Whether a batch is ready: the producer should `await drain()` now. */
  get full(): boolean {
    return this.pending.length > 0;
  }

  addElement(element: ElementRecord): void {
    this.counts.elements++;
    if (this.format === 'ndjson') this.line(elementJson(element, 'element'));
    else this.item(0, elementJson(element));
  }

  addConnection(connection: ConnectionRecord): void {
    this.counts.connections++;
    if (this.format === 'ndjson') this.line(connectionJson(connection, 'connection'));
    else this.item(1, connectionJson(connection));
  }

  addRoute(route: RouteRecord): void {
    this.counts.routes++;
    if (this.format === 'ndjson') this.line(routeJson(route, 'route'));
    else this.item(2, routeJson(route));
  }

  setPolicy(coreNetworkId: string, policy: CoreNetworkPolicy): void {
    this.counts.policies++;
    if (this.format === 'json') this.policies.push([coreNetworkId, policy]);
    else this.line(JSON.stringify({ kind: 'policy', coreNetwork: coreNetworkId, document: policy }));
  }

  /** Hands the full batches to the stream, waiting while it is backed up. */
  async drain(): Promise<void> {
    const count = this.pending.length;
    for (let i = 0; i < count; i++) {
      const buf = this.pending.shift() as Buffer;
      this.pendingBytes -= buf.length;
      await this.writer.write(buf);
    }
  }

  /** Writes everything left, closes the JSON document, ends (or flushes) the stream. */
  async end(): Promise<SnapshotWriteResult> {
    if (this.format === 'json') {
      while (this.section < SECTIONS.length - 1) this.open(this.section + 1);
      this.push('\n],\n"policies":{');
      this.policies.forEach(([id, policy], i) => {
        this.push(`${i ? ',' : ''}\n${JSON.stringify(id)}:${JSON.stringify(policy)}`);
      });
      this.push('\n}}\n');
    }
    this.seal();
    await this.drain();
    if (this.endStream) await this.writer.end();
    else await this.writer.flush();
    return { ...this.counts, bytes: this.writer.stats().bytesWritten };
  }

  private line(json: string): void {
    this.push(json, true);
  }

  private item(section: number, json: string): void {
    if (section !== this.section) {
      if (section < this.section) {
        throw new RangeError(
          `SnapshotSink: a record of the ${SECTIONS[section]} section came after the ${SECTIONS[this.section]} ` +
            'section; the JSON form needs all elements, then connections, then routes',
        );
      }
      while (this.section < section) this.open(this.section + 1);
    }
    this.push(this.first ? '\n' : ',\n');
    this.push(json);
    this.first = false;
  }

  private open(section: number): void {
    this.push(`${this.section >= 0 ? '\n],' : ','}\n"${SECTIONS[section]}":[`);
    this.section = section;
    this.first = true;
  }

  /** Appends `text` (and a newline): one buffer write per record, as each write has a fixed cost. */
  private push(text: string, newline = false): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes, so this much room always holds the text.
    const room = text.length * 3 + 1;
    if (this.used + room > this.batch.length) {
      this.seal();
      if (room > this.batch.length) {
        this.queue(Buffer.from(newline ? `${text}\n` : text, 'utf8')); // larger than a batch (a big policy)
        return;
      }
    }
    this.used += this.batch.write(text, this.used, 'utf8');
    if (newline) this.batch[this.used++] = 0x0a;
  }

  /** Queues the current batch for drain() and starts a new one. */
  private seal(): void {
    if (this.used === 0) return;
    this.queue(this.batch.subarray(0, this.used));
    this.batch = Buffer.allocUnsafe(this.batchBytes);
    this.used = 0;
  }

  private queue(buf: Buffer): void {
    if (this.pendingBytes + buf.length > this.maxPendingBytes) {
      throw new RangeError(
        `SnapshotSink: ${formatBytes(this.pendingBytes)} of snapshot is waiting to be written; ` +
          'await sink.drain() whenever sink.full is true (or raise maxPendingBytes)',
      );
    }
    this.pending.push(buf);
    this.pendingBytes += buf.length;
  }
}
