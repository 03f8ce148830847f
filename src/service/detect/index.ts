/**
 * A target found by itself (issue 16, item 1): with no --target (flag or config), the one service the
 * project could be started as (candidates.ts) with the interpreter that can run it (interpreter.ts), and
 * a sentence saying which command and why — or, when there is none or several, a sentence saying so and
 * how to choose (the caller makes it an exit-2 error where a target is needed).
 */
import path from 'node:path';
import { chooseInterpreter } from './interpreter.js';
import { findCandidates, type Candidate } from './candidates.js';

export type { Candidate } from './candidates.js';

export interface DetectedTarget {
  /** The --target command, `{port}` where the service takes its port. */
  command: string;
  /**
   * The same command as a project's configuration should hold it: `python3` for the first python3 on
   * PATH, the virtualenv's interpreter relative to the project.
   */
  portable: string;
  /** Which command and why, for the terminal and the report. */
  reason: string;
  candidate: Candidate;
}

export type Detection = { target: DetectedTarget } | { problem: string };

/** Quotes an interpreter path for a command (it may hold blanks). */
function quotePath(file: string): string {
  return /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}

export function detectTarget(root: string, env: NodeJS.ProcessEnv = process.env): Detection {
  const found = findCandidates(root);
  if (!found.length) {
    return {
      problem:
        'heapgate found no service to start (no Flask, FastAPI, Starlette or aiohttp app, no Django manage.py, ' +
        'no http.server script): pass --target "CMD" (or set target in [tool.heapgate])',
    };
  }
  if (found.length > 1) {
    const list = found.map((c) => `${c.what} in ${c.file}`).join('; ');
    return {
      problem:
        `heapgate found ${found.length} services it could start (${list}): pass --target "CMD" to choose ` +
        `(or set target in [tool.heapgate]), e.g. --target "${found[0].command.replace('{python}', 'python3')}"`,
    };
  }
  const [candidate] = found;
  const interpreter = chooseInterpreter(root, candidate.imports, env);
  if ('problem' in interpreter) {
    return {
      problem: `${candidate.what} in ${candidate.file} needs a Python that can run it: ${interpreter.problem}`,
    };
  }
  const command = candidate.command.replace('{python}', quotePath(interpreter.python));
  const portablePython = interpreter.firstOnPath
    ? 'python3'
    : path.isAbsolute(interpreter.python) && interpreter.python.startsWith(`${root}${path.sep}`)
      ? path.relative(root, interpreter.python)
      : interpreter.python;
  const portable = candidate.command.replace('{python}', quotePath(portablePython));
  return {
    target: {
      command,
      portable,
      candidate,
      reason: `no --target given: heapgate starts "${command}" (${candidate.what} in ${candidate.file}; ${interpreter.python} is ${interpreter.why})`,
    },
  };
}
