/** The page's static findings section: confirmed first, then by severity, with rule, place, fix and status. */
import { hiddenWording } from '../static-summary.js';
import { DYNAMIC_STATUSES, severityRank, type DynamicStatus, type Severity } from '../../model/static.js';
import type { Report, ReportFinding } from '../../model/report.js';
import { formatBytes } from '../../units.js';
import { e, location, num, plural, prose, seconds } from './format.js';

const SEVERITY_CLASS: Record<Severity, string> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
};

/** How each dynamic status looks (its words come from the kernel's table). */
const DYNAMIC: Record<DynamicStatus, { label: string; cls: string }> = {
  confirmed: { label: 'confirmed by the run', cls: 'fail' },
  'not-reproduced': { label: DYNAMIC_STATUSES['not-reproduced'].label, cls: 'ok' },
  'not-reached': { label: DYNAMIC_STATUSES['not-reached'].label, cls: 'warn' },
  'not-exercised': { label: DYNAMIC_STATUSES['not-exercised'].label, cls: 'muted' },
};

function severityOf(f: ReportFinding): Severity {
  return f.severity in SEVERITY_CLASS ? f.severity : 'LOW';
}

export function renderFindings(report: Report): string {
  const findings = [...report.findings].sort(
    (a, b) =>
      Number(b.dynamic === 'confirmed') - Number(a.dynamic === 'confirmed') ||
      severityRank(severityOf(b)) - severityRank(severityOf(a)) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      num(a.line) - num(b.line),
  );
  const s = report.static;
  const out: string[] = [
    '<section class="findings">',
    `<h2>Static findings <span class="count">${findings.length}</span></h2>`,
  ];
  if (s) {
    out.push(
      `<p class="meta">${e(
        `${plural(num(s.filesAnalyzed), 'file')} (${formatBytes(num(s.bytes))}) analysed in ${seconds(num(s.durationMs))}` +
          (s.suppressed ? `, ${num(s.suppressed)} suppressed` : '') +
          (s.hidden ? `, ${hiddenWording(num(s.hidden))}` : '') +
          (s.failOn ? `, --fail-on ${s.failOn}` : ''),
      )}</p>`,
    );
  }
  if (!findings.length) {
    out.push('<p class="muted">No findings.</p>');
  } else {
    const counts = new Map<Severity, number>();
    for (const f of findings) counts.set(severityOf(f), (counts.get(severityOf(f)) ?? 0) + 1);
    const chips = [...counts.entries()]
      .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
      .map(([sev, n]) => `<span class="sev ${SEVERITY_CLASS[sev]}">${n} ${sev}</span>`)
      .join(' ');
    out.push(`<p>${chips}</p>`);
    const rows = findings.map((f) => {
      const sev = severityOf(f);
      const dyn = DYNAMIC[f.dynamic as DynamicStatus] ?? { label: String(f.dynamic ?? ''), cls: 'muted' };
      return [
        `<tr${f.dynamic === 'confirmed' ? ' class="confirmed"' : ''}>`,
        `<td><span class="pill ${dyn.cls}">${e(dyn.label)}</span></td>`,
        `<td><span class="sev ${SEVERITY_CLASS[sev]}">${e(sev)}</span></td>`,
        `<td><code>${e(f.shortId)}</code><div class="muted small">${e(f.rule)}</div></td>`,
        `<td><code>${e(`${f.file}:${num(f.line)}:${num(f.column)}`)}</code>${f.function ? `<div class="muted small"><code>${e(f.function)}</code></div>` : ''}</td>`,
        `<td>${prose(f.message)}<div class="fix"><span class="fix-label">Fix</span> ${prose(f.fix)}</div></td>`,
        '</tr>',
      ].join('');
    });
    out.push(
      '<table class="grid-table findings-table">',
      '<thead><tr><th>Run</th><th>Severity</th><th>Rule</th><th>Location</th><th>Finding</th></tr></thead>',
      `<tbody>\n${rows.join('\n')}\n</tbody>`,
      '</table>',
    );
  }
  if (report.problems?.length) {
    const items = report.problems
      .map(
        (p) =>
          `<li><code>${e(location(p.file, p.line))}</code> <span class="muted">${e(p.kind)}</span>: ${e(p.message)}</li>`,
      )
      .join('');
    out.push(
      `<details><summary>${plural(report.problems.length, 'file')} not fully analysed</summary><ul>${items}</ul></details>`,
    );
  }
  if (report.routes?.length) {
    const items = report.routes
      .map(
        (r) =>
          `<tr><td><code>${e(r.method)}</code></td><td><code>${e(r.path)}</code></td><td><code>${e(r.handler.function)}</code></td><td><code>${e(
            location(r.handler.file, num(r.handler.line)),
          )}</code></td><td class="muted">${e(r.framework)}</td></tr>`,
      )
      .join('');
    out.push(
      `<details><summary>${plural(report.routes.length, 'route')} found</summary><table class="grid-table compact"><thead><tr><th>Method</th><th>Path</th><th>Handler</th><th>Location</th><th>Framework</th></tr></thead><tbody>${items}</tbody></table></details>`,
    );
  }
  out.push('</section>');
  return out.join('\n');
}
