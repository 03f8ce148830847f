/**
 * Per-file results keyed by content hash, so an unchanged file is never parsed twice. An entry whose
 * size and mtime still match is trusted without reading the file (as ruff does); otherwise the file is
 * hashed and the entry used only when the content is the same. The key includes a hash of the static
 * engine's own code, so a new heapgate (or a changed rule) never reads stale results.
 *
 * The cache only ever writes inside a folder it owns (cacheFolder below): one it created, marked with a
 * CACHEDIR.TAG, or an empty one. Handed a folder holding anything else (`--cache-dir .`), it keeps its
 * files in a `.heapgate_cache` folder inside it, so the user's own files (a project's .gitignore) are
 * never touched.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceFile } from './discover.js';
import type { FileResult } from '../model/static.js';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  options: string;
  result: FileResult;
}

interface CacheFile {
  engine: string;
  entries: Record<string, CacheEntry>;
  /** The project-wide pass's result (static/frequency), for the project state `key` names. */
  project?: { key: string; value: unknown };
}

export class StaticCache {
  private dirty = false;

  private constructor(
    private readonly file: string | null,
    private readonly data: CacheFile,
  ) {}

  /** A cache stored in `dir`; `null` dir gives a cache that remembers nothing (`--no-cache`). */
  static open(dir: string | null): StaticCache {
    const engine = engineKey();
    const folder = dir === null ? null : cacheFolder(dir);
    if (!folder) return new StaticCache(null, { engine, entries: {} });
    const file = path.join(folder, CACHE_FILE);
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      if (parsed.engine === engine && parsed.entries && typeof parsed.entries === 'object') {
        return new StaticCache(file, parsed);
      }
    } catch {
      // missing or unreadable: start empty
    }
    return new StaticCache(file, { engine, entries: {} });
  }

  /** The cached result for a file, or undefined. `options` distinguishes analysis settings. */
  lookup(source: SourceFile, options: string): FileResult | undefined {
    const entry = Object.hasOwn(this.data.entries, source.rel) ? this.data.entries[source.rel] : undefined;
    if (!isEntry(entry) || entry.options !== options) return undefined;
    if (entry.size === source.size && entry.mtimeMs === source.mtimeMs) return entry.result;
    let hash: string;
    try {
      hash = hashFile(source.abs);
    } catch {
      return undefined;
    }
    if (hash !== entry.hash) return undefined;
    entry.mtimeMs = source.mtimeMs;
    this.dirty = true;
    return entry.result;
  }

  store(source: SourceFile, options: string, hash: string | null, result: FileResult): void {
    if (!this.file || hash === null) return;
    this.data.entries[source.rel] = {
      size: source.size,
      mtimeMs: source.mtimeMs,
      hash,
      options,
      result,
    };
    this.dirty = true;
  }

  /**
   * A key for the whole project's state: every present file's content hash and settings, plus `extra`;
   * null when some file has no entry (it could not be hashed). Equal keys mean the project-wide pass
   * would read exactly the same inputs.
   */
  projectKey(present: readonly SourceFile[], extra: string): string | null {
    if (!this.file) return null;
    // One update with the whole text: the same digest as one update per file, without a call into
    // the hash per file (a measurable share of a warm run on thousands of files).
    const parts = [extra];
    for (const source of present) {
      const entry = Object.hasOwn(this.data.entries, source.rel) ? this.data.entries[source.rel] : undefined;
      if (!isEntry(entry)) return null;
      parts.push(source.rel, entry.hash, entry.options);
    }
    return createHash('sha256').update(parts.join('\0')).digest('hex');
  }

  /** The project-wide result stored for `key`, or undefined. */
  project(key: string): unknown {
    return this.data.project?.key === key ? this.data.project.value : undefined;
  }

  storeProject(key: string, value: unknown): void {
    if (!this.file) return;
    this.data.project = { key, value };
    this.dirty = true;
  }

  /** Drops entries of files that are gone, then writes atomically. Never fails the run. */
  save(present: readonly SourceFile[]): void {
    if (!this.file) return;
    const keep = new Set(present.map((f) => f.rel));
    for (const rel of Object.keys(this.data.entries)) {
      if (!keep.has(rel)) {
        delete this.data.entries[rel];
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const dir = path.dirname(this.file);
      mkdirSync(dir, { recursive: true });
      // The folder is heapgate's (cacheFolder): mark it, and keep it out of the user's commits as
      // .ruff_cache does. Files already there are left as they are.
      writeFileSync(path.join(dir, TAG_FILE), TAG, { flag: 'wx' });
    } catch {
      // already tagged, or a read-only tree (then the writes below fail too)
    }
    try {
      writeFileSync(path.join(path.dirname(this.file), '.gitignore'), '*\n', { flag: 'wx' });
    } catch {
      // already there
    }
    try {
      writeFileSync(temp, JSON.stringify(this.data), { flag: 'wx' });
      renameSync(temp, this.file);
      this.dirty = false;
    } catch {
      rmSync(temp, { force: true });
      // a read-only tree simply gets no cache
    }
  }
}

const CACHE_FILE = 'static-v1.json';
const TAG_FILE = 'CACHEDIR.TAG';
/** https://bford.info/cachedir/: backup tools skip a folder holding this. */
const TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by heapgate.\n';
/** What a heapgate cache folder holds (older versions wrote no tag). */
const OWN_NAMES = new Set([CACHE_FILE, TAG_FILE, '.gitignore']);

/**
 * The folder the cache may write in for `dir` (see the module comment), or null when there is none:
 * `dir` itself when it is missing, empty, tagged or holds only a cache's files; else `dir/.heapgate_cache`
 * on the same terms; never a file, and never through a link to a folder that is not a cache's.
 */
export function cacheFolder(dir: string, depth = 0): string | null {
  let names: string[];
  try {
    const stats = lstatSync(dir);
    if (stats.isSymbolicLink() && !statSync(dir).isDirectory()) return null;
    if (!stats.isSymbolicLink() && !stats.isDirectory()) return null;
    names = readdirSync(dir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? dir : null;
  }
  const tagged =
    names.includes(TAG_FILE) && safeRead(path.join(dir, TAG_FILE)).includes('created by heapgate');
  const onlyOurs = names.every(
    (name) => OWN_NAMES.has(name) || /^static-v1\.json\.\d+(\.\w+)?\.tmp$/.test(name),
  );
  if (tagged || onlyOurs) return dir;
  if (lstatSync(dir).isSymbolicLink() || depth > 0) return null;
  return cacheFolder(path.join(dir, '.heapgate_cache'), depth + 1);
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<CacheEntry>;
  const result = entry.result as Partial<FileResult> | undefined;
  return (
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number' &&
    typeof entry.hash === 'string' &&
    typeof entry.options === 'string' &&
    typeof result === 'object' &&
    result !== null &&
    Array.isArray(result.findings) &&
    Array.isArray(result.routes) &&
    Array.isArray(result.problems) &&
    typeof result.suppressed === 'number'
  );
}

function hashFile(abs: string): string {
  return createHash('sha1').update(readFileSync(abs)).digest('hex');
}

let cachedEngineKey: string | null = null;

/** Hash of the static engine's code (this folder and its rules/routes), computed once per process. */
export function engineKey(): string {
  if (cachedEngineKey) return cachedEngineKey;
  const hash = createHash('sha1');
  const root = path.dirname(fileURLToPath(import.meta.url));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs);
      else if (/\.(js|ts)$/.test(entry.name)) hash.update(entry.name).update(readFileSync(abs));
    }
  };
  walk(root);
  cachedEngineKey = hash.digest('hex').slice(0, 16);
  return cachedEngineKey;
}
