/**
 * The demo's configurations, one per server, each built by the real loader (defaults, headroom.yml,
 * HEADROOM_* variables and the command line's global options, validated once), with what the demo
 * needs set on top as flags: so a memory budget, cache and spill folders, timeouts or a response
 * budget given the usual way still apply, and a bad value is reported the usual way.
 *
 * What the demo sets, whatever the other sources say: Streamable HTTP on loopback without a token
 * (the Inspector CLI cannot send one, and nothing else can reach loopback), its own ports, the demo
 * spec alone with every operation as a tool (no openapi.apis, no filters), calls to the demo
 * upstream, and the generated topology.
 */
import type { FlagOverrides } from '../config/load.js';
import type { HeadroomConfig } from '../config/schema.js';

/** Loads a configuration with these flags over the command line's. */
export type ConfigLoader = (overrides: FlagOverrides) => HeadroomConfig;

export interface DemoSettings {
  host: string;
  openapiPort: number;
  cloudwanPort: number;
  dashboardPort: number;
  /** Where the OpenAPI server sends calls: the demo upstream. */
  baseUrl: string;
  elements: number;
}

export interface DemoConfigs {
  openapi: HeadroomConfig;
  cloudwan: HeadroomConfig;
  /** The shared monitor's (its monitoring section is the same in both). */
  monitoring: HeadroomConfig;
}

const DEMO = 'headroom demo';

function set(entries: Record<string, [unknown, string?]>): FlagOverrides {
  return Object.fromEntries(
    Object.entries(entries).map(([path, [value, flag]]) => [path, { value, flag: flag ?? DEMO }]),
  );
}

export function demoConfigs(load: ConfigLoader, s: DemoSettings): DemoConfigs {
  const common = {
    'server.transport': ['http'],
    'server.host': [s.host],
    'server.token': [undefined],
    'monitoring.enabled': [true],
    'monitoring.host': [s.host],
    'monitoring.port': [s.dashboardPort, '--dashboard-port'],
    'monitoring.token': [undefined],
  } satisfies Record<string, [unknown, string?]>;
  const openapi = load(
    set({
      ...common,
      'server.port': [s.openapiPort, '--openapi-port'],
      'openapi.baseUrl': [s.baseUrl],
      'openapi.tools': ['all'],
      'openapi.apis': [[]],
      'openapi.includeTags': [undefined],
      'openapi.excludeTags': [undefined],
      'openapi.includeOperations': [undefined],
      'openapi.excludeOperations': [undefined],
      'openapi.methods': [undefined],
      'openapi.pathPrefixes': [undefined],
      'openapi.readOnly': [false],
    }),
  );
  const cloudwan = load(
    set({
      ...common,
      'server.port': [s.cloudwanPort, '--cloudwan-port'],
      'cloudwan.generate': [s.elements, '--elements'],
      'cloudwan.snapshot': [undefined],
    }),
  );
  return { openapi, cloudwan, monitoring: openapi };
}
