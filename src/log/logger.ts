/**
 * A small structured logger. It writes to stderr only, because stdout belongs to the MCP stdio
 * transport, and it redacts secrets before anything is formatted: fields whose names look like
 * secrets, `Bearer`/`Basic` credentials inside strings, and any value registered with `addSecret`.
 */
import { redact, redactSecrets } from './redact.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'text';
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: 99 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stderr unless a test captures them. Never stdout in a server. */
  stream?: { write(line: string): unknown };
  /** Fields added to every line, such as the component name. */
  bindings?: LogFields;
  /** Known secret values to scrub from every line. Shared with children. */
  secrets?: Set<string>;
  now?: () => Date;
}

export class Logger {
  readonly level: LogLevel;
  readonly format: LogFormat;
  private readonly stream: { write(line: string): unknown };
  private readonly bindings: LogFields;
  private readonly secrets: Set<string>;
  private readonly now: () => Date;

  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.format = options.format ?? 'text';
    this.stream = options.stream ?? process.stderr;
    this.bindings = options.bindings ?? {};
    this.secrets = options.secrets ?? new Set();
    this.now = options.now ?? (() => new Date());
  }

  /** A logger that adds `bindings` to every line and shares this one's level, stream and secrets. */
  child(bindings: LogFields): Logger {
    return new Logger({
      level: this.level,
      format: this.format,
      stream: this.stream,
      bindings: { ...this.bindings, ...bindings },
      secrets: this.secrets,
      now: this.now,
    });
  }

  /** Registers a secret value (a token, a password) so that it never appears in a line. */
  addSecret(value: string): void {
    // Very short values would scrub ordinary words; secrets that short are not worth hiding.
    if (value.length >= 4) this.secrets.add(value);
  }

  /**
   * `text` with every registered secret replaced, for text that leaves the process other than as a
   * log line (tool results, error messages). The `Bearer …` pattern of log lines is left alone: an
   * API's own data must reach the model as the API sent it, less the secrets.
   */
  scrub(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level] && level !== 'silent';
  }

  trace(message: string, fields?: LogFields): void {
    this.log('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const record = redact(
      { time: this.now().toISOString(), level, msg: message, ...this.bindings, ...fields },
      this.secrets,
    ) as LogFields;
    this.stream.write(this.format === 'json' ? `${JSON.stringify(record)}\n` : formatText(record));
  }
}

function formatText(record: LogFields): string {
  const { time, level, msg, ...rest } = record;
  const extra = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra ? ` ${extra}` : ''}\n`;
}
