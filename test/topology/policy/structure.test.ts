/**
 * Structure checks of the document's frame (version, core network configuration, segments, network
 * function groups): the base policy broken in one place at a time; each test names the exact issues
 * (code and pointer) it expects and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatePolicy } from '../../../src/topology/policy/validate.js';
import { basePolicy, type Doc, only, where } from './documents.js';

function check(change: (doc: Doc) => void) {
  const doc = basePolicy();
  change(doc);
  return validatePolicy(doc, 'test.json');
}

/** Asserts the report has exactly these errors (as `code pointer`) and no document handed back. */
function expectErrors(change: (doc: Doc) => void, expected: string[]) {
  const report = check(change);
  assert.deepEqual(where(report.errors), expected);
  assert.equal(report.valid, false);
  assert.equal(report.policy, undefined);
  return report;
}

describe('policy structure: the base document', () => {
  it('is valid, with no warnings, and comes back as the policy', () => {
    const report = check(() => {});
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.warnings, []);
    assert.equal(report.valid, true);
    assert.equal(report.version, '2025.11');
    assert.ok(report.policy);
  });

  it('accepts version 2021.12 when no 2025.11 feature is used', () => {
    const report = check((d) => {
      d.version = '2021.12';
    });
    assert.deepEqual(report.errors, []);
    assert.equal(report.version, '2021.12');
  });

  it('refuses a document that is not an object', () => {
    const report = validatePolicy([1, 2], 'x');
    assert.deepEqual(where(report.errors), ['invalid-type ']);
    assert.match(report.errors[0]!.message, /not an array/);
  });
});

describe('policy structure: version and core network configuration', () => {
  it('needs a version', () => {
    expectErrors((d) => delete d.version, ['missing-field ']);
  });

  it('names the supported versions for an unknown one', () => {
    const report = expectErrors((d) => (d.version = '2022.01'), ['invalid-value /version']);
    assert.match(report.errors[0]!.message, /use "2021\.12" or "2025\.11"/);
    assert.equal(report.version, undefined);
  });

  it('explains a version that YAML read as a number', () => {
    const report = expectErrors((d) => (d.version = 2025.11), ['invalid-type /version']);
    assert.match(report.errors[0]!.message, /string "2025\.11".*quote it/);
  });

  it('needs core-network-configuration', () => {
    expectErrors((d) => delete d['core-network-configuration'], ['missing-field ']);
  });

  it('reads ASN ranges as low-high', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['asn-ranges'] = ['64512:65534']),
      ['invalid-asn-range /core-network-configuration/asn-ranges/0'],
    );
  });

  it('refuses a range written high-low, naming the fix', () => {
    const report = expectErrors(
      (d) => (d['core-network-configuration']['asn-ranges'] = ['65000-64600']),
      ['invalid-asn-range /core-network-configuration/asn-ranges/0'],
    );
    assert.match(report.errors[0]!.message, /"64600-65000"/);
  });

  it('refuses an ASN beyond 32 bits', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['asn-ranges'] = ['4200000000-4294967296']),
      ['invalid-asn-range /core-network-configuration/asn-ranges/0'],
    );
  });

  it('refuses ranges outside the private ASNs AWS allows, and ranges spanning both', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['asn-ranges'] = ['100-200', '64512-4200000000']),
      [
        'asn-not-allowed /core-network-configuration/asn-ranges/0',
        'asn-not-allowed /core-network-configuration/asn-ranges/1',
      ],
    );
  });

  it('refuses an edge ASN AWS does not allow', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['edge-locations'][1].asn = 7224),
      ['asn-not-allowed /core-network-configuration/edge-locations/1/asn'],
    );
  });

  it('needs a location on every edge and a Region code there', () => {
    expectErrors(
      (d) => {
        delete d['core-network-configuration']['edge-locations'][0].location;
        d['core-network-configuration']['edge-locations'][1].location = 'US East';
      },
      [
        'missing-field /core-network-configuration/edge-locations/0',
        'invalid-region /core-network-configuration/edge-locations/1/location',
      ],
    );
  });

  it('needs at least one edge location', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['edge-locations'] = []),
      ['too-few-items /core-network-configuration/edge-locations'],
    );
  });

  it('checks inside CIDR blocks and suggests the network address', () => {
    const report = expectErrors(
      (d) => (d['core-network-configuration']['inside-cidr-blocks'] = ['10.0.0.1/16']),
      ['invalid-cidr /core-network-configuration/inside-cidr-blocks/0'],
    );
    assert.match(report.errors[0]!.message, /did you mean "10\.0\.0\.0\/16"/);
  });

  it('wants booleans for the support flags', () => {
    expectErrors(
      (d) => (d['core-network-configuration']['dns-support'] = 'yes'),
      ['invalid-type /core-network-configuration/dns-support'],
    );
  });
});

describe('policy structure: segments and network function groups', () => {
  it('needs at least one segment', () => {
    expectErrors((d) => (d.segments = []), ['too-few-items /segments']);
  });

  it('takes names of letters and digits starting with a letter, 64 at most', () => {
    const report = expectErrors(
      (d) => {
        d.segments[0].name = '1prod';
        d.segments[1].name = 'dev-1';
        d['network-function-groups'][0].name = `a${'b'.repeat(64)}`;
        d.segments.push({ name: `s${'x'.repeat(63)}` });
      },
      [
        'invalid-name /segments/0/name',
        'invalid-name /segments/1/name',
        'invalid-name /network-function-groups/0/name',
      ],
    );
    // The references to the renamed segments and group are reported by the semantic pass.
    assert.ok(report.errors.length === 3);
  });

  it('wants isolate-attachments to be a boolean', () => {
    expectErrors(
      (d) => (d.segments[0]['isolate-attachments'] = 'true'),
      ['invalid-type /segments/0/isolate-attachments'],
    );
  });

  it('warns about an unknown field with the likely one', () => {
    const report = check((d) => {
      d.segments[1]['isolate-attachment'] = true;
    });
    assert.deepEqual(report.errors, []);
    const warning = only(report, 'warnings');
    assert.equal(`${warning.code} ${warning.pointer}`, 'unknown-field /segments/1/isolate-attachment');
    assert.match(warning.message, /Did you mean 'isolate-attachments'\?/);
    assert.ok(report.policy, 'a warning leaves the document usable');
  });

  it('warns about an unknown top-level section', () => {
    const report = check((d) => {
      d['segment-action'] = [];
    });
    assert.deepEqual(where(report.warnings), ['unknown-field /segment-action']);
    assert.match(report.warnings[0]!.message, /Did you mean 'segment-actions'\?/);
  });
});
