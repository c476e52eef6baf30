/**
 * The YAML schema policies are read with: YAML 1.2 core scalars (so `true` is a boolean but `yes` is
 * a string, and dates stay strings), merge keys, and CloudFormation's short-form tags. A policy cut
 * out of a CloudFormation template often still says `!Ref SpokeAccount`; a plain safe schema would
 * refuse the whole file at that tag, while reading it as `{"Ref": "SpokeAccount"}` lets validation
 * point at the leftover and check the rest.
 */

import yaml from 'js-yaml';

/** The short-form tags CloudFormation defines; each reads as its long form (`Fn::Sub`, `Ref`, ...). */
const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Length',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
];
const KINDS = ['scalar', 'sequence', 'mapping'] as const;

function tagTypes(): yaml.Type[] {
  const types: yaml.Type[] = [];
  for (const kind of KINDS) {
    types.push(new yaml.Type('!Ref', { kind, construct: (data: unknown) => ({ Ref: data }) }));
    types.push(new yaml.Type('!Condition', { kind, construct: (data: unknown) => ({ Condition: data }) }));
    for (const name of FUNCTIONS) {
      types.push(
        new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data }) }),
      );
    }
  }
  return types;
}

export const POLICY_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({
  // The type definitions leave out `types`, which js-yaml has exported since 4.0.
  implicit: [(yaml as unknown as { types: { merge: yaml.Type } }).types.merge],
  explicit: tagTypes(),
});
