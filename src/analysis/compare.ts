/**
 * `heapgate compare BASE HEAD`: did growth get worse between two runs, beyond noise? Pure: two JSON
 * reports in, a comparison out (the CLI renders it and turns it into an exit code).
 *
 * Scenarios are matched by name. For each metric of a scenario present in both runs, the slope per
 * iteration is recomputed from each run's samples (`series`, after its warm-up) as a Theil–Sen slope with
 * a 90% moving-block bootstrap interval (blockBootstrapSlopeInterval: autocorrelated, step-like heap noise
 * is resampled in blocks, so the interval is honest about it), over the whole measured part and over its
 * second half alone. Then
 *   - head's floor  = the smaller of its two lower bounds: head grows at least this fast, all along AND
 *     still at the end (so growth that stopped — a larger cache filling, a one-off step — does not count);
 *   - base's ceiling = the smaller of its two upper bounds: base grows at most this fast once settled (a
 *     fill early in base's measured part widens its whole-part interval, not its second half's).
 * A metric REGRESSED when all of these hold:
 *   1. beyond noise: head's floor > base's ceiling (each bound is one-sided 95%);
 *   2. by a meaningful amount: head's floor − base's ceiling ≥ τ, and head's floor > τ (head really grows,
 *      not just "less negative");
 *   3. head's growth is not running out: its second half's slope is at least half its first half's (the
 *      verdict's rule 2: a fill that slows down is a cache or table filling, not a leak). When it is, head
 *      is judged again by 1–3 without the first third, then the first half of its measured part, as the
 *      verdict does (a leak behind a fill), unless the series ever fell back by more than half of what
 *      τ allows over that part (a sawtooth);
 *   4. the metric is gated. τ is a quarter of the scenario's growth budget per iteration — the share at
 *      which the verdict already calls a metric "growing" — so 8 B/iteration for the default heap budget
 *      of 32, 64 B/iteration for RSS's 256 (a budget switched off falls back to the default); for the
 *      counts (threads, fds, handlers), one more than the allowed increase over head's measured
 *      iterations (default: one more thread / fd / handler over the run). gcObjects has no budget: it is
 *      compared and shown, never gated.
 * Separated intervals that miss 2, 3 or 4 are reported as "worse" (visible, not failing); the mirror image (base's
 * floor above head's ceiling by τ) as "improved". Either run without samples for a metric (an errored scenario, fewer than
 * 10 measured samples) leaves it "not compared".
 *
 * Measured on the synthetic series of test/analysis (61 samples 50 iterations apart, automatic warm-up):
 * two runs of the nasty clean heap (fills running into the measured part, arena steps, sawtooth) gave 1
 * false regression in 300 pairs, of the realistic clean heap 0 in 300; a head leaking 100 B/iteration was
 * caught against a clean base in 86 of 100 nasty and 100 of 100 realistic pairs, 40 B/iteration in 49 and
 * ≥ 96 of 100. (The pass → fail rule below adds whatever the verdict itself catches.)
 *
 * A scenario also regressed when it passed in base and fails or errors in head (whatever the slopes say:
 * head would fail its own gate for it), and when it is new in head and fails or errors there. Scenarios
 * only in base are listed as removed; a scenario that failed in both runs without getting measurably worse
 * is not a regression (that is what compare is for: a pre-existing leak does not block an unrelated PR).
 */
import { DEFAULT_BUDGET, type Budget } from '../model/budget.js';
import { BYTE_METRICS, METRIC_TABLE, METRICS } from '../model/metrics.js';
import { blockBootstrapSlopeInterval, theilSen } from './regression.js';
import type { Sample, Series } from '../model/sample.js';
import { formatBytes } from '../units.js';
import { scenarioWarmup } from './verdict.js';
import { DEFAULT_TRIMS } from './windows.js';
import type { MetricName, Report, ScenarioReport, SeriesPoint, Verdict } from '../model/report.js';

/** Fewest measured samples for a comparison: two halves of 5, as for the verdict itself. */
export const MIN_COMPARE_SAMPLES = 10;
/** Share of the growth budget that is a meaningful difference (the verdict's "growing" label). */
export const THRESHOLD_SHARE = 0.25;
/** Head's second half must grow at least this share of its first half's pace (the verdict's agreeRatio). */
export const AGREE_RATIO = 0.5;
/** Shares of head's measured part dropped to look behind a fill: the verdict's own. */
const TRIMS = DEFAULT_TRIMS;

export interface SlopeEstimate {
  /** Theil–Sen slope per iteration. */
  slope: number;
  /** 90% block-bootstrap interval (each bound one-sided 95%). */
  low: number;
  high: number;
  /** Measured samples it was fitted on, and their iterations. */
  samples: number;
  fromIteration: number;
  toIteration: number;
}

export type MetricStatus = 'regression' | 'worse' | 'unchanged' | 'improved' | 'not-compared';

export interface MetricComparison {
  metric: MetricName;
  base: SlopeEstimate | null;
  head: SlopeEstimate | null;
  /** Each run's second half alone (growth that stopped does not count; see the module comment). */
  baseLate: SlopeEstimate | null;
  headLate: SlopeEstimate | null;
  /** head.slope − base.slope, per iteration (null when either is missing). */
  change: number | null;
  /** τ: the meaningful difference per iteration; null when the metric is not gated. */
  threshold: number | null;
  /** Where τ came from ("¼ of the 32 B/iteration budget"). */
  thresholdSource: string | null;
  status: MetricStatus;
  /** Why not compared, or why a regression / worse. */
  note?: string;
}

export type ScenarioStatus =
  | 'regression'
  | 'worse'
  | 'unchanged'
  | 'improved'
  | 'new'
  | 'removed'
  | 'not-compared';

export interface ScenarioComparison {
  name: string;
  status: ScenarioStatus;
  base: { verdict: Verdict; iterations: number } | null;
  head: { verdict: Verdict; iterations: number } | null;
  metrics: MetricComparison[];
  /** Why it is a regression (one line each); empty otherwise. */
  reasons: string[];
  /** Why nothing was compared, when nothing was. */
  note?: string;
}

export interface Comparison {
  regressed: boolean;
  scenarios: ScenarioComparison[];
  counts: Record<ScenarioStatus, number>;
}

export interface CompareOptions {
  /** Bootstrap resamples per interval (default 300). */
  resamples?: number;
  /** Two-sided coverage of each interval (default 0.9). */
  confidence?: number;
}

/**
 * The measured part of a scenario's samples: the range its verdict recorded; in reports from before that
 * was recorded, from the end of its warm-up on.
 */
export function measuredSamples(scenario: ScenarioReport): SeriesPoint[] {
  const recorded = scenario.series ?? [];
  const range = scenario.measured;
  if (range && range.toSample < recorded.length) return recorded.slice(range.fromSample, range.toSample + 1);
  const series = [...recorded].sort((a, b) => a.iteration - b.iteration);
  if (!series.length) return [];
  let from = scenario.warmupIterations;
  if (from === undefined) {
    // Older reports: the verdict's own automatic warm-up on the heap.
    const samples: Sample[] = series.map((p) => ({ ...p, pid: 0 }));
    const warmup = scenarioWarmup(samples, budgetOf(scenario));
    from = series[Math.min(warmup.start, series.length - 1)].iteration;
  }
  const start = from;
  return series.filter((p) => p.iteration >= start);
}

function budgetOf(scenario: ScenarioReport | undefined): Budget {
  return { ...DEFAULT_BUDGET, ...(scenario?.budget ?? {}) };
}

function seriesOf(points: readonly SeriesPoint[], metric: MetricName): Series {
  return { x: points.map((p) => p.iteration), y: points.map((p) => p[metric]) };
}

function estimate(
  points: readonly SeriesPoint[],
  metric: MetricName,
  options: CompareOptions,
): SlopeEstimate {
  const interval = blockBootstrapSlopeInterval(seriesOf(points, metric), {
    resamples: options.resamples ?? 300,
    confidence: options.confidence ?? 0.9,
    seed: 1,
  });
  return {
    slope: interval.slope,
    low: interval.low,
    high: interval.high,
    samples: points.length,
    fromIteration: points[0].iteration,
    toIteration: points[points.length - 1].iteration,
  };
}

/** τ for a metric of head's scenario, and a phrase saying where it came from; null: not gated. */
function thresholdFor(
  metric: MetricName,
  scenario: ScenarioReport,
  span: number,
): { value: number; source: string } | null {
  const info = METRIC_TABLE[metric];
  const key = info.budget;
  if (key === null) return null;
  const own = budgetOf(scenario)[key];
  const limit = own ?? DEFAULT_BUDGET[key] ?? 0;
  if (info.kind === 'bytes') {
    if (limit <= 0) return { value: 1, source: '1 B/iteration (the budget is 0)' };
    return {
      value: THRESHOLD_SHARE * limit,
      source: `¼ of the ${own === null ? 'default ' : ''}${formatBytes(limit)}/iteration ${info.noun} budget`,
    };
  }
  return {
    value: (limit + 1) / Math.max(1, span),
    source: `${limit + 1} more ${metric} than base over ${Math.round(span)} iterations (allowed +${limit})`,
  };
}

/** "393 B/iteration", "0.0100 threads/iteration". */
export function formatSlope(metric: MetricName, value: number): string {
  if (BYTE_METRICS.has(metric)) return `${formatBytes(value)}/iteration`;
  return `${formatCount(value)} ${metric}/iteration`;
}

/** "[372 B, 410 B]" or "[0.009, 0.011]". */
export function formatInterval(metric: MetricName, e: SlopeEstimate): string {
  const f = BYTE_METRICS.has(metric) ? formatBytes : formatCount;
  return `[${f(e.low)}, ${f(e.high)}]`;
}

function formatCount(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 1 ? value.toFixed(2) : value.toPrecision(3);
}

function compareMetric(
  metric: MetricName,
  base: ScenarioReport,
  head: ScenarioReport,
  baseSamples: readonly SeriesPoint[],
  headSamples: readonly SeriesPoint[],
  options: CompareOptions,
): MetricComparison {
  const empty = (note: string): MetricComparison => ({
    metric,
    base: null,
    head: null,
    baseLate: null,
    headLate: null,
    change: null,
    threshold: null,
    thresholdSource: null,
    status: 'not-compared',
    note,
  });
  const few = (which: string, n: number) =>
    `${which} has ${n} measured sample${n === 1 ? '' : 's'} (after warm-up); comparing needs at least ${MIN_COMPARE_SAMPLES}`;
  if (baseSamples.length < MIN_COMPARE_SAMPLES) return empty(few('base', baseSamples.length));
  if (headSamples.length < MIN_COMPARE_SAMPLES) return empty(few('head', headSamples.length));

  const b = estimate(baseSamples, metric, options);
  const h = estimate(headSamples, metric, options);
  const bLate = estimate(secondHalf(baseSamples), metric, options);
  const late = estimate(secondHalf(headSamples), metric, options);
  const span = headSamples[headSamples.length - 1].iteration - headSamples[0].iteration;
  const tau = thresholdFor(metric, head, span);
  const out: MetricComparison = {
    metric,
    base: b,
    head: h,
    baseLate: bLate,
    headLate: late,
    change: h.slope - b.slope,
    threshold: tau?.value ?? null,
    thresholdSource: tau?.source ?? null,
    status: 'unchanged',
  };
  // How fast base grows at most once settled, and how fast head grows at least, all along and at the end.
  const baseCeiling = Math.min(b.high, bLate.high);
  const headFloor = Math.min(h.low, late.low);
  if (headFloor > baseCeiling) {
    const margin = headFloor - baseCeiling;
    // Like the verdict's rule 2: a rise that slows to less than half its pace is a fill running out.
    const early = theilSen(seriesOf(firstHalf(headSamples), metric)).slope;
    const sustained = late.slope >= AGREE_RATIO * early;
    const meaningful = tau !== null && margin >= tau.value && h.low > tau.value;
    const what =
      `${metric} grows ${formatSlope(metric, h.slope)} in head ${formatInterval(metric, h)}, second half ` +
      `${formatSlope(metric, late.slope)} ${formatInterval(metric, late)}, vs ${formatSlope(metric, b.slope)} in ` +
      `base ${formatInterval(metric, b)}, second half ${formatSlope(metric, bLate.slope)} ${formatInterval(metric, bLate)}: ` +
      `at least ${formatSlope(metric, margin)} more beyond noise`;
    if (!tau) {
      out.status = 'worse';
      out.note = `${what}; ${metric} has no budget, so it is shown but never gated`;
    } else if (!meaningful) {
      out.status = 'worse';
      out.note = `${what}; below the threshold of ${formatSlope(metric, tau.value)} (${tau.source})`;
    } else if (sustained) {
      out.status = 'regression';
      out.note = `${what}; threshold ${formatSlope(metric, tau.value)} (${tau.source})`;
    } else {
      const behind = behindFill(metric, headSamples, baseCeiling, tau.value, options);
      if (behind) {
        out.status = 'regression';
        out.note =
          `${metric} grows ${formatSlope(metric, behind.whole.slope)} in head from iteration ${behind.whole.fromIteration} on ` +
          `${formatInterval(metric, behind.whole)}, second half ${formatSlope(metric, behind.late.slope)} ` +
          `${formatInterval(metric, behind.late)}, behind a fill that slowed down, vs ${formatSlope(metric, b.slope)} in ` +
          `base ${formatInterval(metric, b)}, second half ${formatSlope(metric, bLate.slope)} ${formatInterval(metric, bLate)}; ` +
          `threshold ${formatSlope(metric, tau.value)} (${tau.source})`;
      } else {
        out.status = 'worse';
        out.note =
          `${what}; but head's growth slows down (${formatSlope(metric, early)} in its first half, ` +
          `${formatSlope(metric, late.slope)} in its second): a fill running out, not a leak`;
      }
    }
  } else if (Math.min(b.low, bLate.low) - Math.min(h.high, late.high) >= (tau?.value ?? Number.MIN_VALUE)) {
    out.status = 'improved';
  }
  return out;
}

function firstHalf<T>(points: readonly T[]): T[] {
  return points.slice(0, Math.floor(points.length / 2));
}

function secondHalf<T>(points: readonly T[]): T[] {
  return points.slice(points.length - Math.floor(points.length / 2));
}

/**
 * The verdict's trimmed re-judgement (windows.ts judgeGrowth): when head's first half is the steeper, a
 * fill may hide a leak behind it, so head is judged again without its first third, then without its first
 * half, by the same rules — unless the series ever fell back by more than half of what τ allows over that
 * part (a leak gives nothing back; a long sawtooth does).
 */
function behindFill(
  metric: MetricName,
  headSamples: readonly SeriesPoint[],
  baseCeiling: number,
  tau: number,
  options: CompareOptions,
): { whole: SlopeEstimate; late: SlopeEstimate } | null {
  let peak = -Infinity;
  let drawdown = 0;
  for (const p of headSamples) {
    peak = Math.max(peak, p[metric]);
    drawdown = Math.max(drawdown, peak - p[metric]);
  }
  for (const trim of TRIMS) {
    const part = headSamples.slice(Math.floor(headSamples.length * trim));
    if (part.length < MIN_COMPARE_SAMPLES) break;
    const span = part[part.length - 1].iteration - part[0].iteration;
    if (drawdown > 0.5 * tau * span) break;
    const early = theilSen(seriesOf(firstHalf(part), metric)).slope;
    const lateSlope = theilSen(seriesOf(secondHalf(part), metric)).slope;
    // Point estimates first: the bootstrap only when they could pass.
    if (lateSlope < AGREE_RATIO * early || lateSlope - baseCeiling < tau) continue;
    const whole = estimate(part, metric, options);
    const late = estimate(secondHalf(part), metric, options);
    if (Math.min(whole.low, late.low) - baseCeiling >= tau && whole.low > tau) return { whole, late };
  }
  return null;
}

function verdictRegression(
  base: ScenarioReport | undefined,
  head: ScenarioReport,
  detailed: boolean,
): string | null {
  const first = (text: string | undefined) => (text ?? '').split('\n')[0];
  const why = (s: ScenarioReport) =>
    s.verdict === 'error'
      ? `errors in head: ${first(s.error) || 'the target failed'}`
      : `fails in head${detailed ? `: ${(s.reasons ?? []).join('; ') || 'memory budget exceeded'}` : ''}`;
  if (head.verdict === 'pass') return null;
  if (!base) return `new in head and ${why(head)}`;
  if (base.verdict === 'pass') return `passed in base, ${why(head)}`;
  return null;
}

const STATUS_RANK: Record<MetricStatus, number> = {
  regression: 4,
  worse: 3,
  improved: 2,
  unchanged: 1,
  'not-compared': 0,
};

/** Compares every scenario of head with its namesake in base (`heapgate compare`). */
export function compareReports(base: Report, head: Report, options: CompareOptions = {}): Comparison {
  const baseByName = new Map(base.scenarios.map((s) => [s.name, s]));
  const headNames = new Set(head.scenarios.map((s) => s.name));
  const scenarios: ScenarioComparison[] = [];

  for (const h of head.scenarios) {
    const b = baseByName.get(h.name);
    const reasons: string[] = [];
    const metrics: MetricComparison[] = [];
    if (b) {
      const bs = measuredSamples(b);
      const hs = measuredSamples(h);
      for (const metric of METRICS) {
        const present =
          b.metrics[metric] !== undefined ||
          h.metrics[metric] !== undefined ||
          (bs.length > 0 && hs.length > 0);
        if (!present) continue;
        const m = compareMetric(metric, b, h, bs, hs, options);
        metrics.push(m);
        if (m.status === 'regression' && m.note) reasons.push(m.note);
      }
    }
    // The verdict's own reasons only when no metric already says what got worse.
    const verdictWhy = verdictRegression(b, h, reasons.length === 0);
    if (verdictWhy) reasons.unshift(verdictWhy);
    let status: ScenarioStatus;
    if (reasons.length) status = 'regression';
    else if (!b) status = 'new';
    else {
      const best = metrics.reduce((acc, m) => Math.max(acc, STATUS_RANK[m.status]), 0);
      status = best === 3 ? 'worse' : best === 2 ? 'improved' : best === 1 ? 'unchanged' : 'not-compared';
    }
    let note: string | undefined;
    if (b && !metrics.length) {
      const missing = [b, h]
        .map((s, i) =>
          measuredSamples(s).length ? '' : `${i ? 'head' : 'base'}${s.verdict === 'error' ? ' errored' : ''}`,
        )
        .filter(Boolean);
      note = `no samples to compare (${missing.join(', ') || 'no metrics'})`;
    }
    scenarios.push({
      name: h.name,
      status,
      base: b ? { verdict: b.verdict, iterations: b.iterations } : null,
      head: { verdict: h.verdict, iterations: h.iterations },
      metrics,
      reasons,
      ...(note ? { note } : {}),
    });
  }
  for (const b of base.scenarios) {
    if (headNames.has(b.name)) continue;
    scenarios.push({
      name: b.name,
      status: 'removed',
      base: { verdict: b.verdict, iterations: b.iterations },
      head: null,
      metrics: [],
      reasons: [],
    });
  }
  const counts: Record<ScenarioStatus, number> = {
    regression: 0,
    worse: 0,
    unchanged: 0,
    improved: 0,
    new: 0,
    removed: 0,
    'not-compared': 0,
  };
  for (const s of scenarios) counts[s.status]++;
  return { regressed: counts.regression > 0, scenarios, counts };
}
