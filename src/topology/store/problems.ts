/**
 * What the builder does with a bad record: in strict mode (the default) it throws a TopologyError
 * naming the source, line and pointer; in lenient mode it skips the record, reports the same
 * message as a warning and carries on.
 */

import { TopologyError } from '../../errors.js';
import type { RecordLocation } from '../model.js';

export interface TopologyWarning {
  message: string;
  line?: number;
  pointer?: string;
}

/** A record's problem: the message, and where in the record when it is one field (`/cidrs/2`). */
export interface Problem {
  message: string;
  field?: string;
}

export class Problems {
  /** Records skipped so far (lenient mode only; strict mode throws on the first). */
  skipped = 0;

  constructor(
    readonly source: string,
    private readonly lenient: boolean,
    private readonly onWarning: ((warning: TopologyWarning) => void) | undefined,
  ) {}

  reject(problem: Problem, at: RecordLocation | undefined): void {
    const line = at?.line;
    const pointer = at?.pointer === undefined ? undefined : at.pointer + (problem.field ?? '');
    let where = this.source;
    if (line !== undefined) where += `:${line}`;
    if (pointer !== undefined) where += ` at ${pointer || '/'}`;
    const message = `${where}: ${problem.message}`;
    const location: { line?: number; pointer?: string } = {};
    if (line !== undefined) location.line = line;
    if (pointer !== undefined) location.pointer = pointer;
    if (!this.lenient) throw new TopologyError(this.source, message, location);
    this.skipped++;
    this.onWarning?.({ message, ...location });
  }
}

/** Whether `value` is an element index below `count` (records may name elements by index). */
export function isIndex(value: unknown, count: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < count;
}

/** The valid element indexes, for messages. */
export function indexRange(count: number): string {
  return count === 0 ? 'no element has been added yet' : `0 to ${count - 1}`;
}
