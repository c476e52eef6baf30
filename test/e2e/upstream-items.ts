/**
 * The generated items of the loopback upstream (upstream.ts) rendered straight into bytes. The
 * upstream must out-run what it feeds (a gigabyte array is the spill benchmark's input), and
 * JSON.stringify of each item object, joined and encoded, tops out near 100 MB/s: too slow to show a
 * server reaching disk speed. These bytes are exactly those of `JSON.stringify(item(k, size))`
 * (upstream.test.ts checks that): the few parts that vary with k are its digits and a middle part
 * that depends on k only modulo 582 (2 * 3 * 97), so the 582 middles are rendered once (with the
 * body when it is small; a large body is a fill), and the digits are stored byte by byte.
 */

/** k % 3, k % 2 and k % 97 repeat together every 582 items. */
const PERIOD = 2 * 3 * 97;
/** Up to this body size, each of the 582 tails (middle, body, `"}`) is rendered whole, once. */
const WHOLE_TAIL_BYTES = 4096;
const COMMA = 0x2c;
const ZERO = 0x30;
const QUOTE = 0x22;
const RBRACE = 0x7d;
const X = 0x78;
const OPEN_ID = Buffer.from('{"id":', 'latin1');
const NAME = Buffer.from(',"name":"item ', 'latin1');

/** What follows `"name":"item K` in item k, up to the body's opening quote included. */
function middle(k: number): string {
  const state = k % 3 === 0 ? 'closed' : 'open';
  const parity = k % 2 === 0 ? 'even' : 'odd';
  const user = k % 97;
  return `","state":"${state}","owner":{"login":"user${user}","id":${1000 + user}},"tags":["alpha","${parity}"],"body":"`;
}

/**
 * Renders runs of items for one body size into buffers; safe to share (it keeps nothing but its
 * tables). Everything is stored byte by byte or copied from the tables: no string per item.
 */
export class ItemRenderer {
  /** Per k % 582: the middle, and when the body is small, the body and `"}` too. */
  private readonly tails: Buffer[];
  private readonly whole: boolean;
  private readonly longestTail: number;

  /** `size`: the body's length in bytes, a whole number >= 0 (see fits()). */
  constructor(private readonly size: number) {
    if (!ItemRenderer.fits(size))
      throw new RangeError(`ItemRenderer: size must be a whole number >= 0, got ${String(size)}`);
    this.whole = size <= WHOLE_TAIL_BYTES;
    const end = this.whole ? `${'x'.repeat(size)}"}` : '';
    this.tails = Array.from({ length: PERIOD }, (_, r) => Buffer.from(middle(r) + end, 'latin1'));
    this.longestTail = Math.max(...this.tails.map((tail) => tail.length));
  }

  /** Whether the renderer reproduces `'x'.repeat(size)`; other sizes take the JSON.stringify path. */
  static fits(size: number): boolean {
    return Number.isSafeInteger(size) && size >= 0;
  }

  /** The most bytes render(from, to) can take: a buffer this large may be passed to renderInto. */
  maxBytes(from: number, to: number): number {
    // Per item: comma, the two fixed parts, two numbers of <= 22 characters, the tail, the body, `"}`.
    const body = this.whole ? 0 : this.size + 2;
    return Math.max(0, to - from) * (1 + OPEN_ID.length + NAME.length + 44 + this.longestTail + body);
  }

  /**
   * Items `from` <= k < `to`, each preceded by a comma except item 0: the bytes of
   * `parts.join('')` where `parts[k] = (k === 0 ? '' : ',') + JSON.stringify(item(k, size))`.
   */
  render(from: number, to: number): Buffer {
    const buf = Buffer.allocUnsafe(this.maxBytes(from, to));
    return buf.subarray(0, this.renderInto(buf, from, to));
  }

  /** render() into `buf`, which holds at least maxBytes(from, to); returns the bytes written. */
  renderInto(buf: Buffer, from: number, to: number): number {
    let pos = 0;
    for (let k = from; k < to; k++) {
      if (k !== 0) buf[pos++] = COMMA;
      pos = put(buf, pos, OPEN_ID);
      pos = putIndex(buf, pos, k);
      pos = put(buf, pos, NAME);
      pos = putIndex(buf, pos, k);
      pos += (this.tails[k % PERIOD] as Buffer).copy(buf, pos);
      if (this.whole) continue;
      buf.fill(X, pos, pos + this.size);
      pos += this.size;
      buf[pos++] = QUOTE;
      buf[pos++] = RBRACE;
    }
    return pos;
  }
}

/** Copies a few bytes; a loop beats a native copy call at this length. */
function put(buf: Buffer, pos: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) buf[pos + i] = bytes[i] as number;
  return pos + bytes.length;
}

/** The decimal digits of `k` as JSON.stringify writes them (digits only below 1e21, as here). */
function putIndex(buf: Buffer, pos: number, k: number): number {
  if (k >= 1e21) return pos + buf.write(String(k), pos, 'latin1');
  let digits = 1;
  for (let rest = k; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = k;
  for (let i = pos + digits - 1; i >= pos; i--) {
    buf[i] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return pos + digits;
}
