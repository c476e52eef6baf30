/** Headroom's folder under the user's cache: `$XDG_CACHE_HOME/headroom`, else `~/.cache/headroom`. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function headroomCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'headroom');
}
