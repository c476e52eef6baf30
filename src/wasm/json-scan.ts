/// <reference path="./webassembly.d.ts" />
/**
 * Scans of JSON text held in WebAssembly memory (json-scan.wat says why they are not JavaScript).
 * The text is copied in once, or read straight into `bytes`; the scans answer byte offsets.
 */
import { WASM_BASE64 } from './json-scan-binary.js';
import { ALIGN, scanMemory, tableBytes } from './scan-memory.js';

interface ScanExports {
  stringEnd(pos: number, end: number): number;
  containerEnd(pos: number, end: number): number;
  nonAscii(pos: number, end: number): number;
  externalRef(pos: number, end: number): number;
  cutPaths(pos: number, end: number, table: number): number;
  validate(pos: number, end: number, stack: number): number;
}

/**
 * Memory indexes are 32-bit, and the text with the room for a table after it (see `tableBytes`)
 * must fit in them; past this a caller scans another way.
 */
export const MAX_SCAN_BYTES = 2_000_000_000;
/** The bit `cutPaths` sets on the start of a value that is never read. */
const UNREAD = 2 ** 31;
/** Past this many characters beyond ASCII in one text, decoding UTF-8 beats escaping each. */
const MAX_ESCAPES = 4096;

/** The compiled module: compiling is a pure function of the bytes above, so one per process. */
let compiled: WebAssembly.Module | undefined;

export class JsonScan {
  /** The text: a view of the module's memory. */
  readonly bytes: Buffer;
  /** All of the memory: the text, then room for the table `cutPaths` writes. */
  private readonly memory: Buffer;
  private readonly scan: ScanExports;

  private constructor(size: number, memory: WebAssembly.Memory) {
    compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    this.scan = instance.exports as unknown as ScanExports;
    this.memory = Buffer.from(memory.buffer);
    this.bytes = this.memory.subarray(0, size);
  }

  /**
   * Room for `size` bytes of text, to be written into `bytes`; undefined when this Node runs
   * without WebAssembly (`--jitless`) or the text is too large for it. `memory`, when given, is one
   * that `scanMemory(size)` made, which may hold the text already.
   */
  static empty(size: number, memory?: WebAssembly.Memory): JsonScan | undefined {
    if (typeof WebAssembly !== 'object' || size > MAX_SCAN_BYTES) return undefined;
    return new JsonScan(size, memory ?? scanMemory(size));
  }

  /** A scan over a copy of `text` (no copy when `text` is already one's `bytes`). */
  static of(text: Uint8Array): JsonScan | undefined {
    const scan = JsonScan.empty(text.length);
    scan?.bytes.set(text);
    return scan;
  }

  /** Just past the string whose opening quote is at `pos`; -1 when it is not closed. */
  stringEnd(pos: number): number {
    return this.scan.stringEnd(pos, this.bytes.length);
  }

  /** Just past the object or array opening at `pos` (brackets counted, not matched); -1 if open. */
  containerEnd(pos: number): number {
    return this.scan.containerEnd(pos, this.bytes.length);
  }

  /** The first byte in [start, end) that is not ASCII; -1 when there is none. */
  nonAscii(start: number, end: number): number {
    return this.scan.nonAscii(start, end);
  }

  /**
   * Where the first `"$ref"` is whose value is a string not starting with '#' (a ref into another
   * document); -1 when there is none.
   */
  externalRef(): number {
    return this.scan.externalRef(0, this.bytes.length);
  }

  /**
   * Whether [start, end) is exactly one JSON value, with whitespace around it: what JSON.parse
   * accepts, read without building anything (an order of magnitude faster). The text must be UTF-8.
   */
  isJson(start: number, end: number): boolean {
    // The nesting stack, a byte per level, goes where the table of `cutPaths` does.
    const stack = this.afterText();
    if (stack + (end - start) > this.memory.length) return false;
    return this.scan.validate(start, end, stack) === 1;
  }

  /**
   * The text of the `paths` object in [start, end) for JSON.parse, with the value of each
   * operation's `responses` member replaced by a number, 0, 1, 2...; `cuts` holds each value's
   * range in `bytes`, two numbers per value. A catalog reads a response only when an operation is
   * called, and the responses are a fifth of the paths of a large spec and half their parse.
   * The value of each operation's `externalDocs` and vendor extensions (`x-...`), which a catalog
   * never reads, becomes null: GitHub's are an eighth of what is left to parse.
   * Undefined when the text is not closed (the caller parses it whole, which reports it).
   */
  cutPaths(start: number, end: number): { text: string; cuts: Uint32Array } | undefined {
    const table = this.afterText();
    if (table + tableBytes(end - start) > this.memory.length) return undefined;
    const count = this.scan.cutPaths(start, end, table);
    if (count < 0) return undefined;
    const found = new Uint32Array(this.memory.buffer, table, 2 * count);
    // A copy of the responses' ranges: the next cut writes over the table.
    const cuts: number[] = [];
    // Joined once: the pieces are copied into one flat string, which JSON.parse reads fastest.
    const pieces: string[] = [];
    let from = start;
    for (let k = 0; k < count; k++) {
      const at = found[2 * k]!;
      const unread = at >= UNREAD;
      const valueStart = unread ? at - UNREAD : at;
      pieces.push(this.jsonText(from, valueStart), unread ? 'null' : String(cuts.length / 2));
      if (!unread) cuts.push(valueStart, found[2 * k + 1]!);
      from = found[2 * k + 1]!;
    }
    pieces.push(this.jsonText(from, end));
    return { text: pieces.join(''), cuts: Uint32Array.from(cuts) };
  }

  /** Where the room after the text starts (for a table or a stack): aligned past the text. */
  private afterText(): number {
    return Math.ceil(this.bytes.length / ALIGN) * ALIGN;
  }

  /**
   * The JSON text in [start, end) (valid UTF-8) as a string that JSON.parse reads as it would the
   * decoded text, but one byte per character: past ASCII, characters can only be inside strings,
   * where a \u escape means the same. A single such character otherwise makes V8 decode slowly
   * into a string of two bytes per character, and parse it slower.
   */
  jsonText(start: number, end: number): string {
    const { bytes } = this;
    let at = this.nonAscii(start, end);
    if (at === -1) return bytes.toString('latin1', start, end);
    // The text with its escapes is written out as bytes and decoded once: joining the pieces as
    // strings would copy them all a second time.
    let out = Buffer.allocUnsafe(end - start + 64);
    let length = 0;
    let from = start;
    for (let escapes = 0; at !== -1; escapes++) {
      if (escapes === MAX_ESCAPES) return bytes.toString('utf8', start, end);
      const lead = bytes[at] as number;
      const size = lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      let code = lead & (0x7f >> size);
      for (let k = 1; k < size; k++) code = (code << 6) | ((bytes[at + k] as number) & 0x3f);
      // Room for what is left: the rest of the text, and 12 bytes for a surrogate pair's escapes.
      const needed = length + (end - from) + 12;
      if (needed > out.length) {
        const grown = Buffer.allocUnsafe(Math.max(needed, out.length + (out.length >> 1)));
        out.copy(grown, 0, 0, length);
        out = grown;
      }
      length += bytes.copy(out, length, from, at);
      if (code < 0x10000) length = writeEscape(out, length, code);
      else {
        length = writeEscape(out, length, 0xd800 + ((code - 0x10000) >> 10));
        length = writeEscape(out, length, 0xdc00 + ((code - 0x10000) & 0x3ff));
      }
      from = at + size;
      at = this.nonAscii(from, end);
    }
    length += bytes.copy(out, length, from, end);
    return out.toString('latin1', 0, length);
  }
}

const HEX = '0123456789abcdef';

/** Writes `\uXXXX` for the UTF-16 code unit `unit` at `at`; answers the index past it. */
function writeEscape(out: Buffer, at: number, unit: number): number {
  out[at] = 0x5c;
  out[at + 1] = 0x75;
  for (let k = 0; k < 4; k++) out[at + 2 + k] = HEX.charCodeAt((unit >> (12 - 4 * k)) & 0xf);
  return at + 6;
}
