/** Runs `heapgate analyze . --enable-memory-budget-gate` on a fixture app for real; nothing may outlive it. */
import path from 'node:path';
import type { Report } from '../../src/model/report.js';
import { REPO } from './cli.js';
import { heapgateLeavingNothing, reportOf } from './soak.js';

export const GATE_APPS = path.join(REPO, 'test/fixtures/gate');
/** Services that leak (or not) through real libraries, each as `<name>/leaky` and `<name>/clean`. */
export const LIBRARY_APPS = path.join(REPO, 'test/fixtures/gate-libs');

export async function gate(
  app: string,
  args: string[],
  apps = GATE_APPS,
): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const result = await heapgateLeavingNothing(
    ['analyze', '.', '--enable-memory-budget-gate', '--no-cache', '--format', 'json', ...args],
    { cwd: path.join(apps, app) },
  );
  return { exitCode: result.exitCode, report: reportOf(result), stderr: result.stderr };
}
