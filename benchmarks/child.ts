/**
 * Runs one variant of one benchmark in this (fresh) process and prints its figures as one JSON
 * line, so that each figure, peak RSS above all, belongs to that variant alone.
 * Usage: node --import tsx benchmarks/child.ts <benchmark-file> <variant> [args...]
 */
const [file, variant, ...args] = process.argv.slice(2);
if (!file || !variant) {
  process.stderr.write('usage: child.ts <benchmark-file> <variant> [args...]\n');
  process.exit(2);
}
const module = (await import(new URL(file, import.meta.url).href)) as {
  run: (variant: string, ...args: string[]) => Promise<Record<string, number>>;
};
process.stdout.write(`${JSON.stringify(await module.run(variant, ...args))}\n`);
