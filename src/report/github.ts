/**
 * GitHub Actions workflow commands for a report: `::error file=…,line=…,title=…::message` annotations.
 * Pure: the report in, the command lines out (src/cli/github.ts decides where they go).
 *
 * What becomes what:
 * - a failed scenario: an error, at its top leak site in the project's own code when there is one (else
 *   without a file), with the reasons it failed; an errored scenario: an error without a file;
 * - gate reasons that no scenario annotation carries (--fail-on, an interrupted soak): an error each;
 * - a finding: by severity (CRITICAL/HIGH error, MEDIUM warning, LOW notice); a finding the soak
 *   confirmed is an error whatever its severity, one it did not reproduce a notice.
 * They come most important first (scenarios, gate, then confirmed findings, then by severity), because
 * GitHub shows only 10 annotations of each level per step: with `limitPerLevel`, the rest are left out
 * and one notice says how many.
 *
 * Escaping, as the runner and @actions/core's toCommandValue/escapeData/escapeProperty define it:
 * data (the message) `%` → %25, CR → %0D, LF → %0A; properties additionally `:` → %3A and `,` → %2C.
 * Without it a file name or message holding `::` or a newline could end the command early or forge one.
 */
import { DYNAMIC_STATUSES, type Severity } from '../model/static.js';
import type { LeakSite, Report, ReportFinding, ScenarioReport } from '../model/report.js';
import { heldByLines } from './held-by.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationProperties {
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

export interface AnnotationOptions {
  /**
   * Prepended to every relative path in the report (paths are relative to the analyzed PATH or --cwd;
   * GitHub wants them relative to the repository root), e.g. `services/api` when heapgate ran there.
   */
  pathPrefix?: string;
  /** At most this many annotations per level (GitHub shows 10 per step); the rest are summarized. */
  limitPerLevel?: number;
}

/** Workflow-command data (the message): `%`, CR, LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property value: as data, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line (no trailing newline). */
export function workflowCommand(
  level: AnnotationLevel,
  properties: AnnotationProperties,
  message: string,
): string {
  const props = (Object.entries(properties) as [keyof AnnotationProperties, string | number | undefined][])
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

const SEVERITY_LEVEL: Record<Severity, AnnotationLevel> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'notice',
};
const SEVERITY_ORDER: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

/** A path GitHub can place in the repository: relative, inside the analyzed tree, not `<frozen …>`. */
function projectPath(file: string): boolean {
  return (
    !!file &&
    !file.startsWith('/') &&
    !file.startsWith('<') &&
    !/^[A-Za-z]:[\\/]/.test(file) &&
    !file.startsWith('../') &&
    file !== '..'
  );
}

function withPrefix(file: string, prefix: string | undefined): string {
  const clean = file.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!prefix) return clean;
  return `${prefix.replace(/\\/g, '/').replace(/\/+$/, '')}/${clean}`;
}

function topProjectSite(scenario: ScenarioReport): LeakSite | undefined {
  return scenario.leakSites.find((site) => projectPath(site.file) && site.line > 0);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0];
}

interface Entry {
  level: AnnotationLevel;
  rank: number;
  line: string;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function findingEntry(f: ReportFinding, options: AnnotationOptions): Entry {
  const level: AnnotationLevel =
    f.dynamic === 'confirmed'
      ? 'error'
      : f.dynamic === 'not-reproduced'
        ? 'notice'
        : SEVERITY_LEVEL[f.severity];
  const status = f.dynamic === 'not-exercised' ? '' : ` ${capitalize(DYNAMIC_STATUSES[f.dynamic].says)}.`;
  const props: AnnotationProperties = projectPath(f.file)
    ? { file: withPrefix(f.file, options.pathPrefix), line: f.line }
    : {};
  if (props.file) {
    const endLine = Math.max(f.line, f.endLine ?? f.line);
    props.endLine = endLine;
    // GitHub refuses col/endColumn when the annotation spans several lines.
    if (endLine === f.line) {
      props.col = f.column;
      const endColumn = f.endColumn ?? f.column;
      if (endColumn >= f.column) props.endColumn = endColumn;
    }
  }
  props.title = `heapgate ${f.shortId} ${f.rule} (${f.severity})`;
  return {
    level,
    rank: (f.dynamic === 'confirmed' ? 20 : 30) + SEVERITY_ORDER[f.severity],
    line: workflowCommand(level, props, `${f.message}${status} Fix: ${f.fix}`),
  };
}

/** The annotations for a report, most important first (see the module comment). */
export function annotations(report: Report, options: AnnotationOptions = {}): string[] {
  const entries: Entry[] = [];
  const covered: string[] = [];
  for (const s of report.scenarios) {
    if (s.verdict === 'pass') continue;
    covered.push(`${s.name}: `);
    if (s.verdict === 'error') {
      entries.push({
        level: 'error',
        rank: 1,
        line: workflowCommand(
          'error',
          { title: `heapgate: scenario ${s.name} errored` },
          firstLine(s.error) || 'the target failed',
        ),
      });
      continue;
    }
    const site = topProjectSite(s);
    const reasons = (s.reasons ?? []).length
      ? (s.reasons ?? []).join('\n')
      : Object.entries(s.metrics)
          .filter(([, m]) => m.exceeded)
          .map(([name, m]) => m.reason ?? `${name} exceeded its budget`)
          .join('\n') || 'memory budget exceeded';
    const where = site
      ? `\nTop leak site: ${site.file}:${site.line} (+${site.sizeDiffBytes} B, +${site.countDiff} blocks over the attribution pass)${site.code ? `: ${site.code}` : ''}`
      : '';
    entries.push({
      level: 'error',
      rank: 0,
      line: workflowCommand(
        'error',
        {
          ...(site ? { file: withPrefix(site.file, options.pathPrefix), line: site.line } : {}),
          title: `heapgate: scenario ${s.name} leaks`,
        },
        `${reasons}${held(s)}${where}`,
      ),
    });
  }
  for (const reason of report.gate.reasons) {
    if (covered.some((prefix) => reason.startsWith(prefix))) continue;
    entries.push({
      level: 'error',
      rank: 10,
      line: workflowCommand('error', { title: 'heapgate: gate failed' }, reason),
    });
  }
  for (const f of report.findings) entries.push(findingEntry(f, options));

  // Stable: equal ranks keep the report's order (findings are sorted by file, line, column there).
  const ordered = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.rank - b.e.rank || a.i - b.i)
    .map(({ e }) => e);
  const limit = options.limitPerLevel;
  if (limit === undefined || limit <= 0) return ordered.map((e) => e.line);

  const kept: string[] = [];
  const used: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const dropped: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const wanted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const e of ordered) wanted[e.level]++;
  const overflow = wanted.error > limit || wanted.warning > limit || wanted.notice > limit;
  // Keep one notice slot for the summary of what was left out.
  const noticeLimit = overflow ? limit - 1 : limit;
  for (const e of ordered) {
    const cap = e.level === 'notice' ? noticeLimit : limit;
    if (used[e.level] < cap) {
      used[e.level]++;
      kept.push(e.line);
    } else dropped[e.level]++;
  }
  const total = dropped.error + dropped.warning + dropped.notice;
  if (total > 0) {
    const parts = (['error', 'warning', 'notice'] as const)
      .filter((l) => dropped[l] > 0)
      .map((l) => `${dropped[l]} ${l}${dropped[l] === 1 ? '' : 's'}`);
    kept.push(
      workflowCommand(
        'notice',
        { title: 'heapgate: more results' },
        `${total} more annotation${total === 1 ? '' : 's'} left out (${parts.join(', ')}): GitHub shows ${limit} per level and step. See the job summary, the SARIF upload or the JSON report for all of them.`,
      ),
    );
  }
  return kept;
}

/** What keeps the memory alive, one line per holder, above the top leak site. */
function held(s: ScenarioReport): string {
  const lines = heldByLines(s);
  return lines.length ? `\nHeld by:\n${lines.map((l) => `- ${l}`).join('\n')}` : '';
}
