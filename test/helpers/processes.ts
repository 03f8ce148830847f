/** Checks that a run left nothing behind: no process carrying its HEAPGATE_RUN_ID, no private folder. */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { processesMarked } from '../../src/service/kill.js';

export async function expectNothingLeft(
  runId: string,
  folders: string[] = [],
  withinMs = 8000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = processesMarked(runId);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesMarked(runId);
  }
  expect(left, `processes of run ${runId} still alive`).toEqual([]);
  for (const folder of folders) expect(existsSync(folder), `${folder} still exists`).toBe(false);
}
