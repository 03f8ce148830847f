/** Temporary folders for tests, removed when the test file ends (test/setup.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/** A new empty folder under the system's temporary folder, removed after the test file. */
export function tempDir(prefix = 'heapgate-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made so far (called after each test file). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** How many folders are waiting to be removed (for the helper's own test). */
export function pendingTempDirs(): number {
  return made.size;
}
