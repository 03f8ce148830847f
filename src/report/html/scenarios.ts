/**
 * The page's scenario sections: the gate's header, the overview table, and per scenario its headline
 * (heap growth and its recorded projections), reasons and notes, charts, the table of all metrics and the
 * leak sites.
 */
import { METRICS } from '../../model/metrics.js';
import type { LeakSite, Report, ScenarioReport, Verdict } from '../../model/report.js';
import { formatBytes } from '../../units.js';
import { iterationNoun } from '../../model/scenario-kind.js';
import { renderFigures } from './figure.js';
import { renderHeldBy } from './held-by.js';
import {
  budgetText,
  e,
  formatCount,
  isOwnCode,
  level,
  location,
  metricLabel,
  num,
  perIteration,
  plural,
  seconds,
  signedBytes,
  signedCount,
} from './format.js';

/** Leak sites listed openly; the rest sit in a collapsed list. */
const TOP_SITES = 8;

const VERDICT_LABEL: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

function verdictClass(v: unknown): Verdict {
  return v === 'pass' || v === 'fail' || v === 'error' ? v : 'error';
}

function badge(v: unknown): string {
  const c = verdictClass(v);
  return `<span class="badge ${c}">${VERDICT_LABEL[c]}</span>`;
}

const VERDICT_ORDER: Record<Verdict, number> = { fail: 0, error: 1, pass: 2 };

/** Failed scenarios first, then errored, then passed; report order within each. */
export function orderedScenarios(report: Report): { s: ScenarioReport; index: number }[] {
  return report.scenarios
    .map((s, index) => ({ s, index }))
    .sort(
      (a, b) =>
        VERDICT_ORDER[verdictClass(a.s.verdict)] - VERDICT_ORDER[verdictClass(b.s.verdict)] ||
        a.index - b.index,
    );
}

/** As the analysis ranked them (lines that keep memory first) when it recorded roles; else largest first. */
function sortedSites(s: ScenarioReport): LeakSite[] {
  const sites = [...(s.leakSites ?? [])];
  if (sites.some((site) => site.role)) return sites;
  return sites.sort((a, b) => num(b.sizeDiffBytes) - num(a.sizeDiffBytes));
}

/** Recorded throughput, or null (older reports did not record it). */
function throughput(s: ScenarioReport): number | null {
  const perHour = s.iterationsPerHour;
  return typeof perHour === 'number' && Number.isFinite(perHour) && perHour > 0 ? perHour : null;
}

interface Headline {
  slope: string;
  /** The recorded projections, when the report has them. */
  million: string | null;
  hour: string | null;
}

/** Heap growth in one line: "+393 B/iteration · +375 MB per million requests (connections…) · +2.1 GB/h …". */
function heapHeadline(s: ScenarioReport): Headline | null {
  const heap = s.metrics.heap;
  if (!heap) return null;
  const p = heap.projection;
  return {
    slope: perIteration('heap', num(heap.slopePerIteration)),
    million: p ? `${signedBytes(num(p.perMillion))} per million ${iterationNoun(s.kind).many}` : null,
    hour:
      p && p.perHour !== null && p.perHour !== undefined
        ? `${signedBytes(num(p.perHour))}/h at the measured rate`
        : null,
  };
}

export function renderHeader(report: Report): string {
  const passed = report.gate.passed === true;
  const count = (v: Verdict) => report.scenarios.filter((s) => s.verdict === v).length;
  const parts: string[] = [];
  if (report.scenarios.length) {
    const bits = [`${count('pass')} passed`, `${count('fail')} failed`];
    if (count('error')) bits.push(`${count('error')} errored`);
    parts.push(`${plural(report.scenarios.length, 'scenario')}: ${bits.join(', ')}`);
  }
  if (report.static || report.findings.length) {
    const confirmed = report.findings.filter((f) => f.dynamic === 'confirmed').length;
    parts.push(
      `${plural(report.findings.length, 'static finding')}${confirmed ? ` (${confirmed} confirmed by the run)` : ''}`,
    );
  }
  const summary = report.gate.summary;
  if (summary) parts.unshift(summary.replace(/^(passed|failed|nothing soaked): /, ''));
  const nothing = summary?.startsWith('nothing soaked') === true;
  const reasons = (report.gate.reasons ?? []).map((r) => `<li>${e(r)}</li>`).join('\n');
  const left = (report.gate.coverage?.left ?? [])
    .map((l) => `<li><code>${e(l.route)}</code>: ${e(l.why)}</li>`)
    .join('\n');
  return [
    `<header class="gate ${nothing ? 'none' : passed ? 'pass' : 'fail'}">`,
    '<div class="gate-row">',
    `<div class="gate-verdict">${nothing ? '○ Nothing soaked' : passed ? '✓ Gate passed' : '✗ Gate failed'}</div>`,
    `<div class="gate-summary">${e(parts.join(' · ') || 'nothing was checked')}</div>`,
    '</div>',
    reasons ? `<ul class="gate-reasons">\n${reasons}\n</ul>` : '',
    left
      ? `<details class="gate-left"><summary>Routes not soaked</summary><ul>\n${left}\n</ul></details>`
      : '',
    '</header>',
  ]
    .filter(Boolean)
    .join('\n');
}

export function renderOverview(report: Report): string {
  if (!report.scenarios.length) return '';
  const rows = orderedScenarios(report).map(({ s, index }) => {
    const v = verdictClass(s.verdict);
    const link = `<a href="#scenario-${index}">${e(s.name)}</a>`;
    if (v === 'error') {
      const first = String(s.error ?? 'the scenario did not complete').split('\n')[0];
      return `<tr class="error"><td>${badge(v)}</td><td>${link}</td><td colspan="4" class="error-text">${e(first)}</td></tr>`;
    }
    const h = heapHeadline(s);
    const over = METRICS.filter((name) => s.metrics[name]?.exceeded);
    const top = sortedSites(s)[0];
    const site = top
      ? `<code>${e(location(top.file, top.line))}</code>${top.code ? `<div class="code-mini">${e(top.code)}</div>` : ''}`
      : '<span class="muted">—</span>';
    return [
      `<tr class="${v}">`,
      `<td>${badge(v)}</td>`,
      `<td>${link}</td>`,
      `<td class="num">${h ? `<strong>${e(h.slope)}</strong>` : '—'}</td>`,
      `<td class="num">${h ? `${e(h.million ?? '—')}<br><span class="muted">${e(h.hour ?? '—')}</span>` : '—'}</td>`,
      `<td>${over.length ? over.map((n) => `<span class="pill fail">${e(n)}</span>`).join(' ') : '<span class="muted">none</span>'}</td>`,
      `<td>${site}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<section class="overview">',
    '<h2>Scenarios</h2>',
    '<table class="grid-table">',
    '<thead><tr><th>Verdict</th><th>Scenario</th><th class="num">Heap growth</th><th class="num">Projection</th><th>Over budget</th><th>Top leak site</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}

function renderMetricsTable(s: ScenarioReport): string {
  const rows = METRICS.filter((name) => s.metrics[name]).map((name) => {
    const m = s.metrics[name]!;
    const status = m.exceeded
      ? '<span class="pill fail">over budget</span>'
      : `<span class="pill ${m.trend === 'growing' ? 'warn' : m.trend === 'plateau' ? 'plateau' : 'ok'}">${e(m.trend)}</span>`;
    return `<tr${m.exceeded ? ' class="over"' : ''}><td>${e(metricLabel(name, s))}</td><td class="num">${e(
      level(name, num(m.start)),
    )}</td><td class="num">${e(level(name, num(m.end)))}</td><td class="num">${e(
      perIteration(name, num(m.slopePerIteration)),
    )}</td><td class="num">${e(num(m.r2).toFixed(2))}</td><td>${status}</td><td>${e(budgetText(name, m.budget))}</td></tr>`;
  });
  if (!rows.length) return '';
  return [
    '<details class="metrics-table"><summary>All metrics</summary>',
    '<table class="grid-table compact">',
    '<thead><tr><th>Metric</th><th>Start</th><th>End</th><th>Slope</th><th>R²</th><th>Trend</th><th>Budget</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</details>',
  ].join('\n');
}

function renderSite(site: LeakSite, rank: number, maxSize: number, attribution: number | null): string {
  const size = num(site.sizeDiffBytes);
  const count = num(site.countDiff);
  const own = isOwnCode(String(site.file));
  const share = maxSize > 0 ? Math.max(1, Math.min(100, (size / maxSize) * 100)) : 0;
  const traceback = Array.isArray(site.traceback) ? site.traceback.map(String) : [];
  const via = own ? null : traceback.find((frame) => isOwnCode(frame));
  const perIt =
    attribution && attribution > 0
      ? `<div class="muted">≈ ${e(signedBytes(size / attribution))}/iteration</div>`
      : '';
  const perItCount =
    attribution && attribution > 0
      ? `<div class="muted">≈ ${e(signedCount(count / attribution))}/iteration</div>`
      : '';
  const frames = traceback
    .map((frame) => `<li${isOwnCode(frame) ? ' class="own"' : ''}><code>${e(frame)}</code></li>`)
    .join('');
  return [
    `<tr class="site${own ? ' own' : ' lib'}">`,
    `<td class="rank">${rank}</td>`,
    '<td class="where">',
    `<div><code class="path">${e(location(String(site.file), num(site.line)))}</code>${own ? ' <span class="pill own">your code</span>' : ''}${
      site.role === 'retains' ? ' <span class="pill fail">keeps it</span>' : ''
    }${via ? ` <span class="muted">via <code>${e(via)}</code></span>` : ''}</div>`,
    site.code ? `<pre class="code-line">${e(site.code)}</pre>` : '',
    traceback.length
      ? `<details class="traceback"><summary>traceback (${traceback.length} frame${traceback.length === 1 ? '' : 's'}, innermost first)</summary><ol>${frames}</ol></details>`
      : '',
    '</td>',
    `<td class="num"><strong>${e(signedBytes(size))}</strong>${perIt}<div class="bar"><span style="width:${share.toFixed(1)}%"></span></div></td>`,
    `<td class="num">${e(signedCount(count))} blocks${perItCount}</td>`,
    '</tr>',
  ].join('\n');
}

function renderLeakSites(s: ScenarioReport): string {
  const sites = sortedSites(s);
  if (!sites.length) return '';
  const attribution = s.attributionIterations ? num(s.attributionIterations) : null;
  const maxSize = Math.max(0, ...sites.map((x) => num(x.sizeDiffBytes)));
  const rows = sites.map((site, i) => renderSite(site, i + 1, maxSize, attribution));
  const head =
    '<thead><tr><th>#</th><th>Allocation site</th><th class="num">Size growth</th><th class="num">Blocks growth</th></tr></thead>';
  const over = rows.slice(TOP_SITES);
  const order = sites.some((site) => site.role)
    ? 'your lines that keep memory first, then your other lines, then library code, each largest first'
    : 'largest first';
  const note = attribution
    ? `Growth of the traced allocations over the ${e(plural(attribution, 'iteration'))} of the attribution pass, ${order}.`
    : `Growth of the traced allocations, ${order}.`;
  return [
    '<div class="sites">',
    `<h3>Top leak sites</h3>`,
    `<p class="muted">${note}</p>`,
    `<table class="grid-table sites-table">${head}<tbody>\n${rows.slice(0, TOP_SITES).join('\n')}\n</tbody></table>`,
    over.length
      ? `<details class="more-sites"><summary>${over.length} more site${over.length === 1 ? '' : 's'}</summary><table class="grid-table sites-table">${head}<tbody>\n${over.join('\n')}\n</tbody></table></details>`
      : '',
    '</div>',
  ].join('\n');
}

export function renderScenario(s: ScenarioReport, index: number): string {
  const v = verdictClass(s.verdict);
  const meta: string[] = [];
  const warmup = num(s.warmupIterations);
  meta.push(
    v === 'error'
      ? `ran ${plural(num(s.iterations), 'iteration')}`
      : plural(num(s.iterations), 'measured iteration'),
  );
  if (warmup) meta.push(`after ${plural(warmup, 'warm-up iteration')}`);
  if (s.totalIterations) meta.push(`${formatCount(num(s.totalIterations))} in all`);
  meta.push(seconds(num(s.durationMs)));
  const perHour = throughput(s);
  if (perHour) meta.push(`${formatCount(Math.round(perHour / 3600))} iterations/s`);
  if (s.tree) {
    meta.push(
      `target: ${plural(num(s.tree.processes), 'process', 'processes')}, ` +
        `peak RSS ${formatBytes(num(s.tree.rssPeakBytes))}, CPU ${Math.round(num(s.tree.cpuPercent))}%`,
    );
  }
  const selected = (s.selectedBy ?? [])
    .map((x) => `<code>${e(x.rule)}</code> at <code>${e(location(x.file, num(x.line)))}</code>`)
    .join(', ');

  const out: string[] = [
    `<section class="scenario ${v}" id="scenario-${index}">`,
    `<div class="scenario-head">${badge(v)}<h2>${e(s.name)}</h2></div>`,
    `<p class="meta">${e(meta.join(' · '))}</p>`,
  ];
  if (selected) out.push(`<p class="meta">Selected by ${selected}</p>`);

  if (v === 'error') {
    const text = String(s.error ?? 'the scenario did not complete');
    const [first, ...rest] = text.split('\n');
    out.push(`<p class="error-head">${e(first)}</p>`);
    out.push(`<pre class="error-text">${e(rest.length ? rest.join('\n') : text)}</pre>`);
  } else {
    const h = heapHeadline(s);
    if (h) {
      const more = [h.million, h.hour].filter((x): x is string => x !== null);
      out.push(
        `<div class="headline ${v}"><span class="label">Heap</span> <strong>${e(h.slope)}</strong>${more
          .map((x) => `<span class="sep">·</span>${e(x)}`)
          .join('')}</div>`,
      );
    }
  }
  const reasons = s.reasons ?? [];
  if (reasons.length) out.push(`<ul class="reasons">${reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`);
  const notes = [
    ...(s.stoppedEarly
      ? [`Stopped early at iteration ${s.stoppedEarly.atIteration}: ${s.stoppedEarly.why}`]
      : []),
    ...(s.notes ?? []),
  ];
  if (notes.length) out.push(`<ul class="notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`);

  const figures = renderFigures(s, index);
  if (figures.length) out.push(`<div class="charts">\n${figures.join('\n')}\n</div>`);
  else if (v !== 'error' && Object.keys(s.metrics ?? {}).length) {
    out.push('<p class="muted">The report holds no samples to chart for this scenario.</p>');
  }
  out.push(renderMetricsTable(s));
  // What keeps the memory alive comes before where it was allocated: that is where the fix goes.
  out.push(renderHeldBy(s));
  out.push(renderLeakSites(s));
  out.push('</section>');
  return out.filter(Boolean).join('\n');
}
