/**
 * How every format words what keeps the memory alive (docs/held-by.md): a holder's line and the share of
 * the growth it explains. Only wording: every figure is the one the analysis recorded in the report.
 */
import type { Explained, HeldBy, ScenarioReport } from '../model/report.js';
import { formatBytes } from '../units.js';

/** `1 entry`, `2.5 entries`, `0.13 entries`. */
export function entriesText(n: number): string {
  const shown = n >= 10 ? String(Math.round(n)) : String(Number(n.toPrecision(2)));
  return `${shown} ${n === 1 ? 'entry' : 'entries'}`;
}

/** The holder's name: its path, or what it is when no root was found. */
export function holderName(h: HeldBy): string {
  return h.path ?? `an unnamed ${h.type} (no root found)`;
}

/** `+1 entry/iteration, 612 B/iteration (612 B/entry)` */
export function holderGrowth(h: HeldBy): string {
  const perEntry = h.entriesPerIteration > 0 ? h.bytesPerIteration / h.entriesPerIteration : 0;
  const bytes = `${h.partial ? '≥ ' : ''}${formatBytes(h.bytesPerIteration)}`;
  return `+${entriesText(h.entriesPerIteration)}/iteration, ${bytes}/iteration (${formatBytes(perEntry)}/entry)`;
}

/** Where entries go in, and whether it is the project's code. */
export function holderAddedAt(h: HeldBy): string | null {
  if (!h.addedAt) return null;
  return `${h.ownCode ? 'your code' : 'library code'} at ${h.addedAt}${h.code ? `: ${h.code}` : ''}`;
}

/** What the static phase said about it: the findings it confirms, or that no rule saw it; null: no static phase. */
export function holderFindings(h: HeldBy): string | null {
  if (!h.findings) return null;
  return h.findings.length
    ? `confirms ${h.findings.join(', ')}`
    : 'a leak the rules did not see (no finding names this container)';
}

/** One plain line per holder: `app.store (dict): +1 entry/iteration, … · your code at app.py:14: … · confirms R1 app.py:20`. */
export function holderLine(h: HeldBy): string {
  const parts = [
    `${holderName(h)} (${h.type}${h.entryType ? ` of ${h.entryType}` : ''}): ${holderGrowth(h)}`,
  ];
  const at = holderAddedAt(h);
  if (at) parts.push(`added by ${at}`);
  const findings = holderFindings(h);
  if (findings) parts.push(findings);
  return parts.join(' · ');
}

/** How much of the growth the holders and sites explain, or that it is outside the Python heap. */
export function explainedLine(x: Explained): string {
  const measured = `${formatBytes(x.measuredBytesPerIteration)}/iteration ${x.metric} growth`;
  if (x.outsidePythonHeap) {
    const traced = x.tracedBytesPerIteration ?? 0;
    return (
      `outside the Python heap: traced Python memory grew ${formatBytes(Math.max(0, traced))}/iteration of the ` +
      `${measured}; the rest is native (a C extension, the allocator)`
    );
  }
  const what = x.heldBytesPerIteration > 0 ? 'the holders' : 'the leak sites';
  return `${what} explain ${Math.round(x.share * 100)}% of the ${measured}`;
}

/** The lines a scenario's held-by section shows, nothing when the search did not run. */
export function heldByLines(s: ScenarioReport): string[] {
  const lines = (s.heldBy ?? []).map(holderLine);
  if (s.holdersSearch && !lines.length) lines.push('no container grew with the iterations');
  if (s.holdersSearch?.gaveUp) lines.push(`the search stopped early: ${s.holdersSearch.gaveUp}`);
  if (s.explained) lines.push(explainedLine(s.explained));
  return lines;
}
