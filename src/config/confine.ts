/**
 * Paths a repository's own `pyproject.toml` names (cache-dir, output-dir, scenarios) stay inside the
 * repository: a checked-out project must not make heapgate write to, or run scenario modules from,
 * `/etc`, `~` or `../../..`. Paths given on the command line are the user's and are not confined.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `p`'s nearest existing ancestor (itself when it exists), with the rest appended. */
function realPathOfNearest(p: string): string {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(realpathSync(at), ...rest);
    } catch {
      if (path.dirname(at) === at) return p;
      rest.unshift(path.basename(at));
      at = path.dirname(at);
    }
  }
}

/**
 * `value` resolved against `projectDir`, or a UsageError naming `where` and the command-line `flag`
 * to use instead when it leads outside the project (by `..`, an absolute path, or a symbolic link).
 */
export function confinedPath(value: string, projectDir: string, where: string, flag: string): string {
  const resolved = path.resolve(projectDir, value);
  const root = realPathOfNearest(projectDir);
  if (!inside(projectDir, resolved) || !inside(root, realPathOfNearest(resolved))) {
    throw new UsageError(
      `${where}: '${value}' is outside the project (${projectDir}); a project's pyproject.toml may only ` +
        `name paths inside it — pass ${flag} on the command line to use it`,
    );
  }
  return resolved;
}
