/** Runs `heapgate soak` for real and checks that nothing it started outlives it. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { processesWithEnv } from '../../src/service/kill.js';
import { heapgate, REPO, type CliResult } from './cli.js';

export const SERVICES = path.join(REPO, 'test/fixtures/services');
export const SCENARIOS = path.join(REPO, 'test/fixtures/scenarios');
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface SoakResult extends CliResult {
  report: Report;
}

/**
 * Runs heapgate with every process it starts marked (HEAPGATE_TEST_MARK, inherited by the whole tree),
 * then asserts that none of them outlives it.
 */
export async function heapgateLeavingNothing(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const mark = randomUUID();
  const result = await heapgate(args, {
    cwd: options.cwd,
    env: { HEAPGATE_TEST_MARK: mark, ...options.env },
  });
  await expectNoProcessWith(mark);
  return result;
}

/** The JSON report a run printed on stdout, or an error quoting what it printed instead. */
export function reportOf(result: CliResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  }
}

/** `heapgate soak … --format json`, run from the services folder; asserts no process is left. */
export async function soak(args: string[], env: Record<string, string> = {}): Promise<SoakResult> {
  const result = await heapgateLeavingNothing(['soak', '--format', 'json', ...args], { cwd: SERVICES, env });
  return { ...result, report: reportOf(result) };
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
