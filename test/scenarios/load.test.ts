import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseJsonStrict } from '../../src/scenarios/json.js';
import { loadScenarios } from '../../src/scenarios/load.js';
import { tempProject } from '../helpers/cli.js';

const one = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, request: { path: `/${name}` }, ...extra }, null, 2);

async function failure(paths: string[], cwd: string): Promise<string> {
  try {
    await loadScenarios(paths, { cwd });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected loading to fail');
}

describe('files', () => {
  test('JSON: one scenario, an array, a wrapper; names and files kept in order', async () => {
    const cwd = tempProject({
      'a.json': one('a'),
      'many.json': JSON.stringify([JSON.parse(one('b')), JSON.parse(one('c'))]),
      'wrapped.json': JSON.stringify({ $schema: 'x', scenarios: [JSON.parse(one('d'))] }),
    });
    const scenarios = await loadScenarios(['a.json', 'many.json', path.join(cwd, 'wrapped.json')], { cwd });
    expect(scenarios.map((s) => [s.name, s.file, s.where])).toEqual([
      ['a', 'a.json', 'a.json'],
      ['b', 'many.json', 'many.json: scenarios[0]'],
      ['c', 'many.json', 'many.json: scenarios[1]'],
      ['d', 'wrapped.json', 'wrapped.json: scenarios[0]'],
    ]);
  });

  test('JS and MJS modules: an object, an array, a function, an async function, CommonJS', async () => {
    const cwd = tempProject({
      'obj.mjs': `export default { name: 'obj', request: { path: '/o' } };`,
      'arr.mjs': `export default [{ name: 'arr1', call: { function: 'app:f', args: ['{i}'] } }, { name: 'arr2', request: { path: '/' } }];`,
      'fn.mjs': `export default ({ cwd, file }) => ({ name: 'fn', description: file.endsWith('fn.mjs') && cwd.length > 0 ? 'ok' : 'bad', request: { path: '/f' } });`,
      'async.mjs': `export default async () => { await new Promise((r) => setTimeout(r, 5)); return [{ name: 'async', request: { path: '/a' } }]; };`,
      'common.js': `module.exports = { name: 'cjs', request: { path: '/c' } };`,
    });
    const scenarios = await loadScenarios(['obj.mjs', 'arr.mjs', 'fn.mjs', 'async.mjs', 'common.js'], {
      cwd,
    });
    expect(scenarios.map((s) => s.name)).toEqual(['obj', 'arr1', 'arr2', 'fn', 'async', 'cjs']);
    expect(scenarios[1].call!.args).toEqual(['{i}']);
    expect(scenarios[3].description).toBe('ok');
  });

  test('a folder: its *.json, *.js and *.mjs files sorted by name, not recursive', async () => {
    const cwd = tempProject({
      'scenarios/b.json': one('b'),
      'scenarios/a.mjs': `export default { name: 'a', request: { path: '/' } };`,
      'scenarios/c.js': `export default { name: 'c', request: { path: '/' } };`,
      'scenarios/package.json': JSON.stringify({ type: 'module' }),
      'scenarios/.hidden.json': 'not even json',
      'scenarios/notes.txt': 'ignored',
      'scenarios/nested/d.json': one('d'),
    });
    const scenarios = await loadScenarios(['scenarios'], { cwd });
    expect(scenarios.map((s) => `${s.name}@${s.file}`)).toEqual([
      'a@scenarios/a.mjs',
      'b@scenarios/b.json',
      'c@scenarios/c.js',
    ]);
  });

  test('the same file reached twice (directly and through its folder) loads once', async () => {
    const cwd = tempProject({ 's/a.json': one('a') });
    const scenarios = await loadScenarios(['s', 's/a.json', './s/a.json'], { cwd });
    expect(scenarios.map((s) => s.name)).toEqual(['a']);
  });

  test('files outside cwd are shown by their absolute path', async () => {
    const elsewhere = tempProject({ 'x.json': one('x') });
    const cwd = tempProject({});
    const [s] = await loadScenarios([path.join(elsewhere, 'x.json')], { cwd });
    expect(s.file).toBe(path.join(elsewhere, 'x.json'));
  });
});

describe('errors', () => {
  test('JSON syntax errors give file, line and column', async () => {
    const cwd = tempProject({
      'trailing.json': '{\n  "name": "a",\n  "request": { "path": "/" },\n}\n',
      'missing-comma.json': '{\n  "name": "a"\n  "request": {}\n}',
      'empty.json': '  \n',
    });
    expect(await failure(['trailing.json'], cwd)).toBe(
      "trailing.json:4:1: invalid JSON: unexpected '}' after ',' (trailing commas are not allowed in JSON)",
    );
    expect(await failure(['missing-comma.json'], cwd)).toBe(
      `missing-comma.json:3:3: invalid JSON: expected ',' or '}' after a property value, got '"'`,
    );
    expect(await failure(['empty.json'], cwd)).toBe(
      'empty.json:2:1: invalid JSON: the file is empty, expected a JSON value',
    );
  });

  test('validation errors of every file at once, nothing returned', async () => {
    const cwd = tempProject({
      'scenarios/leak.json': one('leak', { request: { method: 'FETCH', path: '/' } }),
      'scenarios/more.json': JSON.stringify([
        JSON.parse(one('x')),
        JSON.parse(one('y')),
        { name: 'z', iterations: 0, request: { path: '/' } },
      ]),
      'scenarios/typo.json': one('t', { itrations: 10 }),
    });
    expect((await failure(['scenarios'], cwd)).split('\n')).toEqual([
      "scenarios/leak.json: request.method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got 'FETCH'",
      'scenarios/more.json: scenarios[2].iterations: expected a whole number ≥ 1, got 0',
      "scenarios/typo.json: itrations: unknown field (did you mean 'iterations'?)",
    ]);
  });

  test('names are unique across files; the message names both', async () => {
    const cwd = tempProject({
      's/a.json': one('dup'),
      's/b.json': JSON.stringify([JSON.parse(one('other')), JSON.parse(one('dup'))]),
    });
    expect(await failure(['s'], cwd)).toBe(
      "s/b.json: scenarios[1].name: 'dup' is already the name of a scenario in s/a.json",
    );
  });

  test('paths that are missing, empty folders, wrong extensions', async () => {
    const cwd = tempProject({ 'empty/readme.md': '#', 'x.yaml': 'name: a' });
    expect((await failure(['nope.json', 'empty', 'x.yaml'], cwd)).split('\n')).toEqual([
      'nope.json: no such file or folder',
      'empty: no scenario files in this folder (expected *.json, *.js, *.mjs)',
      'x.yaml: not a scenario file (expected .json, .js, .mjs)',
    ]);
  });

  test('JS modules that fail to load, throw, or export nothing useful', async () => {
    const cwd = tempProject({
      'syntax.mjs': 'export default {',
      'throws.mjs': `export default async () => { throw new Error('no config'); };`,
      'named.mjs': `export const scenario = {};`,
      'returns-nothing.mjs': `export default () => undefined;`,
      'bad.mjs': `export default { name: 'b', request: { path: '/', json: { d: new Date(0) } } };`,
    });
    const lines = (
      await failure(['syntax.mjs', 'throws.mjs', 'named.mjs', 'returns-nothing.mjs', 'bad.mjs'], cwd)
    ).split('\n');
    expect(lines[0]).toMatch(/^syntax\.mjs: could not load the module: /);
    expect(lines.slice(1)).toEqual([
      'throws.mjs: the default export threw: no config',
      'named.mjs: no default export (export default a scenario, an array of them, or a function returning either)',
      'returns-nothing.mjs: the default export returned nothing; expected a scenario or an array of them',
      'bad.mjs: request.json.d: expected a JSON value (string, number, boolean, null, array or plain object), got a Date',
    ]);
  });

  test('a dangling symlink in a folder is skipped', async () => {
    const cwd = tempProject({ 's/a.json': one('a') });
    symlinkSync(path.join(cwd, 'gone.json'), path.join(cwd, 's/b.json'));
    expect((await loadScenarios(['s'], { cwd })).map((s) => s.name)).toEqual(['a']);
  });

  test('known rules flow through the loader', async () => {
    const cwd = tempProject({ 'a.json': one('a', { covers: { rules: ['R9'] } }) });
    mkdirSync(path.join(cwd, 'sub'));
    writeFileSync(path.join(cwd, 'sub/b.json'), one('b'));
    await expect(loadScenarios(['a.json'], { cwd, knownRules: ['R1', 'R2'] })).rejects.toThrow(
      "a.json: covers.rules[0]: unknown rule 'R9' (did you mean 'R1'?)",
    );
    expect(await loadScenarios(['sub'], { cwd, knownRules: ['R1'] })).toHaveLength(1);
  });
});

describe('strict JSON', () => {
  const error = (text: string) => {
    try {
      parseJsonStrict(text);
    } catch (e) {
      const err = e as { message: string; line: number; column: number };
      return `${err.line}:${err.column} ${err.message}`;
    }
    return 'ok';
  };
  test.each([
    ['{"a": 1}', 'ok'],
    ['\ufeff{"a": [1, 2.5e3, -0, true, false, null, "x\\u00e9\\n"]}', 'ok'],
    ['{"a": 1, "a": 2}', '1:10 duplicate key "a" (first at line 1)'],
    ['{\n "a": 1,\n "b": {"c": 1,\n "c": 2}}', '4:2 duplicate key "c" (first at line 3)'],
    ['[1, 2,]', "1:7 unexpected ']' after ',' (trailing commas are not allowed in JSON)"],
    ["{'a': 1}", "1:2 expected a double-quoted property name, got '''"],
    ['{"a": \'x\'}', '1:7 strings must use double quotes'],
    ['{"a": 1} // note', "1:10 unexpected '/' after the end of the JSON value"],
    ['// note\n{}', '1:1 comments are not allowed in JSON'],
    ['{"a": 01}', '1:8 invalid number'],
    ['{"a": "x\ny"}', '1:9 unterminated string (a line break inside a string)'],
    ['{"a": "\\q"}', "1:8 invalid escape '\\q'"],
    ['{"a" 1}', "1:6 expected ':' after a property name, got '1'"],
    ['{"a": tru}', "1:7 unexpected 't', expected a value"],
    ['[1 2]', "1:4 expected ',' or ']' after an array element, got '2'"],
    ['{"a": ', '1:7 unexpected end of file, expected a value'],
    ['"abc', '1:1 unterminated string'],
  ])('%j', (text, expected) => {
    expect(error(text)).toBe(expected);
  });
});
