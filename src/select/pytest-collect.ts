/**
 * The pytest tests under the paths `heapgate soak --pytest PATH` names, collected from the source as
 * pytest would (issue 16, item 3): files matching the project's `python_files` (pytest-config.ts; by
 * default `test_*.py` and `*_test.py`) found in a folder (a file named explicitly is collected whatever
 * its name), functions whose name starts with `test`, and the
 * `test` methods of classes whose name starts with `Test` and that have no `__init__` (nested such classes
 * too). With each test: the fixtures it asks for (its arguments) and why it cannot be soaked as it stands
 * (parametrized, marked skip or xfail, async). The fixtures the tests may use come from their own module
 * and the `conftest.py` files from their folder up to the project root, so pytest-soak.ts can follow a
 * test into its fixtures. Pure but for reading the files; nothing is imported or run.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { decodePython } from '../static/decode.js';
import { discoverPythonFiles } from '../static/discover.js';
import { parsePython, pythonParser } from '../static/parse.js';
import { field, namedChildren, type Node } from '../static/pyast.js';
import { globMatcher, pytestSettings } from './pytest-config.js';

export interface CollectedTest {
  /** `tests/test_api.py::TestUsers::test_create`, relative to the project root. */
  nodeId: string;
  /** The file, relative to the project root (forward slashes). */
  file: string;
  /** `TestUsers.test_create`: the call graph's name for it. */
  qualname: string;
  line: number;
  /** The names pytest fills from fixtures: the arguments without a default (not `self`). */
  fixtures: string[];
  /** Why it is not soaked as it stands (one node id would select several tests, or none runs), or null. */
  unsoakable: string | null;
}

export interface FixtureDef {
  /** The name tests ask for (`name=` of the decorator, else the function's). */
  name: string;
  file: string;
  qualname: string;
  /** The class it is defined in (visible to that class's tests only), or null at module level. */
  className: string | null;
  fixtures: string[];
  /** `params=`: every test using it runs once per parameter. */
  parametrized: boolean;
}

export interface PytestCollection {
  tests: CollectedTest[];
  /** The fixtures of the test modules and of the conftest.py files that apply to them. */
  fixtures: FixtureDef[];
  /** The test files read, relative to the root. */
  files: string[];
  /** Paths that do not exist, lie outside the project, or hold no test file. */
  problems: string[];
}

/** Collects the tests under `paths` (absolute or relative to the process), for a project at `root`. */
export async function collectPytestTests(
  root: string,
  paths: readonly string[],
  exclude: readonly string[] = [],
): Promise<PytestCollection> {
  const problems: string[] = [];
  const testFiles = new Set<string>();
  const settings = pytestSettings(root);
  const isTestFile = globMatcher(settings.pythonFiles);
  const named = `${settings.pythonFiles.join(' or ')}${settings.from ? `, python_files of ${settings.from}` : ''}`;
  for (const given of paths) {
    const absolute = path.resolve(given);
    const relative = path.relative(root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      problems.push(`--pytest ${given}: not inside the project (${root}; --cwd sets it)`);
      continue;
    }
    if (!existsSync(absolute)) {
      problems.push(`--pytest ${given}: no such file or folder`);
      continue;
    }
    const before = testFiles.size;
    if (statSync(absolute).isFile()) {
      if (absolute.endsWith('.py')) testFiles.add(toPosix(relative));
    } else {
      for (const file of discoverPythonFiles(absolute, { exclude }).files) {
        if (isTestFile(path.basename(file.abs))) testFiles.add(toPosix(path.relative(root, file.abs)));
      }
    }
    if (testFiles.size === before) {
      problems.push(`--pytest ${given}: no test file (${named})`);
    }
  }

  const parser = await pythonParser();
  const tests: CollectedTest[] = [];
  const fixtures: FixtureDef[] = [];
  const conftests = new Set<string>();
  const files = [...testFiles].sort();
  for (const file of files) {
    const module = readModule(parser, root, file);
    if (!module) continue;
    tests.push(...module.tests);
    fixtures.push(...module.fixtures);
    for (const conftest of conftestsOf(root, file)) conftests.add(conftest);
  }
  for (const conftest of [...conftests].sort()) {
    fixtures.push(...(readModule(parser, root, conftest)?.fixtures ?? []));
  }
  return { tests, fixtures, files, problems };
}

/** The conftest.py files that apply to a test file: from its folder up to the root, nearest first. */
export function conftestsOf(root: string, file: string): string[] {
  const out: string[] = [];
  const parts = file.split('/').slice(0, -1);
  for (let n = parts.length; n >= 0; n--) {
    const candidate = [...parts.slice(0, n), 'conftest.py'].join('/');
    if (candidate !== file && existsSync(path.join(root, candidate))) out.push(candidate);
  }
  return out;
}

function readModule(
  parser: Parser,
  root: string,
  file: string,
): { tests: CollectedTest[]; fixtures: FixtureDef[] } | null {
  let source: string;
  try {
    const decoded = decodePython(readFileSync(path.join(root, file)));
    if (!decoded.ok) return null;
    source = decoded.text;
  } catch {
    return null;
  }
  const tree = parsePython(parser, source);
  try {
    return testsOfModule(file, tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** The tests and fixtures a parsed module defines (exported for the unit tests). */
export function testsOfModule(file: string, root: Node): { tests: CollectedTest[]; fixtures: FixtureDef[] } {
  const tests: CollectedTest[] = [];
  const fixtures: FixtureDef[] = [];
  const moduleMark = moduleMarks(root);
  const visit = (body: Node, classes: string[], inheritedMarks: string[]) => {
    for (const statement of namedChildren(body)) {
      const { definition, decorators } = unwrap(statement);
      if (!definition) continue;
      const name = field(definition, 'name')?.text ?? '';
      if (definition.type === 'class_definition') {
        // pytest collects a Test* class only when it has no __init__ (it could not instantiate it).
        const block = field(definition, 'body');
        if (!name.startsWith('Test') || !block || hasInit(block)) continue;
        visit(block, [...classes, name], [...inheritedMarks, ...decorators]);
        continue;
      }
      const qualname = [...classes, name].join('.');
      const fixture = fixtureDecorator(decorators);
      const args = fixtureArguments(definition, classes.length > 0);
      if (fixture) {
        fixtures.push({
          name: fixture.name ?? name,
          file,
          qualname,
          className: classes.length ? classes.join('.') : null,
          fixtures: args,
          parametrized: fixture.parametrized,
        });
        continue;
      }
      if (!name.startsWith('test')) continue;
      const marks = [...moduleMark, ...inheritedMarks, ...decorators];
      tests.push({
        nodeId: [file, ...classes, name].join('::'),
        file,
        qualname,
        line: definition.startPosition.row + 1,
        fixtures: [...args, ...usedFixtures(marks)],
        unsoakable: whyUnsoakable(definition, marks),
      });
    }
  };
  visit(root, [], []);
  return { tests, fixtures };
}

/** A statement's def or class and its decorators' text (`@pytest.mark.skip`), or no definition. */
function unwrap(statement: Node): { definition: Node | null; decorators: string[] } {
  if (statement.type === 'decorated_definition') {
    const decorators = namedChildren(statement)
      .filter((c) => c.type === 'decorator')
      .map((c) => c.text);
    return { definition: field(statement, 'definition'), decorators };
  }
  const isDefinition = statement.type === 'function_definition' || statement.type === 'class_definition';
  return { definition: isDefinition ? statement : null, decorators: [] };
}

function hasInit(block: Node): boolean {
  return namedChildren(block).some((s) => {
    const { definition } = unwrap(s);
    return definition?.type === 'function_definition' && field(definition, 'name')?.text === '__init__';
  });
}

/** `pytestmark = pytest.mark.skip(...)` (or a list of marks) at module level, as decorator-like text. */
function moduleMarks(root: Node): string[] {
  const out: string[] = [];
  for (const statement of namedChildren(root)) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type === 'assignment' && field(assignment, 'left')?.text === 'pytestmark') {
      out.push(`@${field(assignment, 'right')?.text ?? ''}`);
    }
  }
  return out;
}

/** `@pytest.fixture`, `@fixture(scope=…, name=…, params=…)`: its name= and whether it has params=. */
function fixtureDecorator(
  decorators: readonly string[],
): { name: string | null; parametrized: boolean } | null {
  for (const text of decorators) {
    if (!/^@\s*(?:pytest\s*\.\s*)?fixture\b/.test(text)) continue;
    return {
      name: /\bname\s*=\s*(['"])([^'"]+)\1/.exec(text)?.[2] ?? null,
      parametrized: /\bparams\s*=/.test(text),
    };
  }
  return null;
}

/** The arguments pytest fills: positional ones without a default, less `self`/`cls` in a class. */
function fixtureArguments(definition: Node, inClass: boolean): string[] {
  const params = field(definition, 'parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') names.push(p.text);
    else if (p.type === 'typed_parameter') {
      const name = p.namedChild(0);
      if (name?.type === 'identifier') names.push(name.text);
    }
  }
  return inClass && (names[0] === 'self' || names[0] === 'cls') ? names.slice(1) : names;
}

/** The fixtures `@pytest.mark.usefixtures("db", "client")` asks for. */
function usedFixtures(marks: readonly string[]): string[] {
  const out: string[] = [];
  for (const mark of marks) {
    const args = /\bmark\s*\.\s*usefixtures\s*\(([^)]*)\)/.exec(mark)?.[1];
    for (const m of args?.matchAll(/(['"])([^'"]+)\1/g) ?? []) out.push(m[2]);
  }
  return out;
}

/** Why one run of this node id would not be one run of the test's body, or null. */
function whyUnsoakable(definition: Node, marks: readonly string[]): string | null {
  if (definition.children[0]?.type === 'async') {
    return 'an async test: without an event-loop plugin pytest skips it, so a soak would measure nothing';
  }
  for (const mark of marks) {
    const kind = /\bmark\s*\.\s*(parametrize|skip|skipif|xfail)\b/.exec(mark)?.[1];
    if (kind === 'parametrize') {
      return 'parametrized: its node id selects every case; name one case in a scenario file ("pytest": "…::test[case]")';
    }
    if (kind === 'skip' || kind === 'skipif') return 'marked skip: pytest would not run its body';
    if (kind === 'xfail') return 'marked xfail: a failure is what it expects, a soak could not tell';
  }
  return null;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
