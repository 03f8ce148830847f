/** Issue 16, item 3: the `pytest` field of a scenario, read as the call of the shim's pytest runner. */
import { describe, expect, it } from 'vitest';
import { PYTEST_RUNNER } from '../../src/scenarios/pytest.js';
import { validateScenario } from '../../src/scenarios/validate.js';

const source = { file: 's.json' };

describe('"pytest": a test as a scenario', () => {
  it('is a call of the runner with the node id, in a bare interpreter, one at a time', () => {
    const scenario = validateScenario(
      { name: 't', pytest: 'tests/test_api.py::TestUsers::test_create[admin]', iterations: 100 },
      source,
    );
    expect(scenario.kind).toBe('call');
    expect(scenario.call).toMatchObject({
      function: PYTEST_RUNNER,
      args: ['tests/test_api.py::TestUsers::test_create[admin]'],
    });
    expect(scenario.concurrency).toBe(1);
  });

  it('must name one test of a file', () => {
    for (const bad of ['tests/test_api.py', 'test_x', 5, '']) {
      expect(() => validateScenario({ name: 't', pytest: bad }, source)).toThrow(
        /s\.json: pytest: expected a pytest test such as "tests\/test_api\.py::test_create_user", got /,
      );
    }
  });

  it('is one action: not with a request or a call', () => {
    expect(() =>
      validateScenario({ name: 't', pytest: 'tests/t.py::test_a', request: { path: '/' } }, source),
    ).toThrow('s.json: pytest: give either "pytest", "request" or "call", not two of them');
    expect(() =>
      validateScenario({ name: 't', pytest: 'tests/t.py::test_a', websocket: { path: '/ws' } }, source),
    ).toThrow('s.json: pytest: give either "pytest" or "websocket", not both');
  });

  it('one call at a time, as any call scenario', () => {
    expect(() =>
      validateScenario({ name: 't', pytest: 'tests/t.py::test_a', concurrency: 4 }, source),
    ).toThrow('s.json: concurrency: call scenarios run one call at a time in the target; expected 1, got 4');
  });

  it('is a field the unknown-field message knows', () => {
    expect(() => validateScenario({ name: 't', pytset: 'tests/t.py::test_a' }, source)).toThrow(
      "s.json: pytset: unknown field (did you mean 'pytest'?)",
    );
  });
});
