/**
 * An operation's tool as the JSON text a client receives, written straight from the catalog: the
 * same text as `JSON.stringify` of its wire form (tool-definition.ts, then the server's `wireTools`),
 * without building that object. A cold start lists a thousand operations right after building the
 * catalog, before V8 has optimized any of it: copying every input schema to add the `$defs` and the
 * meta arguments, then serializing it, was a sixth of the start. Here the parts that operations
 * share are serialized once: a parameter's schema (`owner`, `repo`, `per_page` in hundreds of
 * GitHub operations) and each shared definition.
 */
import { annotationsFor, describeOperation, META_PROPERTIES, toolOutputSchema } from './tool-definition.js';
import { listedDefinitions } from './tool-schema.js';
import type { Catalog, JsonObject, Operation } from './types.js';

/**
 * The texts already written for one listing, by object: a parameter's schema or a definition that
 * many operations share is written once.
 */
export class ToolJsonMemo {
  private readonly texts = new WeakMap<object, string>();
  /** The annotations after their title, by method: every GET's are the same. */
  private readonly hints = new Map<string, string>();

  json(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    let known = this.texts.get(value);
    if (known === undefined) {
      known = JSON.stringify(value);
      this.texts.set(value, known);
    }
    return known;
  }

  /** `JSON.stringify(annotationsFor(op))`, given the title already written as JSON. */
  annotations(op: Operation, titleJson: string): string {
    let hints = this.hints.get(op.method);
    if (hints === undefined) {
      const { title: _title, ...rest } = annotationsFor(op);
      hints = JSON.stringify(rest).slice(1);
      this.hints.set(op.method, hints);
    }
    return `{"title":${titleJson},${hints}`;
  }
}

/** Each meta argument as a member of `properties`, written once. */
const META_MEMBERS = Object.entries(META_PROPERTIES).map(
  ([key, schema]) => [key, `${JSON.stringify(key)}:${JSON.stringify(schema)}`] as const,
);

/** `JSON.stringify` of the tool `op` lists as (see the module comment). */
export function operationToolJson(
  op: Operation,
  definitions: Catalog['definitions'],
  budgetBytes: number,
  memo: ToolJsonMemo,
): string {
  let text = `{"name":${JSON.stringify(op.name)},"inputSchema":${inputSchemaJson(op, definitions, budgetBytes, memo)}`;
  const title = JSON.stringify(op.title);
  text += `,"title":${title},"description":${JSON.stringify(describeOperation(op))}`;
  if (op.outputSchema !== undefined)
    text += `,"outputSchema":${JSON.stringify(toolOutputSchema(op, definitions, budgetBytes))}`;
  return `${text},"annotations":${memo.annotations(op, title)}}`;
}

/** The input schema's members in their order, `properties` with the meta arguments, then `$defs`. */
function inputSchemaJson(
  op: Operation,
  definitions: Catalog['definitions'],
  budgetBytes: number,
  memo: ToolJsonMemo,
): string {
  const schema = op.inputSchema;
  let text = '{';
  const member = (key: string, json: string) => {
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${json}`;
  };
  for (const key in schema) {
    if (!Object.hasOwn(schema, key) || schema[key] === undefined) continue;
    member(
      key,
      key === 'properties'
        ? propertiesJson(schema.properties as JsonObject, memo)
        : JSON.stringify(schema[key]),
    );
  }
  if (op.defs.length > 0)
    member('$defs', definitionsJson(listedDefinitions(op.defs, definitions, budgetBytes), memo));
  // The meta arguments make a `properties` where there was none, after everything else.
  if (!Object.hasOwn(schema, 'properties')) member('properties', propertiesJson({}, memo));
  return `${text}}`;
}

function definitionsJson(listed: Array<[string, unknown]>, memo: ToolJsonMemo): string {
  // An object puts keys like "200" first, in numeric order: such names are listed as one would.
  if (listed.some(([key]) => INDEX.test(key))) return JSON.stringify(Object.fromEntries(listed));
  let text = '{';
  for (const [key, value] of listed)
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${memo.json(value)}`;
  return `${text}}`;
}

/** A property name that is an array index, which objects order before all others. */
const INDEX = /^(?:0|[1-9]\d{0,9})$/;

function propertiesJson(properties: JsonObject, memo: ToolJsonMemo): string {
  let text = '{';
  for (const key in properties) {
    if (!Object.hasOwn(properties, key)) continue;
    const value = properties[key];
    if (value === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${memo.json(value)}`;
  }
  for (const [key, member] of META_MEMBERS) {
    if (Object.hasOwn(properties, key)) continue;
    if (text.length > 1) text += ',';
    text += member;
  }
  return `${text}}`;
}
