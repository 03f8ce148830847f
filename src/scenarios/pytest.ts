/**
 * Tests as scenarios (issue 16, item 3): `"pytest": "tests/test_api.py::test_create_user"` stands for a
 * call of the shim's pytest runner (harness/heapgate_pytest.py), which runs that test's body once per
 * iteration in one interpreter, its fixtures set up as pytest would at the scope they declare. The field
 * is expanded before the scenario is read, so the verdict and everything else are a call scenario's.
 * `pytestTest` is the field's value kind: fields.ts declares the field with it, so the validator and
 * docs/scenario.schema.json accept the same node ids.
 */
import type { ValueType } from './field-types.js';
import { describe, isPlainObject, joinPath, type Issues } from './issues.js';

/** The harness function a pytest scenario calls, with the test's node id. */
export const PYTEST_RUNNER = 'heapgate_pytest:run_test';

/** `path/to/test_file.py::test_name` (or `::Class::test_name`, with a `[param]` id). */
const NODE_ID = String.raw`^[^\s:]+\.py(::[^\s:]+)+$`;

/** A pytest node id naming one test of a file. */
export const pytestTest: ValueType<string> = {
  label: '"path/test_file.py::test_name"',
  schema: { type: 'string', pattern: NODE_ID },
  read(value, at, issues) {
    if (typeof value === 'string' && new RegExp(NODE_ID).test(value)) return value;
    issues.add(
      at,
      `expected a pytest test such as "tests/test_api.py::test_create_user", got ${describe(value)}`,
    );
    return undefined;
  },
};

/** `value` with its `pytest` field turned into the call it stands for (problems added to `issues`). */
export function expandPytest(value: unknown, base: string, issues: Issues): unknown {
  if (!isPlainObject(value) || !('pytest' in value)) return value;
  const { pytest, ...rest } = value;
  const nodeId = pytestTest.read(pytest, joinPath(base, 'pytest'), issues);
  const call = { function: PYTEST_RUNNER, args: [nodeId ?? ''] };
  if (nodeId === undefined) return { ...rest, call };
  if ('call' in rest || 'request' in rest) {
    issues.add(joinPath(base, 'pytest'), 'give either "pytest", "request" or "call", not two of them');
    return rest;
  }
  if ('websocket' in rest) {
    issues.add(joinPath(base, 'pytest'), 'give either "pytest" or "websocket", not both');
    return rest;
  }
  return { ...rest, call };
}
