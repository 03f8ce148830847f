/**
 * One metric's verdict over a scenario's samples: growth against its budget (the replicated-window rule
 * for bytes, the rise of the floor for counts), its ceiling, heap per hour, the trend label, and the
 * diagnostics and figures the report records (fitted line, plateau, projection). The rule, why it is
 * this one and how often it errs: docs/verdict.md.
 */
import { describeBudget, DEFAULT_BUDGET, type Budget } from '../model/budget.js';
import { ceilingOf, COUNT_METRICS, growthBudgetOf, METRIC_TABLE } from '../model/metrics.js';
import type { Trend } from '../model/report.js';
import { seriesOf, type Metric, type Sample, type Series } from '../model/sample.js';
import type { ScenarioKind } from '../model/scenario-kind.js';
import { formatBytes } from '../units.js';
import { countGrowth, sustained, type CountGrowth } from './count-growth.js';
import { settleExcursions, type Settled } from './excursions.js';
import { detectPlateau, type Plateau } from './plateau.js';
import { describeProjection, HOUR_MS, iterationsPerHour, project, type Projection } from './projections.js';
import { median, ols, theilSen, type LinearFit, type OlsFit } from './regression.js';
import { mannKendall, mannKendallHamedRao } from './trend.js';
import { detectWarmup, type Warmup, type WarmupOptions } from './warmup.js';
import {
  decisiveHalves,
  growthWindows,
  judgeGrowth,
  resolveWindowOptions,
  sliceSeries,
  type GrowthJudgement,
  type ReplicatedWindows,
  type WindowOptions,
} from './windows.js';

export type { Trend };

export interface VerdictOptions extends WindowOptions {
  /** Index of the first measured sample. Default: automatic warm-up (detectWarmup) on this metric. */
  measuredFrom?: number;
  /** Options for the automatic warm-up (its tolerance defaults to half the metric's budget). */
  warmup?: Partial<WarmupOptions>;
  /** Throughput for the per-hour projection; default: measured from the samples' timestamps. */
  iterationsPerHour?: number | null;
  /**
   * How growth is judged (verdict.ts, tooShortToJudge): 'full' (default) against the budget; 'gross' for a
   * measured part with enough samples but too few iterations, where start-up settling and a structure still
   * filling can explain growth up to GROSS_FACTOR × the budget, so only byte growth above that fails; 'none'
   * when there are too few samples or the warm-up never settled: only the ceilings are checked.
   */
  judgeGrowth?: 'full' | 'gross' | 'none';
  /** The scenario's kind: what its reasons count a million of (requests by default). */
  kind?: ScenarioKind;
}

export interface MetricVerdict {
  metric: Metric;
  /** Value at the first and the last measured sample. */
  start: number;
  end: number;
  /** Theil–Sen slope over the measured part, per iteration. */
  slopePerIteration: number;
  /** OLS R² over the measured part (diagnostic). */
  r2: number;
  trend: Trend;
  exceeded: boolean;
  reason?: string;

  // Diagnostics.
  /** Index of the first measured sample, and its iteration. */
  measuredFrom: number;
  measuredFromIteration: number | null;
  /** Number of measured samples. */
  samples: number;
  /** Too few measured samples for the replicated-window rule: growth was not judged. */
  insufficient: boolean;
  /** Byte metrics with a budget: the transient excursions left out of the growth verdict (excursions.ts). */
  excursions: Settled | null;
  /** The automatic warm-up, when this call decided it. */
  warmup: Warmup | null;
  ols: OlsFit;
  /** The line over the measured part (the one the report's chart draws). */
  theilSen: LinearFit;
  mannKendall: { s: number; z: number; p: number; pCorrected: number; effectiveN: number } | null;
  replicated: ReplicatedWindows | null;
  /** The rule at the budget (the halves, and a trimmed measured part when the first half was steeper). */
  judged: GrowthJudgement | null;
  /** Counts only. */
  countGrowth: CountGrowth | null;
  /** Rise of the whole series (warm-up included) that then stopped. */
  plateau: Plateau;
  /** The budget compared: bytes per iteration (heap, rss), allowed increase (counts), null when none. */
  budget: number | null;
  ceiling: { limit: number; max: number; atIteration: number; exceeded: boolean } | null;
  /** Heap against the hourly rate budget (time-based soaks). */
  rate: { limit: number; judged: GrowthJudgement; exceeded: boolean } | null;
  /** The slope per million iterations and per hour. */
  projection: Projection;
}

/** "budget 32 B/iteration", "budget +0 threads": the budget a metric's growth was compared with. */
function describeLimit(metric: Metric, limit: number): string {
  const key = METRIC_TABLE[metric].budget;
  return key ? `budget ${describeBudget(key, limit)}` : `limit ${limit}`;
}

/** Tolerance for the automatic warm-up: half a byte metric's growth budget (per iteration). */
export function warmupTolerance(metric: Metric, budget: Budget): number {
  const { kind, budget: key } = METRIC_TABLE[metric];
  if (kind === 'bytes' && key !== null) return (budget[key] ?? DEFAULT_BUDGET[key] ?? 0) / 2;
  // Counts and gc objects: slopes within one unit per hundred iterations.
  return 0.01;
}

function iterationRange(series: Series): string {
  return `iterations ${series.x[0]}–${series.x[series.x.length - 1]}`;
}

/**
 * On a run too short to judge growth against the budget, growth above this multiple of it still fails:
 * start-up settling (~100 B/iteration for a few hundred iterations on the stdlib and Flask services) stays
 * far below it, a leak of kilobytes a request does not (docs/verdict.md, "Too short to judge").
 */
export const GROSS_FACTOR = 64;

/**
 * A fall or jump smaller than what the budget allows over this many samples is never an excursion:
 * noise-sized give-backs keep their samples (docs/verdict.md, "Transients").
 */
const EXCURSION_FLOOR_SAMPLES = 16;

/** Median step between consecutive x values (the sampling cadence, in iterations). */
export function typicalStep(x: readonly number[]): number {
  const steps: number[] = [];
  for (let i = 1; i < x.length; i++) if (x[i] > x[i - 1]) steps.push(x[i] - x[i - 1]);
  return steps.length ? median(steps) : 1;
}

/**
 * The measured series a byte metric's growth is judged on: without its transient excursions. Other
 * metrics, and byte metrics without a budget, are judged as measured.
 */
export function growthSeries(metric: Metric, measured: Series, limit: number | null): Settled | null {
  if (limit === null || limit <= 0 || METRIC_TABLE[metric].kind !== 'bytes') return null;
  return settleExcursions(measured, { floor: EXCURSION_FLOOR_SAMPLES * limit * typicalStep(measured.x) });
}

function measuredThroughput(samples: readonly Sample[], from: number): number | null {
  return iterationsPerHour(samples, from, samples.length - 1);
}

/** Verdict for one metric over samples of one process (or a combined series, see model/combine.ts). */
export function metricVerdict(
  metric: Metric,
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: VerdictOptions = {},
): MetricVerdict {
  const r = resolveWindowOptions(options);
  const info = METRIC_TABLE[metric];
  const full = seriesOf(samples, metric);
  const n = full.x.length;
  const limit = growthBudgetOf(metric, budget);
  const isCount = COUNT_METRICS.has(metric);

  let warmup: Warmup | null = null;
  let measuredFrom = options.measuredFrom;
  if (measuredFrom === undefined) {
    warmup = detectWarmup(full, { tolerance: warmupTolerance(metric, budget), ...options.warmup });
    measuredFrom = warmup.start;
  }
  measuredFrom = Math.max(0, Math.min(measuredFrom, Math.max(0, n - 1)));
  const measured = sliceSeries(full, measuredFrom, n);
  const m = measured.x.length;
  const perHour = options.iterationsPerHour ?? measuredThroughput(samples, measuredFrom);

  // Byte metrics are judged without their transient excursions; the line drawn is the one judged.
  const excursions = growthSeries(metric, measured, limit);
  const judgedSeries = excursions?.series ?? measured;
  const fitOls = ols(judgedSeries);
  const fitTs = theilSen(judgedSeries);
  let mk: MetricVerdict['mannKendall'] = null;
  if (judgedSeries.x.length >= 4) {
    const plain = mannKendall(judgedSeries);
    const corrected = mannKendallHamedRao(judgedSeries);
    mk = { s: plain.s, z: plain.z, p: plain.p, pCorrected: corrected.p, effectiveN: corrected.effectiveN };
  }

  const reasons: string[] = [];
  let replicated: ReplicatedWindows | null = null;
  let judged: GrowthJudgement | null = null;
  let counts: CountGrowth | null = null;
  let trend: Trend = 'flat';
  let insufficient = false;
  const mode = options.judgeGrowth ?? 'full';
  // Counts and per-hour rates are not judged on a short run: a few hundred iterations say nothing of them.
  const growthJudged = mode === 'full';

  const span = n > 1 ? full.x[n - 1] - full.x[0] : 0;
  const plateau = detectPlateau(full, {
    minRise: limit !== null && !isCount ? 0.25 * limit * span : isCount ? 1 : 0,
    flatSlope: limit !== null && !isCount ? limit / 4 : 0,
  });

  if (isCount) {
    counts = countGrowth(measured.y);
    insufficient = counts === null;
    if (counts) {
      const both = sustained(counts);
      if (both && counts.total > 0) trend = 'growing';
      else if (plateau.plateau || counts.total > 0) trend = 'plateau';
      if (growthJudged && limit !== null && both && counts.total > limit) {
        reasons.push(
          `${metric} rose by ${counts.total} over ${iterationRange(measured)} and kept rising in both halves ` +
            `(+${counts.first}, +${counts.second}); ${describeLimit(metric, limit)}`,
        );
      }
    }
  } else {
    const labelThreshold = limit !== null ? limit / 4 : 0;
    const windows = growthWindows(judgedSeries, r);
    const label = judgeGrowth(windows, labelThreshold, r.trims);
    replicated = label.halves;
    insufficient = replicated === null;
    if (label.above) trend = 'growing';
    else if (plateau.plateau) trend = 'plateau';
    const judgedLimit = limit !== null && mode === 'gross' ? GROSS_FACTOR * limit : limit;
    judged =
      judgedLimit !== null && judgedLimit !== labelThreshold
        ? judgeGrowth(windows, judgedLimit, r.trims)
        : label;
    if (mode !== 'none' && limit !== null && judged.above) {
      trend = 'growing';
      const [a, b] = decisiveHalves(judged)!.windows;
      const part = sliceSeries(judgedSeries, a.from, b.to + 1);
      const unit = info.kind === 'bytes' ? 'B/iteration' : 'per iteration';
      reasons.push(
        `${metric} grows ${describeProjection(project(theilSen(part).slope, perHour), options.kind)} in both halves of ` +
          `${iterationRange(part)} (${a.slope.toFixed(0)} and ${b.slope.toFixed(0)} ${unit}, lower bounds ` +
          `${a.low.toFixed(0)} and ${b.low.toFixed(0)}); ${describeLimit(metric, limit)}` +
          (mode === 'gross' ? `, and a short run fails only above ${GROSS_FACTOR} × that` : ''),
      );
    }
  }

  // Absolute ceilings: any sample, warm-up included.
  let ceiling: MetricVerdict['ceiling'] = null;
  const ceilingLimit = ceilingOf(metric, budget);
  if (ceilingLimit !== null && n > 0) {
    let at = 0;
    for (let i = 1; i < n; i++) if (full.y[i] > full.y[at]) at = i;
    const exceeded = full.y[at] > ceilingLimit;
    ceiling = { limit: ceilingLimit, max: full.y[at], atIteration: full.x[at], exceeded };
    if (exceeded) {
      reasons.push(
        `${metric} reached ${formatBytes(full.y[at])} at iteration ${full.x[at]}; ceiling ${formatBytes(ceilingLimit)}`,
      );
    }
  }

  // Growth per hour, against elapsed time (time-based soaks).
  let rate: MetricVerdict['rate'] = null;
  const rateLimit = info.rate === null ? null : budget[info.rate];
  if (info.rate !== null && rateLimit !== null) {
    const elapsed = samples.slice(measuredFrom).map((s) => s.elapsedMs / HOUR_MS);
    const kept = excursions?.kept ?? elapsed.map((_, i) => i);
    const hours: Series = { x: kept.map((i) => elapsed[i]), y: kept.map((i) => measured.y[i]) };
    const timed = judgeGrowth(growthWindows(hours, r), rateLimit, r.trims);
    if (growthJudged && timed.halves) {
      const exceeded = timed.above;
      rate = { limit: rateLimit, judged: timed, exceeded };
      if (exceeded) {
        const [a, b] = decisiveHalves(timed)!.windows;
        reasons.push(
          `${metric} grows ${formatBytes(a.slope)}/h and ${formatBytes(b.slope)}/h in the two halves of ` +
            `${iterationRange(sliceSeries(judgedSeries, a.from, b.to + 1))}; budget ${describeBudget(info.rate, rateLimit)}`,
        );
      }
    }
  }

  const exceeded = reasons.length > 0;
  return {
    metric,
    start: m ? measured.y[0] : 0,
    end: m ? measured.y[m - 1] : 0,
    slopePerIteration: fitTs.slope,
    r2: fitOls.r2,
    trend,
    exceeded,
    ...(exceeded ? { reason: reasons.join('; ') } : {}),
    measuredFrom,
    measuredFromIteration: m ? measured.x[0] : null,
    samples: m,
    insufficient,
    excursions,
    warmup,
    ols: fitOls,
    theilSen: fitTs,
    mannKendall: mk,
    replicated,
    judged,
    countGrowth: counts,
    plateau,
    budget: limit,
    ceiling,
    rate,
    projection: project(fitTs.slope, perHour),
  };
}
