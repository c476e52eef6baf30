/**
 * Benchmark inputs, generated deterministically and kept under benchmarks/.data between runs:
 * a JSON array of API-like records (ids, URLs, escaped quotes and backslashes, non-ASCII text,
 * nested objects), the shape of a large REST response.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '.data');

export function record(i: number): string {
  return JSON.stringify({
    id: i,
    node_id: `MDQ6VXNlcj${i}`,
    login: `user-${i}`,
    url: `https://api.example.com/users/user-${i}`,
    site_admin: i % 7 === 0,
    score: i / 3,
    created_at: '2024-05-01T12:00:00Z',
    labels: [
      { name: 'bug', color: 'd73a4a' },
      { name: 'p1', color: '000000' },
    ],
    body: `Lorem ipsum dolor sit amet, "quoted" text with \\ a backslash and unicode é ✓ for item ${i}`,
    stats: { a: i, b: [1, 2, 3], c: null },
  });
}

/** Path of a JSON array of about `mb` MiB, written on first use. */
export async function jsonArrayFile(mb: number): Promise<string> {
  const file = join(DATA_DIR, `array-${mb}mb.json`);
  if (existsSync(file) && statSync(file).size >= mb * 1024 * 1024) return file;
  mkdirSync(DATA_DIR, { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const target = mb * 1024 * 1024;
  let bytes = 1;
  out.write('[');
  for (let i = 0; bytes < target; i++) {
    const text = (i ? ',' : '') + record(i);
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(']', () => resolve()));
  renameSync(partial, file);
  return file;
}
