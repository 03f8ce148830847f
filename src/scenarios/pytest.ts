/**
 * Tests as scenarios (issue 16, item 3): `"pytest": "tests/test_api.py::test_create_user"` stands for a
 * call of the shim's pytest runner (harness/heapgate_pytest.py), which runs that test's body once per
 * iteration in one interpreter, its fixtures set up as pytest would at the scope they declare. The field
 * is expanded before the scenario is read, so the verdict and everything else are a call scenario's.
 */
import { describe, isPlainObject, joinPath, type Issues } from './issues.js';

/** The harness function a pytest scenario calls, with the test's node id. */
export const PYTEST_RUNNER = 'heapgate_pytest:run_test';

/** `path/to/test_file.py::test_name` (or `::Class::test_name`, with a `[param]` id). */
const NODE_ID = /^[^\s:]+\.py(::[^\s:]+)+$/;

/** `value` with its `pytest` field turned into the call it stands for (problems added to `issues`). */
export function expandPytest(value: unknown, base: string, issues: Issues): unknown {
  if (!isPlainObject(value) || !('pytest' in value)) return value;
  const { pytest, ...rest } = value;
  const call = { function: PYTEST_RUNNER, args: [typeof pytest === 'string' ? pytest : ''] };
  if (typeof pytest !== 'string' || !NODE_ID.test(pytest)) {
    issues.add(
      joinPath(base, 'pytest'),
      `expected a pytest test such as "tests/test_api.py::test_create_user", got ${describe(pytest)}`,
    );
  } else if ('call' in rest || 'request' in rest) {
    issues.add(joinPath(base, 'pytest'), 'give either "pytest", "request" or "call", not two of them');
    return rest;
  }
  return { ...rest, call };
}
