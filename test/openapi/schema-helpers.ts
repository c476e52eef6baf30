/**
 * Checks shared by the OpenAPI tests: every `$ref` in a listed tool schema must resolve inside the
 * schema itself (clients get no other document), and the schema must compile as JSON Schema 2020-12.
 */
import type { JsonObject } from '../../src/openapi/types.js';

/** Reads a local JSON pointer fragment (`#/$defs/Pet`) inside `root`; undefined when it dangles. */
export function resolveLocalRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}

/** Every `$ref` string under `schema` (iteratively, so deep schemas cannot overflow the stack). */
export function allRefs(schema: unknown): string[] {
  const refs: string[] = [];
  const stack: unknown[] = [schema];
  let visited = 0;
  while (stack.length > 0) {
    if (++visited > 5_000_000) throw new Error('schema too large to walk (or cyclic)');
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else stack.push(value);
    }
  }
  return refs;
}

/** The `$ref`s under `schema` that do not resolve inside `schema` (after a JSON round trip). */
export function danglingRefs(schema: unknown): string[] {
  const wire = JSON.parse(JSON.stringify(schema)) as unknown;
  return allRefs(wire).filter((ref) => resolveLocalRef(wire, ref) === undefined);
}

/** Follows `{ $ref }` objects inside `root` until a schema that is not one (at most 100 hops). */
export function followRef(root: unknown, schema: unknown): JsonObject {
  let node = schema as JsonObject;
  for (let hops = 0; hops < 100 && typeof node?.$ref === 'string'; hops++) {
    const next = resolveLocalRef(root, node.$ref);
    if (next === undefined) throw new Error(`dangling $ref ${node.$ref}`);
    node = next as JsonObject;
  }
  return node;
}

/** Depth of nested objects and arrays (iterative). */
export function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

export type Compile = (schema: JsonObject) => (data: unknown) => boolean;

/**
 * A JSON Schema 2020-12 compiler (Ajv, `strict: false` since OpenAPI formats such as `int64` are
 * unknown to it, and JSON Schema allows unknown formats), or undefined when Ajv is not installed.
 */
export async function loadCompiler(): Promise<Compile | undefined> {
  try {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    // One instance: creating one compiles the meta-schemas, which costs more than most tool schemas.
    const ajv = new Ajv2020({ strict: false, validateSchema: true, logger: false });
    return (schema) => {
      const validate = ajv.compile(schema);
      return (data) => validate(data) as boolean;
    };
  } catch {
    return undefined;
  }
}
