/**
 * `soak --pytest` collects the files pytest would: the project's `python_files` from pytest.ini,
 * pyproject.toml, tox.ini or setup.cfg (in pytest's order), else `test_*.py` and `*_test.py`.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectPytestTests } from '../../src/select/pytest-collect.js';
import { globMatcher, pytestSettings } from '../../src/select/pytest-config.js';
import { tempProject } from '../helpers/cli.js';

const TESTS = {
  'tests/check_orders.py': 'def test_order():\n    pass\n',
  'tests/test_users.py': 'def test_user():\n    pass\n',
  'tests/helpers.py': 'def test_not_a_test_file():\n    pass\n',
};

describe("pytest's python_files", () => {
  it.each([
    ['pytest.ini', '[pytest]\npython_files = check_*.py\n'],
    ['pyproject.toml', '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n'],
    ['tox.ini', '[tox]\nenvlist = py311\n\n[pytest]\npython_files =\n    check_*.py\n'],
    ['setup.cfg', '[metadata]\nname = shop\n\n[tool:pytest]\npython_files = check_*.py\n'],
  ])('is read from %s', async (file, text) => {
    const root = tempProject({ ...TESTS, [file]: text });
    expect(pytestSettings(root)).toEqual({ pythonFiles: ['check_*.py'], from: file });
    const collected = await collectPytestTests(root, [path.join(root, 'tests')]);
    expect(collected.files).toEqual(['tests/check_orders.py']);
  });

  it("follows pytest's order: pytest.ini wins even with no python_files; tox.ini before setup.cfg", () => {
    const both = tempProject({
      'pytest.ini': '[pytest]\naddopts = -q\n',
      'pyproject.toml': '[tool.pytest.ini_options]\npython_files = "check_*.py"\n',
    });
    expect(pytestSettings(both)).toEqual({ pythonFiles: ['test_*.py', '*_test.py'], from: 'pytest.ini' });
    const ini = tempProject({
      'tox.ini': '[pytest]\npython_files = a_*.py b_*.py\n',
      'setup.cfg': '[tool:pytest]\npython_files = c_*.py\n',
    });
    expect(pytestSettings(ini).pythonFiles).toEqual(['a_*.py', 'b_*.py']);
  });

  it("keeps pytest's defaults without a config, and with one it cannot parse", async () => {
    const root = tempProject({ ...TESTS, 'pyproject.toml': '[tool.pytest.ini_options\npython_files = 1' });
    expect(pytestSettings(root)).toEqual({ pythonFiles: ['test_*.py', '*_test.py'], from: null });
    expect((await collectPytestTests(root, [path.join(root, 'tests')])).files).toEqual([
      'tests/test_users.py',
    ]);
  });

  it('names the patterns and their file when a folder holds no test file', async () => {
    const root = tempProject({ 'pytest.ini': '[pytest]\npython_files = check_*.py\n', 'tests/x.py': '' });
    const collected = await collectPytestTests(root, [path.join(root, 'tests')]);
    expect(collected.problems).toEqual([
      `--pytest ${path.join(root, 'tests')}: no test file (check_*.py, python_files of pytest.ini)`,
    ]);
  });

  it('matches as fnmatch does', () => {
    const match = globMatcher(['test_*.py', 'check?.py', '[!_]spec.py']);
    expect(['test_a.py', 'check1.py', 'aspec.py'].every(match)).toBe(true);
    expect(['test_a.pyc', 'check12.py', '_spec.py', 'xtest_a.py'].some(match)).toBe(false);
  });
});
