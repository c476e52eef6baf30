/**
 * `validatePolicy`: checks a Cloud WAN core network policy document in three passes. Template
 * leftovers first (anywhere in the document), then the structure of each section (which also
 * records names, references, static routes and ASNs), then the checks that compare sections.
 */

import type { CoreNetworkPolicy } from '../policy-types.js';
import { Context, checkKeys, describe, isObject } from './check.js';
import { findIntrinsics, isUnresolved } from './intrinsics.js';
import { IssueList, type PolicyReport } from './report.js';
import { checkAsns } from './semantics-asn.js';
import { checkNames } from './semantics-names.js';
import { checkSharing, checkStaticRoutes } from './semantics-routes.js';
import { checkSegmentActions } from './structure-actions.js';
import { checkAttachmentPolicies } from './structure-attachments.js';
import {
  checkCoreNetworkConfiguration,
  checkNetworkFunctionGroups,
  checkSegments,
  checkVersion,
} from './structure-core.js';
import { checkAttachmentRoutingPolicyRules, checkRoutingPolicies } from './structure-routing.js';

const TOP_LEVEL_KEYS = [
  'version',
  'core-network-configuration',
  'segments',
  'network-function-groups',
  'segment-actions',
  'attachment-policies',
  'routing-policies',
  'attachment-routing-policy-rules',
];

/**
 * Validates a parsed policy document. `source` names it in the report (a path, `-`, a core network
 * id). Never throws for a bad document: every problem is an issue with a JSON pointer.
 */
export function validatePolicy(document: unknown, source: string): PolicyReport {
  const issues = new IssueList();
  const ctx = new Context(issues);
  const walked = findIntrinsics(document, issues);
  let usable = false;
  if (walked && !isUnresolved(document)) {
    if (!isObject(document)) {
      ctx.fail(
        'invalid-type',
        '',
        `a core network policy is a JSON object with "version", "core-network-configuration" and "segments", not ${describe(document)}`,
      );
    } else {
      checkKeys(ctx, document, '', 'a core network policy', TOP_LEVEL_KEYS);
      checkVersion(ctx, document);
      checkCoreNetworkConfiguration(ctx, document);
      checkSegments(ctx, document);
      checkNetworkFunctionGroups(ctx, document);
      checkSegmentActions(ctx, document);
      checkAttachmentPolicies(ctx, document);
      checkRoutingPolicies(ctx, document);
      checkAttachmentRoutingPolicyRules(ctx, document);
      checkNames(ctx.facts, issues);
      checkStaticRoutes(ctx.facts, issues);
      checkSharing(ctx.facts, issues);
      checkAsns(ctx.facts, issues);
      usable = ctx.structureErrors === 0;
    }
  }
  issues.noteDropped();
  const report: PolicyReport = {
    source,
    valid: issues.errors.length === 0,
    errors: issues.errors,
    warnings: issues.warnings,
  };
  if (ctx.version) report.version = ctx.version;
  if (usable) report.policy = document as CoreNetworkPolicy;
  return report;
}
