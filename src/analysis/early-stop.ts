/**
 * Stopping a scenario early once its verdict is as good as certain (docs/verdict.md, "Early stop"): the
 * same rules as the verdict with stricter thresholds, so the verdict on the same samples agrees.
 */
import { DEFAULT_BUDGET, type Budget } from '../model/budget.js';
import { combineSamples } from '../model/combine.js';
import { ceilingOf, COUNT_METRICS, growthBudgetOf, METRIC_TABLE, METRICS } from '../model/metrics.js';
import { seriesOf, type Sample, type Series } from '../model/sample.js';
import { countGrowth, sustained } from './count-growth.js';
import { HOUR_MS } from './projections.js';
import { sampleAt, scenarioWarmup, type ScenarioVerdictOptions } from './verdict.js';
import { growthWindows, judgeGrowth, resolveWindowOptions, type ReplicatedWindows } from './windows.js';

export interface EarlyStopOptions extends ScenarioVerdictOptions {
  /** A fail needs the lower bounds at this multiple of the budget (default 2) … */
  failMargin?: number;
  /**
   * … and at least this many measured samples (default 25, of the ~30 a 3000-iteration run measures):
   * before that, a bounded structure still filling at a constant rate (a deque or cache of a few thousand
   * entries) cannot be told from a leak. Measured on nasty clean series: 5 of 300 stopped with a false
   * 'fail' at 20 samples, none at 25; leaks of 100 B/iteration stop at 25 (96 of 100).
   */
  minFailSamples?: number;
  /** A pass needs at least this many measured samples (default 20) … */
  minPassSamples?: number;
  /** … and both halves' upper bounds below this share of the budget (default 0.5). */
  passMargin?: number;
}

/**
 * 'fail' at once when a ceiling is crossed, or after minFailSamples measured samples when a metric grows
 * at failMargin × its budget by the full rule (or a count rose by more than allowed + 3 in both halves);
 * 'pass' after minPassSamples measured samples when every budgeted metric's growth is bounded well below
 * its budget (both halves' upper bounds under passMargin × budget) and no count rose; otherwise null
 * (keep going).
 */
export function earlyStop(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: EarlyStopOptions = {},
): 'fail' | 'pass' | null {
  const all = combineSamples(samples).samples;
  if (!all.length) return null;
  let ceilingClose = false;
  for (const metric of METRICS) {
    const limit = ceilingOf(metric, budget);
    if (limit === null) continue;
    const max = Math.max(...all.map((s) => s[metric]));
    if (max > limit) return 'fail';
    if (max > 0.9 * limit) ceilingClose = true;
  }
  let measuredFrom: number;
  if (options.measuredFromIteration !== undefined) {
    const index = sampleAt(all, options.measuredFromIteration);
    if (index === -1) return null;
    measuredFrom = index;
  } else {
    const warmup = scenarioWarmup(all, budget, options.warmup);
    if (!warmup.done) return null;
    measuredFrom = warmup.start;
  }
  const measuredCount = all.length - measuredFrom;
  const failMargin = options.failMargin ?? 2;
  const passMargin = options.passMargin ?? 0.5;
  const minPass = options.minPassSamples ?? 20;
  let allQuiet = measuredCount >= minPass && !ceilingClose;
  const r = resolveWindowOptions(options);
  const quiet = (halves: ReplicatedWindows | null, limit: number): boolean => {
    if (!halves) return false;
    const [a, b] = halves.windows;
    return a.high < passMargin * limit && b.high < passMargin * limit && halves.between < passMargin * limit;
  };
  const measured = all.slice(measuredFrom);
  const mayFail = measuredCount >= (options.minFailSamples ?? 25);
  for (const metric of METRICS) {
    const limit = growthBudgetOf(metric, budget);
    if (limit === null) continue;
    const series = seriesOf(measured, metric);
    if (COUNT_METRICS.has(metric)) {
      const c = countGrowth(series.y);
      if (mayFail && c && sustained(c) && c.total > limit + 3) return 'fail';
      if (!c || c.total > 0) allQuiet = false;
      continue;
    }
    const windows = growthWindows(series, r);
    if (mayFail && judgeGrowth(windows, failMargin * limit, r.trims).above) return 'fail';
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
    if (mayFail && judgeGrowth(windows, failMargin * limit, r.trims).above) return 'fail';
    if (!quiet(windows.halves, limit) || judgeGrowth(windows, limit, r.trims).above) allQuiet = false;
  }
  return allQuiet ? 'pass' : null;
}
