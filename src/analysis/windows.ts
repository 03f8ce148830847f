/**
 * The replicated-window rule for growing metrics (docs/verdict.md, "The decision rule"): two equal halves
 * of the measured series, each with a Theil–Sen slope and a block-bootstrap interval; growth is "clearly
 * above" a threshold when both halves are, they agree, and the level rose between them too. When the
 * first half is the steeper, the rule is applied again to trimmed parts of the series (a fill hiding a
 * leak behind it).
 */
import { blockBootstrapSlopeInterval, median, theilSen } from './regression.js';
import type { Series } from '../model/sample.js';

export interface WindowOptions {
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
  /** Shares of the measured part dropped for the re-judgements when the first half is steeper. */
  trims?: readonly number[];
}

export const DEFAULT_TRIMS: readonly number[] = [1 / 3, 1 / 2];

export type ResolvedWindowOptions = Required<WindowOptions>;

export function resolveWindowOptions(options: WindowOptions): ResolvedWindowOptions {
  return {
    minWindow: Math.max(3, Math.round(options.minWindow ?? 5)),
    resamples: options.resamples ?? 300,
    confidence: options.confidence ?? 0.9,
    seed: options.seed ?? 1,
    agreeRatio: options.agreeRatio ?? 0.5,
    trims: options.trims ?? DEFAULT_TRIMS,
  };
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

export function sliceSeries(series: Series, from: number, to: number): Series {
  return { x: series.x.slice(from, to), y: series.y.slice(from, to) };
}

/**
 * Two equal halves of the measured series (the middle sample is left out when n is odd), or null when a
 * half would hold fewer than minWindow samples. With `onlyIfAbove`, the bootstrap is skipped when the
 * point estimates alone already rule out "clearly above" that threshold (then low = high = slope and
 * `intervals` is false): the trimmed re-judgements use that to stay cheap.
 */
export function replicatedWindows(
  series: Series,
  options: WindowOptions = {},
  onlyIfAbove?: number,
): ReplicatedWindows | null {
  const r = resolveWindowOptions(options);
  const n = Math.min(series.x.length, series.y.length);
  const h = Math.floor(n / 2);
  if (h < r.minWindow) return null;
  const fit = (from: number) => {
    const part = sliceSeries(series, from, from + h);
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
        const rest = replicatedWindows(sliceSeries(series, skip, n), options, threshold);
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

/** The halves that decided a judgement that came out above its threshold. */
export function decisiveHalves(judged: GrowthJudgement): ReplicatedWindows | null {
  return judged.by === 'tail' ? judged.tail : judged.by === 'halves' ? judged.halves : null;
}
