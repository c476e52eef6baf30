/**
 * JSON text passed through to the client as it is. A warm start answers `tools/list` from the cached
 * text of the list: building 1,200 tool objects only for the SDK to turn them back into the same
 * 2 MB of text costs tens of milliseconds and megabytes. Over stdio the bytes are spliced into the
 * answer line; any other transport serializes the message itself and gets the parsed value from
 * `toJSON`, so the answer is the same everywhere.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

export class RawJson {
  constructor(readonly bytes: Buffer) {}

  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

/**
 * The wire line (with its newline) of a result whose one top-level field is RawJson, or undefined
 * for every other message.
 */
export function rawResultLine(message: JSONRPCMessage): Buffer | undefined {
  if (!('result' in message) || message.result === null || typeof message.result !== 'object')
    return undefined;
  const entries = Object.entries(message.result);
  const raw = entries.find(([, value]) => value instanceof RawJson);
  if (!raw) return undefined;
  const rest = JSON.stringify(Object.fromEntries(entries.filter(([key]) => key !== raw[0])));
  const { result: _result, ...envelope } = message;
  const head = JSON.stringify(envelope).slice(0, -1);
  const open = `${head}${head.length > 1 ? ',' : ''}"result":${rest.slice(0, -1)}${rest.length > 2 ? ',' : ''}${JSON.stringify(raw[0])}:`;
  return Buffer.concat([Buffer.from(open, 'utf8'), (raw[1] as RawJson).bytes, Buffer.from('}}\n')]);
}
