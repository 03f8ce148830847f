/**
 * Issue 13, "It hangs or loses work": Ctrl-C while the target starts acts at once (it used to wait until
 * the target was ready); a second Ctrl-C still leaves the partial report (it used to exit without one);
 * a scenario interrupted before anything was measured is not a PASS (JUnit used to be green).
 * Real processes and real signals throughout.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { BIN, REPO, tempProject } from '../helpers/cli.js';
import { expectNoProcessWith } from '../helpers/soak.js';

const HOSTILE = path.join(REPO, 'test/fixtures/hostile');

function run(args: string[], env: Record<string, string> = {}): { child: ResultPromise; mark: string } {
  const mark = randomUUID();
  const child = execa('node', [BIN, 'soak', ...args], {
    cwd: HOSTILE,
    env: { HEAPGATE_TEST_MARK: mark, NO_COLOR: '1', ...env },
    reject: false,
  });
  return { child, mark };
}

function stderrLine(child: ResultPromise, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

describe('Ctrl-C', () => {
  it('while the target is starting: acts at once; the scenario is interrupted, not judged, JUnit not green', async () => {
    const dir = tempProject({});
    const started = path.join(dir, 'started');
    const { child, mark } = run(
      [
        '--target',
        'python3 slow_start.py',
        '--scenarios',
        path.join(REPO, 'test/fixtures/scenarios/health.json'),
        '--ready-timeout',
        '10m',
        '--format',
        'json,junit',
        '--output-dir',
        dir,
      ],
      { STARTED_FILE: started },
    );
    await until(() => existsSync(started));
    child.kill('SIGINT');
    const result = await child; // the ready timeout is 10 minutes: this returns only if Ctrl-C acted
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(readFileSync(path.join(dir, 'heapgate.json'), 'utf8')) as Report;
    expect(report.gate.passed).toBe(false);
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0].verdict).toBe('error');
    expect(report.scenarios[0].error).toContain('interrupted by SIGINT while the target was starting');
    const junit = readFileSync(path.join(dir, 'heapgate.junit.xml'), 'utf8');
    expect(junit).toMatch(/<(error|failure)\b/);
    await expectNoProcessWith(mark);
  });

  it('during a fixed warm-up: 0 measured iterations is reported as not judged, never PASS', async () => {
    const dir = tempProject({
      'warm.json': JSON.stringify({ name: 'warm', request: { path: '/w/{i}' }, warmup: 1_000_000 }),
    });
    const { child, mark } = run([
      '--target',
      'python3 stubborn.py',
      '--scenarios',
      path.join(dir, 'warm.json'),
      '--grace',
      '0s',
      '--format',
      'junit',
    ]);
    await stderrLine(child, /warm: warming up, \d+ iterations/);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stdout).toMatch(/<(error|failure)\b/);
    expect(result.stdout).toContain('before any iteration was measured');
    expect(result.stdout).not.toMatch(/failures="0" errors="0"/);
    await expectNoProcessWith(mark);
  });

  it('twice: the target is ended on the spot and the report of what finished is still written', async () => {
    const dir = tempProject({
      'a-quick.json': JSON.stringify({ name: 'quick', request: { path: '/q/{i}' }, iterations: 200 }),
      'b-long.json': JSON.stringify({ name: 'long', request: { path: '/stubborn/{i}' }, duration: '10m' }),
    });
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const { child, mark } = run([
      '--target',
      'python3 stubborn.py',
      '--scenarios',
      dir,
      // The service ignores SIGTERM: after the first Ctrl-C heapgate waits this long before SIGKILL.
      '--grace',
      '10m',
      '--format',
      'json',
      '--output',
      path.join(out, 'partial.json'),
    ]);
    await stderrLine(child, /long: \d+ iterations \(/);
    child.kill('SIGINT');
    await stderrLine(child, /SIGINT: stopping/);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('SIGINT again: ending the target now');
    const report = JSON.parse(readFileSync(path.join(out, 'partial.json'), 'utf8')) as Report;
    expect(report.scenarios.map((s) => s.name)).toEqual(['quick']);
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons.join('\n')).toContain(
      "interrupted by SIGINT after 1 of 2 scenarios; 'long' was cut short",
    );
    await expectNoProcessWith(mark);
  });
});
