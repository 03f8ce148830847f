/**
 * What the held-by search means for a scenario (docs/held-by.md): how much of the measured growth the
 * named holders and leak sites explain, whether the growth is outside the Python heap, and which static
 * findings each holder confirms. Pure.
 */
import { formatBytes } from '../units.js';
import { escapeRegExp } from '../static/lexical.js';
import type { Explained, HeldBy, LeakSite, MetricReport, ScenarioReport } from '../model/report.js';
import type { Finding } from '../model/static.js';

/** Traced Python memory below this share of the measured growth: the rest is outside the Python heap. */
export const NATIVE_SHARE = 0.25;
/** A holder keeping less than this share of the measured growth is left out of the report. */
export const MIN_HOLDER_SHARE = 0.02;

export interface AttributedGrowth {
  metrics: Partial<Record<'heap' | 'rss', MetricReport>>;
  heldBy: readonly HeldBy[];
  sites: readonly LeakSite[];
  /** Iterations of the attribution pass. */
  iterations: number;
  /** What tracemalloc saw grow over the pass, per iteration; null: unknown (an older shim). */
  tracedBytesPerIteration: number | null;
}

/**
 * The memory metric that broke its budget and grew the most (RSS sees native memory the allocator counter
 * may not: libxml2's own allocations), with its slope; null when neither did.
 */
function brokenMemory(
  metrics: Partial<Record<'heap' | 'rss', MetricReport>>,
): { metric: 'heap' | 'rss'; measured: number } | null {
  const broken = (['heap', 'rss'] as const)
    .filter((m) => metrics[m]?.exceeded && metrics[m].slopePerIteration > 0)
    .map((m) => ({ metric: m, measured: metrics[m]!.slopePerIteration }));
  return broken.reduce<{ metric: 'heap' | 'rss'; measured: number } | null>(
    (best, m) => (best && best.measured >= m.measured ? best : m),
    null,
  );
}

/**
 * The share of the growth the holders (else the sites) explain, compared with the memory metric that broke
 * its budget and grew the most; null when neither broke it.
 */
export function explainGrowth(growth: AttributedGrowth): Explained | null {
  const broken = brokenMemory(growth.metrics);
  if (!broken) return null;
  const { metric, measured } = broken;
  const held = growth.heldBy.reduce((sum, h) => sum + h.bytesPerIteration, 0);
  const sited = growth.sites.reduce((sum, s) => sum + s.sizeDiffBytes, 0) / Math.max(1, growth.iterations);
  const named = Math.max(held, sited);
  const traced = growth.tracedBytesPerIteration;
  // Native: what Python allocated (every site, not only the named ones) is a small part of the growth.
  const outside = traced !== null && Math.max(traced, named) < measured * NATIVE_SHARE;
  return {
    share: Math.min(1, named / measured),
    outsidePythonHeap: outside,
    metric,
    measuredBytesPerIteration: measured,
    tracedBytesPerIteration: traced,
    heldBytesPerIteration: held,
  };
}

/** Entry types that keep nothing alive: a registry of them grows, but it is not what holds the leak. */
const WEAK_REFERENCES = new Set(['weakref.ReferenceType', 'weakref.KeyedRef', 'weakref.ProxyType']);

/**
 * The holders worth a reader's time: those keeping at least MIN_HOLDER_SHARE of the growth that broke the
 * budget (a thread registry's weak set gaining 80 B an iteration beside a 15 KB leak is not the answer),
 * all of them when no memory metric broke its budget (a handler leak breaks a count). Registries of weak
 * references are left out when a holder of strong ones remains: logging's `_handlerList` and its fork
 * lock's WeakSet gain an entry per handler added, beside the logger's own `handlers` list that keeps it.
 */
export function significantHolders(
  heldBy: readonly HeldBy[],
  metrics: Partial<Record<'heap' | 'rss', MetricReport>>,
): HeldBy[] {
  const measured = brokenMemory(metrics)?.measured ?? 0;
  const kept =
    measured > 0 ? heldBy.filter((h) => h.bytesPerIteration >= measured * MIN_HOLDER_SHARE) : [...heldBy];
  const strong = kept.filter((h) => !WEAK_REFERENCES.has(h.entryType ?? ''));
  return strong.length ? strong : kept;
}

/** The verdict's line for growth outside the Python heap, or null when it is not. */
export function nativeReason(explained: Explained | null): string | null {
  if (!explained?.outsidePythonHeap) return null;
  const traced = Math.max(0, explained.tracedBytesPerIteration ?? 0);
  const share = Math.round((traced / explained.measuredBytesPerIteration) * 100);
  return (
    `the growth is outside the Python heap (native memory: a C extension or the allocator): traced ` +
    `Python memory grew ${formatBytes(traced)} per iteration, ${share}% of the ${formatBytes(explained.measuredBytesPerIteration)} ${explained.metric} growth`
  );
}

/** A finding as holders name it: `R1 app.py:12`. */
export function findingId(f: Pick<Finding, 'shortId' | 'file' | 'line'>): string {
  return `${f.shortId} ${f.file}:${f.line}`;
}

/** The module a project file is imported as: `pkg/app.py` → `pkg.app` (and `app`). */
function moduleNames(file: string): string[] {
  const dotted = file
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .split('/')
    .join('.');
  const last = dotted.slice(dotted.lastIndexOf('.') + 1);
  return [...new Set([dotted, last])];
}

/**
 * The names a holder's path goes through, from the root on: `app.ctl._cache["v"].__traceback__` →
 * root `app`, names `ctl`, `_cache`; `<cell seen of make_handler.<locals>.handler()>` → names `seen`.
 */
export function pathNames(path: string): { root: string | null; names: string[] } {
  // An lru_cache's table is named after the cached function: its path is the function's.
  const cache = /^<lru_cache of ([^>]+)>(.*)$/.exec(path);
  if (cache) return pathNames(`${cache[1]}${cache[2]}`);
  const cell = /^<(?:cell|local) ([A-Za-z_]\w*) of [^>]*>/.exec(path);
  if (cell) return { root: null, names: [cell[1]] };
  const plain = path.replace(/\[[^\]]*\]/g, '').replace(/\.<[^>]*>/g, '');
  const parts = plain.split('.').filter((p) => /^[A-Za-z_]\w*$/.test(p) && !/^__\w+__$/.test(p));
  return { root: parts[0] ?? null, names: parts.slice(1) };
}

/**
 * Whether `holder` is the container `f` flags: entries go in on the finding's own lines, or the holder's
 * path runs from the finding's module through a name the finding quotes (`'store'`).
 */
export function holds(holder: HeldBy, f: Finding): boolean {
  const added = addedAt(holder);
  if (added && added.file === f.file && added.line >= f.line && added.line <= f.endLine) return true;
  if (!holder.path) return false;
  const { root, names } = pathNames(holder.path);
  if (root === null) {
    // A closure's cell or a running function's local: the finding's file must be where entries go in.
    if (!(holder.addedAt ?? '').startsWith(`${f.file}:`)) return false;
  } else if (!moduleNames(f.file).some((m) => [root, ...names].join('.').startsWith(`${m}.`))) {
    // A holder reached from another module is another container, whatever its name.
    return false;
  }
  return names.some(
    (name, i) =>
      f.message.includes(`'${name}'`) ||
      f.message.includes(`'${name}.`) ||
      // The object a container hangs off, as the finding quotes its code: `log.addHandler(handler)` for
      // the holder `app.log.handlers`.
      (i < names.length - 1 && new RegExp(`(?:^|[^\\w.'])${escapeRegExp(name)}\\.\\w`).test(f.message)),
  );
}

/** The holder that confirms `f` among a scenario's, the biggest first; undefined when none does. */
export function holderOf(report: ScenarioReport, f: Finding): HeldBy | undefined {
  return (report.heldBy ?? []).find((h) => holds(h, f));
}

/** A holder's `addedAt` ("file.py:12") as its file and line; null when unknown. */
function addedAt(holder: HeldBy): { file: string; line: number } | null {
  if (!holder.addedAt) return null;
  const at = holder.addedAt.lastIndexOf(':');
  return { file: holder.addedAt.slice(0, at), line: Number(holder.addedAt.slice(at + 1)) };
}

/** Where a holder's entries go in, as a leak site for a recommendation; null when unknown. */
export function holderSite(holder: HeldBy): LeakSite | null {
  const added = addedAt(holder);
  if (!added) return null;
  return {
    ...added,
    sizeDiffBytes: 0,
    countDiff: 0,
    traceback: [],
    ...(holder.code ? { code: holder.code } : {}),
  };
}

/** The evidence a holder gives: "held by `app.store`, +1 entry/iteration, 612 B/entry". */
export function heldEvidence(holder: HeldBy): string {
  const rate = holder.entriesPerIteration;
  const perEntry = rate > 0 ? holder.bytesPerIteration / rate : 0;
  const entries = `${rate >= 10 ? Math.round(rate) : Number(rate.toPrecision(2))} entr${rate === 1 ? 'y' : 'ies'}/iteration`;
  const at = holder.addedAt ? `, added at ${holder.addedAt}` : '';
  return `held by \`${holder.path ?? 'an unnamed ' + holder.type}\`, +${entries}, ${formatBytes(perEntry)}/entry${at}`;
}

/** The scenario with each holder's `findings`: the static findings it confirms (none: the rules missed it). */
export function tieHolders(report: ScenarioReport, findings: readonly Finding[]): ScenarioReport {
  if (!report.heldBy?.length) return report;
  return {
    ...report,
    heldBy: report.heldBy.map((h) => ({
      ...h,
      findings: findings.filter((f) => holds(h, f)).map(findingId),
    })),
  };
}
