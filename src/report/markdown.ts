/** Markdown for a CI job summary: the verdict first, then findings (confirmed ones leading). */
import { hiddenWording } from './static-summary.js';
import { formatBytes } from '../units.js';
import { DYNAMIC_STATUSES, severityRank, type DynamicStatus } from '../model/static.js';
import type { Report } from '../model/report.js';
import { heldByLines } from './held-by.js';

/** A finding's dynamic status at a glance (its words come from the kernel's table). */
const DYNAMIC_MARK: Record<DynamicStatus, string> = {
  confirmed: '🔴',
  'not-reproduced': '⚪',
  'not-reached': '🟠',
  'not-exercised': '',
};

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const summary = report.gate.summary;
  const verdict = summary?.startsWith('nothing soaked')
    ? `⚪ ${summary}`
    : report.gate.passed
      ? `✅ passed${summary ? ` — ${summary.replace(/^passed: /, '')}` : ''}`
      : `❌ failed${summary ? ` — ${summary.replace(/^failed: /, '')}` : ''}`;
  out.push(`## heapgate: ${verdict}`, '');
  for (const reason of report.gate.reasons) out.push(`- ${cell(reason)}`);
  if (report.gate.reasons.length) out.push('');
  const left = report.gate.coverage?.left ?? [];
  if (left.length) {
    out.push('<details><summary>Routes not soaked</summary>', '', '| Route | Why |', '|---|---|');
    for (const l of left) out.push(`| ${code(l.route)} | ${cell(l.why)} |`);
    out.push('', '</details>', '');
  }

  const s = report.static;
  const n = report.findings.length;
  if (s) {
    out.push(
      `${n} finding${n === 1 ? '' : 's'} in ${s.filesAnalyzed} file${s.filesAnalyzed === 1 ? '' : 's'} ` +
        `(${formatBytes(s.bytes)}, ${(s.durationMs / 1000).toFixed(2)} s)` +
        (s.suppressed ? `, ${s.suppressed} suppressed` : '') +
        (s.hidden ? `, ${hiddenWording(s.hidden)}` : '') +
        '.',
      '',
    );
  }

  if (n) {
    const counts = new Map<string, number>();
    for (const f of report.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
    out.push('| Severity | Count |', '|---|---:|');
    for (const [severity, count] of [...counts.entries()].sort(
      (a, b) => severityRank(b[0] as never) - severityRank(a[0] as never),
    )) {
      out.push(`| ${severity} | ${count} |`);
    }
    out.push('');
    const ordered = [...report.findings].sort(
      (a, b) =>
        Number(b.dynamic === 'confirmed') - Number(a.dynamic === 'confirmed') ||
        severityRank(b.severity) - severityRank(a.severity) ||
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
        a.line - b.line,
    );
    out.push('| | Severity | Rule | Location | Function | Finding | Fix |', '|---|---|---|---|---|---|---|');
    for (const f of ordered) {
      const mark =
        f.dynamic === 'not-exercised'
          ? ''
          : `${DYNAMIC_MARK[f.dynamic]} ${DYNAMIC_STATUSES[f.dynamic].label}`;
      out.push(
        `| ${mark} | ${f.severity} | ${f.shortId} | ${code(`${f.file}:${f.line}`)} | ${f.function ? code(f.function) : ''} | ${cell(f.message)} | ${cell(f.fix)} |`,
      );
    }
    out.push('');
  }

  const confirmed = report.findings.filter((f) => f.recommendation);
  if (confirmed.length) {
    out.push('### Confirmed by the run', '');
    for (const f of confirmed) {
      out.push(
        `- **${f.recommendation!.class}** ${code(`${f.file}:${f.line}`)} ${f.shortId}: ${cell(f.recommendation!.summary)}`,
      );
    }
    out.push('');
  }

  if (report.scenarios.length) {
    out.push(
      '### Scenarios',
      '',
      '| Scenario | Verdict | Heap / iteration | R² | Trend | Over budget | Top leak site |',
      '|---|---|---:|---:|---|---|---|',
    );
    for (const s of report.scenarios) {
      const heap = s.metrics.heap;
      const over = Object.entries(s.metrics)
        .filter(([, m]) => m?.exceeded)
        .map(([name]) => name)
        .join(', ');
      const site = s.leakSites[0];
      const verdict = `${s.verdict === 'pass' ? '✅ pass' : s.verdict === 'fail' ? '❌ fail' : '⚠️ error'}${s.tooShort && s.verdict === 'pass' ? ' (too short to judge)' : ''}${s.stoppedEarly ? ` (stopped early at iteration ${s.stoppedEarly.atIteration})` : ''}`;
      out.push(
        `| ${cell(s.name)}${s.generated ? ' (generated)' : ''} | ${verdict} | ${heap ? formatBytes(heap.slopePerIteration) : '—'} | ${heap ? heap.r2.toFixed(2) : '—'} | ${heap?.trend ?? '—'} | ${over || '—'} | ${site ? `${code(`${site.file}:${site.line}`)}${site.code ? ` ${code(site.code)}` : ''}` : s.verdict === 'error' ? cell((s.error ?? '').split('\n')[0]) : ''} |`,
      );
    }
    out.push('');
    // Why a run stopped early is a sentence, too long for a table cell: it goes under the table.
    const stopped = report.scenarios.filter((s) => s.stoppedEarly);
    for (const s of stopped)
      out.push(
        `- ${cell(s.name)} stopped early at iteration ${s.stoppedEarly!.atIteration}: ${cell(s.stoppedEarly!.why)}`,
      );
    if (stopped.length) out.push('');
    for (const s of report.scenarios) {
      const held = heldByLines(s);
      if (held.length) out.push(`#### Held by: ${cell(s.name)}`, '', ...held.map((l) => `- ${cell(l)}`), '');
    }
  }

  if (report.plan?.some((p) => !p.selected)) {
    out.push('<details><summary>Scenarios that did not run, and why</summary>', '');
    for (const p of report.plan.filter((entry) => !entry.selected))
      out.push(`- ${cell(p.scenario)}: ${cell(p.why)}`);
    out.push('', '</details>', '');
  }

  if (report.problems?.length) {
    out.push(
      `<details><summary>${report.problems.length} file${report.problems.length === 1 ? '' : 's'} not fully analysed</summary>`,
      '',
    );
    for (const p of report.problems) {
      out.push(`- ${code(`${p.file}${p.line ? `:${p.line}` : ''}`)} ${p.kind}: ${cell(p.message)}`);
    }
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

/** Safe inside a table cell: no pipes, no raw HTML, no line breaks. */
function cell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, 'ˋ')
    .replace(/\r?\n/g, ' ');
}

/** A code span inside a table cell (entities would show literally there, so only pipes are escaped). */
function code(text: string): string {
  return `\`${text.replace(/`/g, 'ˋ').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}\``;
}

export { cell as markdownCell, code as markdownCode };
