/**
 * The collection settings of a project's pytest configuration that decide which files hold tests:
 * `python_files` (default `test_*.py *_test.py`), read from the first file pytest itself would take it
 * from at the project root: `pytest.ini` (its `[pytest]` section, even empty), `pyproject.toml`
 * (`[tool.pytest.ini_options]`), `tox.ini` (`[pytest]`), `setup.cfg` (`[tool:pytest]`). Only the root
 * is looked at (pytest also walks up from the given paths; a project's root is where heapgate runs).
 * A file that cannot be read or parsed leaves the defaults: collection must not fail on pytest's config.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'smol-toml';

export interface PytestSettings {
  /** Globs a test file's name must match (fnmatch, as pytest matches them). */
  pythonFiles: string[];
  /** The file they came from, relative to the root, or null for pytest's defaults. */
  from: string | null;
}

export const DEFAULT_PYTHON_FILES = ['test_*.py', '*_test.py'];

/**
 * An ini file's `[section]` `key = value` (continuation lines indented, joined by spaces): null when the
 * section is there without the key, undefined when there is no such section.
 */
function iniValue(text: string, section: string, key: string): string | undefined | null {
  let inSection = false;
  let found: string[] | null = null;
  let sectionSeen = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      if (found) break;
      inSection = header[1].trim() === section;
      sectionSeen ||= inSection;
      continue;
    }
    if (!inSection) continue;
    if (found && /^\s+\S/.test(line)) {
      found.push(line.trim());
      continue;
    }
    if (found) break;
    const entry = /^([\w-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (entry && entry[1] === key) found = [entry[2].trim()];
  }
  return found ? found.join(' ') : sectionSeen ? null : undefined;
}

function globs(value: string | string[]): string[] {
  const list = Array.isArray(value) ? value : value.split(/\s+/);
  return list.map((g) => g.trim()).filter(Boolean);
}

/** The settings for a project at `root`. */
export function pytestSettings(root: string): PytestSettings {
  const read = (name: string): string | null => {
    const file = path.join(root, name);
    try {
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    } catch {
      return null;
    }
  };
  const fromIni = (name: string, section: string): PytestSettings | null => {
    const text = read(name);
    if (text === null) return null;
    const value = iniValue(text, section, 'python_files');
    if (value === undefined)
      return name === 'pytest.ini' ? { pythonFiles: DEFAULT_PYTHON_FILES, from: name } : null;
    return { pythonFiles: value ? globs(value) : DEFAULT_PYTHON_FILES, from: name };
  };
  const ini = fromIni('pytest.ini', 'pytest');
  if (ini) return ini;
  const pyproject = read('pyproject.toml');
  if (pyproject !== null) {
    try {
      const options = (parse(pyproject) as { tool?: { pytest?: { ini_options?: Record<string, unknown> } } })
        .tool?.pytest?.ini_options;
      if (options) {
        const value = options.python_files;
        const list =
          typeof value === 'string' || Array.isArray(value) ? globs(value as string | string[]) : [];
        return { pythonFiles: list.length ? list : DEFAULT_PYTHON_FILES, from: 'pyproject.toml' };
      }
    } catch {
      // Not ours to report: pyproject.ts says what is wrong with it when heapgate reads its own table.
    }
  }
  return (
    fromIni('tox.ini', 'pytest') ??
    fromIni('setup.cfg', 'tool:pytest') ?? { pythonFiles: DEFAULT_PYTHON_FILES, from: null }
  );
}

/**
 * fnmatch as pytest applies it to a file's base name (`*`, `?`, `[seq]`, `[!seq]`), with the glob matcher
 * discovery's `--exclude` uses: POSIX classes on (`[!seq]` negates), braces and extglobs off (fnmatch
 * has neither).
 */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const matchers = patterns.map((pattern) =>
    picomatch(pattern, { dot: true, posix: true, nobrace: true, noextglob: true }),
  );
  return (name) => matchers.some((m) => m(name));
}
