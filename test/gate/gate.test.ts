import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapgate, REPO } from '../helpers/cli.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';
import { gate, GATE_APPS } from '../helpers/gate.js';

describe('analyze --enable-memory-budget-gate', { timeout: 240_000 }, () => {
  it('Flask, no scenario files: generates a scenario for the flagged route, fails, confirms the finding', async () => {
    const { exitCode, report } = await gate('flask-global', ['--target', `${DEBIAN_PYTHON} app.py`]);
    expect(exitCode).toBe(1);
    expect(report.findings).toHaveLength(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({
      rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
      function: 'track',
      dynamic: 'confirmed',
    });
    expect(finding.evidence).toContain('app.py:14');
    expect(finding.recommendation?.class).toMatch(/Critical|High|Medium|Low/);
    // The selected scenario runs first; the sweep then soaks the app's other route.
    expect(report.scenarios.map((s) => s.phase)).toEqual(['selected', 'sweep']);
    expect(report.scenarios[0]).toMatchObject({ generated: true, verdict: 'fail' });
    expect(report.scenarios[0].selectedBy).toEqual([
      { rule: 'RELIABILITY_UNBOUNDED_GLOBAL', file: 'app.py', line: 14 },
    ]);
    expect(report.scenarios[1]).toMatchObject({ generated: true, verdict: 'pass', selectedBy: [] });
    expect(report.plan?.[0]).toMatchObject({ generated: true, selected: true });
  });

  it('FastAPI: runs the scenario that covers the flagged route first, then the other, and says why', async () => {
    const { exitCode, report } = await gate('fastapi-cache', [
      '--target',
      `${DEBIAN_PYTHON} -m uvicorn app:app --port {port}`,
      '--scenarios',
      'scenarios',
    ]);
    expect(exitCode).toBe(1);
    expect(report.scenarios.map((s) => [s.name, s.phase])).toEqual([
      ['price-lookups', 'selected'],
      ['health-checks', 'extra'],
    ]);
    expect(report.findings[0]).toMatchObject({ rule: 'RELIABILITY_UNBOUNDED_CACHE', dynamic: 'confirmed' });
    const after = report.plan!.find((p) => p.scenario === 'health-checks')!;
    expect(after).toMatchObject({ selected: false, generated: false });
    expect(after.why).toContain(
      'runs after the selected scenarios, while the time budget lasts (covers no finding)',
    );
  });

  it('a connection freed by reference counting: not reproduced, and the gate passes', async () => {
    const { exitCode, report } = await gate('refcount-conn', [
      '--target',
      `${DEBIAN_PYTHON} app.py`,
      '--iterations',
      '1500',
    ]);
    expect(exitCode).toBe(0);
    expect(report.findings[0]).toMatchObject({
      rule: 'RELIABILITY_SESSION_LIFECYCLE',
      dynamic: 'not-reproduced',
    });
    expect(report.scenarios[0].verdict).toBe('pass');
    // --fail-on counts it as a static finding unless only confirmed findings gate.
    const strict = await gate('refcount-conn', [
      '--target',
      `${DEBIAN_PYTHON} app.py`,
      '--fail-on',
      'HIGH',
      '--iterations',
      '1500',
    ]);
    expect(strict.exitCode).toBe(1);
    const confirmedOnly = await gate('refcount-conn', [
      '--target',
      `${DEBIAN_PYTHON} app.py`,
      '--fail-on',
      'HIGH',
      '--fail-on-confirmed',
      '--iterations',
      '1500',
    ]);
    expect(confirmedOnly.exitCode).toBe(0);
  });

  it('a handler that reaches the flagged code through a helper in another module', async () => {
    const { exitCode, report } = await gate('helper-module', ['--target', `${DEBIAN_PYTHON} app.py`]);
    expect(exitCode).toBe(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ file: 'events.py', function: 'record', dynamic: 'confirmed' });
    expect(report.plan![0].why).toContain('POST /events');
    expect(report.scenarios[0].leakSites.some((s) => s.file === 'events.py')).toBe(true);
  });

  it('exits 3 when the target fails, quoting its stderr', async () => {
    const { exitCode, report } = await gate('flask-global', ['--target', `${DEBIAN_PYTHON} missing.py`]);
    expect(exitCode).toBe(3);
    expect(report.scenarios[0].verdict).toBe('error');
    expect(report.findings[0].dynamic).toBe('not-exercised');
    expect(report.scenarios[0].error).toContain('missing.py');
  });

  it('refuses to drive HTTP without --target when it cannot choose the service itself (exit 2)', async () => {
    // Issue 16: a project with one app gets its target found; this one has two.
    const result = await heapgate(['analyze', '.', '--enable-memory-budget-gate', '--no-cache'], {
      cwd: path.join(REPO, 'test/fixtures/adoption/two-apps'),
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('pass --target');
  });
});

describe('heapgate scenarios', () => {
  it('prints the plan: selected, generated and skipped, with the reason', async () => {
    const result = await heapgate(['scenarios', '.', '--scenarios', 'scenarios', '--format', 'json'], {
      cwd: path.join(GATE_APPS, 'fastapi-cache'),
    });
    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      scenarios: { scenario: string; selected: boolean; why: string }[];
    };
    expect(plan.scenarios.map((s) => [s.scenario, s.selected])).toEqual([
      ['price-lookups', true],
      ['health-checks', false],
    ]);
    expect(plan.scenarios[0].why).toContain('reaches quote');
    const text = await heapgate(['scenarios', '.'], { cwd: path.join(GATE_APPS, 'flask-global') });
    expect(text.stdout).toContain('generated');
    expect(text.stdout).toContain('GET /track/visitor-{i}');
  });
});
