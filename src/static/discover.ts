/**
 * Which `.py` files an analysis covers: a walk of PATH that skips what is not the project's own code
 * (VCS folders, virtualenvs, site-packages, node_modules, caches, build output), honours `.gitignore`
 * files from the repository root down, and the user's `--exclude` globs. The walk stays inside PATH: a
 * symbolic link whose target lies outside it is reported and not followed (a link to `/` must not walk
 * the whole filesystem); symlinked folders inside it are followed once, and a loop is reported.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { Problem } from '../model/static.js';

export interface SourceFile {
  abs: string;
  /** Relative to the analyzed root, forward slashes; for a single-file PATH, its base name. */
  rel: string;
  size: number;
  mtimeMs: number;
}

export interface Discovery {
  root: string;
  files: SourceFile[];
  problems: Problem[];
}

export const DEFAULT_EXCLUDED_DIRS = [
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '__pycache__',
  'node_modules',
  'site-packages',
  'dist-packages',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.heapgate_cache',
  '.eggs',
  'build',
  'dist',
];

export interface DiscoverOptions {
  /** Extra globs: without a slash they match any path segment's name, with one the relative path. */
  exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
}

interface IgnoreLayer {
  /** Folder of the .gitignore, relative to the repository root, '' for the root. */
  base: string;
  rules: Ignore;
}

export function discoverPythonFiles(rootArg: string, options: DiscoverOptions = {}): Discovery {
  const root = path.resolve(rootArg);
  const problems: Problem[] = [];
  const files: SourceFile[] = [];
  const rootStat = statSync(root); // throws for a missing PATH: the CLI turns that into exit 2

  if (rootStat.isFile()) {
    files.push({ abs: root, rel: path.basename(root), size: rootStat.size, mtimeMs: rootStat.mtimeMs });
    return { root: path.dirname(root), files, problems };
  }

  const excluded = compileExcludes(options.exclude ?? []);
  const useGitignore = options.gitignore ?? true;
  const repoRoot = useGitignore ? findRepositoryRoot(root) : null;
  const layers: IgnoreLayer[] = [];
  if (repoRoot) {
    // .gitignore files between the repository root and PATH apply too.
    // (PATH's own .gitignore is read by the walk.)
    const between = path.relative(repoRoot, root).split(path.sep).filter(Boolean);
    let dir = repoRoot;
    for (const segment of between) {
      pushGitignore(layers, repoRoot, dir);
      dir = path.join(dir, segment);
    }
    // A folder the user names explicitly is analysed even when an outer .gitignore excludes it.
    if (isIgnored(layers, repoRoot, root, true)) layers.length = 0;
  }
  const realRoot = safeRealpath(root) ?? root;
  const visited = new Set<string>([realRoot]);
  // Paths joined by hand: the walk's folders are already absolute and normalised, entry names hold no
  // separator, and path.join per entry is a measurable share of a warm run.
  const join = (dir: string, name: string) => (dir.endsWith(path.sep) ? dir + name : dir + path.sep + name);
  const leavesTree = (abs: string, childRel: string): boolean => {
    const real = safeRealpath(abs);
    if (real === null || isInside(realRoot, real)) return false;
    problems.push({
      kind: 'outside-tree',
      file: childRel,
      message: `links outside the analysed folder (to ${real}); not followed`,
    });
    return true;
  };

  /** `real`: the folder's real path (a folder reached by no link is its real parent's plus its name). */
  const walk = (dir: string, rel: string, real: string, depthLayers: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (rel && isVirtualenv(dir)) return;
      problems.push({ kind: 'unreadable', file: rel || '.', message: describeFsError(error) });
      return;
    }
    // A virtualenv under any name, told from the listing the walk reads anyway (a link named
    // pyvenv.cfg is asked about, as `existsSync` would: a dangling one does not count).
    if (rel && entries.some((e) => e.name === VENV_MARK && (!e.isSymbolicLink() || isVirtualenv(dir)))) {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // Only folders that list a .gitignore are asked for one (a failed read per folder is not free).
    if (useGitignore && repoRoot && entries.some((e) => e.name === '.gitignore')) {
      pushGitignore(layers, repoRoot, dir);
    }
    const ownLayers = layers.length;

    for (const entry of entries) {
      const abs = join(dir, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target;
        try {
          target = statSync(abs);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (entry.name.endsWith('.py') || code === 'ELOOP') {
            problems.push({
              kind: code === 'ELOOP' ? 'symlink-loop' : 'unreadable',
              file: childRel,
              message: code === 'ELOOP' ? 'symbolic link loop; skipped' : describeFsError(error),
            });
          }
          continue;
        }
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) {
        if (DEFAULT_EXCLUDED_DIRS.includes(entry.name) || entry.name.endsWith('.egg-info')) continue;
        if (excluded(childRel, entry.name)) continue;
        if (isIgnored(layers, repoRoot, abs, true)) continue;
        // A linked folder is checked here, before the link is followed (a real one by the walk below).
        if (entry.isSymbolicLink() && isVirtualenv(abs)) continue;
        if (entry.isSymbolicLink() && leavesTree(abs, childRel)) continue;
        const childReal = entry.isSymbolicLink() ? safeRealpath(abs) : join(real, entry.name);
        if (!childReal) {
          problems.push({ kind: 'symlink-loop', file: childRel, message: 'symbolic link loop; skipped' });
          continue;
        }
        if (visited.has(childReal)) {
          if (entry.isSymbolicLink()) {
            problems.push({
              kind: 'symlink-loop',
              file: childRel,
              message: `links back to an already analysed folder; skipped`,
            });
          }
          continue;
        }
        visited.add(childReal);
        walk(abs, childRel, childReal, layers.length);
        layers.length = ownLayers;
      } else if (isFile && entry.name.endsWith('.py')) {
        if (excluded(childRel, entry.name)) continue;
        if (isIgnored(layers, repoRoot, abs, false)) continue;
        if (entry.isSymbolicLink() && leavesTree(abs, childRel)) continue;
        try {
          const stat = statSync(abs);
          files.push({ abs, rel: childRel, size: stat.size, mtimeMs: stat.mtimeMs });
        } catch (error) {
          problems.push({ kind: 'unreadable', file: childRel, message: describeFsError(error) });
        }
      }
    }
    layers.length = Math.min(layers.length, depthLayers);
  };
  walk(root, '', realRoot, layers.length);
  return { root, files, problems };
}

const VENV_MARK = 'pyvenv.cfg';

function isVirtualenv(dir: string): boolean {
  return existsSync(path.join(dir, VENV_MARK));
}

function compileExcludes(globs: readonly string[]): (rel: string, name: string) => boolean {
  if (!globs.length) return () => false;
  const byName: picomatch.Matcher[] = [];
  const byPath: picomatch.Matcher[] = [];
  for (const raw of globs) {
    const glob = raw.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/$/, '');
    if (!glob) continue;
    if (glob.includes('/')) {
      byPath.push(picomatch(glob, { dot: true }));
      // `tests/**` should also exclude the folder `tests` itself.
      if (glob.endsWith('/**')) byPath.push(picomatch(glob.slice(0, -3), { dot: true }));
    } else {
      byName.push(picomatch(glob, { dot: true }));
    }
  }
  return (rel, name) => byName.some((m) => m(name)) || byPath.some((m) => m(rel));
}

function findRepositoryRoot(start: string): string | null {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

function pushGitignore(layers: IgnoreLayer[], repoRoot: string, dir: string): void {
  const file = path.join(dir, '.gitignore');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const base = path.relative(repoRoot, dir).split(path.sep).join('/');
  layers.push({ base, rules: ignore().add(text) });
}

function isIgnored(
  layers: readonly IgnoreLayer[],
  repoRoot: string | null,
  abs: string,
  isDir: boolean,
): boolean {
  if (!repoRoot || !layers.length) return false;
  const fromRepo = path.relative(repoRoot, abs).split(path.sep).join('/');
  for (const layer of layers) {
    const rel = layer.base ? fromRepo.slice(layer.base.length + 1) : fromRepo;
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function safeRealpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return `cannot be read (${e.code ?? e.message}); skipped`;
}
