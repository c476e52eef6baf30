/**
 * `$ref` resolution across documents. All the documents a spec refers to are fetched first (an
 * async pass that follows refs transitively), so that building the catalog can then resolve any ref
 * synchronously. Refs to files outside the spec's folder and to remote URLs are refused unless
 * allowed, because a spec is untrusted input and a ref is a read of the user's disk or network.
 */
import { realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SpecError } from '../errors.js';
import { LazyJson, materialize } from './sparse.js';
import type { JsonObject } from './types.js';

export interface RefPolicy {
  /** Allow refs to files outside the folder of the root spec. */
  allowOutsideFolder?: boolean;
  /** Allow refs to http(s) URLs. */
  allowRemote?: boolean;
  /** Most documents one spec may pull in. */
  maxDocuments?: number;
}

/** Reads and parses one referenced document (JSON or YAML) given its absolute URL. */
export type DocumentLoader = (url: URL) => Promise<unknown>;

/** Where a value lives: the absolute URL of its document and the JSON pointer inside it. */
export interface RefTarget {
  doc: string;
  pointer: string;
  value: unknown;
}

export class RefResolver {
  readonly rootUrl: string;
  private readonly documents: Map<string, unknown>;
  /**
   * Resolved refs by document, then by ref: a large spec names the same few hundred schemas tens of
   * thousands of times, and each resolution splits, decodes and walks the pointer again. Two levels
   * rather than one key joining both: the ref strings come from the parsed spec and V8 keeps each
   * string's hash, while a joined key is a new string to copy and hash on every lookup.
   */
  private readonly resolved = new Map<string, Map<string, RefTarget>>();

  constructor(rootUrl: string, documents: Map<string, unknown>) {
    this.rootUrl = rootUrl;
    this.documents = documents;
  }

  /** The root document's URL for a spec read from `file` or `url` (stdin specs get a placeholder). */
  static rootUrlFor(source: { file?: string; url?: string }): string {
    if (source.file) return pathToFileURL(source.file).href;
    return source.url ?? 'stdin:///spec';
  }

  /** Resolves `ref` found in document `fromDoc`; throws a SpecError when it dangles. */
  resolve(ref: string, fromDoc: string): RefTarget {
    let inDoc = this.resolved.get(fromDoc);
    if (inDoc === undefined) {
      inDoc = new Map();
      this.resolved.set(fromDoc, inDoc);
    }
    let target = inDoc.get(ref);
    if (target === undefined) {
      target = this.lookUp(ref, fromDoc);
      inDoc.set(ref, target);
    }
    return target;
  }

  private lookUp(ref: string, fromDoc: string): RefTarget {
    const { doc, pointer } = splitRef(ref, fromDoc);
    const root = this.documents.get(doc);
    if (root === undefined)
      throw new SpecError(doc, `$ref '${ref}' points into ${doc}, which was not loaded`);
    // A Swagger 2.0 file referenced from a converted spec still has `definitions`, while the refs
    // into it were rewritten to OpenAPI 3 paths.
    const value = getPointer(root, pointer) ?? getPointer(root, swagger2Pointer(pointer));
    if (value === undefined)
      throw new SpecError(doc, `$ref '${ref}' does not resolve: nothing at ${pointer || '/'} in ${doc}`);
    return { doc, pointer, value };
  }

  /**
   * Follows a chain of refs (`$ref` objects whose target is itself a `$ref`) to the first value that
   * is not one, guarding against loops. Used for parameters, bodies and responses.
   */
  deref(value: unknown, fromDoc: string): { value: unknown; doc: string } {
    // Most values are not refs: no loop guard to build for them.
    if (!isRef(value)) return { value, doc: fromDoc };
    // Most refs point at a value that is not one: no loop guard to build for them either.
    const first = this.resolve(value.$ref, fromDoc);
    if (!isRef(first.value)) return { value: first.value, doc: first.doc };
    let doc = fromDoc;
    const seen = new Set<string>();
    while (isRef(value)) {
      const target = this.resolve(value.$ref, doc);
      const key = `${target.doc}#${target.pointer}`;
      if (seen.has(key)) throw new SpecError(doc, `$ref loop through '${value.$ref}'`);
      seen.add(key);
      value = target.value;
      doc = target.doc;
    }
    return { value, doc };
  }
}

/** Fetches every document reachable through refs from `root`, applying `policy`. */
export async function loadReferencedDocuments(
  root: unknown,
  rootUrl: string,
  load: DocumentLoader,
  policy: RefPolicy = {},
): Promise<Map<string, unknown>> {
  const documents = new Map<string, unknown>([[rootUrl, root]]);
  const maxDocuments = policy.maxDocuments ?? 200;
  const queue: Array<{ doc: string; value: unknown }> = [{ doc: rootUrl, value: root }];
  while (queue.length > 0) {
    const { doc, value } = queue.pop() as { doc: string; value: unknown };
    for (const ref of externalRefs(value)) {
      const target = splitRef(ref, doc).doc;
      if (documents.has(target)) continue;
      checkPolicy(target, rootUrl, ref, doc, policy);
      if (documents.size >= maxDocuments) {
        throw new SpecError(
          rootUrl,
          `the spec refers to more than ${maxDocuments} documents; is a $ref looping through generated URLs?`,
        );
      }
      const loaded = await load(new URL(target));
      documents.set(target, loaded);
      queue.push({ doc: target, value: loaded });
    }
  }
  return documents;
}

function checkPolicy(target: string, rootUrl: string, ref: string, from: string, policy: RefPolicy): void {
  const url = new URL(target);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (policy.allowRemote) return;
    throw new SpecError(
      from,
      `$ref '${ref}' in ${from} points to a remote document (${target}); remote refs are off by default. ` +
        'Pass --allow-remote-refs if you trust this spec.',
    );
  }
  if (url.protocol !== 'file:')
    throw new SpecError(from, `$ref '${ref}' in ${from}: cannot load ${url.protocol} documents`);
  if (!rootUrl.startsWith('file:')) {
    throw new SpecError(
      from,
      `$ref '${ref}' in ${from} points to a local file, but the spec itself is not a local file`,
    );
  }
  // Before the folder check, even when refs may leave the folder: the loader needs a path too.
  const path = filePathOf(url, ref, from);
  if (policy.allowOutsideFolder) return;
  // Compared after resolving symbolic links, or a link inside the folder would lead anywhere.
  const folder = realpathOrSelf(dirname(fileURLToPath(rootUrl))) + sep;
  if (realpathOrSelf(path).startsWith(folder)) return;
  throw new SpecError(
    from,
    `$ref '${ref}' in ${from} points outside the spec's folder (${path}); ` +
      'pass --allow-external-refs if that file is meant to be read.',
  );
}

/**
 * The local path of a file URL a ref resolved to. Some refs resolve to file URLs no path matches: a
 * protocol-relative `//host/api.yaml` gives the file URL a host, and an encoded slash (`..%2f`)
 * cannot be part of a file name; Node throws a TypeError for those, which must not end the process.
 */
function filePathOf(url: URL, ref: string, from: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpecError(
      from,
      `$ref '${ref}' in ${from} is not a usable file reference (${reason}); refer to a file by a path ` +
        'relative to the spec (./common.yaml), or to a remote document by its full https:// URL',
      {},
      error,
    );
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A missing file is reported, with its name, when it is read.
    return path;
  }
}

// Keys whose values are example or default data, where a `$ref` is a value, not a reference.
const DATA_KEYS = new Set(['example', 'examples', 'default', 'enum', 'const', 'x-examples']);

/** The `$ref` strings under `value` that point into other documents (data values excepted). */
function* externalRefs(value: unknown): Generator<string> {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === '$ref' && typeof child === 'string' && !child.startsWith('#')) yield child;
      else if (!DATA_KEYS.has(key)) stack.push(child);
    }
  }
}

export function isRef(value: unknown): value is { $ref: string } {
  return (
    value !== null && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string'
  );
}

/** Splits a ref into the absolute URL of its document and the JSON pointer (without '#'). */
export function splitRef(ref: string, fromDoc: string): { doc: string; pointer: string } {
  const hash = ref.indexOf('#');
  const location = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  let doc = fromDoc;
  if (location !== '') {
    try {
      doc = new URL(location, fromDoc).href;
    } catch {
      throw new SpecError(fromDoc, `$ref '${ref}' is not a valid reference`);
    }
  }
  return { doc, pointer: safeDecode(fragment) };
}

function safeDecode(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/**
 * Reads a JSON pointer (`/components/schemas/Pet`); undefined when any step is missing. Values kept
 * lazy by a sparse parse are parsed here, on first use, and put in place of their placeholder.
 */
export function getPointer(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return materialize(root);
  if (!pointer.startsWith('/')) return undefined;
  let node = materialize(root);
  for (const raw of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!Object.hasOwn(node, key)) return undefined;
    const parent = node as JsonObject;
    node = parent[key];
    if (node instanceof LazyJson) {
      node = node.value();
      parent[key] = node;
    }
  }
  return node;
}

const SWAGGER2_PLACES: Array<[string, string]> = [
  ['/components/schemas/', '/definitions/'],
  ['/components/parameters/', '/parameters/'],
  ['/components/requestBodies/', '/parameters/'],
  ['/components/responses/', '/responses/'],
];

function swagger2Pointer(pointer: string): string {
  for (const [openapi3, swagger2] of SWAGGER2_PLACES) {
    if (pointer.startsWith(openapi3)) return swagger2 + pointer.slice(openapi3.length);
  }
  return pointer;
}
