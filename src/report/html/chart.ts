/**
 * One metric's chart as inline SVG: the samples, the warm-up shaded, and what the verdict recorded (the
 * fitted line over the measured part, the plateau, the budget from the fit's start, the ceiling). It
 * draws the recorded figures and recomputes none: a report from before they were recorded gets the
 * samples without the fit and the plateau (the figure says so).
 */
import { ceilingOf, METRIC_TABLE, type MetricName } from '../../model/metrics.js';
import type { MetricReport, ScenarioReport } from '../../model/report.js';
import { BYTE_UNITS, e, formatCount, metricLabel, num, perIteration } from './format.js';

/** Draw a dot per sample up to this many samples (the line alone beyond). */
const MAX_DOTS = 160;

interface Pt {
  x: number;
  y: number;
}

const W = 560;
const H = 250;
const M = { left: 76, right: 18, top: 16, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export const COLORS = {
  samples: '#2563eb',
  warmupDots: '#93c5fd',
  fit: '#ea580c',
  fitOver: '#dc2626',
  budget: '#16a34a',
  plateau: '#7c3aed',
  plateauRegion: '#f5f3ff',
  ceiling: '#9f1239',
  warmup: '#eef2f7',
  grid: '#e5e7eb',
  axis: '#6b7280',
  text: '#374151',
} as const;

export interface ChartData {
  scenarioIndex: number;
  metric: MetricName;
  label: string;
  m: MetricReport;
  points: Pt[];
  /** Index into `points` of the first measured sample. */
  measuredIndex: number;
  warmupEnd: number | null;
  budget: { slope: number; x0: number; y0: number } | null;
  countLimit: { x0: number; y: number } | null;
  ceiling: number | null;
  plateau: { fromX: number; level: number } | null;
  fit: { slope: number; intercept: number; x0: number; x1: number } | null;
  /** The report predates the recorded fit and plateau. */
  unrecorded: boolean;
}

/** The chart of one metric from what the report recorded, or null without a metric or two samples. */
export function chartData(s: ScenarioReport, scenarioIndex: number, metric: MetricName): ChartData | null {
  const m = s.metrics[metric];
  const raw = s.series ?? [];
  const points: Pt[] = [];
  // Index into the recorded series of each drawn point (a sample with a broken value is not drawn).
  const recordedIndex: number[] = [];
  raw.forEach((p, i) => {
    const x = Number(p.iteration);
    const y = Number(p[metric]);
    if (Number.isFinite(x) && Number.isFinite(y)) {
      points.push({ x, y });
      recordedIndex.push(i);
    }
  });
  if (!m || points.length < 2) return null;
  const range = s.measured;
  const warmup = num(s.warmupIterations);
  const firstMeasured = range
    ? recordedIndex.findIndex((i) => i >= num(range.fromSample))
    : points.findIndex((p) => p.x >= warmup);
  const measuredIndex = Math.min(points.length - 1, Math.max(0, firstMeasured));
  const measured = points.slice(measuredIndex);
  const x0 = measured[0].x;

  let fit: ChartData['fit'] = null;
  if (m.fit && range && num(range.toIteration) > num(range.fromIteration)) {
    fit = {
      slope: num(m.fit.slope),
      intercept: num(m.fit.intercept),
      x0: num(range.fromIteration),
      x1: num(range.toIteration),
    };
  }

  const limit = m.budget === null || m.budget === undefined ? null : num(m.budget);
  let budget: ChartData['budget'] = null;
  let countLimit: ChartData['countLimit'] = null;
  if (limit !== null && measured.length >= 2) {
    if (METRIC_TABLE[metric].kind === 'bytes') {
      const start = fit ?? { x0, slope: 0, intercept: measured[0].y };
      budget = { slope: limit, x0: start.x0, y0: start.intercept + start.slope * start.x0 };
    } else {
      countLimit = { x0: fit?.x0 ?? x0, y: num(m.start) + limit };
    }
  }
  const ceilingBudget = ceilingOf(metric, s.budget ?? {});
  const plateau = m.plateau ? { fromX: num(m.plateau.fromIteration), level: num(m.plateau.level) } : null;
  return {
    scenarioIndex,
    metric,
    label: metricLabel(metric, s),
    m,
    points,
    measuredIndex,
    warmupEnd: warmup > points[0].x ? Math.min(warmup, points[points.length - 1].x) : null,
    budget,
    countLimit,
    ceiling: ceilingBudget === null ? null : num(ceilingBudget),
    plateau,
    fit,
    unrecorded: m.fit === undefined && m.plateau === undefined,
  };
}

function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const base = 10 ** Math.floor(Math.log10(raw));
  const f = raw / base;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * base;
}

function tickValues(
  min: number,
  max: number,
  target: number,
  integer: boolean,
): { values: number[]; step: number } {
  let step = niceStep((max - min) / target);
  if (integer) step = Math.max(1, Math.round(step));
  const values: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9 && values.length < 50; v += step) {
    values.push(Number(v.toPrecision(12)));
  }
  return { values, step };
}

/** Decimals that show every multiple of `step` exactly (0.2 → 1, 0.05 → 2, 2.5 → 1, 100 → 0). */
function decimalsFor(step: number): number {
  for (let d = 0; d < 8; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 8;
}

/** Tick labels for a byte axis: one unit for the whole axis, as many decimals as the step needs. */
function byteTicks(min: number, max: number): { values: number[]; label: (v: number) => string } {
  const top = Math.max(Math.abs(min), Math.abs(max));
  const [unit, factor] = BYTE_UNITS.find(([, f]) => top >= f) ?? ['B', 1];
  const { values, step } = tickValues(min / factor, max / factor, 5, factor === 1);
  const places = decimalsFor(step);
  return { values: values.map((v) => v * factor), label: (v) => `${(v / factor).toFixed(places)} ${unit}` };
}

function countTicks(min: number, max: number): { values: number[]; label: (v: number) => string } {
  const { values } = tickValues(min, max, 5, true);
  return { values, label: (v) => formatCount(v) };
}

function f1(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

/** The y range: the samples, the fit and the plateau; budget and ceiling lines only so far. */
function yRange(d: ChartData, xMax: number): { yMin: number; yMax: number; budgetEnd: Pt | null } {
  const bytes = METRIC_TABLE[d.metric].kind === 'bytes';
  const ys = d.points.map((p) => p.y);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (d.fit) {
    for (const x of [d.fit.x0, d.fit.x1]) {
      const y = d.fit.intercept + d.fit.slope * x;
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  if (d.plateau) {
    yMin = Math.min(yMin, d.plateau.level);
    yMax = Math.max(yMax, d.plateau.level);
  }
  // Budget and ceiling lines widen the axis only so far (4× the data's own span); beyond, they are clipped.
  const dataSpan = Math.max(yMax - yMin, bytes ? 1024 : 2);
  const reach = (y: number) => {
    if (y > yMax && y - yMin <= 4 * dataSpan) yMax = y;
    if (y < yMin && yMax - y <= 4 * dataSpan) yMin = y;
  };
  let budgetEnd: Pt | null = null;
  if (d.budget) {
    budgetEnd = { x: xMax, y: d.budget.y0 + d.budget.slope * (xMax - d.budget.x0) };
    reach(budgetEnd.y);
  }
  if (d.countLimit !== null) reach(d.countLimit.y);
  if (d.ceiling !== null) reach(d.ceiling);
  if (yMax - yMin < (bytes ? 1024 : 2)) {
    const mid = (yMax + yMin) / 2;
    const half = bytes ? 512 : 1;
    yMin = mid - half;
    yMax = mid + half;
  }
  const pad = (yMax - yMin) * 0.08;
  yMin -= pad;
  yMax += pad;
  if (!bytes && yMin < 0 && Math.min(...ys) >= 0) yMin = Math.min(0, Math.min(...ys) - 0.5);
  return { yMin, yMax, budgetEnd };
}

export function renderChart(d: ChartData): string {
  const bytes = METRIC_TABLE[d.metric].kind === 'bytes';
  const xs = d.points.map((p) => p.x);
  const xMin = xs[0];
  const xMax = Math.max(xs[xs.length - 1], xMin + 1);
  const { yMin, yMax, budgetEnd } = yRange(d, xMax);

  const sx = (x: number) => M.left + ((x - xMin) / (xMax - xMin)) * PW;
  const sy = (y: number) => M.top + PH - ((y - yMin) / (yMax - yMin)) * PH;
  const clip = `hg-clip-${d.scenarioIndex}-${d.metric}`;
  const out: string[] = [];
  const title = `${d.label}: ${d.points.length} samples, fitted slope ${perIteration(d.metric, num(d.m.slopePerIteration))}`;
  out.push(
    `<svg class="chart" data-metric="${d.metric}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="11">`,
    `<title>${e(title)}</title>`,
    `<defs><clipPath id="${clip}"><rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/></clipPath></defs>`,
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="#ffffff" stroke="${COLORS.grid}"/>`,
  );
  if (d.warmupEnd !== null) {
    const w = sx(d.warmupEnd) - sx(xMin);
    out.push(
      `<rect data-role="warmup" x="${f1(sx(xMin))}" y="${M.top}" width="${f1(Math.max(w, 0))}" height="${PH}" fill="${COLORS.warmup}"/>`,
    );
    if (w >= 34) {
      out.push(
        `<text x="${f1(sx(xMin) + 4)}" y="${M.top + 12}" fill="${COLORS.axis}" font-size="10">warm-up</text>`,
      );
    }
  }

  if (d.plateau) {
    const x = sx(d.plateau.fromX);
    out.push(
      `<rect data-role="plateau-region" x="${f1(x)}" y="${M.top}" width="${f1(Math.max(0, M.left + PW - x))}" height="${PH}" fill="${COLORS.plateauRegion}"/>`,
      `<text x="${f1(x + 4)}" y="${M.top + 12}" fill="${COLORS.plateau}" font-size="10">plateau</text>`,
    );
  }

  // Grid and axes.
  const yt = bytes ? byteTicks(yMin, yMax) : countTicks(yMin, yMax);
  for (const v of yt.values) {
    if (v < yMin || v > yMax) continue;
    const y = f1(sy(v));
    out.push(
      `<line x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}" stroke="${COLORS.grid}" stroke-width="1"/>`,
      `<text x="${M.left - 6}" y="${y}" dy="0.32em" text-anchor="end" fill="${COLORS.text}">${e(yt.label(v))}</text>`,
    );
  }
  const xt = tickValues(xMin, xMax, 6, true);
  for (const v of xt.values) {
    if (v < xMin || v > xMax) continue;
    const x = f1(sx(v));
    out.push(
      `<line x1="${x}" x2="${x}" y1="${M.top + PH}" y2="${M.top + PH + 4}" stroke="${COLORS.axis}"/>`,
      `<text x="${x}" y="${M.top + PH + 16}" text-anchor="middle" fill="${COLORS.text}">${e(formatCount(v))}</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" stroke="${COLORS.axis}"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" stroke="${COLORS.axis}"/>`,
    `<text x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle" fill="${COLORS.axis}">iteration</text>`,
    `<text transform="translate(12 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle" fill="${COLORS.axis}">${e(
      bytes ? 'bytes' : METRIC_TABLE[d.metric].unit,
    )}</text>`,
  );

  out.push(`<g clip-path="url(#${clip})">`);
  if (d.ceiling !== null) {
    const y = f1(sy(d.ceiling));
    out.push(
      `<line data-role="ceiling" x1="${M.left}" x2="${M.left + PW}" y1="${y}" y2="${y}" stroke="${COLORS.ceiling}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
    );
  }
  if (d.budget && budgetEnd) {
    out.push(
      `<polyline data-role="budget" points="${f1(sx(d.budget.x0))},${f1(sy(d.budget.y0))} ${f1(sx(budgetEnd.x))},${f1(sy(budgetEnd.y))}" fill="none" stroke="${COLORS.budget}" stroke-width="2" stroke-dasharray="7 5"/>`,
    );
  }
  if (d.countLimit !== null) {
    const y = f1(sy(d.countLimit.y));
    out.push(
      `<polyline data-role="budget" points="${f1(sx(d.countLimit.x0))},${y} ${f1(sx(xMax))},${y}" fill="none" stroke="${COLORS.budget}" stroke-width="2" stroke-dasharray="7 5"/>`,
    );
  }
  const samples = d.points.map((p) => `${f1(sx(p.x))},${f1(sy(p.y))}`).join(' ');
  out.push(
    `<polyline data-role="samples" points="${samples}" fill="none" stroke="${COLORS.samples}" stroke-width="1.5" stroke-linejoin="round"/>`,
  );
  if (d.fit) {
    const { slope, intercept, x0, x1 } = d.fit;
    out.push(
      `<polyline data-role="fit" points="${f1(sx(x0))},${f1(sy(intercept + slope * x0))} ${f1(sx(x1))},${f1(
        sy(intercept + slope * x1),
      )}" fill="none" stroke="${d.m.exceeded ? COLORS.fitOver : COLORS.fit}" stroke-width="2.25"/>`,
    );
  }
  if (d.plateau) {
    const y = f1(sy(d.plateau.level));
    out.push(
      `<polyline data-role="plateau" points="${f1(sx(d.plateau.fromX))},${y} ${f1(sx(xMax))},${y}" fill="none" stroke="${COLORS.plateau}" stroke-width="2" stroke-dasharray="5 4"/>`,
    );
  }
  if (d.points.length <= MAX_DOTS) {
    out.push('<g data-role="dots">');
    d.points.forEach((p, i) => {
      const color = i < d.measuredIndex ? COLORS.warmupDots : COLORS.samples;
      out.push(`<circle cx="${f1(sx(p.x))}" cy="${f1(sy(p.y))}" r="2.4" fill="${color}"/>`);
    });
    out.push('</g>');
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}
