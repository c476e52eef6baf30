/**
 * Reading policy files: JSON or YAML by content, CloudFormation short-form tags, parse errors with
 * their line and column, and files that cannot be read.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import yaml from 'js-yaml';
import { parsePolicyText, readPolicyFile } from '../../../src/topology/policy/read.js';
import { formatPolicyReport } from '../../../src/topology/policy/report.js';
import { basePolicy, where } from './documents.js';

const YAML_POLICY = `# a policy kept in YAML
version: "2025.11"
core-network-configuration:
  asn-ranges: ["64512-65534"]
  edge-locations:
    - location: us-east-1
    - location: eu-west-1
segments:
  - name: production
    isolate-attachments: true
  - name: development
attachment-policies:
  - rule-number: 100
    conditions:
      - type: account-id
        operator: equals
        value: !Ref SpokeAccount
    action:
      association-method: constant
      segment: development
`;

describe('reading policy files', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headroom-policy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('reads YAML and validates it like the same document in JSON', async () => {
    const doc = basePolicy();
    const fromYaml = await readPolicyFile(await file('policy.yaml', yaml.dump(doc)));
    const fromJson = await readPolicyFile(await file('policy.json', JSON.stringify(doc, null, 2)));
    assert.equal(fromYaml.valid, true);
    assert.equal(fromYaml.version, '2025.11');
    assert.deepEqual(fromYaml.policy, doc);
    assert.deepEqual({ ...fromYaml, source: '' }, { ...fromJson, source: '' });
  });

  it('reads a CloudFormation !Ref as a leftover to report, not as a parse error', async () => {
    const report = await readPolicyFile(await file('cfn.yaml', YAML_POLICY));
    assert.deepEqual(where(report.errors), ['intrinsic-function /attachment-policies/0/conditions/0/value']);
    assert.deepEqual(report.warnings, []);
    assert.ok(report.policy);
  });

  it('explains a version that YAML read as a number', () => {
    const report = parsePolicyText(YAML_POLICY.replace('"2025.11"', '2025.11'), 'unquoted.yaml');
    assert.deepEqual(where(report.errors), [
      'intrinsic-function /attachment-policies/0/conditions/0/value',
      'invalid-type /version',
    ]);
    assert.match(report.errors[1]!.message, /quote it in YAML/);
  });

  it('gives the line and column of a YAML syntax error', async () => {
    const broken = 'version: "2025.11"\nsegments:\n  - name: production\n   - name: development\n';
    const report = await readPolicyFile(await file('broken.yaml', broken));
    assert.equal(report.valid, false);
    assert.equal(report.policy, undefined);
    const error = report.errors[0]!;
    assert.equal(report.errors.length, 1);
    assert.equal(error.code, 'parse-error');
    assert.equal(error.line, 4);
    assert.match(error.message, /^invalid YAML: /);
    assert.match(formatPolicyReport(report), /^ERROR line 4, column \d+: invalid YAML: /);
  });

  it('reports duplicate YAML keys as a parse error', () => {
    const report = parsePolicyText('version: "2025.11"\nversion: "2021.12"\n', 'dup.yaml');
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.line]),
      [['parse-error', 2]],
    );
  });

  it('gives the line and column of a JSON syntax error, naming a trailing comma', async () => {
    const text = '{\n  "version": "2025.11",\n  "segments": [\n    {"name": "a"},\n  ]\n}\n';
    const report = await readPolicyFile(await file('trailing.json', text));
    assert.deepEqual(report.errors, [
      {
        code: 'parse-error',
        pointer: '',
        message: 'invalid JSON: unexpected "]" after a trailing comma: remove the comma',
        line: 5,
        column: 3,
      },
    ]);
    assert.equal(
      formatPolicyReport(report),
      [
        'ERROR line 5, column 3: invalid JSON: unexpected "]" after a trailing comma: remove the comma',
        `${join(dir, 'trailing.json')}: not valid, 1 error, 0 warnings`,
      ].join('\n'),
    );
  });

  it('says where truncated JSON ends', () => {
    const report = parsePolicyText('{\n  "version": "2025.11",\n  "segments": [', 'cut.json');
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.line, e.column]),
      [['parse-error', 3, 16]],
    );
    assert.match(report.errors[0]!.message, /ends early/);
  });

  it('stops at a YAML alias bomb instead of walking its expansion', () => {
    // Ten levels of ten aliases each: 10^10 nodes once expanded, from a few hundred bytes.
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 10; i++)
      lines.push(
        `l${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const started = Date.now();
    const report = parsePolicyText(lines.join('\n'), 'bomb.yaml');
    assert.deepEqual(where(report.errors), ['document-too-large ']);
    assert.ok(Date.now() - started < 5000, 'bounded by the node budget');
  });

  it('reads JSON with a byte order mark', () => {
    const report = parsePolicyText(`\uFEFF${JSON.stringify(basePolicy())}`, 'bom.json');
    assert.equal(report.valid, true);
  });

  it('reports an empty file', () => {
    const report = parsePolicyText('  \n', 'empty.json');
    assert.deepEqual(where(report.errors), ['parse-error ']);
    assert.match(report.errors[0]!.message, /empty/);
  });

  it('reports a missing file as an issue, not an exception', async () => {
    const path = join(dir, 'nope.json');
    const report = await readPolicyFile(path);
    assert.deepEqual(where(report.errors), ['read-failed ']);
    assert.equal(
      report.errors[0]!.message,
      `cannot read ${path}: no such file; check the path and its permissions`,
    );
  });

  it('refuses a file over the size limit without parsing it', async () => {
    const path = await file('big.json', JSON.stringify(basePolicy()));
    const report = await readPolicyFile(path, { maxBytes: 100 });
    assert.deepEqual(where(report.errors), ['file-too-large ']);
    assert.match(report.errors[0]!.message, /over the 100-byte limit/);
  });
});
