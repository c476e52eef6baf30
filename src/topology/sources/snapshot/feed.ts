/**
 * Feeds checked records into a sink and decides what a bad one does: in strict mode it stops the
 * read with a TopologyError naming where it was (file and line, or a JSON pointer); in lenient mode
 * it becomes a warning and the record is skipped, so the rest still loads.
 */

import { TopologyError } from '../../../errors.js';
import type { RecordLocation, TopologySink } from '../../model.js';
import { type Checked, checkConnection, checkElement, checkPolicy, checkRoute } from './records.js';

export type RecordKind = 'element' | 'connection' | 'route' | 'policy';

export interface FeedOptions {
  lenient: boolean;
  onWarning: ((warning: TopologyError) => void) | undefined;
}

export class RecordFeeder {
  elements = 0;
  connections = 0;
  routes = 0;
  policies = 0;
  skipped = 0;
  warnings = 0;
  private readonly source: string;
  private readonly sink: TopologySink;
  private readonly options: FeedOptions;

  constructor(source: string, sink: TopologySink, options: FeedOptions) {
    this.source = source;
    this.sink = sink;
    this.options = options;
  }

  get lenient(): boolean {
    return this.options.lenient;
  }

  /** Checks `value` as a record of `kind` and hands it to the sink. */
  feed(kind: RecordKind, value: unknown, at: RecordLocation, extra?: unknown): void {
    try {
      if (kind === 'element') {
        const record = checkElement(value);
        if (!isProblem(record, this, at)) {
          this.sink.addElement(record, at);
          this.elements++;
        }
      } else if (kind === 'connection') {
        const record = checkConnection(value);
        if (!isProblem(record, this, at)) {
          this.sink.addConnection(record, at);
          this.connections++;
        }
      } else if (kind === 'route') {
        const record = checkRoute(value);
        if (!isProblem(record, this, at)) {
          this.sink.addRoute(record, at);
          this.routes++;
        }
      } else {
        const record = checkPolicy(value, extra);
        if (!isProblem(record, this, at)) {
          this.sink.setPolicy(record.coreNetwork, record.document);
          this.policies++;
        }
      }
    } catch (error) {
      // The sink (a builder) refuses records it cannot take, such as a duplicate id; lenient skips them.
      if (!(error instanceof TopologyError) || !this.options.lenient) throw error;
      this.skip(error);
    }
  }

  /** A problem at `at`: thrown in strict mode, a warning in lenient mode. */
  problem(message: string, at: RecordLocation, fatal = false): void {
    const where = this.where(at);
    if (fatal || !this.options.lenient) {
      const hint = fatal ? '' : '; fix it, or read the snapshot leniently (--lenient) to skip bad records';
      throw new TopologyError(this.source, `${where}: ${message}${hint}`, at);
    }
    this.skip(new TopologyError(this.source, `${where}: ${message}; skipped`, at));
  }

  /** A warning that skips nothing (a count that does not add up). */
  warn(message: string, at: RecordLocation = {}): void {
    this.warnings++;
    this.options.onWarning?.(new TopologyError(this.source, `${this.where(at)}: ${message}`, at));
  }

  private where(at: RecordLocation): string {
    if (at.line !== undefined) return `${this.source}:${at.line}`;
    return at.pointer === undefined ? this.source : `${this.source} at ${at.pointer || '/'}`;
  }

  private skip(warning: TopologyError): void {
    this.skipped++;
    this.warnings++;
    this.options.onWarning?.(warning);
  }
}

function isProblem<T>(
  record: Checked<T>,
  feeder: RecordFeeder,
  at: RecordLocation,
): record is { problem: string } {
  if (typeof record !== 'object' || record === null || !('problem' in record)) return false;
  feeder.problem((record as { problem: string }).problem, at);
  return true;
}
