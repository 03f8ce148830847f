/**
 * Stopping a scenario before its requested length once the verdict it would get at that length is as good
 * as certain (docs/verdict.md, "Early stop"). Early stop never changes a verdict: it passes only when every
 * budgeted metric's growth is clearly below its budget, and it fails before the requested length only when
 * a ceiling is crossed, or when the growth so far would fail the full-length verdict even if it levelled
 * off right now (the series continued flat to the requested length) — what no structure that levels off
 * within the requested length could explain. Otherwise the run goes on.
 */
import { DEFAULT_BUDGET, type Budget } from '../model/budget.js';
import { combineSamples } from '../model/combine.js';
import { ceilingOf, COUNT_METRICS, growthBudgetOf, METRIC_TABLE, METRICS } from '../model/metrics.js';
import { seriesOf, type Metric, type Sample, type Series } from '../model/sample.js';
import { formatBytes } from '../units.js';
import { countGrowth, sustained } from './count-growth.js';
import { metricVerdict } from './metric-verdict.js';
import { HOUR_MS, iterationsPerHour } from './projections.js';
import { median } from './regression.js';
import { sampleAt, scenarioWarmup, tooShortToJudge, type ScenarioVerdictOptions } from './verdict.js';
import { growthWindows, judgeGrowth, resolveWindowOptions, type ReplicatedWindows } from './windows.js';

export interface EarlyStopOptions extends ScenarioVerdictOptions {
  /**
   * The iteration the run ends at when nothing stops it (the requested length). Without it (or untilMs),
   * a run is never failed early on growth: the full-length verdict it would change is unknown.
   */
  untilIteration?: number;
  /** For a time-based scenario: the elapsed milliseconds it ends at. */
  untilMs?: number;
  /** Growth must first be clearly above this multiple of the budget by the full rule (default 2) … */
  failMargin?: number;
  /**
   * … with at least this many measured samples (default 25, of the ~30 a 3000-iteration run measures):
   * before that, a bounded structure still filling at a constant rate cannot be told from a leak.
   */
  minFailSamples?: number;
  /** A pass needs at least this many measured samples (default 20) … */
  minPassSamples?: number;
  /** … and both halves' upper bounds below this share of the budget (default 0.5). */
  passMargin?: number;
}

/** Why a run stopped before its requested length, as the report records it (`stoppedEarly`). */
export interface EarlyStop {
  verdict: 'pass' | 'fail';
  why: string;
}

/** Samples continuing a flat tail this close to the last ones: the level is their median. */
const LEVEL_SAMPLES = 5;

/**
 * The combined samples continued to the requested length as if every metric levelled off now: flat at the
 * median of its last few samples, at the measured part's cadence and throughput. Null when the run is
 * already at (or past) its requested length, or the length is unknown.
 */
export function levelledContinuation(
  all: readonly Sample[],
  measuredFrom: number,
  options: Pick<EarlyStopOptions, 'untilIteration' | 'untilMs'>,
): Sample[] | null {
  const last = all[all.length - 1];
  const first = all[measuredFrom];
  if (!last || !first || all.length - measuredFrom < 2) return null;
  const steps: number[] = [];
  for (let i = measuredFrom + 1; i < all.length; i++) {
    const d = all[i].iteration - all[i - 1].iteration;
    if (d > 0) steps.push(d);
  }
  const step = steps.length ? median(steps) : 0;
  const iterations = last.iteration - first.iteration;
  const msPerIteration = iterations > 0 ? Math.max(0, last.elapsedMs - first.elapsedMs) / iterations : 0;
  let until: number | null = null;
  if (options.untilIteration !== undefined) until = options.untilIteration;
  else if (options.untilMs !== undefined && msPerIteration > 0)
    until = last.iteration + Math.floor((options.untilMs - last.elapsedMs) / msPerIteration);
  if (until === null || step <= 0 || until - last.iteration < step) return null;
  const tail = all.slice(Math.max(measuredFrom, all.length - LEVEL_SAMPLES));
  const level = {} as Record<(typeof METRICS)[number], number>;
  for (const metric of METRICS) level[metric] = median(tail.map((s) => s[metric]));
  const out: Sample[] = [...all];
  for (let it = last.iteration + step; it <= until; it += step) {
    out.push({
      ...level,
      iteration: it,
      elapsedMs: last.elapsedMs + (it - last.iteration) * msPerIteration,
      pid: last.pid,
    });
  }
  return out;
}

/** The first measured sample (index into the combined samples), or null while the warm-up is pending. */
function measuredStart(all: readonly Sample[], budget: Budget, options: EarlyStopOptions): number | null {
  if (options.measuredFromIteration !== undefined) {
    const index = sampleAt(all, options.measuredFromIteration);
    return index === -1 ? null : index;
  }
  const warmup = scenarioWarmup(all, budget, options.warmup);
  return warmup.done ? warmup.start : null;
}

/**
 * 'fail' at once when a ceiling is crossed; 'fail' after minFailSamples measured samples when a metric
 * grows at failMargin × its budget by the full rule (or a count rose by more than allowed + 3 in both
 * halves), the verdict on the samples so far fails, and the full-length verdict would fail too if every
 * metric levelled off now; 'pass' after minPassSamples measured samples, once the run is long enough to
 * judge, when every budgeted metric's growth is bounded well below its budget (both halves' upper bounds
 * under passMargin × budget) and no count rose; otherwise null (keep going). The reason says why.
 */
export function shouldStop(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: EarlyStopOptions = {},
): EarlyStop | null {
  const all = combineSamples(samples).samples;
  if (!all.length) return null;
  let ceilingClose = false;
  for (const metric of METRICS) {
    const limit = ceilingOf(metric, budget);
    if (limit === null) continue;
    const peak = all.reduce((best, s) => (s[metric] > best[metric] ? s : best), all[0]);
    if (peak[metric] > limit) {
      return {
        verdict: 'fail',
        why: `${metric} reached ${formatBytes(peak[metric])} at iteration ${peak.iteration}, above its ceiling of ${formatBytes(limit)}`,
      };
    }
    if (peak[metric] > 0.9 * limit) ceilingClose = true;
  }
  const measuredFrom = measuredStart(all, budget, options);
  if (measuredFrom === null) return null;
  const measuredCount = all.length - measuredFrom;
  const failMargin = options.failMargin ?? 2;
  const passMargin = options.passMargin ?? 0.5;
  let allQuiet = measuredCount >= (options.minPassSamples ?? 20) && !ceilingClose;
  const r = resolveWindowOptions(options);
  const quiet = (halves: ReplicatedWindows | null, limit: number): boolean => {
    if (!halves) return false;
    const [a, b] = halves.windows;
    return a.high < passMargin * limit && b.high < passMargin * limit && halves.between < passMargin * limit;
  };
  const measured = all.slice(measuredFrom);
  const mayFail = measuredCount >= (options.minFailSamples ?? 25);
  const growing = new Set<Metric>();
  for (const metric of METRICS) {
    const limit = growthBudgetOf(metric, budget);
    if (limit === null) continue;
    const series = seriesOf(measured, metric);
    if (COUNT_METRICS.has(metric)) {
      const c = countGrowth(series.y);
      if (mayFail && c && sustained(c) && c.total > limit + 3) growing.add(metric);
      if (!c || c.total > 0) allQuiet = false;
      continue;
    }
    const windows = growthWindows(series, r);
    if (mayFail && judgeGrowth(windows, failMargin * limit, r.trims).above) growing.add(metric);
    if (!quiet(windows.halves, limit) || judgeGrowth(windows, limit, r.trims).above) allQuiet = false;
  }
  for (const metric of METRICS) {
    const key = METRIC_TABLE[metric].rate;
    const limit = key === null ? null : budget[key];
    if (limit === null) continue;
    const hours: Series = {
      x: measured.map((s) => s.elapsedMs / HOUR_MS),
      y: measured.map((s) => s[metric]),
    };
    const windows = growthWindows(hours, r);
    if (mayFail && judgeGrowth(windows, failMargin * limit, r.trims).above) growing.add(metric);
    if (!quiet(windows.halves, limit) || judgeGrowth(windows, limit, r.trims).above) allQuiet = false;
  }
  const range = `iterations ${all[measuredFrom].iteration}–${all[all.length - 1].iteration}`;
  if (growing.size) return failEarly(all, measuredFrom, budget, options, range, [...growing]);
  if (allQuiet && tooShortToJudge(all, measuredFrom, options) === null) {
    return {
      verdict: 'pass',
      why: `growth clearly below budget over ${range}: every budgeted metric's growth bounded under ${passMargin} × its budget in both halves, no count rose`,
    };
  }
  return null;
}

/**
 * Share of the requested measured length a run must have covered before the levelled continuation is
 * worth judging. Only saves work: ramp-then-flat fails the halves' agreement rule until the ramp covers
 * most of the second half, so earlier checks would only say "not yet" (leaks stopped at 82–92% of the
 * requested length in test/analysis/early-stop.test.ts).
 */
const MIN_PROGRESS = 0.7;

/**
 * The fail of a run whose `growing` metrics grow clearly, or null (keep going) unless one of them fails
 * both on the samples so far and at the requested length in the levelled continuation. Any metric that
 * fails fails the scenario, so judging those metrics alone gives the scenario's verdict.
 */
function failEarly(
  all: readonly Sample[],
  measuredFrom: number,
  budget: Budget,
  options: EarlyStopOptions,
  range: string,
  growing: readonly Metric[],
): EarlyStop | null {
  const continued = levelledContinuation(all, measuredFrom, options);
  if (!continued || tooShortToJudge(all, measuredFrom, options) !== null) return null;
  const first = all[measuredFrom].iteration;
  const end = continued[continued.length - 1].iteration;
  if (all[all.length - 1].iteration - first < MIN_PROGRESS * (end - first)) return null;
  const judge = (samples: readonly Sample[], metric: Metric) =>
    metricVerdict(metric, samples, budget, {
      ...options,
      measuredFrom,
      iterationsPerHour: iterationsPerHour(samples, measuredFrom, samples.length - 1),
    });
  for (const metric of growing) {
    // The continuation first: until late in the run it is what says "not yet", and each verdict costs.
    if (!judge(continued, metric).exceeded) continue;
    const now = judge(all, metric);
    if (!now.exceeded || !now.reason) continue;
    return {
      verdict: 'fail',
      why:
        `growth over ${range} already fails the verdict at the requested length (iteration ${end}) ` +
        `even if it levelled off now: ${now.reason}`,
    };
  }
  return null;
}

/** shouldStop's verdict alone: 'fail', 'pass', or null (keep going). */
export function earlyStop(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: EarlyStopOptions = {},
): 'fail' | 'pass' | null {
  return shouldStop(samples, budget, options)?.verdict ?? null;
}
