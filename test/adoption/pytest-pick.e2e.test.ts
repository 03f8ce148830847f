/**
 * Issue 16, item 3: `heapgate soak --pytest tests/` collects the tests, soaks those that reach flagged code
 * through the call graph (from the test's body or through its fixtures in conftest.py), with the verdict
 * of any scenario: the leaky twin fails, the clean twin passes. It says which tests it soaked and the
 * flagged function each reaches, which it did not and why, and exits 2 when nothing reaches flagged code
 * rather than report a soak of nothing as passed. The project is copied first: the static phase keeps a
 * cache in it and pytest writes __pycache__.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { DEBIAN_PYTHON, heapgateLeavingNothing, reportOf } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

function project(pyproject?: string): string {
  const dir = tempDir('heapgate-pytest-pick-');
  cpSync(path.join(REPO, 'test/fixtures/adoption/pytest-pick'), dir, { recursive: true });
  if (pyproject) writeFileSync(path.join(dir, 'pyproject.toml'), pyproject);
  return dir;
}

function soakTests(args: string[], leak: '0' | '1' = '0', pyproject?: string) {
  return heapgateLeavingNothing(
    ['soak', '--python', DEBIAN_PYTHON, '--iterations', '1500', '--format', 'json', ...args],
    { cwd: project(pyproject), env: { HEAPGATE_FIXTURE_LEAK: leak } },
  );
}

const FLAGGED = 'shop/registry.py:remember (R1 MEDIUM, line 14)';

describe('heapgate soak --pytest', () => {
  it('soaks the test that reaches the leaking function and fails, saying what it picked and why', async () => {
    const result = await soakTests(['--pytest', 'tests', '--max-tests', '1'], '1');
    const report = reportOf(result);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0]).toMatchObject({
      name: 'tests/test_shop.py::test_remember',
      verdict: 'fail',
      selectedBy: [{ rule: 'RELIABILITY_UNBOUNDED_GLOBAL', file: 'shop/registry.py', line: 14 }],
    });
    expect(report.scenarios[0].metrics.heap).toMatchObject({ exceeded: true });
    expect(result.stderr).toContain(
      'heapgate: --pytest tests: 5 tests collected, 1 picked (they reach flagged code), 4 not',
    );
    expect(result.stderr).toContain(
      `  soaked: tests/test_shop.py::test_remember: reaches ${FLAGGED} via test_remember → remember`,
    );
    expect(result.stderr).toContain(
      '  not soaked: tests/test_pricing.py::test_discount_floor: reaches no flagged function',
    );
    expect(result.stderr).toContain(
      '  not soaked: tests/test_shop.py::test_total: reaches no flagged function',
    );
    expect(result.stderr).toContain(
      '  not soaked: tests/test_shop.py::test_remember_many: parametrized: its node id selects every case',
    );
    // Reached through its fixture, and left out by the bound alone.
    expect(result.stderr).toContain(
      `  not soaked: tests/test_shop.py::TestVisits::test_known: over --max-tests 1; it reaches ${FLAGGED}`,
    );
  });

  it('passes the clean twin, the test reached through a conftest fixture soaked too', async () => {
    // What `heapgate init` wrote is for the service: the tests run in a bare interpreter, and the
    // configured scenario folder is not added (were either used, this run would exit 3 or 2).
    const config =
      '[tool.heapgate]\ntarget = "python3 -c \'raise SystemExit(5)\'"\nscenarios = ["heapgate"]\n';
    const result = await soakTests(['--pytest', 'tests'], '0', config);
    const report = reportOf(result);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([
      ['tests/test_shop.py::test_remember', 'pass'],
      ['tests/test_shop.py::TestVisits::test_known', 'pass'],
    ]);
    expect(result.stderr).toContain(
      `  soaked: tests/test_shop.py::TestVisits::test_known: reaches ${FLAGGED} via remembered → remember`,
    );
    expect(report.gate.passed).toBe(true);
  });

  it('a test that reaches nothing flagged is not soaked: exit 2 saying nothing was soaked', async () => {
    const result = await soakTests(['--pytest', 'tests/test_pricing.py'], '1');
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '  not soaked: tests/test_pricing.py::test_discount_floor: reaches no flagged function',
    );
    expect(result.stderr).toContain(
      'heapgate: error: --pytest tests/test_pricing.py: nothing to soak: the one test collected does not reach flagged code (1 flagged function in the project).',
    );
  });

  it('a path with no test file, or outside the project: exit 2 naming it', async () => {
    const none = await soakTests(['--pytest', 'shop']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('heapgate: error: --pytest shop: no test file (test_*.py or *_test.py)');
    const outside = await soakTests(['--pytest', '/tmp']);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toContain('--pytest /tmp: not inside the project');
  });

  it('--max-tests: a whole number ≥ 1, and only with --pytest', async () => {
    const zero = await soakTests(['--pytest', 'tests', '--max-tests', '0']);
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain("heapgate: error: --max-tests: expected a whole number ≥ 1, got '0'");
    const alone = await soakTests(['--scenarios', 'tests', '--max-tests', '3']);
    expect(alone.exitCode).toBe(2);
    expect(alone.stderr).toContain('heapgate: error: --max-tests: only with --pytest');
  });
});
