/**
 * Per-file results keyed by content hash, so an unchanged file is never parsed twice. An entry whose
 * size and mtime still match is trusted without reading the file (as ruff does); otherwise the file is
 * hashed and the entry used only when the content is the same. The key includes a hash of the static
 * engine's own code, so a new heapgate (or a changed rule) never reads stale results.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
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
    if (!dir) return new StaticCache(null, { engine, entries: {} });
    const file = path.join(dir, 'static-v1.json');
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
    const entry = this.data.entries[source.rel];
    if (!entry || entry.options !== options) return undefined;
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
    try {
      const dir = path.dirname(this.file);
      mkdirSync(dir, { recursive: true });
      // Keep the cache out of the user's commits, as .ruff_cache does.
      writeFileSync(path.join(dir, '.gitignore'), '*\n');
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(this.data));
      renameSync(temp, this.file);
      this.dirty = false;
    } catch {
      // a read-only tree simply gets no cache
    }
  }
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
