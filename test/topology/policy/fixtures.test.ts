/**
 * The thirty real policies from aws-samples/aws-cloud-wan-blueprints: every one is structurally
 * sound, none but the one with a CloudFormation leftover has an error (or a warning), and what the
 * validator hands back has the counts INDEX.json records.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readPolicyFile } from '../../../src/topology/policy/read.js';

const DIR = fileURLToPath(new URL('../../fixtures/cloudwan-policies/', import.meta.url));

interface IndexEntry {
  out: string;
  version: string;
  edges: number;
  segments: number;
  nfgs: number;
  attachPolicies: number;
  segmentActions: number;
  routingPolicies: number;
  intrinsics: boolean;
}

const INDEX = JSON.parse(readFileSync(join(DIR, 'INDEX.json'), 'utf8')) as IndexEntry[];

describe('Cloud WAN policy fixtures', () => {
  it('INDEX.json lists thirty documents, exactly one with an intrinsic leftover', () => {
    assert.equal(INDEX.length, 30);
    assert.deepEqual(
      INDEX.filter((entry) => entry.intrinsics).map((entry) => entry.out),
      ['2-multi_account__cloudformation__core_network__CoreNetwork.json'],
    );
  });

  for (const entry of INDEX) {
    it(`${entry.out}`, async () => {
      const report = await readPolicyFile(join(DIR, entry.out));
      // Structure passes: the document comes back as a policy, whatever the semantic outcome.
      assert.ok(report.policy, `no policy: ${JSON.stringify(report.errors)}`);
      assert.equal(report.version, entry.version);
      assert.deepEqual(report.warnings, []);
      if (entry.intrinsics) {
        assert.equal(report.valid, false);
        assert.deepEqual(
          report.errors.map((e) => [e.code, e.pointer]),
          [['intrinsic-function', '/attachment-policies/0/conditions/2/value']],
        );
        assert.match(report.errors[0]!.message, /\{"Ref": "SpokeAccount"\}.*resolve it/);
      } else {
        assert.deepEqual(report.errors, []);
        assert.equal(report.valid, true);
      }
      const policy = report.policy;
      assert.equal(policy['core-network-configuration']['edge-locations'].length, entry.edges);
      assert.equal(policy.segments.length, entry.segments);
      assert.equal(policy['network-function-groups']?.length ?? 0, entry.nfgs);
      assert.equal(policy['attachment-policies']?.length ?? 0, entry.attachPolicies);
      assert.equal(policy['segment-actions']?.length ?? 0, entry.segmentActions);
      assert.equal(policy['routing-policies']?.length ?? 0, entry.routingPolicies);
    });
  }
});
