/** Runs `heapgate analyze . --enable-memory-budget-gate` on a fixture app for real; nothing may outlive it. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Report } from '../../src/report/model.js';
import { heapgate, REPO } from './cli.js';
import { expectNoProcessWith } from './soak.js';

export const GATE_APPS = path.join(REPO, 'test/fixtures/gate');

export async function gate(
  app: string,
  args: string[],
): Promise<{ exitCode: number; report: Report; stderr: string }> {
  const mark = randomUUID();
  const result = await heapgate(
    ['analyze', '.', '--enable-memory-budget-gate', '--no-cache', '--format', 'json', ...args],
    { cwd: path.join(GATE_APPS, app), env: { HEAPGATE_TEST_MARK: mark } },
  );
  await expectNoProcessWith(mark);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stderr}`);
  }
  return { exitCode: result.exitCode, report, stderr: result.stderr };
}
