/**
 * The progress display for stderr: a line per child, written when it starts (benchmark, variant,
 * iteration, time since the suite started) and finished when it ends (its own time or FAILED), so
 * a long child shows what is running and a log file reads the same as a terminal.
 */
import type { Progress } from './types.js';

export interface TextSink {
  write(text: string): unknown;
}

export function progressPrinter(out: TextSink): (progress: Progress) => void {
  return (p) => {
    const prefix = `[${p.index}/${p.total} ${clock(p.elapsedMs)}] ${p.benchmark}`;
    if (p.phase === 'skip') out.write(`${prefix}: skipped, ${p.skipped}\n`);
    else if (p.phase === 'start')
      out.write(`${prefix}: ${p.variant}, run ${p.iteration}/${p.iterations} ...`);
    else if (p.error !== undefined) out.write(` FAILED: ${p.error.split('\n')[0]?.slice(0, 200)}\n`);
    else out.write(` ${((p.childMs ?? 0) / 1000).toFixed(1)} s\n`);
  };
}

/** Minutes and seconds: 1:05. */
function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
