/**
 * Writes the Python side (harness/*.py) to a private folder for one run and removes it afterwards. The
 * folder is created 0700 so no other user can read the channel socket or replace the shim.
 */
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** harness/ in the package, next to dist/ and src/. */
export const HARNESS_SOURCE = fileURLToPath(new URL('../../harness/', import.meta.url));

export interface HarnessFolder {
  dir: string;
  /** Unix socket every process but the first connects to. */
  socketPath: string;
  remove(): void;
}

export function writeHarness(): HarnessFolder {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapgate-'));
  chmodSync(dir, 0o700);
  for (const name of readdirSync(HARNESS_SOURCE)) {
    if (name.endsWith('.py')) copyFileSync(path.join(HARNESS_SOURCE, name), path.join(dir, name));
  }
  return {
    dir,
    socketPath: path.join(dir, 'control.sock'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
