/**
 * CI's dependency audit: `npm audit` of the production dependencies, failing on any high or
 * critical advisory. When the advisory service cannot be reached (a registry mirror that answers
 * only GET, no network), it says so and passes: an unreachable service is not a clean audit, and
 * the message says that too, but it must not fail every build of a machine without it.
 *
 *   node scripts/audit.mjs
 */
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  process.stderr.write(
    `npm audit printed no JSON (exit ${run.status}): ${run.stderr.trim().slice(0, 500)}\n`,
  );
  process.exit(1);
}

const unreachable = report.statusCode !== undefined || (report.error && !report.metadata);
if (unreachable) {
  process.stderr.write(
    `npm audit: NOT AUDITED, the advisory service could not be reached (${report.message ?? report.error?.summary ?? 'no answer'}); run \`npm audit --omit=dev\` where it can be\n`,
  );
  process.exit(0);
}

const counts = report.metadata?.vulnerabilities ?? {};
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
const summary = Object.entries(counts)
  .map(([level, count]) => `${level} ${count}`)
  .join(', ');
if (serious > 0) {
  const names = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
    .map(([name, v]) => `${name} (${v.severity})`);
  process.stderr.write(
    `npm audit: ${serious} high or critical in production dependencies: ${names.join(', ')}\n`,
  );
  process.exit(1);
}
process.stderr.write(`npm audit of production dependencies: no high or critical advisories (${summary})\n`);
