/**
 * What policy validation hands back: issues with a stable code and a JSON pointer, split into errors
 * (AWS would refuse the document, or the engine cannot use it as written) and warnings (accepted, but
 * probably not what was meant), and the text form the CLI prints.
 */

import type { CoreNetworkPolicy, PolicyVersion } from '../policy-types.js';

export interface PolicyIssue {
  /** Stable kebab-case code, e.g. `unknown-segment`, `intrinsic-function`. */
  code: string;
  /** JSON pointer into the document (RFC 6901); `''` is the whole document. */
  pointer: string;
  message: string;
  /** 1-based, for text that could not be parsed (there is no pointer to give then). */
  line?: number;
  column?: number;
}

export interface PolicyReport {
  /** How the caller named the document (a path, `-`, a core network id). */
  source: string;
  /** No errors. Warnings do not make a policy invalid. */
  valid: boolean;
  /** The document's `version` when it is one AWS supports. */
  version?: PolicyVersion;
  errors: PolicyIssue[];
  warnings: PolicyIssue[];
  /**
   * The document, present when its structure is usable (no structural errors), even if a semantic
   * check failed or an intrinsic function is left in it: `valid` says whether AWS would take it.
   */
  policy?: CoreNetworkPolicy;
}

/** Issues kept per kind; the rest are counted. A broken generator should not flood the CLI. */
export const MAX_POLICY_ISSUES = 200;

/** Collects issues in the order found, up to a cap per kind. */
export class IssueList {
  readonly errors: PolicyIssue[] = [];
  readonly warnings: PolicyIssue[] = [];
  private droppedErrors = 0;
  private droppedWarnings = 0;

  constructor(private readonly cap = MAX_POLICY_ISSUES) {}

  error(code: string, pointer: string, message: string): void {
    if (this.errors.length < this.cap) this.errors.push({ code, pointer, message });
    else this.droppedErrors++;
  }

  warning(code: string, pointer: string, message: string): void {
    if (this.warnings.length < this.cap) this.warnings.push({ code, pointer, message });
    else this.droppedWarnings++;
  }

  /** Adds one last issue per kind saying how many were not kept (over the cap). */
  noteDropped(): void {
    const note = (count: number, kind: string) =>
      `${count} more ${kind} not shown (at most ${this.cap} are kept): fix the ones above and validate again`;
    if (this.droppedErrors > 0) {
      this.errors.push(issue('too-many-issues', note(this.droppedErrors, 'errors')));
    }
    if (this.droppedWarnings > 0) {
      this.warnings.push(issue('too-many-issues', note(this.droppedWarnings, 'warnings')));
    }
  }
}

function issue(code: string, message: string): PolicyIssue {
  return { code, pointer: '', message };
}

/**
 * One line per issue, errors first, then a summary line:
 * `ERROR /segment-actions/2/segment: unknown segment "prod" (segments: production, development)`.
 */
export function formatPolicyReport(report: PolicyReport): string {
  const lines: string[] = [];
  for (const item of report.errors) lines.push(`ERROR ${where(item)}: ${item.message}`);
  for (const item of report.warnings) lines.push(`WARNING ${where(item)}: ${item.message}`);
  const counts = `${plural(report.errors.length, 'error')}, ${plural(report.warnings.length, 'warning')}`;
  const version = report.version ? ` (version ${report.version})` : '';
  lines.push(`${report.source}: ${report.valid ? 'valid' : 'not valid'}${version}, ${counts}`);
  return lines.join('\n');
}

function where(item: PolicyIssue): string {
  if (item.line !== undefined) return `line ${item.line}${item.column ? `, column ${item.column}` : ''}`;
  return item.pointer === '' ? '(document)' : item.pointer;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
