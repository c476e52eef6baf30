/**
 * Reads strings out of a built `StringTable` for hot loops (streaming a million records decodes a
 * million ids and names). `StringTable.get` goes through `Buffer#toString`, which checks its
 * arguments and looks the encoding up on every call; here Node's native slicers are called
 * directly: `latin1Slice` when every string of the table is ASCII (the table notes any that is not
 * as it is added), else `utf8Slice`. On ASCII the two give the same string, and Node 20's UTF-8
 * decoder costs ~3 ns a byte against ~0.4 for latin1: decoding a million ids in runs of 32 took
 * ~75 ms against ~10. (Read one id per call, the call itself dominates: ~130 ns against ~105.)
 * Latin1 also keeps a run's byte offsets its character offsets, terminators included.
 *
 * The table keeps its bytes private; this reads them by their field names and checks the layout
 * against `get()` first. Should the layout ever differ, every call falls back to `get()`, which is
 * slower but still right.
 */

import { Buffer } from 'node:buffer';
import type { StringTable } from './string-table.js';

/** Node's native slicers behind `Buffer#toString` (untyped in @types/node; undici calls them too). */
interface Slicer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** Strings `getInOrder` decodes in one call once reads go in order. */
const BLOCK = 32;

interface Layout {
  bytes: Uint8Array;
  offsets: Uint32Array;
  gap: number;
}

export class TextReader {
  private readonly offsets: Uint32Array;
  private readonly gap: number;
  private readonly slicer: Slicer | undefined;
  private readonly count: number;
  /** Every string of the table is ASCII: latin1 decodes them to the same strings, faster. */
  private readonly ascii: boolean;
  /** getInOrder's last run of strings decoded together, as one string, and the code it expects next. */
  private block = '';
  private blockBase = 0;
  private blockFirst = 0;
  private blockEnd = 0;
  private nextCode = -1;

  constructor(private readonly table: StringTable) {
    const layout = layoutOf(table);
    this.offsets = layout?.offsets ?? new Uint32Array(0);
    this.gap = layout?.gap ?? 0;
    this.count = layout ? table.count : 0;
    if (layout !== undefined) {
      const { bytes } = layout;
      this.slicer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Slicer;
    }
    this.ascii = layout !== undefined && table.ascii === true;
  }

  private slice(slicer: Slicer, start: number, end: number): string {
    return this.ascii ? slicer.latin1Slice(start, end) : slicer.utf8Slice(start, end);
  }

  /** String `code`; the caller keeps `code` in 0..count-1. */
  get(code: number): string {
    const slicer = this.slicer;
    if (slicer === undefined) return this.table.get(code);
    return this.slice(slicer, this.offsets[code]!, this.offsets[code + 1]! - this.gap);
  }

  /**
   * `get` for a caller that reads codes mostly in order and keeps the strings briefly (the stream's
   * records). Once two codes come in a row, the next BLOCK strings are decoded in one call and
   * handed out as substrings of it: a call into Node per string was a tenth of a stream. Such a
   * substring keeps its whole block (about BLOCK strings' bytes) alive while it lives, which is why
   * `get` does not do this.
   */
  getInOrder(code: number): string {
    const slicer = this.slicer;
    if (slicer === undefined) return this.table.get(code);
    const offsets = this.offsets;
    if (code >= this.blockFirst && code < this.blockEnd) {
      const base = this.blockBase;
      return this.block.substring(offsets[code]! - base, offsets[code + 1]! - this.gap - base);
    }
    const inOrder = code === this.nextCode;
    this.nextCode = code + 1;
    if (inOrder && code + BLOCK <= this.count) {
      const start = offsets[code]!;
      const end = offsets[code + BLOCK]!;
      const block = this.slice(slicer, start, end);
      // Only in ASCII (or latin1) are byte offsets character offsets.
      if (block.length === end - start) {
        this.block = block;
        this.blockBase = start;
        this.blockFirst = code;
        this.blockEnd = code + BLOCK;
        // Reads inside the block do not come here: the one after its last is still in order.
        this.nextCode = code + BLOCK;
        return block.substring(0, offsets[code + 1]! - this.gap - start);
      }
    }
    return this.slice(slicer, offsets[code]!, offsets[code + 1]! - this.gap);
  }
}

/** The table's byte layout when its fields are what this reader expects, else undefined. */
function layoutOf(table: StringTable): Layout | undefined {
  const { bytes, offsets, gap } = table as unknown as Partial<Layout>;
  if (!(bytes instanceof Uint8Array && offsets instanceof Uint32Array && (gap === 0 || gap === 1))) {
    return undefined;
  }
  const count = table.count;
  if (offsets.length < count + 1 || offsets[count]! > bytes.length) return undefined;
  const layout = { bytes, offsets, gap };
  // The first and the last string read both ways must agree, or the layout is not the one assumed.
  if (count > 0 && !(agrees(layout, table, 0) && agrees(layout, table, count - 1))) return undefined;
  return layout;
}

function agrees({ bytes, offsets, gap }: Layout, table: StringTable, code: number): boolean {
  const start = offsets[code]!;
  const end = offsets[code + 1]! - gap;
  return (
    start <= end &&
    Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString() === table.get(code)
  );
}
