/**
 * Reading a Cloud WAN tool's arguments. The SDK passes arguments unchecked, so every tool reads
 * them through this: a wrong type or an unknown name is an error that says which argument, what
 * was given and what is expected, before any work is done.
 */
import { ToolArgumentError } from '../../errors.js';
import { closestNames } from '../server.js';

export class Args {
  constructor(
    private readonly tool: string,
    private readonly values: Record<string, unknown>,
    known: readonly string[],
  ) {
    for (const name of Object.keys(values)) {
      if (known.includes(name)) continue;
      const near = closestNames(name, known, 1)[0];
      throw new ToolArgumentError(
        `${tool}: unknown argument '${name}'${near ? ` (did you mean '${near}'?)` : ''}; it takes ${known.join(', ') || 'no arguments'}`,
      );
    }
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw this.wrong(name, value, 'a non-empty string');
    return value.trim();
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new ToolArgumentError(`${this.tool}: '${name}' is required`);
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw this.wrong(name, value, `an integer from ${min} to ${max}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw this.wrong(name, value, 'true or false');
    return value;
  }

  oneOf<const T extends string>(name: string, choices: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(choices as readonly string[]).includes(value))
      throw this.wrong(name, value, `one of ${choices.join(', ')}`);
    return value as T;
  }

  /** A JSON object, or a string holding one (models often send a document as text). */
  object(name: string): Record<string, unknown> | string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' || (typeof value === 'object' && !Array.isArray(value)))
      return value as Record<string, unknown> | string;
    throw this.wrong(name, value, 'a JSON object or its text');
  }

  private wrong(name: string, value: unknown, expected: string): ToolArgumentError {
    const shown = JSON.stringify(value) ?? String(value);
    return new ToolArgumentError(
      `${this.tool}: '${name}' must be ${expected}, got ${shown.length > 60 ? `${shown.slice(0, 60)}...` : shown}`,
    );
  }
}
