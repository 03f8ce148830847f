/** A metric's chart card: caption with its status, the chart, a legend of what is drawn, the key facts. */
import { METRIC_TABLE, METRICS, type MetricName } from '../../model/metrics.js';
import type { ScenarioReport } from '../../model/report.js';
import { formatBytes } from '../../units.js';
import { chartData, COLORS, renderChart, type ChartData } from './chart.js';
import { budgetText, change, e, formatCount, level, num, perIteration } from './format.js';

/** Heap always; the other metrics when they grew, levelled off after a rise, or broke their budget. */
function chartedMetrics(s: ScenarioReport): MetricName[] {
  return METRICS.filter((name) => {
    const m = s.metrics[name];
    if (name === 'heap') return true;
    if (!m) return false;
    if (m.exceeded) return true;
    // A metric without a budget (gcObjects) only when it grows.
    if (METRIC_TABLE[name].budget === null) return m.trend === 'growing';
    return m.trend !== 'flat';
  });
}

function swatch(color: string, dash: string | null, kind: 'line' | 'box' = 'line'): string {
  if (kind === 'box') {
    return `<svg width="18" height="10" aria-hidden="true"><rect x="0.5" y="0.5" width="17" height="9" fill="${color}" stroke="#cbd5e1"/></svg>`;
  }
  return `<svg width="22" height="10" aria-hidden="true"><line x1="1" x2="21" y1="5" y2="5" stroke="${color}" stroke-width="2.5"${
    dash ? ` stroke-dasharray="${dash}"` : ''
  }/></svg>`;
}

function renderFigure(d: ChartData, listed: readonly string[]): string {
  const m = d.m;
  const name = d.metric;
  const slope = num(m.slopePerIteration);
  const over = m.exceeded === true;
  const legend: string[] = [
    `<span>${swatch(COLORS.samples, null)}samples (${formatCount(d.points.length)})</span>`,
  ];
  if (d.fit) {
    legend.push(
      `<span>${swatch(over ? COLORS.fitOver : COLORS.fit, null)}fitted slope ${e(perIteration(name, slope))}</span>`,
    );
  }
  if (d.budget || d.countLimit !== null) {
    legend.push(`<span>${swatch(COLORS.budget, '7 5')}allowed: ${e(budgetText(name, m.budget))}</span>`);
  }
  if (d.plateau) {
    legend.push(
      `<span>${swatch(COLORS.plateau, '3 3')}plateau at ${e(level(name, d.plateau.level))} from iteration ${e(
        formatCount(d.plateau.fromX),
      )}</span>`,
    );
  }
  if (d.ceiling !== null) {
    legend.push(`<span>${swatch(COLORS.ceiling, '2 3')}ceiling ${e(formatBytes(d.ceiling))}</span>`);
  }
  if (d.warmupEnd !== null) {
    legend.push(`<span>${swatch(COLORS.warmup, null, 'box')}warm-up (not measured)</span>`);
  }
  if (d.unrecorded) {
    legend.push(
      '<span class="muted">fitted line and plateau not drawn: this report is from a heapgate that did not record them</span>',
    );
  }
  const status = over
    ? '<span class="pill fail">over budget</span>'
    : m.trend === 'growing'
      ? '<span class="pill warn">growing</span>'
      : m.trend === 'plateau'
        ? '<span class="pill plateau">plateau</span>'
        : '<span class="pill ok">flat</span>';
  const facts = [
    `${e(level(name, num(m.start)))} → ${e(level(name, num(m.end)))} (${e(
      change(name, num(m.end) - num(m.start)),
    )}) over the measured part`,
    `R² ${e(num(m.r2).toFixed(2))}`,
  ];
  const reason = m.reason && !listed.includes(m.reason) ? `<p class="metric-reason">${e(m.reason)}</p>` : '';
  return [
    `<figure class="chart-card${over ? ' over' : ''}" data-metric="${name}">`,
    `<figcaption><span class="metric-name">${e(d.label)}</span> ${status}<span class="slope">${e(
      perIteration(name, slope),
    )}</span></figcaption>`,
    renderChart(d),
    `<div class="legend">${legend.join('')}</div>`,
    `<p class="facts">${facts.join(' · ')}</p>`,
    reason,
    '</figure>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The chart cards of a scenario, in the table's order. */
export function renderFigures(s: ScenarioReport, index: number): string[] {
  return chartedMetrics(s)
    .map((name) => chartData(s, index, name))
    .filter((d): d is ChartData => d !== null)
    .map((d) => renderFigure(d, s.reasons ?? []));
}
