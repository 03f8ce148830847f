/**
 * `heapgate compare BASE.json HEAD.json`: the growth regression report between two runs (src/analysis/
 * compare.ts has the rule), as a terminal table (default), Markdown (`--format markdown`, for a pull
 * request comment or job summary) or JSON.
 *
 * Exit codes: 1 when any scenario regressed (a metric grew beyond noise and by a budget-relevant amount,
 * or a scenario passed in base and fails or errors in head, or is new in head and fails there); 0
 * otherwise — also when head still fails for a leak base already had; 2 on a bad flag or an unreadable or
 * invalid report (the message names the file and the field).
 * In GitHub Actions (GITHUB_ACTIONS=true) each regression is also an error annotation on stderr, and the
 * Markdown table is appended to $GITHUB_STEP_SUMMARY when set (src/cli/github.ts; HEAPGATE_GITHUB=off
 * turns both off).
 */
import path from 'node:path';
import Table from 'cli-table3';
import {
  compareReports,
  formatInterval,
  formatSlope,
  type Comparison,
  type MetricComparison,
  type ScenarioComparison,
  type ScenarioStatus,
  type SlopeEstimate,
} from '../analysis/compare.js';
import { formatBytes } from '../units.js';
import { workflowCommand } from '../report/github.js';
import { markdownCell as cell, markdownCode as code } from '../report/markdown.js';
import { BYTE_METRICS, type MetricName } from '../model/metrics.js';
import { VERSION } from '../version.js';
import type { CommandIO } from './io.js';
import { EXIT, UsageError } from '../errors.js';
import { appendStepSummary, writeAnnotations } from './github.js';
import { writeOutputsAtomically } from './output.js';
import { readReportFile } from './read-report.js';

export interface CompareFlags {
  format?: string;
  output?: string;
}

const COMPARE_FORMATS = ['text', 'markdown', 'json'] as const;
type CompareFormat = (typeof COMPARE_FORMATS)[number];

export interface ComparedFiles {
  base: { file: string; version: string };
  head: { file: string; version: string };
}

export async function runCompare(
  base: string,
  head: string,
  flags: CompareFlags,
  io: CommandIO,
): Promise<number> {
  const format = (flags.format ?? 'text').trim().toLowerCase();
  if (!(COMPARE_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: compare writes ${COMPARE_FORMATS.join(', ')}, not '${flags.format}'`);
  }
  const baseReport = readReportFile(base);
  const headReport = readReportFile(head);
  const comparison = compareReports(baseReport, headReport);
  const files: ComparedFiles = {
    base: { file: base, version: baseReport.tool.version },
    head: { file: head, version: headReport.tool.version },
  };

  const toTerminal = flags.output === undefined;
  const color = toTerminal && Boolean(io.stdout.isTTY) && !process.env.NO_COLOR;
  const content = renderComparison(comparison, files, format as CompareFormat, { color });
  if (toTerminal) io.stdout.write(content);
  else {
    const target = path.resolve(flags.output!);
    writeOutputsAtomically([{ path: target, content, source: '--output' }]);
    io.stderr.write(`heapgate: wrote ${path.relative(process.cwd(), target) || target}\n`);
  }
  if (!toTerminal || format !== 'text') io.stderr.write(`heapgate compare: ${summaryLine(comparison)}\n`);

  writeAnnotations(comparisonAnnotations(comparison), process.env, io);
  appendStepSummary(renderComparisonMarkdown(comparison, files), process.env, io);
  return comparison.regressed ? EXIT.gateFailed : EXIT.passed;
}

export function renderComparison(
  comparison: Comparison,
  files: ComparedFiles,
  format: CompareFormat,
  options: { color: boolean } = { color: false },
): string {
  switch (format) {
    case 'json':
      return renderComparisonJson(comparison, files);
    case 'markdown':
      return renderComparisonMarkdown(comparison, files);
    case 'text':
      return renderComparisonText(comparison, files, options);
  }
}

export function renderComparisonJson(comparison: Comparison, files: ComparedFiles): string {
  return `${JSON.stringify(
    {
      comparisonVersion: 1,
      tool: { name: 'heapgate', version: VERSION },
      base: files.base,
      head: files.head,
      regressed: comparison.regressed,
      counts: comparison.counts,
      scenarios: comparison.scenarios,
    },
    null,
    2,
  )}\n`;
}

const STATUS_LABEL: Record<ScenarioStatus | MetricComparison['status'], string> = {
  regression: 'REGRESSION',
  worse: 'worse (below threshold)',
  unchanged: 'unchanged',
  improved: 'improved',
  new: 'new',
  removed: 'removed',
  'not-compared': 'not compared',
};

const STATUS_EMOJI: Record<ScenarioStatus | MetricComparison['status'], string> = {
  regression: '🔴',
  worse: '🟡',
  unchanged: '⚪',
  improved: '🟢',
  new: '🆕',
  removed: '➖',
  'not-compared': '❔',
};

/** The metrics a table shows: the byte metrics (heap, RSS) always, the others when they changed. */
function shownMetrics(s: ScenarioComparison): MetricComparison[] {
  return s.metrics.filter(
    (m) => BYTE_METRICS.has(m.metric) || (m.status !== 'unchanged' && m.status !== 'not-compared'),
  );
}

function slopeCell(metric: MetricName, e: SlopeEstimate | null): string {
  return e ? `${formatSlope(metric, e.slope)} ${formatInterval(metric, e)}` : '—';
}

function changeCell(m: MetricComparison): string {
  if (m.change === null) return '—';
  const sign = m.change > 0 ? '+' : '';
  return BYTE_METRICS.has(m.metric)
    ? `${sign}${formatBytes(m.change)}/it`
    : `${sign}${formatSlope(m.metric, m.change).replace('/iteration', '/it')}`;
}

function verdicts(s: ScenarioComparison): string {
  return `${s.base?.verdict ?? '—'} → ${s.head?.verdict ?? '—'}`;
}

export function summaryLine(comparison: Comparison): string {
  const c = comparison.counts;
  const parts = [
    `${c.regression} regression${c.regression === 1 ? '' : 's'}`,
    c.worse ? `${c.worse} worse below threshold` : '',
    c.improved ? `${c.improved} improved` : '',
    `${c.unchanged} unchanged`,
    c.new ? `${c.new} new` : '',
    c.removed ? `${c.removed} removed` : '',
    c['not-compared'] ? `${c['not-compared']} not compared` : '',
  ].filter(Boolean);
  return `${parts.join(', ')}${comparison.regressed ? ' — growth regression' : ' — no growth regression'}`;
}

export function renderComparisonText(
  comparison: Comparison,
  files: ComparedFiles,
  options: { color: boolean } = { color: false },
): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}\x1b[0m` : text);
  const statusColor: Record<string, string> = {
    regression: '\x1b[1;31m',
    worse: '\x1b[33m',
    improved: '\x1b[32m',
    unchanged: '\x1b[2m',
  };
  const table = new Table({
    head: ['Scenario', 'Verdict', 'Metric', 'Base slope [90% CI]', 'Head slope [90% CI]', 'Change', 'Status'],
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
    wordWrap: true,
  });
  for (const s of comparison.scenarios) {
    const rows = shownMetrics(s);
    if (!rows.length) {
      const note =
        s.status === 'new' || s.status === 'removed'
          ? STATUS_LABEL[s.status]
          : (s.note ?? s.metrics.find((m) => m.note)?.note ?? STATUS_LABEL[s.status]);
      table.push([
        s.name,
        verdicts(s),
        { colSpan: 4, content: s.reasons[0] ?? (s.status === 'new' || s.status === 'removed' ? '' : note) },
        paint(statusColor[s.status] ?? '', STATUS_LABEL[s.status]),
      ]);
      continue;
    }
    rows.forEach((m, i) => {
      table.push([
        i === 0 ? s.name : '',
        i === 0 ? verdicts(s) : '',
        m.metric,
        slopeCell(m.metric, m.base),
        slopeCell(m.metric, m.head),
        changeCell(m),
        paint(
          statusColor[m.status] ?? '',
          m.status === 'not-compared' ? 'not compared' : STATUS_LABEL[m.status],
        ),
      ]);
    });
  }
  const out = [`heapgate compare: ${files.base.file} → ${files.head.file}`, table.toString()];
  const regressions = comparison.scenarios.filter((s) => s.status === 'regression');
  if (regressions.length) {
    out.push('', paint('\x1b[1;31m', 'Regressions'));
    for (const s of regressions) for (const r of s.reasons) out.push(`  ${s.name}: ${r}`);
  }
  out.push(
    '',
    paint(comparison.regressed ? '\x1b[1;31m' : '\x1b[32m', `heapgate compare: ${summaryLine(comparison)}`),
  );
  return `${out.join('\n')}\n`;
}

export function renderComparisonMarkdown(comparison: Comparison, files: ComparedFiles): string {
  const out: string[] = [];
  out.push(
    `## heapgate compare: ${comparison.regressed ? '❌ growth regression' : '✅ no growth regression'}`,
    '',
    `Base ${code(files.base.file)} → head ${code(files.head.file)}: ${cell(summaryLine(comparison))}.`,
    '',
    '| Scenario | Verdict | Metric | Base slope [90% CI] | Head slope [90% CI] | Change | Status |',
    '|---|---|---|---:|---:|---:|---|',
  );
  for (const s of comparison.scenarios) {
    const rows = shownMetrics(s);
    if (!rows.length) {
      const note = s.status === 'regression' ? '' : (s.note ?? '');
      out.push(
        `| ${cell(s.name)} | ${verdicts(s)} | ${cell(note)} | | | | ${STATUS_EMOJI[s.status]} ${STATUS_LABEL[s.status]} |`,
      );
      continue;
    }
    rows.forEach((m, i) => {
      out.push(
        `| ${i === 0 ? cell(s.name) : ''} | ${i === 0 ? verdicts(s) : ''} | ${m.metric} | ${cell(slopeCell(m.metric, m.base))} | ${cell(slopeCell(m.metric, m.head))} | ${cell(changeCell(m))} | ${STATUS_EMOJI[m.status]} ${STATUS_LABEL[m.status]} |`,
      );
    });
  }
  out.push('');
  const regressions = comparison.scenarios.filter((s) => s.status === 'regression');
  if (regressions.length) {
    out.push('### Regressions', '');
    for (const s of regressions) for (const r of s.reasons) out.push(`- **${cell(s.name)}**: ${cell(r)}`);
    out.push('');
  }
  const notes = comparison.scenarios.flatMap((s) =>
    s.metrics
      .filter((m) => m.status === 'not-compared' && m.note)
      .map((m) => `${s.name} ${m.metric}: ${m.note}`),
  );
  if (notes.length) {
    out.push('<details><summary>Not compared</summary>', '');
    for (const n of [...new Set(notes)]) out.push(`- ${cell(n)}`);
    out.push('', '</details>', '');
  }
  out.push(
    '<sub>Slopes per iteration: Theil–Sen over the samples after warm-up, 90% block-bootstrap intervals. ' +
      "A regression: head's interval above base's, over all of head's measured part and its second half, by at " +
      'least ¼ of the growth budget (heap, RSS) or one more thread/fd/handler than allowed over the run; or a ' +
      'scenario that passed in base and fails in head.</sub>',
    '',
  );
  return out.join('\n');
}

/** One error annotation per regressed scenario (GitHub Actions). */
export function comparisonAnnotations(comparison: Comparison): string[] {
  return comparison.scenarios
    .filter((s) => s.status === 'regression')
    .map((s) =>
      workflowCommand('error', { title: `heapgate compare: ${s.name} regressed` }, s.reasons.join('\n')),
    );
}
