/**
 * Preloaded (`node --import`) into a headroom child that is expected to exit on its own: on exit it
 * writes the process's peak resident set size (getrusage's ru_maxrss, the figure /proc/PID/status
 * shows as VmHWM) in bytes to the file named by FAULTS_PEAK_RSS_FILE. A child that exits leaves no
 * /proc entry to read afterwards, and polling it could miss the peak.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.FAULTS_PEAK_RSS_FILE;
if (file) {
  process.once('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
