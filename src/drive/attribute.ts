/**
 * The attribution pass of a failing scenario: restart tracing with deep tracebacks in every measured
 * process, take a baseline (and the held-by census), drive a few more blocks, and read back the sites that
 * grew and the containers that hold the growth (docs/held-by.md), merged across processes, paths made
 * relative to the project. Sites: the project's lines that keep memory first, then its lines that
 * allocate, library lines last.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { HeldBy, HoldersSearch, LeakSite } from '../model/report.js';
import type { HolderEntry, HoldersMessage, ShimMessage, SiteEntry } from '../service/protocol.js';
import type { DriveSession } from './session.js';

/**
 * The pass traces 16 frames deep, 5-7x the cost of a plain request: its length is the least that still
 * shows a leak of a few dozen bytes an iteration above the sites' 256-byte floor.
 */
const ATTRIBUTION_MIN_ITERATIONS = 50;
/** Leak sites below both of these are left out of the report. */
const MIN_SITE_BYTES = 256;
const MIN_SITE_SHARE = 0.01;

/** Time the held-by search may take at each end of the pass, per process (it reports where it stopped). */
const HOLDERS_BUDGET_MS = 30_000;
/** Holders each process names. */
const HOLDERS_LIMIT = 5;

export interface Attribution {
  sites: LeakSite[];
  /** Iterations the sites' figures cover. */
  iterations: number;
  /** The containers that grew, merged across processes, the biggest first. */
  heldBy: HeldBy[];
  /** What the held-by search covered; null when no process answered it (an older shim). */
  search: HoldersSearch | null;
  /** Bytes tracemalloc saw grow over the pass in all, per iteration; null when no process said. */
  tracedBytesPerIteration: number | null;
}

/** Site order: the project's lines that keep memory, then its other lines, then library lines. */
const ROLE_RANK: Record<NonNullable<LeakSite['role']>, number> = {
  retains: 0,
  allocates: 1,
  calls: 1,
  library: 2,
};

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
  const census = await target.broadcast(
    { cmd: 'holders', action: 'start', budgetMs: HOLDERS_BUDGET_MS },
    HOLDERS_BUDGET_MS + 60_000,
  );
  let done = 0;
  const total = Math.max(ATTRIBUTION_MIN_ITERATIONS, scenario.sampleEvery);
  while (done < total) {
    const count = Math.min(scenario.sampleEvery, total - done);
    await session.run(count);
    done += count;
  }
  // Holders first: the sites' snapshot allocates, and the census must see only what the service kept.
  const held = await target.broadcast(
    { cmd: 'holders', action: 'stop', iterations: total, limit: HOLDERS_LIMIT, budgetMs: HOLDERS_BUDGET_MS },
    HOLDERS_BUDGET_MS + 60_000,
  );
  const replies = await target.broadcast({ cmd: 'sites', limit: 50 }, 120_000);
  const merged = new Map<string, LeakSite & { project: boolean }>();
  const sources = new Map<string, string[] | null>();
  let traced: number | null = null;
  for (const reply of replies.values()) {
    if (reply.type !== 'sites' || !reply.sites) continue;
    if (reply.total !== undefined) traced = (traced ?? 0) + reply.total;
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
  // The project's own lines first (that is where the fix goes), those that keep memory ahead of those
  // that merely allocate it, then by size.
  const rank = (s: LeakSite & { project: boolean }) => (s.role ? ROLE_RANK[s.role] : s.project ? 1 : 2);
  const sites = grown
    .filter((s) => s.sizeDiffBytes >= floor)
    .sort((a, b) => rank(a) - rank(b) || b.sizeDiffBytes - a.sizeDiffBytes)
    .slice(0, 20)
    .map(({ project: _project, ...site }) => site);
  return {
    sites,
    iterations: total,
    ...holders(census, held, options.cwd, sources),
    tracedBytesPerIteration: traced === null ? null : traced / total,
  };
}

function holdersOf(replies: Map<number, ShimMessage>, phase: 'start' | 'stop'): HoldersMessage[] {
  return [...replies.values()].filter(
    (r): r is HoldersMessage => r.type === 'holders' && r.phase === phase && r.error === undefined,
  );
}

/** The holders every process named, merged by path (workers of one service hold the same globals). */
function holders(
  census: Map<number, ShimMessage>,
  held: Map<number, ShimMessage>,
  cwd: string,
  sources: Map<string, string[] | null>,
): Pick<Attribution, 'heldBy' | 'search'> {
  const started = holdersOf(census, 'start');
  const stopped = holdersOf(held, 'stop');
  if (!stopped.length) return { heldBy: [], search: null };
  const merged = new Map<string, HeldBy>();
  let unnamed = 0;
  for (const reply of stopped) {
    for (const entry of reply.holders ?? []) {
      const holder = toHeldBy(entry, cwd, sources);
      const key = holder.path ?? `<unnamed ${unnamed++}>`;
      const known = merged.get(key);
      if (known) {
        known.entries += holder.entries;
        known.entriesPerIteration += holder.entriesPerIteration;
        known.bytesPerIteration += holder.bytesPerIteration;
      } else {
        merged.set(key, holder);
      }
    }
  }
  const grownTypes = new Map<string, number>();
  for (const reply of stopped) {
    for (const grown of reply.grownTypes ?? []) {
      grownTypes.set(grown.type, (grownTypes.get(grown.type) ?? 0) + grown.perIteration);
    }
  }
  const gaveUp = [...started, ...stopped].map((r) => r.gaveUp).find((why) => why !== undefined);
  const search: HoldersSearch = {
    objects: started.reduce((sum, r) => sum + (r.objects ?? 0), 0),
    seconds: Math.max(...stopped.map((r) => r.seconds ?? 0)),
    grownTypes: [...grownTypes]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 8)
      .map(([type, perIteration]) => ({ type, perIteration })),
  };
  if (gaveUp !== undefined) search.gaveUp = gaveUp;
  const heldBy = [...merged.values()].sort((a, b) => b.bytesPerIteration - a.bytesPerIteration);
  return { heldBy, search };
}

function toHeldBy(entry: HolderEntry, cwd: string, sources: Map<string, string[] | null>): HeldBy {
  const at = entry.addedAt;
  const holder: HeldBy = {
    path: entry.path,
    type: entry.type,
    entries: entry.entries,
    entriesPerIteration: entry.entriesPerIteration,
    bytesPerIteration: entry.bytesPerIteration,
    addedAt: at ? `${relativeTo(cwd, at.file)}:${at.line}` : null,
    ownCode: at?.project ?? false,
  };
  if (entry.entryType !== null) holder.entryType = entry.entryType;
  const code = at && !at.file.startsWith('<') ? sourceLine(at.file, at.line, sources) : undefined;
  if (code !== undefined) holder.code = code;
  if (entry.partial) holder.partial = true;
  return holder;
}

/** `file` relative to the project with forward slashes; as it is when outside it or not a file. */
function relativeTo(cwd: string, file: string): string {
  if (file.startsWith('<')) return file;
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel.split(path.sep).join('/');
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
  const relative = (file: string) => relativeTo(cwd, file);
  return {
    ...(site.role ? { role: site.role } : {}),
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
