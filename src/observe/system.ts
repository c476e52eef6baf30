/**
 * What the monitor reads from the process and the machine at each sample, behind one small
 * interface so tests can inject figures. The cgroup limit is read from /sys/fs/cgroup once, when
 * the readers are made: it is file I/O, and a container's limit does not change under a process.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';

export interface ProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface ProcessReaders {
  memoryUsage: () => ProcessMemory;
  heapLimit: () => number;
  /** V8 heap spaces, name -> bytes used, written into `into` (cleared by the caller). */
  heapSpaces: (into: Record<string, number>) => void;
  systemMemory: () => { total: number; free: number };
  /** The cgroup memory limit in bytes, or undefined when there is none. */
  cgroupLimit: () => number | undefined;
}

/** Node's own readers; the cgroup limit is read now and cached. */
export function defaultReaders(): ProcessReaders {
  const cgroup = readCgroupLimit();
  const total = os.totalmem();
  return {
    memoryUsage: () => process.memoryUsage(),
    heapLimit: () => v8.getHeapStatistics().heap_size_limit,
    heapSpaces: (into) => {
      for (const space of v8.getHeapSpaceStatistics()) into[space.space_name] = space.space_used_size;
    },
    systemMemory: () => ({ total, free: os.freemem() }),
    cgroupLimit: () => cgroup,
  };
}

export interface CgroupPaths {
  /** Where the cgroup file systems are mounted; default /sys/fs/cgroup. */
  root?: string;
  /** The text of /proc/self/cgroup; read when not given. */
  selfCgroup?: string;
}

/**
 * Values at or above this mean "no limit": cgroup v1 writes the largest page-aligned 64-bit
 * number (9223372036854771712), which is no real machine's memory.
 */
const UNLIMITED = 2 ** 62;

/**
 * The memory limit of the cgroup this process runs in: v2 (`memory.max`) or v1
 * (`memory/memory.limit_in_bytes`), the smallest along the path from the process's own cgroup up
 * to the root, since every ancestor's limit applies. Undefined when there is none or it cannot be read.
 */
export function readCgroupLimit(paths: CgroupPaths = {}): number | undefined {
  const root = paths.root ?? '/sys/fs/cgroup';
  const self = paths.selfCgroup ?? readText('/proc/self/cgroup') ?? '';
  let v2Path: string | undefined;
  let v1Path: string | undefined;
  for (const line of self.split('\n')) {
    // hierarchy-id:controllers:path; v2 is "0::/path", v1 lists "memory" among the controllers.
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers = '', path = '/'] = match;
    if (id === '0' && controllers === '') v2Path = path;
    else if (controllers.split(',').includes('memory')) v1Path = path;
  }
  const v1 =
    v1Path !== undefined ? smallestLimit(join(root, 'memory'), v1Path, 'memory.limit_in_bytes') : undefined;
  if (v1 !== undefined) return v1;
  return smallestLimit(root, v2Path ?? '/', 'memory.max');
}

/** The smallest limit in `file` from `base/path` up to `base`; a path missing here (another namespace) is skipped. */
function smallestLimit(base: string, path: string, file: string): number | undefined {
  let smallest: number | undefined;
  const parts = path.split('/').filter((p) => p !== '' && p !== '..');
  for (let depth = parts.length; depth >= 0; depth--) {
    const text = readText(join(base, ...parts.slice(0, depth), file));
    if (text === undefined) continue;
    const value = parseLimit(text);
    if (value !== undefined && (smallest === undefined || value < smallest)) smallest = value;
  }
  return smallest;
}

function parseLimit(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'max' || !/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value > 0 && value < UNLIMITED ? value : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
