/**
 * Cloud WAN core network policy validation: structure, cross-section checks and template leftovers.
 */

export { DEFAULT_MAX_POLICY_BYTES, parsePolicyText, type ReadPolicyOptions, readPolicyFile } from './read.js';
export { formatPolicyReport, MAX_POLICY_ISSUES, type PolicyIssue, type PolicyReport } from './report.js';
export { validatePolicy } from './validate.js';
