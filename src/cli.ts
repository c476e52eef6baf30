#!/usr/bin/env node
/** The `headroom` executable. Everything but wiring to the real process lives in cli/main.ts. */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
