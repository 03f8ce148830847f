/**
 * Loading scenario files (docs/scenarios.md). A path is a file or a folder; a folder contributes its `*.json`,
 * `*.js` and `*.mjs` files, sorted by name, not recursively (sub-folders are for fixtures and helpers;
 * hidden files, `package.json` and `package-lock.json` are skipped so a folder can carry
 * `{"type": "module"}`). A file holds one scenario, an array of them, or `{ "scenarios": [...] }`; a JS
 * module's default export is any of those or a (possibly async) function returning one, called with
 * `{ cwd, file }`.
 *
 * Everything is read and validated before anything is returned, and every problem in every file is
 * reported in one UsageError (exit 2), each line naming the file and the field. Scenario names are
 * unique across all files.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { JsonSyntaxError, parseJsonStrict } from './json.js';
import type { Scenario } from './model.js';
import { checkScenarioFile, describe, joinPath, throwIfAny, type ValidateOptions } from './validate.js';

export const SCENARIO_EXTENSIONS = ['.json', '.js', '.mjs'] as const;
const SKIPPED_FILES = new Set(['package.json', 'package-lock.json']);

export interface LoadOptions extends ValidateOptions {
  /** Relative paths are resolved against it, and file names in messages and in Scenario.file are relative to it. */
  cwd: string;
}

/** What a JS scenario module's default-export function is called with. */
export interface ScenarioModuleContext {
  cwd: string;
  /** The module's absolute path. */
  file: string;
}

export async function loadScenarios(paths: readonly string[], options: LoadOptions): Promise<Scenario[]> {
  const cwd = path.resolve(options.cwd);
  const problems: string[] = [];
  const files: string[] = [];
  const seenFiles = new Set<string>();
  for (const given of paths) {
    for (const file of await expand(given, cwd, problems)) {
      if (seenFiles.has(file)) continue;
      seenFiles.add(file);
      files.push(file);
    }
  }

  const scenarios: Scenario[] = [];
  for (const file of files) {
    const shown = display(file, cwd);
    const value = await read(file, shown, cwd, problems);
    if (value === NOTHING) continue;
    const checked = checkScenarioFile(value, shown, options);
    problems.push(...checked.problems);
    scenarios.push(...checked.scenarios);
  }

  if (problems.length === 0) {
    const byName = new Map<string, Scenario>();
    for (const scenario of scenarios) {
      const earlier = byName.get(scenario.name);
      if (!earlier) {
        byName.set(scenario.name, scenario);
        continue;
      }
      problems.push(
        `${scenario.file}: ${joinPath(scenario.entry, 'name')}: '${scenario.name}' is already the name of a scenario in ${earlier.where}`,
      );
    }
  }
  throwIfAny(problems);
  return scenarios;
}

/** The scenario files a path stands for (absolute), sorted for a folder. */
async function expand(given: string, cwd: string, problems: string[]): Promise<string[]> {
  const absolute = path.resolve(cwd, given);
  const shown = display(absolute, cwd);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push(
      code === 'ENOENT'
        ? `${shown}: no such file or folder`
        : `${shown}: cannot read (${code ?? String(error)})`,
    );
    return [];
  }
  if (info.isDirectory()) {
    let names: string[];
    try {
      names = await readdir(absolute);
    } catch (error) {
      problems.push(
        `${shown}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
      return [];
    }
    const candidates = names
      .filter((name) => !name.startsWith('.') && !SKIPPED_FILES.has(name) && hasScenarioExtension(name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => path.join(absolute, name));
    const files: string[] = [];
    for (const file of candidates) {
      try {
        if ((await stat(file)).isFile()) files.push(file);
      } catch {
        // A dangling symlink: not a scenario file.
      }
    }
    if (files.length === 0) {
      problems.push(
        `${shown}: no scenario files in this folder (expected ${SCENARIO_EXTENSIONS.map((e) => `*${e}`).join(', ')})`,
      );
    }
    return files;
  }
  if (!hasScenarioExtension(absolute)) {
    problems.push(`${shown}: not a scenario file (expected ${SCENARIO_EXTENSIONS.join(', ')})`);
    return [];
  }
  return [absolute];
}

const NOTHING = Symbol('nothing');

async function read(file: string, shown: string, cwd: string, problems: string[]): Promise<unknown> {
  if (path.extname(file).toLowerCase() === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push(`${shown}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      return NOTHING;
    }
    try {
      return parseJsonStrict(text);
    } catch (error) {
      if (error instanceof JsonSyntaxError) {
        problems.push(`${shown}:${error.line}:${error.column}: invalid JSON: ${error.message}`);
      } else problems.push(`${shown}: invalid JSON: ${(error as Error).message}`);
      return NOTHING;
    }
  }
  let module: Record<string, unknown>;
  try {
    const { mtimeMs } = await stat(file);
    // The query makes an edited file load afresh when heapgate is used as a library in one process.
    module = (await import(`${pathToFileURL(file).href}?mtime=${Math.round(mtimeMs)}`)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    problems.push(`${shown}: could not load the module: ${firstLine(error)}`);
    return NOTHING;
  }
  if (!('default' in module) || module.default === undefined) {
    problems.push(
      `${shown}: no default export (export default a scenario, an array of them, or a function returning either)`,
    );
    return NOTHING;
  }
  let value: unknown = module.default;
  if (typeof value === 'function') {
    const context: ScenarioModuleContext = { cwd, file };
    try {
      value = await (value as (context: ScenarioModuleContext) => unknown)(context);
    } catch (error) {
      problems.push(`${shown}: the default export threw: ${firstLine(error)}`);
      return NOTHING;
    }
    if (typeof value === 'function' || value === undefined || value === null) {
      problems.push(
        `${shown}: the default export returned ${describe(value)}; expected a scenario or an array of them`,
      );
      return NOTHING;
    }
  }
  return value;
}

function hasScenarioExtension(name: string): boolean {
  return (SCENARIO_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());
}

/** Relative to cwd with forward slashes, or absolute when the file lies elsewhere. */
function display(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  if (!relative) return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
