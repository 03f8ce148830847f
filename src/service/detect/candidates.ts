/**
 * The services a project could be started as, found by reading its Python files (issue 16, item 1): a
 * Flask app or factory, a FastAPI/Starlette app or factory, an aiohttp app (its script or its factory),
 * Django's manage.py, an http.server script. Each candidate carries the command that starts it (with the
 * interpreter left as `{python}`), what it is, and the modules its interpreter must import.
 *
 * Only module-level statements are read (a line that starts in column 0), so an app built inside a test
 * helper or a function is never a candidate; tests, virtualenvs and vendored folders are not walked.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type DetectedFramework = 'flask' | 'fastapi' | 'starlette' | 'aiohttp' | 'django' | 'http.server';

export interface Candidate {
  framework: DetectedFramework;
  /** The file it was found in, relative to the project root, with `/`. */
  file: string;
  /** What was found, for the terminal: `a Flask app \`app\``. */
  what: string;
  /** The command with `{python}` for the interpreter (and `{port}` where the service takes one). */
  command: string;
  /** Modules the interpreter must be able to import. */
  imports: string[];
}

const SKIP_DIRS = new Set([
  'node_modules',
  'site-packages',
  '__pycache__',
  'venv',
  'env',
  'tests',
  'test',
  'testing',
  'docs',
  'migrations',
  'build',
  'dist',
  'heapgate',
]);
const MAX_DEPTH = 4;
const MAX_FILES = 5000;
const MAX_BYTES = 1024 * 1024;

/** The Python files worth reading, relative to `root`, sorted. */
export function projectPythonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(path.join(root, dir)).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (out.length >= MAX_FILES) return;
      if (name.startsWith('.')) continue;
      const rel = dir ? `${dir}/${name}` : name;
      let stat;
      try {
        stat = statSync(path.join(root, rel));
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP_DIRS.has(name) && !name.endsWith('.egg-info')) walk(rel, depth + 1);
      } else if (
        name.endsWith('.py') &&
        stat.size <= MAX_BYTES &&
        !/^test_|_test\.py$|^conftest\.py$|^setup\.py$/.test(name)
      ) {
        out.push(rel);
      }
    }
  };
  walk('', 0);
  return out;
}

/** `pkg/app.py` → `pkg.app`, `pkg/__init__.py` → `pkg`; null when a part is not an identifier. */
export function moduleName(file: string): string | null {
  const parts = file.replace(/\.py$/, '').split('/');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.length && parts.every((p) => /^[A-Za-z_]\w*$/.test(p)) ? parts.join('.') : null;
}

/** Module-level `NAME = <ctor>(` (an annotation allowed), for any of `ctors` (dotted prefixes allowed). */
function assignedFrom(source: string, ctors: string): string | null {
  const re = new RegExp(
    `^([A-Za-z_]\\w*)[ \\t]*(?::[^=\\n]*)?=[ \\t]*(?:[A-Za-z_][\\w.]*\\.)?(?:${ctors})[ \\t]*\\(`,
    'm',
  );
  return re.exec(source)?.[1] ?? null;
}

/** A module-level def named like an app factory, with its parameter list. */
function factory(source: string, names: string): { name: string; params: string } | null {
  const match = new RegExp(`^(?:async[ \\t]+)?def[ \\t]+(${names})[ \\t]*\\(([^)]*)\\)`, 'm').exec(source);
  return match ? { name: match[1], params: match[2].trim() } : null;
}

const imports = (source: string, module: string): boolean =>
  new RegExp(
    `^[ \\t]*(?:from[ \\t]+${module}(?:\\.[\\w.]+)?[ \\t]+import\\b|import[ \\t]+${module}\\b)`,
    'm',
  ).test(source);
const hasMain = (source: string): boolean =>
  /^if[ \t]+__name__[ \t]*==[ \t]*["']__main__["'][ \t]*:/m.test(source);
/** Reads its port from $PORT, or takes it as --port / -p. */
const readsPortEnv = (source: string): boolean =>
  /environ(?:\.get)?[ \t]*[[(][ \t]*["'][A-Z_]*PORT["']/.test(source);
const takesPortFlag = (source: string): boolean => /add_argument\([^)]*["']--port["']/.test(source);

function quoteArg(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The one candidate a file is, if any (a file that makes a framework's app is that, not also a script). */
export function candidateIn(file: string, source: string): Candidate | null {
  const module = moduleName(file);
  const script = quoteArg(file);
  const name = path.posix.basename(file);

  if (name === 'manage.py' && /DJANGO_SETTINGS_MODULE|django/.test(source)) {
    return {
      framework: 'django',
      file,
      what: "Django's manage.py",
      command: `{python} ${script} runserver 127.0.0.1:{port} --noreload`,
      imports: ['django'],
    };
  }

  if (module && imports(source, 'flask')) {
    const app = assignedFrom(source, 'Flask');
    if (app) {
      return {
        framework: 'flask',
        file,
        what: `a Flask app \`${app}\``,
        command: `{python} -m flask --app ${module}:${app} run --host 127.0.0.1 --port {port}`,
        imports: ['flask'],
      };
    }
    const make = factory(source, 'create_app|make_app');
    if (make && !make.params) {
      return {
        framework: 'flask',
        file,
        what: `a Flask app factory \`${make.name}()\``,
        command: `{python} -m flask --app '${module}:${make.name}()' run --host 127.0.0.1 --port {port}`,
        imports: ['flask'],
      };
    }
  }

  for (const [framework, ctor, label] of [
    ['fastapi', 'FastAPI', 'a FastAPI app'],
    ['starlette', 'Starlette', 'a Starlette app'],
  ] as const) {
    if (!module || !imports(source, framework)) continue;
    const app = assignedFrom(source, ctor);
    const uvicorn = `{python} -m uvicorn --host 127.0.0.1 --port {port}`;
    if (app) {
      return {
        framework,
        file,
        what: `${label} \`${app}\``,
        command: `${uvicorn} ${module}:${app}`,
        imports: [framework, 'uvicorn'],
      };
    }
    const make = factory(source, 'create_app|make_app|get_app|get_application');
    if (make && !make.params) {
      return {
        framework,
        file,
        what: `${label} factory \`${make.name}()\``,
        command: `${uvicorn} --factory ${module}:${make.name}`,
        imports: [framework, 'uvicorn'],
      };
    }
  }

  if (imports(source, 'aiohttp') && /\bApplication[ \t]*\(/.test(source)) {
    const runs = /\brun_app[ \t]*\(/.test(source) && hasMain(source);
    const reads = readsPortEnv(source) || takesPortFlag(source);
    const runScript = (why: string): Candidate => ({
      framework: 'aiohttp',
      file,
      what: `an aiohttp app run by its script (${why})`,
      command: `{python} ${script}${takesPortFlag(source) ? ' --port {port}' : ''}`,
      imports: ['aiohttp'],
    });
    if (runs && reads) return runScript('it reads its port');
    // aiohttp.web calls the factory with the command line's remaining arguments: it must take one.
    const factoryDef = module ? aiohttpFactory(source) : null;
    if (factoryDef) {
      return {
        framework: 'aiohttp',
        file,
        what: `an aiohttp app factory \`${factoryDef}(argv)\``,
        command: `{python} -m aiohttp.web -H 127.0.0.1 -P {port} ${module}:${factoryDef}`,
        imports: ['aiohttp'],
      };
    }
    if (runs) return runScript('it listens on a port of its own');
  }

  if (
    hasMain(source) &&
    /\b(?:ThreadingHTTPServer|HTTPServer|TCPServer|make_server)[ \t]*\(/.test(source) &&
    /\bhttp\.server\b|\bsocketserver\b|\bwsgiref\b/.test(source)
  ) {
    return {
      framework: 'http.server',
      file,
      what: `an http.server script${readsPortEnv(source) || takesPortFlag(source) ? ' that reads its port' : ''}`,
      command: `{python} ${script}${takesPortFlag(source) ? ' --port {port}' : ''}`,
      imports: [],
    };
  }
  return null;
}

/** A module-level def with one parameter (aiohttp.web's `argv`) whose body builds an Application. */
function aiohttpFactory(source: string): string | null {
  const defs =
    /^(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(([^)]*)\)[^\n]*:\n((?:[ \t]+[^\n]*\n|[ \t]*\n)*)/gm;
  for (const match of source.matchAll(defs)) {
    const params = match[2].split(',').filter((p) => p.trim());
    if (params.length === 1 && /\bApplication[ \t]*\(/.test(match[3]) && /\breturn\b/.test(match[3]))
      return match[1];
  }
  return null;
}

/** Every candidate in the project at `root`, in file order. */
export function findCandidates(root: string): Candidate[] {
  const out: Candidate[] = [];
  for (const file of projectPythonFiles(root)) {
    let source: string;
    try {
      source = readFileSync(path.join(root, file), 'utf8');
    } catch {
      continue;
    }
    const found = candidateIn(file, source);
    if (found) out.push(found);
  }
  return out;
}
