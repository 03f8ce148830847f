/**
 * Which Python starts a detected service (issue 16, item 1): the project's own virtualenv when it has one,
 * else the first `python3` on PATH that can import what the service needs — on a machine where pyenv's
 * python3 comes first but only the system's has Flask, that is the system's — and why, in words.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface ChosenInterpreter {
  python: string;
  why: string;
  /** It is the python3 a shell finds first on PATH (a configuration may then say `python3`). */
  firstOnPath?: boolean;
}

/** The project's own virtualenv interpreters, in the order they are looked for. */
const VENV_DIRS = ['.venv', 'venv', 'env', '.env'];

/** How long one `python3 -c "import …"` may take (a cold import of Django on a loaded machine). */
const PROBE_TIMEOUT_MS = 30_000;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `python` can import every module of `modules`. */
export function canImport(python: string, modules: readonly string[], cwd: string): boolean {
  const probe = spawnSync(python, ['-c', modules.length ? `import ${modules.join(', ')}` : 'pass'], {
    cwd,
    stdio: 'ignore',
    timeout: PROBE_TIMEOUT_MS,
  });
  return probe.status === 0;
}

/** Every distinct `python3` on PATH, in PATH order. */
export function pythonsOnPath(envPath: string | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, 'python3');
    if (!existsSync(file) || !executable(file)) continue;
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      // a dangling link: not a python
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(file);
  }
  return out;
}

/**
 * The interpreter for a service that needs `modules`, or why there is none: the project's virtualenv,
 * else the first python3 on PATH that imports them all.
 */
export function chooseInterpreter(
  root: string,
  modules: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ChosenInterpreter | { problem: string } {
  for (const dir of VENV_DIRS) {
    const python = path.join(root, dir, 'bin', 'python');
    if (existsSync(python) && executable(python)) {
      return { python, why: `the project's virtualenv (${dir}/)` };
    }
  }
  const candidates = pythonsOnPath(env.PATH);
  if (!candidates.length) return { problem: 'there is no python3 on PATH' };
  const need = modules.length ? `imports ${modules.join(' and ')}` : 'runs';
  const refused: string[] = [];
  for (const python of candidates) {
    if (canImport(python, modules, root)) {
      const others = refused.length
        ? ` (${refused.join(', ')} ${refused.length === 1 ? 'does' : 'do'} not)`
        : '';
      return {
        python,
        why: `the first python3 on PATH that ${need}${others}`,
        ...(refused.length ? {} : { firstOnPath: true }),
      };
    }
    refused.push(python);
  }
  return {
    problem:
      `no python3 on PATH ${modules.length ? `imports ${modules.join(' and ')}` : 'runs'} (tried ${refused.join(', ')}): ` +
      'make a virtualenv in .venv with the project installed',
  };
}
