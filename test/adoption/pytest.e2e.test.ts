/**
 * Issue 16, item 3, done when: a pytest test that leaks fails and its clean twin passes. The scenario names
 * the test (`"pytest": "tests/test_registry.py::test_remember"`); the shim runs it again and again in one
 * interpreter (Debian's python3-pytest), its session fixture set up once (the test asserts it) and its
 * function fixture every iteration. A failing test and a node id that selects nothing are the target
 * failing (exit 3), with pytest's own words.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { DEBIAN_PYTHON, heapgateLeavingNothing, reportOf } from '../helpers/soak.js';
import { tempDir } from '../helpers/temp.js';

const PROJECT = path.join(REPO, 'test/fixtures/adoption/pytest');

function soakTests(scenarios: string, leak: '0' | '1' = '0') {
  return heapgateLeavingNothing(
    ['soak', '--python', DEBIAN_PYTHON, '--scenarios', scenarios, '--format', 'json'],
    { cwd: PROJECT, env: { HEAPGATE_FIXTURE_LEAK: leak } },
  );
}

function scenarioFile(scenario: object): string {
  const file = path.join(tempDir('heapgate-pytest-'), 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

describe('a pytest test as a scenario', () => {
  it('fails when the code it tests leaks, naming the leak site', async () => {
    const result = await soakTests('heapgate', '1');
    const [s] = reportOf(result).scenarios;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(s).toMatchObject({ name: 'test_remember', verdict: 'fail' });
    expect(s.metrics.heap).toMatchObject({ exceeded: true });
    // What keeps the memory: the registry's list, one entry per iteration, built by the test's fixture.
    expect(s.heldBy?.[0]).toMatchObject({ path: 'registry._USERS', entriesPerIteration: 1 });
    expect(s.leakSites.map((site) => site.file)).toContain('tests/test_registry.py');
  });

  it('passes its clean twin (the runner itself keeps nothing per iteration)', async () => {
    const result = await soakTests('heapgate', '0');
    const [s] = reportOf(result).scenarios;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(s).toMatchObject({ name: 'test_remember', verdict: 'pass' });
    expect(s.iterations).toBeGreaterThan(0);
  });

  it('a failing test: exit 3 with its assertion', async () => {
    const file = scenarioFile({
      name: 'fails',
      pytest: 'tests/test_registry.py::test_fails',
      iterations: 300,
    });
    const result = await soakTests(file);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('AssertionError');
  });

  it('a test that does not exist: exit 3 with what pytest said', async () => {
    const file = scenarioFile({
      name: 'none',
      pytest: 'tests/test_registry.py::test_nothing',
      iterations: 300,
    });
    const result = await soakTests(file);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('tests/test_registry.py::test_nothing');
  });
});
