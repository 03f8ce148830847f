/**
 * The verdict per metric and per scenario (SPEC §3 "Verdict" and "What the peers teach").
 *
 * Decision rule, for the byte metrics (heap against `growth`, RSS against `rssGrowth`, heap per hour
 * against `rate`): after warm-up, split the measured samples into two equal halves and fit each with a
 * Theil–Sen slope and a 90% moving-block bootstrap interval (blocks of increments, see regression.ts).
 * The metric exceeds its budget only when
 *   1. both halves' lower bounds are above the budget (growth clearly above it, twice),
 *   2. the second half's slope is at least half the first's (the growth is not saturating), and
 *   3. the level rose between the halves at more than the budget too (the halves' levels, each centred
 *      with its own slope: this is what rejects a sawtooth whose teeth each look like growth).
 * When the first half is the steeper, the same rule is applied again to the measured part without its
 * first third, then without its first half (a bounded cache or deque that fills at a constant rate ends
 * warm-up early, since its blocks agree, and would otherwise hide a real leak behind it), unless the
 * series ever fell back by more than half of what the budget allows over that part (a leak gives
 * nothing back; a long sawtooth does).
 * Steps, a fill that stops, a sawtooth or a noise burst move at most one half, or fail (3); a leak moves
 * both at the same rate. OLS R² and Mann–Kendall p-values (plain and Hamed–Rao corrected) are reported
 * as diagnostics only: on autocorrelated, step-like heap noise they call trends that are not there.
 *
 * Counts (threads, fds, handlers) are small integers: growth is the rise of the floor (the minimum over a
 * few samples, so in-flight sockets or threads that come and go do not count) from the start to the end
 * of the measured part. It exceeds the budget when it is above the allowed count and the floor rose in
 * both halves (a sustained increase, not a pool that grew once).
 *
 * gcObjects has no budget: it gets a trend and diagnostics only.
 *
 * What the samples must be for this to hold (measured on the synthetic series of test/analysis):
 * - heap after gc.collect() (no garbage in the figure), one sample at iteration 0 and then every
 *   `sampleEvery` iterations, the same cadence through warm-up and the measured part;
 * - at least 10 measured samples for any growth verdict, ~30 for the error rates below: with 3000
 *   measured iterations at sampleEvery 100, 0 of 1000 nasty clean series fail; with only 1000 or 1500
 *   measured iterations 23% and 11% do (a bounded deque that fills for 1800 iterations cannot be told
 *   from a leak in less), 2.5% at 2000;
 * - the measured part counted from the warm-up's end (detectWarmup/scenarioWarmup), not from iteration 0.
 */
import { describeBudget, DEFAULT_BUDGET, type Budget, type BudgetKey } from '../model/budget.js';
import { detectPlateau, type Plateau } from './plateau.js';
import { describeProjection, iterationsPerHour, project, type Projection } from './projections.js';
import { blockBootstrapSlopeInterval, ols, theilSen, type LinearFit, type OlsFit } from './regression.js';
import { METRICS, seriesOf, type Metric, type Sample, type Series } from '../model/sample.js';
import { mannKendall, mannKendallHamedRao } from './trend.js';
import { formatBytes } from '../units.js';
import { detectWarmup, type Warmup, type WarmupOptions } from './warmup.js';

export type Trend = 'growing' | 'flat' | 'plateau';

export interface VerdictOptions {
  /** Index of the first measured sample. Default: automatic warm-up (detectWarmup) on this metric. */
  measuredFrom?: number;
  /** Options for the automatic warm-up (its tolerance defaults to half the metric's budget). */
  warmup?: Partial<WarmupOptions>;
  /** Smallest half, in samples, for a growth verdict (default 5: at least 10 measured samples). */
  minWindow?: number;
  /** Bootstrap resamples per half (default 300). */
  resamples?: number;
  /** Two-sided coverage of each half's slope interval (default 0.9). */
  confidence?: number;
  /** Bootstrap seed (default 1). */
  seed?: number;
  /** The second half's slope must be at least this share of the first's (default 0.5). */
  agreeRatio?: number;
  /** Throughput for the MB/h projection; default: measured from the samples' timestamps. */
  iterationsPerHour?: number | null;
  /** Shares of the measured part dropped for the re-judgements when the first half is steeper. */
  trims?: readonly number[];
}

export interface WindowFit {
  /** Sample indices (inclusive) into the series the verdict was given. */
  from: number;
  to: number;
  fromX: number;
  toX: number;
  slope: number;
  low: number;
  high: number;
}

export interface ReplicatedWindows {
  windows: [WindowFit, WindowFit];
  /** Slope between the halves' levels (each centred with its own slope at its median x). */
  between: number;
  /** Second half's slope ≥ agreeRatio × first half's. */
  agree: boolean;
  /** False when the bootstrap was skipped (see replicatedWindows' onlyIfAbove). */
  intervals: boolean;
}

export interface CountGrowth {
  /** Floor at the end minus floor at the start of the measured part. */
  total: number;
  /** The same within each half. */
  first: number;
  second: number;
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
  /** The automatic warm-up, when this call decided it. */
  warmup: Warmup | null;
  ols: OlsFit;
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
  /** Heap and RSS: the slope in MB per million iterations and per hour. */
  projection: Projection | null;
}

const COUNT_METRICS: ReadonlySet<Metric> = new Set<Metric>(['threads', 'fds', 'handlers']);
const HOUR_MS = 3_600_000;

interface Resolved {
  minWindow: number;
  resamples: number;
  confidence: number;
  seed: number;
  agreeRatio: number;
  trims: readonly number[];
}

function resolve(options: VerdictOptions): Resolved {
  return {
    minWindow: Math.max(3, Math.round(options.minWindow ?? 5)),
    resamples: options.resamples ?? 300,
    confidence: options.confidence ?? 0.9,
    seed: options.seed ?? 1,
    agreeRatio: options.agreeRatio ?? 0.5,
    trims: options.trims ?? DEFAULT_TRIMS,
  };
}

/** The budget a metric's growth is compared with (null: not checked). */
export function growthBudgetOf(metric: Metric, budget: Budget): number | null {
  switch (metric) {
    case 'heap':
      return budget.growth;
    case 'rss':
      return budget.rssGrowth;
    case 'threads':
    case 'fds':
    case 'handlers':
      return budget[metric];
    case 'gcObjects':
      return null;
  }
}

/** "budget 32 B/iteration", "budget +0 threads": the budget a metric's growth was compared with. */
function describeLimit(metric: Metric, limit: number): string {
  const key: BudgetKey | null =
    metric === 'heap' ? 'growth' : metric === 'rss' ? 'rssGrowth' : metric === 'gcObjects' ? null : metric;
  return key ? `budget ${describeBudget(key, limit)}` : `limit ${limit}`;
}

function slice(series: Series, from: number, to: number): Series {
  return { x: series.x.slice(from, to), y: series.y.slice(from, to) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Two equal halves of the measured series (the middle sample is left out when n is odd), or null when a
 * half would hold fewer than minWindow samples. With `onlyIfAbove`, the bootstrap is skipped when the
 * point estimates alone already rule out "clearly above" that threshold (then low = high = slope and
 * `intervals` is false): the trimmed re-judgements use that to stay cheap.
 */
export function replicatedWindows(
  series: Series,
  options: Pick<VerdictOptions, 'minWindow' | 'resamples' | 'confidence' | 'seed' | 'agreeRatio'> = {},
  onlyIfAbove?: number,
): ReplicatedWindows | null {
  const r = resolve(options);
  const n = Math.min(series.x.length, series.y.length);
  const h = Math.floor(n / 2);
  if (h < r.minWindow) return null;
  const fit = (from: number) => {
    const part = slice(series, from, from + h);
    const slope = theilSen(part).slope;
    const centre = median(part.x);
    const level = median(part.y.map((y, i) => y - slope * (part.x[i] - centre)));
    return { from, part, slope, centre, level };
  };
  const a = fit(0);
  const b = fit(n - h);
  const between = b.centre === a.centre ? 0 : (b.level - a.level) / (b.centre - a.centre);
  const agree = b.slope >= r.agreeRatio * a.slope;
  const intervals =
    onlyIfAbove === undefined ||
    (agree && a.slope > onlyIfAbove && b.slope > onlyIfAbove && between > onlyIfAbove);
  const window = (w: ReturnType<typeof fit>, seed: number): WindowFit => {
    const interval = intervals
      ? blockBootstrapSlopeInterval(w.part, { resamples: r.resamples, confidence: r.confidence, seed })
      : { low: w.slope, high: w.slope };
    return {
      from: w.from,
      to: w.from + h - 1,
      fromX: w.part.x[0],
      toX: w.part.x[h - 1],
      slope: w.slope,
      low: interval.low,
      high: interval.high,
    };
  };
  return { windows: [window(a, r.seed), window(b, r.seed + 1)], between, agree, intervals };
}

/** Growth clearly above `threshold` in both halves, agreeing, and between them. */
export function clearlyAbove(replicated: ReplicatedWindows | null, threshold: number): boolean {
  if (!replicated) return false;
  const [a, b] = replicated.windows;
  return replicated.agree && a.low > threshold && b.low > threshold && replicated.between > threshold;
}

export interface GrowthJudgement {
  /** The halves of the measured part. */
  halves: ReplicatedWindows | null;
  /** The halves of a trimmed measured part, when judged too (indices into the whole series). */
  tail: ReplicatedWindows | null;
  /** Clearly above the threshold in the halves, or else in a trimmed part's halves. */
  above: boolean;
  /** Which of the two decided `above`. */
  by: 'halves' | 'tail' | null;
}

function shift(replicated: ReplicatedWindows, by: number): ReplicatedWindows {
  const move = (w: WindowFit): WindowFit => ({ ...w, from: w.from + by, to: w.to + by });
  return { ...replicated, windows: [move(replicated.windows[0]), move(replicated.windows[1])] };
}

/** The halves of a measured series, and (computed on first use) the halves of trimmed parts of it. */
export interface GrowthWindows {
  halves: ReplicatedWindows | null;
  /** Largest fall of the series from a high to a later low (a leak gives nothing back). */
  drawdown: number;
  /**
   * The halves of the series without its first `trim` share (indices into the whole series); their
   * bootstrap runs only when the point estimates are above `threshold`.
   */
  tail(trim: number, threshold: number): ReplicatedWindows | null;
  /** x span of the series without its first `trim` share. */
  span(trim: number): number;
}

type WindowOptions = Pick<
  VerdictOptions,
  'minWindow' | 'resamples' | 'confidence' | 'seed' | 'agreeRatio' | 'trims'
>;

export function growthWindows(series: Series, options: WindowOptions = {}): GrowthWindows {
  const halves = replicatedWindows(series, options);
  const tails = new Map<string, ReplicatedWindows | null>();
  let peak = -Infinity;
  let drawdown = 0;
  for (const y of series.y) {
    peak = Math.max(peak, y);
    drawdown = Math.max(drawdown, peak - y);
  }
  return {
    halves,
    drawdown,
    span(trim) {
      const n = Math.min(series.x.length, series.y.length);
      return n ? series.x[n - 1] - series.x[Math.floor(n * trim)] : 0;
    },
    tail(trim, threshold) {
      const key = `${trim}:${threshold}`;
      let tail = tails.get(key);
      if (tail === undefined) {
        const n = Math.min(series.x.length, series.y.length);
        const skip = Math.floor(n * trim);
        const rest = replicatedWindows(slice(series, skip, n), options, threshold);
        tail = rest ? shift(rest, skip) : null;
        tails.set(key, tail);
      }
      return tail;
    },
  };
}

/**
 * The replicated-window rule at `threshold`. When the first half is the steeper one, the automatic warm-up
 * may have let a fill through (a bounded cache or deque filling at a constant rate looks steady until it
 * is full), and that fill would hide a real leak behind it by making the halves disagree: so the series
 * is judged again, by the same rule, without its first third and then without its first half, as if
 * warm-up had ended that much later. Only when the measured part never gave back more than half of what
 * the threshold allows over the trimmed part: a sawtooth whose teeth are longer than the trimmed part
 * would look linear there, but its drops give it away.
 */
export function judgeGrowth(
  windows: GrowthWindows,
  threshold: number,
  trims: readonly number[] = DEFAULT_TRIMS,
): GrowthJudgement {
  const { halves } = windows;
  if (clearlyAbove(halves, threshold)) return { halves, tail: null, above: true, by: 'halves' };
  if (!halves || halves.windows[0].slope <= halves.windows[1].slope)
    return { halves, tail: null, above: false, by: null };
  let last: ReplicatedWindows | null = null;
  for (const trim of trims) {
    if (windows.drawdown > 0.5 * threshold * windows.span(trim)) break;
    const tail = windows.tail(trim, threshold);
    if (!tail) break;
    last = tail;
    if (clearlyAbove(tail, threshold)) return { halves, tail, above: true, by: 'tail' };
  }
  return { halves, tail: last, above: false, by: null };
}

export const DEFAULT_TRIMS: readonly number[] = [1 / 3, 1 / 2];

/** Rise of the floor (minimum of a few samples, so transients do not count) over a count series. */
export function countGrowth(values: readonly number[]): CountGrowth | null {
  const n = values.length;
  if (n < 4) return null;
  const floorOf = (part: readonly number[]): number => Math.min(...part);
  const rise = (part: readonly number[]): number => {
    const m = Math.max(1, Math.ceil(part.length / 5));
    return floorOf(part.slice(part.length - m)) - floorOf(part.slice(0, m));
  };
  const h = Math.floor(n / 2);
  return { total: rise(values), first: rise(values.slice(0, h)), second: rise(values.slice(n - h)) };
}

function iterationRange(series: Series): string {
  return `iterations ${series.x[0]}–${series.x[series.x.length - 1]}`;
}

/** Verdict for one metric over samples of one process (or a combined series, see combineSamples). */
export function metricVerdict(
  metric: Metric,
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: VerdictOptions = {},
): MetricVerdict {
  const r = resolve(options);
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
  const measured = slice(full, measuredFrom, n);
  const m = measured.x.length;

  const fitOls = ols(measured);
  const fitTs = theilSen(measured);
  let mk: MetricVerdict['mannKendall'] = null;
  if (m >= 4) {
    const plain = mannKendall(measured);
    const corrected = mannKendallHamedRao(measured);
    mk = { s: plain.s, z: plain.z, p: plain.p, pCorrected: corrected.p, effectiveN: corrected.effectiveN };
  }

  const reasons: string[] = [];
  let replicated: ReplicatedWindows | null = null;
  let judged: GrowthJudgement | null = null;
  let counts: CountGrowth | null = null;
  let trend: Trend = 'flat';
  let insufficient = false;

  const span = n > 1 ? full.x[n - 1] - full.x[0] : 0;
  const plateau = detectPlateau(full, {
    minRise: limit !== null && !isCount ? 0.25 * limit * span : isCount ? 1 : 0,
    flatSlope: limit !== null && !isCount ? limit / 4 : 0,
  });

  if (isCount) {
    counts = countGrowth(measured.y);
    insufficient = counts === null;
    if (counts) {
      const sustained = counts.first >= 1 && counts.second >= 1;
      if (sustained && counts.total > 0) trend = 'growing';
      else if (plateau.plateau || counts.total > 0) trend = 'plateau';
      if (limit !== null && sustained && counts.total > limit) {
        reasons.push(
          `${metric} rose by ${counts.total} over ${iterationRange(measured)} and kept rising in both halves ` +
            `(+${counts.first}, +${counts.second}); ${describeLimit(metric, limit)}`,
        );
      }
    }
  } else {
    const labelThreshold = limit !== null ? limit / 4 : 0;
    const windows = growthWindows(measured, r);
    const label = judgeGrowth(windows, labelThreshold, r.trims);
    replicated = label.halves;
    insufficient = replicated === null;
    if (label.above) trend = 'growing';
    else if (plateau.plateau) trend = 'plateau';
    judged = limit !== null && limit !== labelThreshold ? judgeGrowth(windows, limit, r.trims) : label;
    if (limit !== null && judged.above) {
      trend = 'growing';
      const decisive = (judged.by === 'tail' ? judged.tail : judged.halves)!;
      const [a, b] = decisive.windows;
      const part = slice(measured, a.from, b.to + 1);
      const unit = metric === 'heap' || metric === 'rss' ? 'B/iteration' : 'per iteration';
      const projection = project(
        theilSen(part).slope,
        options.iterationsPerHour ?? measuredThroughput(samples, measuredFrom),
      );
      reasons.push(
        `${metric} grows ${describeProjection(projection)} in both halves of ${iterationRange(part)} ` +
          `(${a.slope.toFixed(0)} and ${b.slope.toFixed(0)} ${unit}, lower bounds ${a.low.toFixed(0)} and ` +
          `${b.low.toFixed(0)}); ${describeLimit(metric, limit)}`,
      );
    }
  }

  // Absolute ceilings: any sample, warm-up included.
  let ceiling: MetricVerdict['ceiling'] = null;
  const ceilingLimit = metric === 'heap' ? budget.heap : metric === 'rss' ? budget.rss : null;
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

  // Heap per hour, against elapsed time (time-based soaks).
  let rate: MetricVerdict['rate'] = null;
  if (metric === 'heap' && budget.rate !== null) {
    const hours: Series = { x: samples.slice(measuredFrom).map((s) => s.elapsedMs / HOUR_MS), y: measured.y };
    const timed = judgeGrowth(growthWindows(hours, r), budget.rate, r.trims);
    if (timed.halves) {
      const exceeded = timed.above;
      rate = { limit: budget.rate, judged: timed, exceeded };
      if (exceeded) {
        const [a, b] = (timed.by === 'tail' ? timed.tail : timed.halves)!.windows;
        reasons.push(
          `heap grows ${formatBytes(a.slope)}/h and ${formatBytes(b.slope)}/h in the two halves of ` +
            `${iterationRange(slice(measured, a.from, b.to + 1))}; budget ${describeBudget('rate', budget.rate)}`,
        );
      }
    }
  }

  const exceeded = reasons.length > 0;
  const projection =
    metric === 'heap' || metric === 'rss'
      ? project(fitTs.slope, options.iterationsPerHour ?? measuredThroughput(samples, measuredFrom))
      : null;

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
    projection,
  };
}

function measuredThroughput(samples: readonly Sample[], from: number): number | null {
  return iterationsPerHour(samples, from, samples.length - 1);
}

/** Tolerance for the automatic warm-up: half the metric's growth budget (per iteration). */
function warmupTolerance(metric: Metric, budget: Budget): number {
  switch (metric) {
    case 'heap':
      return (budget.growth ?? DEFAULT_BUDGET.growth ?? 32) / 2;
    case 'rss':
      return (budget.rssGrowth ?? DEFAULT_BUDGET.rssGrowth ?? 256) / 2;
    default:
      // Counts and gc objects: slopes within one unit per hundred iterations.
      return 0.01;
  }
}

/**
 * Samples of several processes (forked workers) as one series: at every iteration any of them reported,
 * the sum over processes of each one's latest sample. Processes with fewer than 3 samples (helpers that
 * serve nothing) are left out, and the series starts once every remaining process has reported, so the
 * sum is per scenario iteration, like the budget. One process: its samples in iteration order.
 */
export function combineSamples(samples: readonly Sample[]): { samples: Sample[]; pids: number[] } {
  const byPid = new Map<number, Sample[]>();
  for (const s of samples) {
    const list = byPid.get(s.pid);
    if (list) list.push(s);
    else byPid.set(s.pid, [s]);
  }
  const sortByIteration = (list: Sample[]): Sample[] =>
    list
      .map((s, i) => [s, i] as const)
      .sort((a, b) => a[0].iteration - b[0].iteration || a[1] - b[1])
      .map(([s]) => s);
  if (byPid.size <= 1) {
    return { samples: sortByIteration([...samples]), pids: [...byPid.keys()] };
  }
  let kept = [...byPid.entries()].filter(([, list]) => list.length >= 3);
  if (!kept.length) kept = [...byPid.entries()];
  const lists = kept.map(([pid, list]) => ({ pid, list: sortByIteration(list) }));
  const t0 = Math.max(...lists.map(({ list }) => list[0].iteration));
  const iterations = [...new Set(lists.flatMap(({ list }) => list.map((s) => s.iteration)))]
    .filter((it) => it >= t0)
    .sort((a, b) => a - b);
  const cursor = lists.map(() => -1);
  const out: Sample[] = [];
  for (const it of iterations) {
    const latest: Sample[] = [];
    lists.forEach(({ list }, k) => {
      while (cursor[k] + 1 < list.length && list[cursor[k] + 1].iteration <= it) cursor[k]++;
      latest.push(list[cursor[k]]);
    });
    const sum = (key: Metric): number => latest.reduce((acc, s) => acc + s[key], 0);
    out.push({
      iteration: it,
      elapsedMs: Math.max(...latest.map((s) => s.elapsedMs)),
      pid: 0,
      heap: sum('heap'),
      rss: sum('rss'),
      threads: sum('threads'),
      fds: sum('fds'),
      handlers: sum('handlers'),
      gcObjects: sum('gcObjects'),
    });
  }
  return { samples: out, pids: lists.map(({ pid }) => pid) };
}

export interface ScenarioVerdictOptions extends Omit<VerdictOptions, 'measuredFrom' | 'iterationsPerHour'> {
  /** Wall time of the scenario, for the MB/h projection when the samples carry no usable timestamps. */
  durationMs?: number;
  /** Iterations the scenario ran (with durationMs, the fallback throughput). */
  iterations?: number;
  /** First measured iteration, when the driver decided the warm-up itself; default: automatic on heap. */
  measuredFromIteration?: number;
}

export interface ScenarioVerdict {
  verdict: 'pass' | 'fail';
  metrics: Record<Metric, MetricVerdict>;
  reasons: string[];
  /** Things a reader should know that do not fail the scenario (too few samples, warm-up capped …). */
  notes: string[];
  /** Heap-based warm-up (null when measuredFromIteration was given). */
  warmup: Warmup | null;
  measuredFrom: number;
  measuredFromIteration: number | null;
  /** Processes whose samples were combined. */
  pids: number[];
  iterationsPerHour: number | null;
}

/** Automatic warm-up on the (combined) heap series, with the budget's tolerance. */
export function scenarioWarmup(
  samples: readonly Sample[],
  budget: Budget,
  options: Partial<WarmupOptions> = {},
): Warmup {
  return detectWarmup(seriesOf(samples, 'heap'), { tolerance: warmupTolerance('heap', budget), ...options });
}

/** Every metric's verdict over a scenario's samples; fails when any metric exceeds its budget. */
export function scenarioVerdict(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: ScenarioVerdictOptions = {},
): ScenarioVerdict {
  const combined = combineSamples(samples);
  const all = combined.samples;
  let warmup: Warmup | null = null;
  let measuredFrom: number;
  const notes: string[] = [];
  if (options.measuredFromIteration !== undefined) {
    const index = all.findIndex((s) => s.iteration >= options.measuredFromIteration!);
    measuredFrom = index === -1 ? Math.max(0, all.length - 1) : index;
  } else {
    warmup = scenarioWarmup(all, budget, options.warmup);
    measuredFrom = warmup.start;
    if (warmup.reason === 'cap') {
      notes.push(`warm-up never settled; measured from iteration ${warmup.startX ?? '?'} anyway`);
    } else if (!warmup.done) {
      notes.push('warm-up had not settled when the scenario ended; measured from the last samples');
    }
  }
  let perHour = iterationsPerHour(all, measuredFrom, all.length - 1);
  if (perHour === null && options.durationMs && options.iterations) {
    perHour = (options.iterations / options.durationMs) * HOUR_MS;
  }
  const metrics = {} as Record<Metric, MetricVerdict>;
  const reasons: string[] = [];
  for (const metric of METRICS) {
    const v = metricVerdict(metric, all, budget, { ...options, measuredFrom, iterationsPerHour: perHour });
    metrics[metric] = v;
    if (v.reason) reasons.push(v.reason);
  }
  const heap = metrics.heap;
  if (heap.insufficient) {
    notes.push(
      `only ${heap.samples} samples after warm-up: growth needs at least ${2 * resolve(options).minWindow} ` +
        '(more iterations or a smaller sampleEvery); only ceilings and counts were checked',
    );
  }
  if (combined.pids.length > 1)
    notes.push(`samples of ${combined.pids.length} processes summed per iteration`);
  return {
    verdict: reasons.length ? 'fail' : 'pass',
    metrics,
    reasons,
    notes,
    warmup,
    measuredFrom,
    measuredFromIteration: all[measuredFrom]?.iteration ?? null,
    pids: combined.pids,
    iterationsPerHour: perHour,
  };
}

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
 * Stop a scenario early once the verdict is as good as certain: 'fail' at once when a ceiling is crossed,
 * or after minFailSamples measured samples when a metric grows at failMargin × its budget by the full rule
 * (or a count rose by more than allowed + 3 in both halves); 'pass' after minPassSamples measured samples
 * when every budgeted metric's growth is bounded well below its budget (both halves' upper bounds under
 * passMargin × budget) and no count rose; otherwise null (keep going). scenarioVerdict on the same
 * samples gives the same answer (the early thresholds are stricter versions of its own).
 */
export function earlyStop(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: EarlyStopOptions = {},
): 'fail' | 'pass' | null {
  const all = combineSamples(samples).samples;
  if (!all.length) return null;
  let ceilingClose = false;
  for (const metric of ['heap', 'rss'] as const) {
    const limit = budget[metric];
    if (limit === null) continue;
    const max = Math.max(...all.map((s) => s[metric]));
    if (max > limit) return 'fail';
    if (max > 0.9 * limit) ceilingClose = true;
  }
  let measuredFrom: number;
  if (options.measuredFromIteration !== undefined) {
    const index = all.findIndex((s) => s.iteration >= options.measuredFromIteration!);
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
  const r = resolve(options);
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
      if (mayFail && c && c.first >= 1 && c.second >= 1 && c.total > limit + 3) return 'fail';
      if (!c || c.total > 0) allQuiet = false;
      continue;
    }
    const windows = growthWindows(series, r);
    if (mayFail && judgeGrowth(windows, failMargin * limit, r.trims).above) return 'fail';
    if (!quiet(windows.halves, limit) || judgeGrowth(windows, limit, r.trims).above) allQuiet = false;
  }
  if (budget.rate !== null) {
    const hours: Series = { x: measured.map((s) => s.elapsedMs / HOUR_MS), y: measured.map((s) => s.heap) };
    const windows = growthWindows(hours, r);
    if (mayFail && judgeGrowth(windows, failMargin * budget.rate, r.trims).above) return 'fail';
    if (!quiet(windows.halves, budget.rate) || judgeGrowth(windows, budget.rate, r.trims).above)
      allQuiet = false;
  }
  return allQuiet ? 'pass' : null;
}
