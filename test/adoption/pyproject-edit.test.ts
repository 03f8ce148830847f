/** Issue 16, item 2: `heapgate init` adds keys to [tool.heapgate] and never clobbers what is there. */
import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { addHeapgateKeys } from '../../src/config/pyproject-edit.js';
import { UsageError } from '../../src/errors.js';

const KEYS = [
  ['target', 'python3 -m flask --app app:app run --port {port}'],
  ['scenarios', ['heapgate']],
] as const;

describe('addHeapgateKeys', () => {
  it('makes the file when there is none', () => {
    const edit = addHeapgateKeys(null, KEYS);
    expect(edit.text).toBe(
      '[tool.heapgate]\ntarget = "python3 -m flask --app app:app run --port {port}"\nscenarios = ["heapgate"]\n',
    );
    expect(edit.added).toEqual(['target', 'scenarios']);
  });

  it('appends the table to a file without one, leaving every byte before it as it was', () => {
    const before = '[project]\nname = "shop"  # the name\n\n[tool.ruff]\nline-length = 100'; // no final newline
    const edit = addHeapgateKeys(before, KEYS);
    expect(edit.text.startsWith(`${before}\n\n[tool.heapgate]\n`)).toBe(true);
    expect(parse(edit.text)).toMatchObject({
      project: { name: 'shop' },
      tool: { ruff: { 'line-length': 100 } },
    });
  });

  it('adds only the missing keys under an existing header, before its sub-tables', () => {
    const before =
      '[tool.heapgate]  # ours\nfail-on = "HIGH"\nscenarios = ["load"]\n\n[tool.heapgate.budget]\ngrowth = "64B"\n';
    const edit = addHeapgateKeys(before, KEYS);
    expect(edit.added).toEqual(['target']);
    expect(edit.kept).toEqual(['scenarios']);
    expect(edit.text).toBe(
      '[tool.heapgate]  # ours\ntarget = "python3 -m flask --app app:app run --port {port}"\nfail-on = "HIGH"\nscenarios = ["load"]\n\n[tool.heapgate.budget]\ngrowth = "64B"\n',
    );
    expect(parse(edit.text)).toMatchObject({
      tool: { heapgate: { budget: { growth: '64B' }, 'fail-on': 'HIGH' } },
    });
  });

  it('changes nothing when every key is there (also written with underscores)', () => {
    const before = '[tool.heapgate]\ntarget = "mine"\nscenarios = "s"\n';
    expect(addHeapgateKeys(before, KEYS)).toEqual({ text: before, added: [], kept: ['target', 'scenarios'] });
    const underscored = '[tool.heapgate]\ntarget = "mine"\nscenarios = "s"\nready_timeout = "9s"\n';
    expect(addHeapgateKeys(underscored, [['ready-timeout', '1s']]).added).toEqual([]);
  });

  it('escapes what TOML must', () => {
    const edit = addHeapgateKeys(null, [['target', 'python3 "my app.py" --dir C:\\x']]);
    expect((parse(edit.text) as { tool: { heapgate: { target: string } } }).tool.heapgate.target).toBe(
      'python3 "my app.py" --dir C:\\x',
    );
  });

  it('refuses a table it cannot edit in place, and a file that is not TOML (exit 2)', () => {
    expect(() => addHeapgateKeys('[tool]\nheapgate = { fail-on = "HIGH" }\n', KEYS)).toThrow(UsageError);
    expect(() => addHeapgateKeys('[tool]\nheapgate.fail-on = "HIGH"\n', KEYS)).toThrow(
      /does not edit \(dotted keys or an inline table\): add target = /,
    );
    expect(() => addHeapgateKeys('[project\nname = 1\n', KEYS)).toThrow(/pyproject.toml: not valid TOML/);
  });
});
