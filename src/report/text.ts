/** The terminal report: findings grouped by file in cli-table3 tables, then a one-line summary. */
import { hiddenWording } from './static-summary.js';
import Table from 'cli-table3';
import { isMetric, METRIC_TABLE } from '../model/metrics.js';
import { formatBytes } from '../units.js';
import { severityRank, type Severity } from '../model/static.js';
import type { Report, ReportFinding } from '../model/report.js';
import { heldByLines } from './held-by.js';

export interface TextOptions {
  /** ANSI colours (only when writing to a TTY). */
  color: boolean;
  /** Terminal width to fit tables into. */
  width: number;
}

const SEVERITY_COLORS: Record<Severity, string> = {
  CRITICAL: '\x1b[1;35m',
  HIGH: '\x1b[1;31m',
  MEDIUM: '\x1b[33m',
  LOW: '\x1b[36m',
};

export function renderText(report: Report, options: TextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}\x1b[0m` : text);
  const bold = (text: string) => paint('\x1b[1m', text);
  const dim = (text: string) => paint('\x1b[2m', text);
  const out: string[] = [];

  const byFile = new Map<string, ReportFinding[]>();
  for (const f of leadWithConfirmed(report.findings)) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const width = Math.max(80, Math.min(options.width, 200));
  // line | severity | confidence | how often it runs | rule | function | message; the message takes what is left.
  const fixed = [9, 10, 8, 10, 6, 22];
  const messageWidth = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - 6);
  for (const [file, findings] of byFile) {
    out.push(bold(file));
    const table = new Table({
      head: ['Line', 'Severity', 'Conf.', 'Runs', 'Rule', 'Function', 'Message'],
      colWidths: [...fixed, messageWidth],
      wordWrap: true,
      style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    });
    for (const f of findings) {
      const status = f.dynamic === 'confirmed' ? ' (confirmed by the run)' : '';
      table.push([
        `${f.line}:${f.column}`,
        paint(SEVERITY_COLORS[f.severity], f.severity),
        f.confidence,
        f.runFrequency ?? dim('—'),
        f.shortId,
        f.function ?? dim('<module>'),
        `${f.message}${status}\nfix: ${f.fix}`,
      ]);
    }
    out.push(table.toString(), '');
  }

  if (report.scenarios.length) out.push(scenarioTable(report, { paint, bold }), '');
  for (const s of report.scenarios) {
    const held = heldByLines(s);
    if (held.length) out.push(bold(`Held by (${s.name})`), ...held.map((line) => `  - ${line}`), '');
  }

  if (report.problems?.length) {
    out.push(bold('Not fully analysed'));
    for (const p of report.problems) {
      out.push(`  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.kind}: ${p.message}`);
    }
    out.push('');
  }

  out.push(summaryLine(report, { bold, dim, paint }));
  return `${out.join('\n')}\n`;
}

/** Confirmed findings first (the run proved them), then by severity, then by place. */
function leadWithConfirmed(findings: readonly ReportFinding[]): ReportFinding[] {
  const files = new Map<string, number>();
  const rank = (f: ReportFinding) => (f.dynamic === 'confirmed' ? 0 : 1);
  const sorted = [...findings].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line,
  );
  // Files keep the order of their first (most important) finding; within a file, source order.
  sorted.forEach((f) => files.has(f.file) || files.set(f.file, files.size));
  return [...findings].sort(
    (a, b) => files.get(a.file)! - files.get(b.file)! || a.line - b.line || a.column - b.column,
  );
}

const VERDICT_COLORS = { pass: '\x1b[32m', fail: '\x1b[1;31m', error: '\x1b[1;35m' } as const;

/** One row per scenario and growing/failing metric: verdict, slope per iteration, R², trend, budget. */
function scenarioTable(
  report: Report,
  style: { paint: (code: string, s: string) => string; bold: (s: string) => string },
): string {
  const table = new Table({
    head: ['Scenario', 'Verdict', 'Metric', 'Slope / iteration', 'R²', 'Trend', 'Budget', 'Top leak site'],
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    wordWrap: true,
  });
  for (const s of report.scenarios) {
    const verdict = `${style.paint(VERDICT_COLORS[s.verdict], s.verdict.toUpperCase())}${s.tooShort && s.verdict === 'pass' ? '\ntoo short to judge' : ''}${s.stoppedEarly ? `\nstopped early at ${s.stoppedEarly.atIteration}` : ''}`;
    const site = s.leakSites[0] ? `${s.leakSites[0].file}:${s.leakSites[0].line}` : '';
    if (s.verdict === 'error') {
      table.push([s.name, verdict, { colSpan: 6, content: (s.error ?? '').split('\n')[0] }]);
      continue;
    }
    // Heap always; other metrics when they grew or failed.
    const shown = Object.entries(s.metrics).filter(
      ([name, m]) => name === 'heap' || m.exceeded || m.trend === 'growing',
    );
    shown.forEach(([name, m], i) => {
      const unit = isMetric(name) ? METRIC_TABLE[name].unit : '';
      const slope =
        unit === 'B' ? `${formatBytes(m.slopePerIteration)}` : `${m.slopePerIteration.toFixed(3)} ${unit}`;
      const budget =
        m.budget === null || m.budget === undefined
          ? '—'
          : unit === 'B'
            ? formatBytes(m.budget)
            : `${m.budget}`;
      table.push([
        i === 0 ? s.name : '',
        i === 0 ? verdict : '',
        m.exceeded ? style.paint('\x1b[1;31m', name) : name,
        slope,
        m.r2.toFixed(2),
        m.trend,
        budget,
        i === 0 ? site : '',
      ]);
    });
  }
  return `${style.bold('Scenarios')}\n${table.toString()}`;
}

function summaryLine(
  report: Report,
  style: {
    bold: (s: string) => string;
    dim: (s: string) => string;
    paint: (code: string, s: string) => string;
  },
): string {
  const counts = new Map<Severity, number>();
  for (const f of report.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const files = new Set(report.findings.map((f) => f.file)).size;
  const n = report.findings.length;
  const bySeverity = [...counts.entries()]
    .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
    .map(([s, c]) => style.paint(SEVERITY_COLORS[s], `${c} ${s}`))
    .join(', ');
  const parts: string[] = [];
  if (report.static || n) {
    parts.push(
      n
        ? `${n} finding${n === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${bySeverity})`
        : 'no findings',
    );
  }
  if (report.scenarios.length) {
    const count = (v: string) => report.scenarios.filter((s) => s.verdict === v).length;
    const total = report.scenarios.length;
    parts.push(
      `${total} scenario${total === 1 ? '' : 's'}: ${count('pass')} passed, ${count('fail')} failed` +
        (count('error') ? `, ${count('error')} errored` : ''),
    );
  }
  const s = report.static;
  if (s) {
    parts.push(
      `${s.filesAnalyzed} file${s.filesAnalyzed === 1 ? '' : 's'} (${formatBytes(s.bytes)}) in ${(s.durationMs / 1000).toFixed(2)} s`,
    );
    if (s.suppressed) parts.push(`${s.suppressed} suppressed`);
    if (s.hidden) parts.push(hiddenWording(s.hidden));
  }
  if (report.problems?.length) parts.push(`${report.problems.length} not fully analysed`);
  const reasons = report.gate.reasons;
  const gate = report.gate.passed
    ? passedWording(report)
    : style.paint(
        '\x1b[1;31m',
        reasons.length === 1 ? `gate failed: ${reasons[0]}` : `gate failed (${reasons.length} reasons)`,
      );
  parts.push(gate);
  const line = `${style.bold('heapgate:')} ${parts.join(style.dim(' · '))}`;
  const lines = reasons.length > 1 ? [line, ...reasons.map((r) => `  - ${r}`)] : [line];
  if (!report.gate.passed && report.gate.summary)
    lines.push(`  ${report.gate.summary.replace(/^failed: /, '')}`);
  return lines.join('\n');
}

/** What a passing gate checked: "gate passed" alone would claim a check that did not happen (issue 13). */
function passedWording(report: Report): string {
  // The memory-budget gate says what it soaked itself (analysis/gate.ts): "passed: soaked 14 of 17 routes…".
  if (report.gate.summary) return `gate ${report.gate.summary}`;
  const s = report.static;
  const n = report.scenarios.length;
  if (!n && (s ? s.filesAnalyzed === 0 : true))
    return s ? 'nothing checked: no Python files' : 'nothing checked: no scenario ran';
  const checks = [
    ...(s?.failOn ? [`no finding at or above ${s.failOn}`] : []),
    ...(n ? [`${n} scenario${n === 1 ? '' : 's'} within budget`] : []),
  ];
  return checks.length ? `gate passed (${checks.join(', ')})` : 'not gated (no --fail-on)';
}
