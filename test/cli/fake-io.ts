/** An in-memory CliIo for running the dispatcher in-process. */
import type { CliIo } from '../../src/cli/types.js';

export interface FakeIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

export function fakeIo(cwd: string, env: Record<string, string | undefined> = {}): FakeIo {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: (text: string) => (err += text) },
      env,
      cwd,
    },
    stdout: () => out,
    stderr: () => err,
  };
}
