/**
 * Builds the effective configuration from, highest first: command-line flags, HEADROOM_*
 * environment variables, a YAML file, and the schema's defaults. The layers are merged into one
 * object and validated once, so a value is judged the same wherever it came from.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { type ConfigFile, readConfigFile } from './file.js';
import { toConfigError } from './issues.js';
import { configSchema, type HeadroomConfig } from './schema.js';
import { settingsTable } from './settings.js';
import type { SettingSource } from './sources.js';

/** Flag values by dotted setting path, e.g. `{ 'memory.budget': { value: '512MB', flag: '--memory-budget' } }`. */
export type FlagOverrides = Readonly<Record<string, { value: unknown; flag: string }>>;

export interface LoadConfigOptions {
  flags?: FlagOverrides;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** From `--config`; must exist. Without it `headroom.yml`, then `headroom.yaml`, is used if present. */
  configFile?: string;
}

export interface LoadedConfig {
  config: HeadroomConfig;
  /** Where each setting's final value came from, by dotted path, for every setting. */
  sources: Record<string, SettingSource>;
  /** The configuration file read, as shown in messages; undefined when there was none. */
  file?: string;
}

const DISCOVERED = ['headroom.yml', 'headroom.yaml'];

function findFile(cwd: string, configFile: string | undefined): ConfigFile | undefined {
  const explicit = configFile !== undefined;
  const path = explicit
    ? resolve(cwd, configFile)
    : DISCOVERED.map((name) => resolve(cwd, name)).find(existsSync);
  if (path === undefined) return undefined;
  const inside = relative(cwd, path);
  const display = inside.startsWith('..') || isAbsolute(inside) ? path : inside;
  return readConfigFile(path, display, explicit);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Sets a dotted path, creating sections on the way. A section the file set to something that is not
 * a mapping is left alone: validation reports it against the file, which is where the fix belongs.
 */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    const next = node[key];
    if (!isRecord(next)) return;
    node = next;
  }
  node[keys[keys.length - 1]!] = value;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const { flags = {}, env = process.env, cwd = process.cwd() } = options;
  const file = findFile(cwd, options.configFile);
  const input: Record<string, unknown> = file?.data ?? {};
  const chosen = new Map<string, SettingSource>();

  for (const setting of settingsTable()) {
    if (setting.env === '') continue;
    const raw = env[setting.env];
    // An empty variable is how shells and compose files "unset" something; treat it as absent.
    if (raw === undefined || raw === '') continue;
    setPath(input, setting.path, raw);
    chosen.set(setting.path, { kind: 'env', name: setting.env });
  }
  for (const [path, { value, flag }] of Object.entries(flags)) {
    setPath(input, path, value);
    chosen.set(path, { kind: 'flag', flag });
  }

  const sourceOf = (path: string, of: 'key' | 'value' = 'value'): SettingSource => {
    const picked = chosen.get(path);
    if (picked) return picked;
    const location = file?.locations.get(path);
    if (file && location) return { kind: 'file', file: file.display, ...location[of] };
    return { kind: 'default' };
  };

  const result = configSchema.safeParse(input);
  if (!result.success) throw toConfigError(result.error.issues, { input, sourceOf });

  const sources: Record<string, SettingSource> = {};
  for (const setting of settingsTable()) sources[setting.path] = sourceOf(setting.path);
  return file ? { config: result.data, sources, file: file.display } : { config: result.data, sources };
}
