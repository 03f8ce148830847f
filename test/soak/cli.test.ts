import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { BIN, heapgate, tempProject } from '../helpers/cli.js';
import { expectNoProcessWith, heapgateLeavingNothing, scenario, SERVICES } from '../helpers/soak.js';

describe('heapgate soak: interruption', () => {
  it('on Ctrl-C writes a partial report, ends the target and exits 130', async () => {
    const mark = randomUUID();
    const run = execa(
      'node',
      [
        BIN,
        'soak',
        '--target',
        'python3 stdlib_service.py',
        '--scenarios',
        scenario('unique-paths.json'),
        '--duration',
        '60s',
        '--format',
        'json',
      ],
      { cwd: SERVICES, env: { HEAPGATE_TEST_MARK: mark, NO_COLOR: '1' }, reject: false },
    );
    await new Promise<void>((resolve) => {
      run.stderr!.on('data', (chunk: Buffer) => {
        // A measuring line (not a warm-up one): some iterations are measured by then.
        if (/: \d+ iterations \(/.test(chunk.toString())) resolve();
      });
    });
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons.join('\n')).toContain('interrupted by SIGINT');
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0].iterations).toBeGreaterThan(0);
    await expectNoProcessWith(mark);
  });
});

describe('heapgate soak: an interpreter it cannot measure', () => {
  it('says why, exits 2, and leaves no process behind', async () => {
    // A real CPython whose tracemalloc cannot be imported: what heapgate meets on PyPy, which has none.
    const result = await heapgateLeavingNothing(
      ['soak', '--target', 'python3 stdlib_service.py', '--scenarios', scenario('unique-paths.json')],
      { cwd: SERVICES, env: { PYTHONPATH: path.join(SERVICES, '../no-tracemalloc') } },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/python3[^:]*: cpython has no working tracemalloc/);
  });
});

describe('heapgate soak: an interpreter too old to measure', () => {
  it('says it is older than 3.8 and exits 2', async () => {
    const result = await heapgateLeavingNothing(
      [
        'soak',
        '--scenarios',
        scenario('calls-clean.json'),
        '--python',
        path.join(SERVICES, '../old-python/python3.7'),
      ],
      { cwd: SERVICES },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Python 3.7 is older than 3.8, which heapgate needs');
  });
});

describe('heapgate soak: bad input exits 2 before anything starts', () => {
  it('names the scenario file and field', async () => {
    const dir = tempProject({
      'bad.json': JSON.stringify({ name: 'x', request: { path: '/a', method: 'FETCH' } }),
    });
    const result = await heapgate(
      ['soak', '--target', 'python3 -c pass', '--scenarios', path.join(dir, 'bad.json')],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bad.json: request.method: expected one of GET');
  });

  it('refuses a scenario that would send traffic off this machine', async () => {
    const dir = tempProject({
      'remote.json': JSON.stringify({ name: 'x', request: { url: 'http://10.0.0.1/items' } }),
    });
    const result = await heapgate(
      ['soak', '--target', 'python3 -c pass', '--scenarios', path.join(dir, 'remote.json')],
      { cwd: dir },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--allow-remote');
  });

  it('rejects a bad budget flag, a scenario budget, and a missing --target for HTTP', async () => {
    const dir = tempProject({
      's.json': JSON.stringify({ name: 'x', request: { path: '/' }, budget: { growth: 'lots' } }),
    });
    const flag = await heapgate(
      [
        'soak',
        '--target',
        'x',
        '--scenarios',
        scenario('unique-paths.json'),
        '--budget-growth',
        '12 parsecs',
      ],
      { cwd: dir },
    );
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain('--budget-growth: expected');
    const own = await heapgate(['soak', '--target', 'x', '--scenarios', path.join(dir, 's.json')], {
      cwd: dir,
    });
    expect(own.exitCode).toBe(2);
    expect(own.stderr).toContain('s.json: budget.growth: expected');
    const noTarget = await heapgate(['soak', '--scenarios', scenario('unique-paths.json')], { cwd: dir });
    expect(noTarget.exitCode).toBe(2);
    expect(noTarget.stderr).toContain('needs --target');
  });

  it('requires scenarios', async () => {
    const dir = tempProject({ 'pyproject.toml': '[tool.heapgate]\ntarget = "python3 app.py"\n' });
    const result = await heapgate(['soak'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no scenarios');
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[tool.heapgate]\nbudget = { growth = 12 }\nscenarios = 3\n',
    );
    const bad = await heapgate(['soak'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('[tool.heapgate] scenarios: expected a path');
  });
});
