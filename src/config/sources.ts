/** Where a configuration value came from, for error messages and `headroom config --sources`. */

export type SettingSource =
  | { kind: 'flag'; flag: string }
  | { kind: 'env'; name: string }
  | { kind: 'file'; file: string; line: number; col: number }
  | { kind: 'default' };

/** `flag --memory-budget`, `environment variable HEADROOM_MEMORY_BUDGET`, `headroom.yml:12` or `default`. */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'flag':
      return `flag ${source.flag}`;
    case 'env':
      return `environment variable ${source.name}`;
    case 'file':
      return `${source.file}:${source.line}`;
    case 'default':
      return 'default';
  }
}
