/**
 * `_query`: a JMESPath expression (the community edition) applied to an upstream response. When the
 * response is a large array streamed in batches, an expression that distributes over the items is
 * evaluated batch by batch and the results concatenated, so the whole array is never held; any
 * other expression needs the whole document.
 */
import { compile, isRegistered, TreeInterpreter, tokenize } from '@jmespath-community/jmespath';
import { QueryError } from '../errors.js';

export const MAX_QUERY_LENGTH = 4096;

type Node = ReturnType<typeof compile>;
type Json = Parameters<typeof TreeInterpreter.search>[1];

export interface CompiledQuery {
  readonly expression: string;
  /**
   * True when, on a root array, evaluating batch by batch and concatenating the results equals
   * evaluating on the whole array.
   */
  readonly perItem: boolean;
  /** Evaluates on one batch of a root array's items; only for perItem queries. */
  applyToBatch(items: unknown[]): unknown[];
  /** Evaluates on a whole value. */
  apply(document: unknown): unknown;
}

/** Parses `expression` once; throws a QueryError with the parser's message and the position. */
export function compileQuery(expression: string): CompiledQuery {
  if (expression.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      `_query is ${expression.length} characters long; at most ${MAX_QUERY_LENGTH} are allowed. Shorten the expression, or use _fields to pick fields.`,
    );
  }
  let ast: Node;
  try {
    ast = compile(expression);
  } catch (error) {
    throw new QueryError(syntaxMessage(expression, error));
  }
  checkFunctions(ast);
  const perItem = distributes(ast);

  return {
    expression,
    perItem,
    applyToBatch(items) {
      if (!perItem) {
        throw new Error(
          `applyToBatch called for the _query "${expression}", which needs the whole document.`,
        );
      }
      const result = evaluate(ast, items, expression);
      if (!Array.isArray(result)) {
        throw new Error(
          `The per-item _query "${expression}" gave a ${typeof result} on a batch, not an array.`,
        );
      }
      return result;
    },
    apply(document) {
      return evaluate(ast, document, expression);
    },
  };
}

// The library's interpreter is one shared instance; its state is set at the start of each search and
// a search runs synchronously to the end, so calls never see each other's state.
function evaluate(ast: Node, value: unknown, expression: string): unknown {
  try {
    return TreeInterpreter.search(ast, value as Json);
  } catch (error) {
    throw new QueryError(`_query "${excerpt(expression)}" failed on this response: ${messageOf(error)}.`);
  }
}

/**
 * Whether the node, evaluated on a root array, gives the concatenation of its results on any split
 * of that array. Only node shapes known to hold are accepted; anything else needs the whole document.
 */
function distributes(node: Node): boolean {
  switch (node.type) {
    // The array itself.
    case 'Identity':
    case 'Current':
      return true;
    // `[*].x`, `[].x`, `[*].b[*].c`: a projection over a distributing list, applied to each element.
    case 'Projection':
      return distributes(node.left) && elementwise(node.right);
    case 'FilterProjection':
      return distributes(node.left) && elementwise(node.condition) && elementwise(node.right);
    // Flattening one level of a concatenation is the concatenation of the flattened parts.
    case 'Flatten':
      return distributes(node.child);
    // A distributing list piped into a distributing expression, such as `[*].a | [?b]`.
    case 'Pipe':
      return distributes(node.left) && distributes(node.right);
    default:
      return false;
  }
}

/**
 * Whether the node depends only on the element it is evaluated on: true unless it reaches the root
 * (`$`, which in a batch would be the batch) or has a node type this check does not know.
 */
function elementwise(node: Node): boolean {
  switch (node.type) {
    case 'Root':
      return false;
    case 'Field':
    case 'Literal':
    case 'Index':
    case 'Slice':
    case 'Identity':
    case 'Current':
    case 'Variable':
      return true;
    case 'AndExpression':
    case 'IndexExpression':
    case 'OrExpression':
    case 'Pipe':
    case 'Projection':
    case 'Subexpression':
    case 'ValueProjection':
    case 'Arithmetic':
    case 'Comparator':
      return elementwise(node.left) && elementwise(node.right);
    case 'FilterProjection':
      return elementwise(node.left) && elementwise(node.right) && elementwise(node.condition);
    case 'ExpressionReference':
    case 'Flatten':
    case 'NotExpression':
      return elementwise(node.child);
    case 'Unary':
      return elementwise(node.operand);
    case 'Ternary':
      return elementwise(node.condition) && elementwise(node.trueExpr) && elementwise(node.falseExpr);
    case 'MultiSelectList':
    case 'Function':
      return node.children.every(elementwise);
    case 'MultiSelectHash':
      return node.children.every((pair) => elementwise(pair.value));
    case 'LetExpression':
      return node.bindings.every(elementwise) && elementwise(node.expression);
    case 'Binding':
      return elementwise(node.reference);
    default:
      return false;
  }
}

/** The library finds unknown functions only while evaluating; tell the model before the call instead. */
function checkFunctions(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) checkFunctions(child);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.type === 'Literal') return;
  if (record.type === 'Function' && typeof record.name === 'string' && !isRegistered(record.name)) {
    throw new QueryError(
      `_query uses the unknown function ${record.name}(). JMESPath functions include length, sort_by, contains, starts_with, max_by, min_by, join, keys, values, to_string, to_number.`,
    );
  }
  for (const key of Object.keys(record)) checkFunctions(record[key]);
}

function syntaxMessage(expression: string, error: unknown): string {
  const position = errorPosition(expression, error);
  const where =
    position >= expression.length
      ? 'at the end of the expression'
      : `at character ${position + 1} (${JSON.stringify(around(expression, position))})`;
  return `_query is not a valid JMESPath expression: ${messageOf(error)}, ${where}. See https://jmespath.site for the syntax.`;
}

/**
 * The library's errors carry no position, so find it: the lexer and the parser read left to right,
 * so the shortest prefix that fails the same way ends at the offending character or token.
 * Runs only on the error path and is bounded by MAX_QUERY_LENGTH.
 */
function errorPosition(expression: string, error: unknown): number {
  const message = messageOf(error);
  const failsTheSame = (prefix: string, parse: (text: string) => unknown): boolean => {
    try {
      parse(prefix);
      return false;
    } catch (prefixError) {
      return messageOf(prefixError) === message;
    }
  };
  if ((error as { name?: string } | undefined)?.name === 'LexerError') {
    for (let end = 1; end <= expression.length; end++) {
      if (failsTheSame(expression.slice(0, end), tokenize)) return end - 1;
    }
    return expression.length;
  }
  // Only the full expression has the EOF token that such a message names; prefixes have their own.
  if (/\bEOF\b/.test(message)) return expression.length;
  let tokens: { start: number }[];
  try {
    tokens = tokenize(expression);
  } catch {
    return expression.length;
  }
  for (let index = 0; index < tokens.length; index++) {
    const end = index + 1 < tokens.length ? tokens[index + 1]!.start : expression.length;
    if (failsTheSame(expression.slice(0, end), compile)) return tokens[index]!.start;
  }
  return expression.length;
}

function around(expression: string, position: number): string {
  const start = Math.max(0, position - 20);
  const end = Math.min(expression.length, position + 20);
  return `${start > 0 ? '…' : ''}${expression.slice(start, end)}${end < expression.length ? '…' : ''}`;
}

function excerpt(expression: string): string {
  return expression.length > 80 ? `${expression.slice(0, 80)}…` : expression;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.+$/, '');
}
