/** The static phase over a project: discover → cached or parallel per-file analysis → one sorted result. */
import path from 'node:path';
import { StaticCache } from './cache.js';
import { discoverPythonFiles, type SourceFile } from './discover.js';
import { compareFindings, type FileResult, type Finding, type Problem, type Route } from '../model/static.js';
import type { FrequencyResult } from './frequency/index.js';
import { linkRoutes } from './routes/link.js';
import { ALL_RULES } from './rules/index.js';
import type { Rule } from './rule.js';

export interface StaticOptions {
  root: string;
  /** Rules to report (default all). Every rule still runs, so the cache serves any selection. */
  rules?: readonly Rule[];
  exclude?: readonly string[];
  /** Folder for the cache; null disables it. Default `<root>/.heapgate_cache`. */
  cacheDir?: string | null;
  threads?: number;
  maxFileBytes?: number;
  /** Per-file time guard on the worker threads (static/pool.ts). */
  fileTimeoutMs?: number;
  /** Report findings in tests, test helpers, scripts, benchmarks and examples too (default: hidden). */
  includeTests?: boolean;
}

export interface StaticResult {
  /** Absolute folder paths are relative to. */
  root: string;
  filesAnalyzed: number;
  bytes: number;
  findings: Finding[];
  routes: Route[];
  problems: Problem[];
  suppressed: number;
  /** Findings left out because they are in tests, scripts, benchmarks or examples (includeTests brings them back). */
  hiddenFindings: number;
  cache: { hits: number; misses: number };
  timings: { discoverMs: number; analyzeMs: number; frequencyMs: number };
  /** Per-file results, in path order, for later phases (selection ties findings to routes). */
  fileResults: FileResult[];
}

export async function analyzeProject(options: StaticOptions): Promise<StaticResult> {
  const started = performance.now();
  const discovery = discoverPythonFiles(options.root, { exclude: options.exclude });
  const discovered = performance.now();
  const cacheDir =
    options.cacheDir === undefined ? path.join(discovery.root, '.heapgate_cache') : options.cacheDir;
  const cache = StaticCache.open(cacheDir);
  const settings = JSON.stringify({ maxFileBytes: options.maxFileBytes ?? null });

  const results = new Array<FileResult>(discovery.files.length);
  const misses: SourceFile[] = [];
  const missIndex: number[] = [];
  discovery.files.forEach((file, i) => {
    const hit = cache.lookup(file, settings);
    if (hit) results[i] = { ...hit, file: file.rel };
    else {
      misses.push(file);
      missIndex.push(i);
    }
  });
  // Loaded only when something needs analysing: the parser and the worker pool are most of a warm
  // run's module loading, and a warm run with nothing changed needs neither.
  const analyzed = misses.length
    ? await (
        await import('./pool.js')
      ).analyzeFiles(misses, {
        threads: options.threads,
        maxFileBytes: options.maxFileBytes,
        fileTimeoutMs: options.fileTimeoutMs,
      })
    : [];
  analyzed.forEach(({ result, hash }, j) => {
    results[missIndex[j]] = result;
    cache.store(misses[j], settings, hash, result);
  });

  const wanted = new Set((options.rules ?? ALL_RULES).map((r) => r.meta.id));
  const raw: Finding[] = [];
  const problems: Problem[] = [...discovery.problems];
  let suppressed = 0;
  for (const result of results) {
    for (const f of result.findings) if (wanted.has(f.rule)) raw.push(f);
    problems.push(...result.problems);
    suppressed += result.suppressed;
  }
  // Routes with the prefixes other files register their routers/blueprints/sub-apps under.
  const routes: Route[] = linkRoutes(results);
  const linked = performance.now();
  // How often each finding's code runs, the entry points that reach it, and the severity that follows.
  // It reads callers' files from disk (up to a bound), so a warm run with nothing changed reuses its result.
  const projectKey = cache.projectKey(
    discovery.files,
    JSON.stringify({ includeTests: options.includeTests ?? false, rules: [...wanted].sort() }),
  );
  const remembered =
    projectKey === null ? undefined : (cache.project(projectKey) as FrequencyResult | undefined);
  const frequency =
    remembered ??
    (await import('./frequency/index.js')).assignRunFrequency(
      raw,
      routes,
      discovery.files.map((file, i) => ({ rel: file.rel, abs: file.abs, words: results[i].words })),
      { includeTests: options.includeTests },
    );
  if (projectKey !== null && !remembered) cache.storeProject(projectKey, frequency);
  cache.save(discovery.files);
  const findings = frequency.findings;
  findings.sort(compareFindings);
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return {
    root: discovery.root,
    filesAnalyzed: discovery.files.length,
    bytes: discovery.files.reduce((sum, f) => sum + f.size, 0),
    findings,
    routes,
    problems,
    suppressed,
    hiddenFindings: frequency.hidden,
    cache: { hits: discovery.files.length - misses.length, misses: misses.length },
    timings: {
      discoverMs: discovered - started,
      analyzeMs: linked - discovered,
      frequencyMs: performance.now() - linked,
    },
    fileResults: results,
  };
}
