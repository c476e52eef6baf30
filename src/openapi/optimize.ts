/**
 * optimizeSpec: makes a loaded document smaller before the catalog is built from it: examples go,
 * vendor extensions go (but those asked to be kept), long descriptions keep their first paragraph,
 * and identical component schemas collapse into one. The walk knows which objects are maps of
 * names (`properties`, `paths`, `content`, ...) so a property that happens to be called `example`
 * or `x-id` is never mistaken for a keyword. It changes the document in place: a copy of a 45 MB
 * spec would double the memory this step exists to save.
 */
import { trimDescription } from './schema.js';
import type { JsonObject } from './types.js';

export interface OptimizeOptions {
  examples?: boolean;
  extensions?: boolean;
  /** Vendor extensions kept even when extensions are stripped. */
  keepExtensions?: string[];
  /** Descriptions longer than this keep their first paragraph, clipped to it. 0 turns trimming off. */
  maxDescriptionLength?: number;
  dedupeSchemas?: boolean;
  /** Measure the bytes each step saves (costs a serialization per step). */
  measure?: boolean;
}

export interface OptimizeReport {
  bytesBefore?: number;
  bytesAfter?: number;
  /** Bytes of serialized JSON saved by each step, when measured. */
  saved: { examples?: number; extensions?: number; descriptions?: number; duplicateSchemas?: number };
  counts: { examples: number; extensions: number; descriptions: number; duplicateSchemas: number };
}

// Keywords whose value is a map from names to objects of the keyword kind.
const MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  'schemas',
  'parameters',
  'responses',
  'headers',
  'content',
  'paths',
  'securitySchemes',
  'requestBodies',
  'links',
  'callbacks',
  'encoding',
  'variables',
  '$defs',
  'dependentSchemas',
  'webhooks',
  'examples',
  'pathItems',
]);
// Keywords whose value is data (an instance, not a schema): never walked.
// Security requirements and discriminator mappings are maps of names that may look like keywords.
const DATA = new Set([
  'enum',
  'default',
  'const',
  'example',
  'examples',
  'value',
  'x-examples',
  'security',
  'mapping',
]);

export function optimizeSpec(document: JsonObject, options: OptimizeOptions = {}): OptimizeReport {
  const o = { examples: true, extensions: true, maxDescriptionLength: 300, dedupeSchemas: true, ...options };
  const keep = new Set(o.keepExtensions ?? []);
  const report: OptimizeReport = {
    saved: {},
    counts: { examples: 0, extensions: 0, descriptions: 0, duplicateSchemas: 0 },
  };
  const size = (): number => (o.measure ? Buffer.byteLength(JSON.stringify(document)) : 0);
  let before = size();
  if (o.measure) report.bytesBefore = before;
  const step = (name: keyof OptimizeReport['saved'], run: () => void): void => {
    run();
    if (!o.measure) return;
    const after = size();
    report.saved[name] = before - after;
    before = after;
  };
  if (o.examples) step('examples', () => walk(document, (node) => stripExamples(node, report)));
  if (o.extensions) step('extensions', () => walk(document, (node) => stripExtensions(node, keep, report)));
  if (o.maxDescriptionLength > 0) {
    step('descriptions', () =>
      walk(document, (node) => trimLongDescription(node, o.maxDescriptionLength, report)),
    );
  }
  if (o.dedupeSchemas) step('duplicateSchemas', () => dedupeSchemas(document, report));
  if (o.measure) report.bytesAfter = before;
  return report;
}

/**
 * Visits every object in keyword position (an operation, a schema, a parameter...), iteratively.
 * `visit` may delete keys of the object it is given.
 */
function walk(root: JsonObject, visit: (node: JsonObject) => void): void {
  const stack: Array<{ node: unknown; isMap: boolean }> = [{ node: root, isMap: false }];
  while (stack.length > 0) {
    const { node, isMap } = stack.pop() as { node: unknown; isMap: boolean };
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, isMap: false });
      continue;
    }
    if (isMap) {
      for (const child of Object.values(node)) stack.push({ node: child, isMap: false });
      continue;
    }
    visit(node as JsonObject);
    for (const [key, child] of Object.entries(node)) {
      if (DATA.has(key)) continue;
      stack.push({ node: child, isMap: MAPS.has(key) });
    }
  }
}

// `components.examples` is reached as a map of names, never as a keyword, so every `examples` key
// seen here is the example list or map of a schema, parameter or media type: always removable.
function stripExamples(node: JsonObject, report: OptimizeReport): void {
  for (const key of ['example', 'examples', 'x-examples']) {
    if (!(key in node)) continue;
    delete node[key];
    report.counts.examples++;
  }
}

function stripExtensions(node: JsonObject, keep: Set<string>, report: OptimizeReport): void {
  for (const key of Object.keys(node)) {
    if (key.startsWith('x-') && !keep.has(key)) {
      delete node[key];
      report.counts.extensions++;
    }
  }
}

function trimLongDescription(node: JsonObject, max: number, report: OptimizeReport): void {
  const text = node.description;
  if (typeof text !== 'string' || text.length <= max) return;
  node.description = trimDescription(text, max);
  report.counts.descriptions++;
}

/** Replaces each component schema identical to an earlier one with a `$ref` to that one. */
function dedupeSchemas(document: JsonObject, report: OptimizeReport): void {
  const components = document.components as JsonObject | undefined;
  const schemas = (components?.schemas ?? (document.definitions as JsonObject | undefined)) as
    | JsonObject
    | undefined;
  if (!schemas || typeof schemas !== 'object') return;
  const prefix = components?.schemas ? '#/components/schemas/' : '#/definitions/';
  const firstByShape = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    if (schema === null || typeof schema !== 'object' || '$ref' in (schema as JsonObject)) continue;
    const shape = canonical(schema);
    // Tiny schemas ({type: string}) are cheaper inline than as a reference.
    if (shape.length < 64) continue;
    const first = firstByShape.get(shape);
    if (first === undefined) firstByShape.set(shape, name);
    else {
      schemas[name] = { $ref: prefix + first.replace(/~/g, '~0').replace(/\//g, '~1') };
      report.counts.duplicateSchemas++;
    }
  }
}

/** JSON with object keys sorted, so equal schemas serialize equally. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: JsonObject = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as JsonObject)[key];
    return sorted;
  });
}
