/**
 * The attribution pass of a failing scenario: restart tracing with deep tracebacks in every measured
 * process, take a baseline, drive a few more blocks, and read back the sites that grew, merged across
 * processes, paths made relative to the project, the project's own lines first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { LeakSite } from '../model/report.js';
import type { SiteEntry } from '../service/protocol.js';
import type { DriveSession } from './session.js';

/**
 * The pass traces 16 frames deep, 5-7x the cost of a plain request: its length is the least that still
 * shows a leak of a few dozen bytes an iteration above the sites' 256-byte floor.
 */
const ATTRIBUTION_MIN_ITERATIONS = 50;
/** Leak sites below both of these are left out of the report. */
const MIN_SITE_BYTES = 256;
const MIN_SITE_SHARE = 0.01;

export interface Attribution {
  sites: LeakSite[];
  /** Iterations the sites' figures cover. */
  iterations: number;
}

export async function attribute(
  session: DriveSession,
  options: { traceDepth: number; cwd: string },
): Promise<Attribution> {
  const { scenario } = session;
  const target = session.live;
  await target.broadcast({ cmd: 'trace', depth: options.traceDepth }, 30_000);
  // Let anything the restart itself allocates settle before the baseline.
  await session.run(Math.min(scenario.sampleEvery, 10));
  await target.broadcast({ cmd: 'baseline' }, 120_000);
  let done = 0;
  const total = Math.max(ATTRIBUTION_MIN_ITERATIONS, scenario.sampleEvery);
  while (done < total) {
    const count = Math.min(scenario.sampleEvery, total - done);
    await session.run(count);
    done += count;
  }
  const replies = await target.broadcast({ cmd: 'sites', limit: 50 }, 120_000);
  const merged = new Map<string, LeakSite & { project: boolean }>();
  const sources = new Map<string, string[] | null>();
  for (const reply of replies.values()) {
    if (reply.type !== 'sites' || !reply.sites) continue;
    for (const site of reply.sites) {
      const entry = toLeakSite(site, options.cwd, sources);
      const key = `${entry.file}:${entry.line}`;
      const known = merged.get(key);
      if (known) {
        known.sizeDiffBytes += entry.sizeDiffBytes;
        known.countDiff += entry.countDiff;
      } else {
        merged.set(key, { ...entry, project: site.project });
      }
    }
  }
  const ignored = scenario.ignore.length ? picomatch([...scenario.ignore], { dot: true }) : () => false;
  const grown = [...merged.values()].filter((s) => !ignored(s.file) && s.sizeDiffBytes > 0);
  const totalGrowth = grown.reduce((sum, s) => sum + s.sizeDiffBytes, 0);
  // Crumbs (a few bytes a connection left behind) are not where a leak is.
  const floor = Math.max(MIN_SITE_BYTES, totalGrowth * MIN_SITE_SHARE);
  // The project's own lines first (that is where the fix goes), then by size.
  const sites = grown
    .filter((s) => s.sizeDiffBytes >= floor)
    .sort((a, b) => Number(b.project) - Number(a.project) || b.sizeDiffBytes - a.sizeDiffBytes)
    .slice(0, 20)
    .map(({ project: _project, ...site }) => site);
  return { sites, iterations: total };
}

/** One line of a source file, trimmed; undefined when it cannot be read. */
function sourceLine(file: string, line: number, cache: Map<string, string[] | null>): string | undefined {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      cache.set(file, null);
    }
  }
  return cache.get(file)?.[line - 1]?.trim() || undefined;
}

function toLeakSite(site: SiteEntry, cwd: string, sources: Map<string, string[] | null>): LeakSite {
  const relative = (file: string) => {
    if (file.startsWith('<')) return file;
    const rel = path.relative(cwd, file);
    return rel.startsWith('..') ? file : rel.split(path.sep).join('/');
  };
  return {
    file: relative(site.file),
    line: site.line,
    sizeDiffBytes: site.sizeDiff,
    countDiff: site.countDiff,
    traceback: site.traceback.map((frame) => {
      const at = frame.lastIndexOf(':');
      return `${relative(frame.slice(0, at))}${frame.slice(at)}`;
    }),
    code: site.file.startsWith('<') ? undefined : sourceLine(site.file, site.line, sources),
  };
}
