/**
 * Where JSON text goes wrong. Node 20's JSON.parse gives an offset for some mistakes and none for
 * others ("Unexpected token ']', ... is not valid JSON"), so on failure this scanner finds the first
 * offset that breaks the grammar. It only runs after a failed parse, and keeps its own stack of open
 * containers, so deep nesting cannot overflow the call stack.
 */

const WHITESPACE = ' \t\n\r';
const ESCAPES = '"\\/bfnrt';

/** Thrown inside the scanner with the offset of the first bad character. */
class Stop {
  constructor(readonly offset: number) {}
}

/** The offset of the first character that is not valid JSON (text.length for a premature end), or undefined if valid. */
export function jsonErrorOffset(text: string): number | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    throw error;
  }
}

class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    const open: string[] = []; // the closing bracket of each container entered
    let expectValue = true;
    // Each turn consumes at least one character or stops, so the bound is never what ends the loop.
    for (let turn = 0; turn <= this.text.length; turn++) {
      this.skip();
      if (expectValue) {
        expectValue = this.value(open);
        continue;
      }
      if (open.length === 0) break;
      const c = this.peek();
      if (c === open[open.length - 1]) {
        open.pop();
        this.i++;
        continue;
      }
      if (c !== ',') this.stop();
      this.i++;
      if (open[open.length - 1] === '}') this.key();
      expectValue = true;
    }
    this.skip();
    if (this.i < this.text.length) this.stop();
  }

  /**
   * A scalar or an empty container (returns false: the value is complete), or the opening of a
   * container, pushed on `open` with its first key read (returns true: a value comes next).
   */
  private value(open: string[]): boolean {
    const c = this.peek();
    if (c === '{' || c === '[') {
      this.i++;
      this.skip();
      const close = c === '{' ? '}' : ']';
      if (this.peek() === close) {
        this.i++;
        return false;
      }
      open.push(close);
      if (close === '}') this.key();
      return true;
    }
    if (c === '"') this.string();
    else if (c === '-' || isDigit(c)) this.number();
    else this.literal();
    return false;
  }

  private key(): void {
    this.skip();
    if (this.peek() !== '"') this.stop();
    this.string();
    this.skip();
    if (this.peek() !== ':') this.stop();
    this.i++;
  }

  private string(): void {
    this.i++;
    for (;;) {
      const c = this.peek();
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < ' ') this.stop();
      this.i++;
      if (c !== '\\') continue;
      const e = this.peek();
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 1, this.i + 5))) this.stop();
        this.i += 5;
      } else if (e !== '' && ESCAPES.includes(e)) this.i++;
      else this.stop();
    }
  }

  private number(): void {
    if (this.peek() === '-') this.i++;
    if (this.peek() === '0') this.i++;
    else this.digits();
    if (this.peek() === '.') {
      this.i++;
      this.digits();
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.i++;
      if (this.peek() === '+' || this.peek() === '-') this.i++;
      this.digits();
    }
  }

  /** One or more digits. */
  private digits(): void {
    if (!isDigit(this.peek())) this.stop();
    while (isDigit(this.peek())) this.i++;
  }

  private literal(): void {
    const word = ['true', 'false', 'null'].find((w) => w[0] === this.peek());
    if (!word) this.stop();
    for (const letter of word) {
      if (this.peek() !== letter) this.stop();
      this.i++;
    }
  }

  private skip(): void {
    while (this.i < this.text.length && WHITESPACE.includes(this.text[this.i]!)) this.i++;
  }

  /** The current character, or '' at the end (where every expectation fails). */
  private peek(): string {
    return this.text[this.i] ?? '';
  }

  private stop(): never {
    throw new Stop(Math.min(this.i, this.text.length));
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
