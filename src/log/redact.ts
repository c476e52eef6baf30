/**
 * Secret redaction for anything that leaves the process as text: log lines now, error messages and
 * tool results later. Bounded in depth and breadth so that a hostile object cannot stall a log call.
 */
export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /pass(word|phrase)?|secret|token|authori[sz]ation|api[-_]?key|cookie|credential|private[-_]?key/i;
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{4,}/g;
const MAX_DEPTH = 8;
const MAX_KEYS = 200;

/** Returns a copy of `value` with secrets replaced by `[REDACTED]`. */
export function redact(value: unknown, secrets: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message, secrets),
      code: (value as { code?: unknown }).code,
    };
  }
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => redact(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, item] of Object.entries(value)) {
    if (++count > MAX_KEYS) break;
    out[key] =
      SECRET_KEY.test(key) && item !== undefined && item !== null
        ? REDACTED
        : redact(item, secrets, depth + 1);
  }
  return out;
}

/** Replaces registered secret values and `Bearer …`-style credentials inside a string. */
export function redactString(text: string, secrets: ReadonlySet<string> = new Set()): string {
  return redactSecrets(
    text.replace(CREDENTIAL, (_match, scheme: string) => `${scheme} ${REDACTED}`),
    secrets,
  );
}

/** Replaces registered secret values only: for data, where a `Bearer …` pattern may be the data itself. */
export function redactSecrets(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
