/** Runs `heapgate soak` for real and checks that nothing it started outlives it. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { processesWithEnv } from '../../src/target/kill.js';
import { heapgate, REPO, type CliResult } from './cli.js';

export const SERVICES = path.join(REPO, 'test/fixtures/services');
export const SCENARIOS = path.join(REPO, 'test/fixtures/scenarios');
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface SoakResult extends CliResult {
  report: Report;
}

/** `heapgate soak … --format json`, run from the services folder; asserts no process is left. */
export async function soak(args: string[], env: Record<string, string> = {}): Promise<SoakResult> {
  const mark = randomUUID();
  const result = await heapgate(['soak', '--format', 'json', ...args], {
    cwd: SERVICES,
    env: { HEAPGATE_TEST_MARK: mark, ...env },
  });
  await expectNoProcessWith(mark);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
  return { ...result, report };
}

export async function expectNoProcessWith(mark: string, withinMs = 8000): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = processesWithEnv('HEAPGATE_TEST_MARK', mark);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWithEnv('HEAPGATE_TEST_MARK', mark);
  }
  expect(left, 'processes started by the run are still alive').toEqual([]);
}

export function scenario(name: string): string {
  return path.join(SCENARIOS, name);
}
