/**
 * A small XML writer for the EC2 query protocol: elements are built as strings (most of them once,
 * when the account is built), so a response is a join of ready-made `<item>` strings.
 */

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string) : text;
}

/** `<name>value</name>`, or nothing when the value is absent. */
export function el(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>inner</name>` around markup that is already XML. */
export function wrap(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** A list as EC2 writes it: `<name><item>...</item>...</name>`; each entry is the inner markup of an item. */
export function itemSet(name: string, items: readonly string[]): string {
  let out = `<${name}>`;
  for (const item of items) out += `<item>${item}</item>`;
  return `${out}</${name}>`;
}

/** `<tagSet>` of `{key, value}` items; empty tags give an empty set, as EC2 does. */
export function tagSet(tags: ReadonlyArray<readonly [string, string]>): string {
  return itemSet(
    'tagSet',
    tags.map(([key, value]) => el('key', key) + el('value', value)),
  );
}

/** A successful response document: `<ActionResponse xmlns=...><requestId/>body</ActionResponse>`. */
export function responseDocument(action: string, requestId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${el('requestId', requestId)}${body}</${action}Response>`;
}

/** An EC2 error document: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function errorDocument(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${wrap('Errors', wrap('Error', el('Code', code) + el('Message', message)))}${el('RequestID', requestId)}</Response>`;
}
