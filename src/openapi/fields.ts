/**
 * `_fields`: keep only the named fields of a response. Paths are dot paths (`id`, `user.login`,
 * `items.title`); arrays are crossed implicitly at any level, so one path reaches every item.
 * The projection runs on every item of streams that can be gigabytes long, so the paths are compiled
 * once into a tree and each value is walked only as deep as the tree goes.
 */
import { ToolArgumentError } from '../errors.js';

/** Enough for any reasonable selection; more usually means the model should drop `_fields` instead. */
export const MAX_FIELDS = 100;
export const MAX_FIELD_PATH_LENGTH = 256;

const SHAPE =
  'an array of field paths such as ["id", "user.login"], or one comma-separated string such as "id,user.login"';

/**
 * Reads the `_fields` argument. `undefined`, `null`, `""` and `[]` mean no selection (undefined).
 * Throws a ToolArgumentError that says the expected shape when the value is anything else.
 */
export function parseFields(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  let raw: unknown[];
  if (typeof value === 'string') raw = value.split(',');
  else if (Array.isArray(value)) raw = value;
  else throw new ToolArgumentError(`_fields must be ${SHAPE}; got ${describe(value)}.`);

  const paths: string[] = [];
  for (let index = 0; index < raw.length; index++) {
    const item = raw[index];
    if (typeof item !== 'string') {
      throw new ToolArgumentError(
        `_fields[${index}] must be a string (a field path); got ${describe(item)}.`,
      );
    }
    const path = item.trim();
    // A trailing comma in "id,name," is a slip, not a request for an empty path.
    if (path === '' && typeof value === 'string') continue;
    checkPath(path, index);
    paths.push(path);
  }
  if (paths.length > MAX_FIELDS) {
    throw new ToolArgumentError(
      `_fields has ${paths.length} paths; at most ${MAX_FIELDS} are allowed. Name fewer fields, or leave _fields out to get whole items.`,
    );
  }
  return paths.length === 0 ? undefined : paths;
}

function checkPath(path: string, index: number): void {
  if (path === '') {
    throw new ToolArgumentError(`_fields[${index}] is empty; each entry must name a field, such as "id".`);
  }
  if (path.length > MAX_FIELD_PATH_LENGTH) {
    throw new ToolArgumentError(
      `_fields[${index}] is ${path.length} characters long; a field path may have at most ${MAX_FIELD_PATH_LENGTH}.`,
    );
  }
  if (path.split('.').some((segment) => segment.trim() === '')) {
    throw new ToolArgumentError(
      `_fields[${index}] ("${path}") has an empty segment; write dot paths such as "user.login", without leading, trailing or doubled dots.`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A node of the compiled paths: `whole` keeps the value as it is, otherwise only `children`. */
interface FieldTree {
  whole: boolean;
  children: Map<string, FieldTree>;
}

function buildTree(fields: readonly string[]): FieldTree {
  const root: FieldTree = { whole: false, children: new Map() };
  for (const path of fields) {
    let node = root;
    const segments = path.split('.');
    for (let index = 0; index < segments.length && !node.whole; index++) {
      const segment = segments[index]!.trim();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { whole: false, children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    // `user` next to `user.login` keeps all of user: the shorter path asks for more.
    node.whole = true;
    node.children.clear();
  }
  return root;
}

/**
 * Compiles `fields` (as returned by parseFields) into a projection function. Objects keep only the
 * named keys, in their original order; arrays are projected item by item; scalars and null are
 * returned as they are. Under an object key, a string, number or boolean where the path goes deeper
 * means the path does not exist there, so the key is left out; null is kept, since the field exists.
 */
export function compileFields(fields: readonly string[]): (value: unknown) => unknown {
  const tree = buildTree(fields);
  if (tree.whole) return (value) => value;
  return (value) => project(value, tree);
}

/** The convenience form of compileFields, for one value. */
export function projectFields(value: unknown, fields: readonly string[]): unknown {
  return compileFields(fields)(value);
}

function project(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) out[index] = project(value[index], tree);
    return out;
  }
  if (value === null || typeof value !== 'object') return value;

  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (tree.children.size === 1) {
    // One field: a direct lookup, not a walk over every key of the object.
    const [key, child] = tree.children.entries().next().value as [string, FieldTree];
    if (Object.hasOwn(source, key)) keep(out, key, source[key], child);
    return out;
  }
  for (const key of Object.keys(source)) {
    const child = tree.children.get(key);
    if (child !== undefined) keep(out, key, source[key], child);
  }
  return out;
}

function keep(out: Record<string, unknown>, key: string, value: unknown, child: FieldTree): void {
  let kept: unknown;
  if (child.whole) kept = value;
  else if (value === null || typeof value === 'object') kept = project(value, child);
  else return;
  // A plain assignment to `__proto__` would set the prototype instead of adding a field.
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = kept;
  }
}
