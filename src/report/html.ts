/**
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, no remote assets) that shows at
 * a glance which scenario leaked, how fast and where. A pure function of the JSON report: the fitted line
 * and the plateau are recomputed from the recorded samples (`series`) with the analysis layer's own
 * statistics, so a saved report re-renders identically.
 *
 * Every string that came from the service or its files (scenario names, messages, code lines, tracebacks,
 * errors, paths) goes through `escapeHtml`; numbers are coerced and checked before they reach an attribute.
 */
import { describeBudget } from '../model/budget.js';
import { detectPlateau } from '../analysis/plateau.js';
import { medianInPlace } from '../analysis/regression.js';
import { formatBytes } from '../units.js';
import { severityRank, type Severity } from '../model/static.js';
import type {
  LeakSite,
  MetricName,
  MetricReport,
  Report,
  ReportFinding,
  ScenarioReport,
  SeriesPoint,
  Verdict,
} from '../model/report.js';

const HOUR_MS = 3_600_000;
/** Leak sites listed openly; the rest sit in a collapsed list. */
const TOP_SITES = 8;
/** Draw a dot per sample up to this many samples (the line alone beyond). */
const MAX_DOTS = 160;

// ---------------------------------------------------------------------------------------------- strings

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute content: safe inside elements and inside double- or single-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const e = escapeHtml;

/** Escaped text whose `backtick spans` become <code> (after escaping, so their content stays inert). */
function prose(value: unknown): string {
  return e(value).replace(/`([^`\n]+)`/g, '<code>$1</code>');
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** 1,450 · 12k · 3.4M */
function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  const rounded = Number.isInteger(n) ? n : +n.toFixed(2);
  return rounded.toLocaleString('en-US');
}

function signedBytes(bytes: number): string {
  return `${bytes > 0 ? '+' : ''}${formatBytes(bytes)}`;
}

function signedCount(n: number): string {
  const text = Math.abs(n) >= 100 || Number.isInteger(n) ? formatCount(n) : n.toPrecision(2);
  return `${n > 0 ? '+' : ''}${text}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

// ---------------------------------------------------------------------------------------------- metrics

type Kind = 'bytes' | 'count';

interface MetricInfo {
  label: string;
  kind: Kind;
  /** Unit of a count metric. */
  unit: string;
}

const METRICS: Record<MetricName, MetricInfo> = {
  heap: { label: 'Traced heap', kind: 'bytes', unit: 'B' },
  rss: { label: 'Resident set size (RSS)', kind: 'bytes', unit: 'B' },
  threads: { label: 'Threads', kind: 'count', unit: 'threads' },
  fds: { label: 'Open file descriptors', kind: 'count', unit: 'fds' },
  handlers: { label: 'Logging handlers', kind: 'count', unit: 'handlers' },
  gcObjects: { label: 'GC-tracked objects', kind: 'count', unit: 'objects' },
};

const METRIC_ORDER: readonly MetricName[] = ['heap', 'rss', 'threads', 'fds', 'handlers', 'gcObjects'];

/** A growth rate: bytes per iteration (small ones to two significant digits); slow counts per 1,000. */
function perIteration(metric: MetricName, value: number): string {
  const abs = Math.abs(value);
  if (METRICS[metric].kind === 'bytes') {
    const bytes = abs > 0 && abs < 1 ? `${value > 0 ? '+' : '-'}${abs.toPrecision(2)} B` : signedBytes(value);
    return `${bytes}/iteration`;
  }
  const unit = METRICS[metric].unit;
  if (abs > 0 && abs < 0.1) return `${signedCount(value * 1000)} ${unit} per 1,000 iterations`;
  return `${signedCount(value)} ${unit}/iteration`;
}

function level(metric: MetricName, value: number): string {
  return METRICS[metric].kind === 'bytes' ? preciseBytes(value) : formatCount(value);
}

/** A level rather than a change: three significant digits (3.29 MB, 26.9 MB, 512 KB). */
function preciseBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return formatBytes(bytes);
  const [unit, factor] = BYTE_UNITS.find(([, f]) => abs >= f) ?? ['B', 1];
  const value = bytes / factor;
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

function budgetText(metric: MetricName, budget: number | null | undefined): string {
  if (budget === null || budget === undefined) return 'no budget';
  switch (metric) {
    case 'heap':
      return describeBudget('growth', num(budget));
    case 'rss':
      return describeBudget('rssGrowth', num(budget));
    case 'threads':
    case 'fds':
    case 'handlers':
      return `${describeBudget(metric, num(budget))} over the measured part`;
    case 'gcObjects':
      return `limit ${formatCount(num(budget))}`;
  }
}

/** Heap always; the other metrics when they grew, levelled off after a rise, or broke their budget. */
function chartedMetrics(s: ScenarioReport): MetricName[] {
  return METRIC_ORDER.filter((name) => {
    const m = s.metrics[name];
    if (name === 'heap') return true;
    if (!m) return false;
    if (m.exceeded) return true;
    if (name === 'gcObjects') return m.trend === 'growing';
    return m.trend !== 'flat';
  });
}

/** Index of the first measured sample (the first at or after the warm-up). */
function measuredFrom(series: readonly SeriesPoint[], warmup: number | undefined): number {
  if (!warmup || warmup <= 0) return 0;
  const i = series.findIndex((p) => num(p.iteration) >= warmup);
  return i === -1 ? Math.max(0, series.length - 1) : i;
}

/** Iterations per hour over the measured part, from the samples' timestamps (else the scenario's totals). */
function throughput(s: ScenarioReport): number | null {
  const series = s.series ?? [];
  const from = measuredFrom(series, s.warmupIterations);
  const a = series[from];
  const b = series[series.length - 1];
  if (a && b && b !== a) {
    const ms = num(b.elapsedMs) - num(a.elapsedMs);
    const its = num(b.iteration) - num(a.iteration);
    if (ms > 0 && its > 0) return (its / ms) * HOUR_MS;
  }
  if (num(s.durationMs) > 0 && num(s.iterations) > 0)
    return (num(s.iterations) / num(s.durationMs)) * HOUR_MS;
  return null;
}

interface Projection {
  perMillion: string;
  perHour: string | null;
}

function projection(slope: number, perHour: number | null): Projection {
  return {
    perMillion: `${signedBytes(slope * 1e6)} per million requests`,
    perHour: perHour === null ? null : `${signedBytes(slope * perHour)}/h at the measured rate`,
  };
}

function isOwnCode(file: string): boolean {
  return !(
    file.startsWith('/') ||
    file.startsWith('<') ||
    /^[A-Za-z]:[\\/]/.test(file) ||
    file.startsWith('\\\\')
  );
}

// ---------------------------------------------------------------------------------------------- charts

interface Pt {
  x: number;
  y: number;
}

const W = 560;
const H = 250;
const M = { left: 76, right: 18, top: 16, bottom: 44 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

const COLORS = {
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

const BYTE_UNITS: readonly [string, number][] = [
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
  ['B', 1],
];

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

function median(values: readonly number[]): number {
  return values.length ? medianInPlace(Float64Array.from(values)) : 0;
}

interface ChartData {
  scenarioIndex: number;
  metric: MetricName;
  m: MetricReport;
  points: Pt[];
  measuredIndex: number;
  warmupEnd: number | null;
  budget: { slope: number; x0: number; y0: number } | null;
  countLimit: number | null;
  ceiling: number | null;
  plateau: { fromX: number; level: number } | null;
  plateauMissing: boolean;
  fit: { slope: number; intercept: number; x0: number; x1: number } | null;
}

function chartData(s: ScenarioReport, scenarioIndex: number, metric: MetricName): ChartData | null {
  const m = s.metrics[metric];
  const raw = s.series ?? [];
  const points: Pt[] = [];
  for (const p of raw) {
    const x = Number(p.iteration);
    const y = Number(p[metric]);
    if (Number.isFinite(x) && Number.isFinite(y)) points.push({ x, y });
  }
  if (!m || points.length < 2) return null;
  const warmup = num(s.warmupIterations);
  const measuredIndex = Math.min(
    points.length - 1,
    Math.max(
      0,
      points.findIndex((p) => p.x >= warmup),
    ),
  );
  const measured = points.slice(measuredIndex);
  const slope = num(m.slopePerIteration);
  // Theil–Sen's intercept for the report's slope: the median of y − slope·x over the measured part.
  const intercept = median(measured.map((p) => p.y - slope * p.x));
  const x0 = measured[0].x;
  const x1 = measured[measured.length - 1].x;
  const fit = measured.length >= 2 ? { slope, intercept, x0, x1 } : null;

  const limit = m.budget === null || m.budget === undefined ? null : num(m.budget);
  const kind = METRICS[metric].kind;
  let budget: ChartData['budget'] = null;
  let countLimit: number | null = null;
  if (limit !== null && measured.length >= 2) {
    if (kind === 'bytes') budget = { slope: limit, x0, y0: fit ? intercept + slope * x0 : measured[0].y };
    else countLimit = num(m.start) + limit;
  }
  const ceilingBudget = metric === 'heap' ? s.budget?.heap : metric === 'rss' ? s.budget?.rss : null;
  const ceiling = ceilingBudget === null || ceilingBudget === undefined ? null : num(ceilingBudget);

  let plateau: ChartData['plateau'] = null;
  let plateauMissing = false;
  if (m.trend === 'plateau') {
    const x = points.map((p) => p.x);
    const y = points.map((p) => p.y);
    const span = x[x.length - 1] - x[0];
    const options =
      kind === 'bytes'
        ? { minRise: limit !== null ? 0.25 * limit * span : 0, flatSlope: limit !== null ? limit / 4 : 0 }
        : { minRise: 1, flatSlope: 0 };
    let found = detectPlateau({ x, y }, options);
    if (!found.plateau) found = detectPlateau({ x, y });
    if (found.plateau && found.start !== null) {
      plateau = { fromX: x[found.start], level: median(y.slice(found.start)) };
    } else {
      plateauMissing = true;
    }
  }
  return {
    scenarioIndex,
    metric,
    m,
    points,
    measuredIndex,
    warmupEnd: warmup > points[0].x ? Math.min(warmup, points[points.length - 1].x) : null,
    budget,
    countLimit,
    ceiling,
    plateau,
    plateauMissing,
    fit,
  };
}

function f1(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

function renderChart(d: ChartData): string {
  const kind = METRICS[d.metric].kind;
  const xs = d.points.map((p) => p.x);
  const ys = d.points.map((p) => p.y);
  const xMin = xs[0];
  const xMax = Math.max(xs[xs.length - 1], xMin + 1);
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
  const dataSpan = Math.max(yMax - yMin, kind === 'bytes' ? 1024 : 2);
  const reach = (y: number) => {
    if (y > yMax && y - yMin <= 4 * dataSpan) yMax = y;
    if (y < yMin && yMax - y <= 4 * dataSpan) yMin = y;
  };
  let budgetEnd: Pt | null = null;
  if (d.budget) {
    budgetEnd = { x: xMax, y: d.budget.y0 + d.budget.slope * (xMax - d.budget.x0) };
    reach(budgetEnd.y);
  }
  if (d.countLimit !== null) reach(d.countLimit);
  if (d.ceiling !== null) reach(d.ceiling);
  if (yMax - yMin < (kind === 'bytes' ? 1024 : 2)) {
    const mid = (yMax + yMin) / 2;
    const half = kind === 'bytes' ? 512 : 1;
    yMin = mid - half;
    yMax = mid + half;
  }
  const pad = (yMax - yMin) * 0.08;
  yMin -= pad;
  yMax += pad;
  if (kind === 'count' && yMin < 0 && Math.min(...ys) >= 0) yMin = Math.min(0, Math.min(...ys) - 0.5);

  const sx = (x: number) => M.left + ((x - xMin) / (xMax - xMin)) * PW;
  const sy = (y: number) => M.top + PH - ((y - yMin) / (yMax - yMin)) * PH;
  const clip = `hg-clip-${d.scenarioIndex}-${d.metric}`;
  const out: string[] = [];
  const title = `${METRICS[d.metric].label}: ${d.points.length} samples, fitted slope ${perIteration(d.metric, num(d.m.slopePerIteration))}`;
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
  const yt = kind === 'bytes' ? byteTicks(yMin, yMax) : countTicks(yMin, yMax);
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
      kind === 'bytes' ? 'bytes' : METRICS[d.metric].unit,
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
  if (d.countLimit !== null && d.fit) {
    const y = f1(sy(d.countLimit));
    out.push(
      `<polyline data-role="budget" points="${f1(sx(d.fit.x0))},${y} ${f1(sx(xMax))},${y}" fill="none" stroke="${COLORS.budget}" stroke-width="2" stroke-dasharray="7 5"/>`,
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
    `<span>${swatch(over ? COLORS.fitOver : COLORS.fit, null)}fitted slope ${e(perIteration(name, slope))}</span>`,
  ];
  if (d.budget || d.countLimit !== null) {
    legend.push(`<span>${swatch(COLORS.budget, '7 5')}allowed: ${e(budgetText(name, m.budget))}</span>`);
  }
  if (d.plateau) {
    legend.push(
      `<span>${swatch(COLORS.plateau, '3 3')}plateau at ${e(level(name, d.plateau.level))} from iteration ${e(
        formatCount(d.plateau.fromX),
      )}</span>`,
    );
  } else if (d.plateauMissing) {
    legend.push('<span>levelled off (plateau)</span>');
  }
  if (d.ceiling !== null) {
    legend.push(`<span>${swatch(COLORS.ceiling, '2 3')}ceiling ${e(formatBytes(d.ceiling))}</span>`);
  }
  if (d.warmupEnd !== null) {
    legend.push(`<span>${swatch(COLORS.warmup, null, 'box')}warm-up (not measured)</span>`);
  }
  const status = over
    ? '<span class="pill fail">over budget</span>'
    : m.trend === 'growing'
      ? '<span class="pill warn">growing</span>'
      : m.trend === 'plateau'
        ? '<span class="pill plateau">plateau</span>'
        : '<span class="pill ok">flat</span>';
  const change = num(m.end) - num(m.start);
  const facts = [
    `${e(level(name, num(m.start)))} → ${e(level(name, num(m.end)))} (${e(
      METRICS[name].kind === 'bytes' ? signedBytes(change) : signedCount(change),
    )}) over the measured part`,
    `R² ${e(num(m.r2).toFixed(2))}`,
  ];
  const reason = m.reason && !listed.includes(m.reason) ? `<p class="metric-reason">${e(m.reason)}</p>` : '';
  return [
    `<figure class="chart-card${over ? ' over' : ''}" data-metric="${name}">`,
    `<figcaption><span class="metric-name">${e(METRICS[name].label)}</span> ${status}<span class="slope">${e(
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

// ---------------------------------------------------------------------------------------------- sections

const VERDICT_LABEL: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

function verdictClass(v: unknown): Verdict {
  return v === 'pass' || v === 'fail' || v === 'error' ? v : 'error';
}

function badge(v: unknown): string {
  const c = verdictClass(v);
  return `<span class="badge ${c}">${VERDICT_LABEL[c]}</span>`;
}

const VERDICT_ORDER: Record<Verdict, number> = { fail: 0, error: 1, pass: 2 };

function orderedScenarios(report: Report): { s: ScenarioReport; index: number }[] {
  return report.scenarios
    .map((s, index) => ({ s, index }))
    .sort(
      (a, b) =>
        VERDICT_ORDER[verdictClass(a.s.verdict)] - VERDICT_ORDER[verdictClass(b.s.verdict)] ||
        a.index - b.index,
    );
}

function sortedSites(s: ScenarioReport): LeakSite[] {
  return [...(s.leakSites ?? [])].sort((a, b) => num(b.sizeDiffBytes) - num(a.sizeDiffBytes));
}

function location(file: string, line: number | undefined): string {
  return `${file}${line ? `:${line}` : ''}`;
}

/** Heap growth in one line: "+393 B/iteration · +375 MB per million requests · +2.1 GB/h …". */
function heapHeadline(s: ScenarioReport): { slope: string; million: string; hour: string } | null {
  const heap = s.metrics.heap;
  if (!heap) return null;
  const slope = num(heap.slopePerIteration);
  const p = projection(slope, throughput(s));
  return { slope: perIteration('heap', slope), million: p.perMillion, hour: p.perHour ?? '—' };
}

function renderHeader(report: Report): string {
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
  const reasons = (report.gate.reasons ?? []).map((r) => `<li>${e(r)}</li>`).join('\n');
  return [
    `<header class="gate ${passed ? 'pass' : 'fail'}">`,
    '<div class="gate-row">',
    `<div class="gate-verdict">${passed ? '✓ Gate passed' : '✗ Gate failed'}</div>`,
    `<div class="gate-summary">${e(parts.join(' · ') || 'nothing was checked')}</div>`,
    '</div>',
    reasons ? `<ul class="gate-reasons">\n${reasons}\n</ul>` : '',
    '</header>',
  ]
    .filter(Boolean)
    .join('\n');
}

function renderOverview(report: Report): string {
  if (!report.scenarios.length) return '';
  const rows = orderedScenarios(report).map(({ s, index }) => {
    const v = verdictClass(s.verdict);
    const link = `<a href="#scenario-${index}">${e(s.name)}</a>`;
    if (v === 'error') {
      const first = String(s.error ?? 'the scenario did not complete').split('\n')[0];
      return `<tr class="error"><td>${badge(v)}</td><td>${link}</td><td colspan="4" class="error-text">${e(first)}</td></tr>`;
    }
    const h = heapHeadline(s);
    const over = METRIC_ORDER.filter((name) => s.metrics[name]?.exceeded);
    const top = sortedSites(s)[0];
    const site = top
      ? `<code>${e(location(top.file, top.line))}</code>${top.code ? `<div class="code-mini">${e(top.code)}</div>` : ''}`
      : '<span class="muted">—</span>';
    return [
      `<tr class="${v}">`,
      `<td>${badge(v)}</td>`,
      `<td>${link}</td>`,
      `<td class="num">${h ? `<strong>${e(h.slope)}</strong>` : '—'}</td>`,
      `<td class="num">${h ? `${e(h.million)}<br><span class="muted">${e(h.hour)}</span>` : '—'}</td>`,
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
  const rows = METRIC_ORDER.filter((name) => s.metrics[name]).map((name) => {
    const m = s.metrics[name]!;
    const status = m.exceeded
      ? '<span class="pill fail">over budget</span>'
      : `<span class="pill ${m.trend === 'growing' ? 'warn' : m.trend === 'plateau' ? 'plateau' : 'ok'}">${e(m.trend)}</span>`;
    return `<tr${m.exceeded ? ' class="over"' : ''}><td>${e(METRICS[name].label)}</td><td class="num">${e(
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
      via ? ` <span class="muted">via <code>${e(via)}</code></span>` : ''
    }</div>`,
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
  const note = attribution
    ? `Growth of the traced allocations over the ${e(plural(attribution, 'iteration'))} of the attribution pass, largest first.`
    : 'Growth of the traced allocations, largest first.';
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

function renderScenario(s: ScenarioReport, index: number): string {
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
      out.push(
        `<div class="headline ${v}"><span class="label">Heap</span> <strong>${e(h.slope)}</strong><span class="sep">·</span>${e(
          h.million,
        )}${h.hour !== '—' ? `<span class="sep">·</span>${e(h.hour)}` : ''}</div>`,
      );
    }
  }
  const reasons = s.reasons ?? [];
  if (reasons.length) out.push(`<ul class="reasons">${reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`);
  const notes = s.notes ?? [];
  if (notes.length) out.push(`<ul class="notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`);

  const figures = chartedMetrics(s)
    .map((name) => chartData(s, index, name))
    .filter((d): d is ChartData => d !== null)
    .map((d) => renderFigure(d, s.reasons ?? []));
  if (figures.length) out.push(`<div class="charts">\n${figures.join('\n')}\n</div>`);
  else if (v !== 'error' && Object.keys(s.metrics ?? {}).length) {
    out.push('<p class="muted">The report holds no samples to chart for this scenario.</p>');
  }
  out.push(renderMetricsTable(s));
  out.push(renderLeakSites(s));
  out.push('</section>');
  return out.filter(Boolean).join('\n');
}

const SEVERITY_CLASS: Record<Severity, string> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
};

const DYNAMIC: Record<string, { label: string; cls: string }> = {
  confirmed: { label: 'confirmed by the run', cls: 'fail' },
  'not-reproduced': { label: 'not reproduced', cls: 'ok' },
  'not-exercised': { label: 'not exercised', cls: 'muted' },
};

function severityOf(f: ReportFinding): Severity {
  return f.severity in SEVERITY_CLASS ? f.severity : 'LOW';
}

function renderFindings(report: Report): string {
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
      const dyn = DYNAMIC[String(f.dynamic)] ?? { label: String(f.dynamic ?? ''), cls: 'muted' };
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

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: #1f2937; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 15px; font-weight: 600; color: #6b7280; margin: 0 0 10px; letter-spacing: .02em; }
h2 { font-size: 20px; margin: 0; }
h3 { font-size: 15px; margin: 18px 0 4px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; }
a { color: #1d4ed8; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: #6b7280; }
.small { font-size: 12px; }
.gate { border-radius: 10px; padding: 14px 18px; margin-bottom: 18px; color: #fff; }
.gate.pass { background: #15803d; }
.gate.fail { background: #b91c1c; }
.gate-row { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 20px; }
.gate-verdict { font-size: 26px; font-weight: 700; }
.gate-summary { font-size: 15px; opacity: .95; }
.gate-reasons { margin: 8px 0 0; padding-left: 20px; font-size: 13px; }
.gate-reasons li { margin: 3px 0; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 16px 18px; margin-bottom: 18px; }
section.scenario.fail { border-left: 6px solid #dc2626; }
section.scenario.error { border-left: 6px solid #a21caf; }
section.scenario.pass { border-left: 6px solid #16a34a; }
.overview h2, .findings h2 { margin-bottom: 10px; }
.scenario-head { display: flex; align-items: center; gap: 10px; }
.meta { color: #4b5563; margin: 4px 0; font-size: 13px; }
.badge { display: inline-block; font-weight: 700; font-size: 12px; letter-spacing: .05em; padding: 3px 9px; border-radius: 5px; color: #fff; }
.badge.pass { background: #16a34a; }
.badge.fail { background: #dc2626; }
.badge.error { background: #a21caf; }
.pill { display: inline-block; font-size: 11.5px; padding: 1px 7px; border-radius: 999px; border: 1px solid transparent; white-space: nowrap; }
.pill.fail { background: #fee2e2; color: #991b1b; border-color: #fecaca; }
.pill.warn { background: #ffedd5; color: #9a3412; }
.pill.plateau { background: #ede9fe; color: #5b21b6; }
.pill.ok { background: #dcfce7; color: #166534; }
.pill.muted { background: #f3f4f6; color: #4b5563; }
.pill.own { background: #dbeafe; color: #1e40af; }
.headline { margin: 10px 0 6px; font-size: 16px; padding: 8px 12px; border-radius: 8px; background: #f0fdf4; }
.headline.fail { background: #fef2f2; }
.headline strong { font-size: 20px; }
.headline .label { color: #6b7280; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; margin-right: 4px; }
.headline .sep { color: #9ca3af; margin: 0 8px; }
.reasons { margin: 6px 0; padding-left: 20px; color: #991b1b; font-size: 13px; }
.notes { margin: 6px 0; padding-left: 20px; color: #92400e; font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; margin: 12px 0; }
.chart-card { margin: 0; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; background: #fcfcfd; min-width: 0; }
.chart-card.over { border-color: #fca5a5; }
.chart-card figcaption { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; }
.metric-name { font-weight: 600; }
.chart-card .slope { margin-left: auto; font-weight: 600; font-variant-numeric: tabular-nums; }
svg.chart { width: 100%; height: auto; display: block; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #374151; margin-top: 4px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.facts { margin: 4px 0 0; font-size: 12px; color: #4b5563; }
.metric-reason { margin: 4px 0 0; font-size: 12px; color: #991b1b; }
.grid-table { border-collapse: collapse; width: 100%; }
.grid-table th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #6b7280; font-weight: 600; border-bottom: 2px solid #e5e7eb; padding: 6px 8px; }
.grid-table td { border-bottom: 1px solid #f0f1f3; padding: 7px 8px; vertical-align: top; }
.grid-table.compact td { padding: 4px 8px; }
.grid-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.overview tr.fail td { background: #fffafa; }
.overview .error-text { color: #86198f; }
.code-mini { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; color: #374151; background: #f3f4f6; border-radius: 4px; padding: 1px 6px; margin-top: 3px; white-space: pre-wrap; word-break: break-word; }
details { margin: 8px 0; }
details > summary { cursor: pointer; color: #1d4ed8; }
.metrics-table { font-size: 13px; }
.sites-table .rank { color: #9ca3af; width: 24px; }
.sites-table tr.lib .path { color: #4b5563; }
.sites-table tr.own .path { font-weight: 600; }
.code-line { margin: 4px 0 2px; background: #1f2937; color: #f9fafb; padding: 6px 10px; border-radius: 6px; }
.traceback { margin: 2px 0; font-size: 12.5px; }
.traceback ol { margin: 4px 0; padding-left: 26px; }
.traceback li { color: #6b7280; }
.traceback li.own { color: #1f2937; font-weight: 600; }
.bar { height: 5px; background: #f3f4f6; border-radius: 3px; margin-top: 4px; width: 120px; margin-left: auto; }
.bar span { display: block; height: 5px; background: #ef4444; border-radius: 3px; }
.error-head { font-weight: 600; color: #86198f; margin: 10px 0 4px; }
pre.error-text { background: #1f2937; color: #f3f4f6; padding: 10px 12px; border-radius: 6px; max-height: 360px; overflow: auto; }
.sev { display: inline-block; font-size: 11.5px; font-weight: 700; padding: 1px 7px; border-radius: 4px; }
.sev.critical { background: #701a75; color: #fff; }
.sev.high { background: #dc2626; color: #fff; }
.sev.medium { background: #f59e0b; color: #1f2937; }
.sev.low { background: #e0f2fe; color: #075985; }
.findings-table tr.confirmed td { background: #fff7f7; }
.fix { margin-top: 4px; color: #374151; font-size: 13px; }
.fix-label { font-size: 11px; font-weight: 700; text-transform: uppercase; color: #15803d; margin-right: 4px; }
.count { display: inline-block; background: #e5e7eb; color: #374151; border-radius: 999px; padding: 0 9px; font-size: 13px; vertical-align: middle; }
footer { color: #9ca3af; font-size: 12px; text-align: center; }
@media print { body { background: #fff; } section { break-inside: avoid; } }
`;

/** The whole report as one self-contained HTML page. */
export function renderHtml(report: Report): string {
  const passed = report.gate.passed === true;
  const body: string[] = [renderHeader(report), renderOverview(report)];
  for (const { s, index } of orderedScenarios(report)) body.push(renderScenario(s, index));
  if (report.findings.length || report.static) body.push(renderFindings(report));
  if (!report.scenarios.length && !report.findings.length && !report.static) {
    body.push('<section><p class="muted">The report holds no scenarios and no findings.</p></section>');
  }
  const version = e(report.tool?.version ?? '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>heapgate: ${passed ? 'passed' : 'failed'}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>heapgate ${version} · memory report</h1>`,
    ...body.filter(Boolean),
    `<footer>heapgate ${version} · report schema ${e(report.schemaVersion)}</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
