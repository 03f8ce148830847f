/**
 * Transient excursions of a byte series (docs/verdict.md, "Transients"): memory a service holds for a
 * moment and gives back — a periodic job's 30 MB buffer held for 300 ms every 2 s. Such a buffer shows as
 * a run of a few samples far above the samples on both sides of it; a leak gives nothing back, so it never
 * makes one. Those runs are left out of the growth verdict, and so is such a run at the very start, whose
 * rise came before the measured part. A run at the very end that has not come back yet is left out too
 * when it starts with a lone jump far beyond the series' usual increments (a one-off step of that size is
 * not sustained growth either way). A sawtooth's teeth are not excursions (each
 * tooth starts where the one before it ended, not far below), nor is a leak's rise (what follows it is
 * higher): the verdict's own rules judge those.
 */
import { median } from './regression.js';
import type { Series } from '../model/sample.js';

export interface ExcursionOptions {
  /**
   * A run must stand this far above the samples on both sides to be an excursion (y units), at least:
   * what the budget allows over a few samples, so noise-sized bumps keep their samples.
   */
  floor: number;
  /** … and this many robust standard deviations of the increments (default 8). */
  spread?: number;
}

export interface Settled {
  /** The series without the excursions' samples. */
  series: Series;
  /** Indices (into the given series) of the samples kept. */
  kept: number[];
  /** Samples left out because the series came back below them on both sides. */
  transient: number;
  /** Samples left out at the end, after a lone jump that had not come back when the run ended. */
  tail: number;
  /** Largest height of a left-out sample above its surroundings. */
  height: number;
  /** The height that counted as an excursion. */
  threshold: number;
}

/** Most lags an increment is taken over when looking for the series' usual step (see usualIncrement). */
const MAX_LAG = 4;

/** |Z| of a normal variable is below this a quarter of the time: scales a lower quartile to a standard deviation. */
const NORMAL_ABS_Q25 = 0.3186;

/**
 * The series' usual increment per sample and its robust spread, from the increments over 1 to 4 samples,
 * keeping the lag whose increments spread least. Why not simply the median and MAD of consecutive
 * increments: a periodic job sampled at a cadence that aliases with its period puts every second or
 * fourth sample in the hold, so half or all of the consecutive increments are ±30 MB, the MAD becomes
 * tens of MB and the threshold hundreds; over the hold's own period the increments are clean again. The
 * spread is a lower quartile of the absolute deviations (breaks down only when three quarters of the
 * increments are excursions), scaled as a standard deviation.
 */
function usualIncrement(y: readonly number[]): { centre: number; spread: number } {
  let best = { centre: 0, spread: Infinity };
  for (let lag = 1; lag <= Math.min(MAX_LAG, y.length - 1); lag++) {
    const steps: number[] = [];
    for (let i = lag; i < y.length; i++) steps.push(y[i] - y[i - lag]);
    const centre = median(steps);
    const deviations = steps.map((s) => Math.abs(s - centre)).sort((a, b) => a - b);
    const spread = deviations[Math.floor(deviations.length / 4)] / NORMAL_ABS_Q25;
    if (spread < best.spread) best = { centre: centre / lag, spread };
  }
  return Number.isFinite(best.spread) ? best : { centre: 0, spread: 0 };
}

/**
 * What the samples not left out span (max − min of their values), from each index to the end (`after`)
 * or from the start up to it, excluded (`before`).
 */
function keptSpans(y: readonly number[], out: Uint8Array, side: 'after' | 'before'): Float64Array {
  const n = y.length;
  const spans = new Float64Array(n + 1);
  let low = Infinity;
  let high = -Infinity;
  const keep = (k: number) => {
    if (out[k]) return;
    low = Math.min(low, y[k]);
    high = Math.max(high, y[k]);
  };
  if (side === 'after') {
    for (let k = n - 1; k >= 0; k--) {
      keep(k);
      spans[k] = high - low;
    }
  } else {
    for (let k = 0; k < n; k++) {
      spans[k] = k === 0 ? 0 : high - low;
      keep(k);
    }
  }
  return spans;
}

interface EndRun {
  length: number;
  height: number;
}

/**
 * A run at the start whose rise was before the measured part: it fell back far beyond the usual increment.
 * Longer than `maxEnd`, it must also fall by more than twice what the rest of the series spans, without
 * the runs already left out: a held buffer at the start of a run of 1 s covers a third of it and falls
 * 30 MB; the first tooth of a sawtooth falls by about the height of the next tooth. That fall is taken as
 * seen, without the usual increments the run's length would have added: over two teeth of a sawtooth
 * whose samples mostly rise, those alone would make up the difference.
 */
function startRun(
  y: readonly number[],
  centre: number,
  out: Uint8Array,
  threshold: number,
  maxEnd: number,
): EndRun | null {
  const n = y.length;
  const spanAfter = keptSpans(y, out, 'after');
  let min = Infinity;
  for (let len = 1; len < n - 1; len++) {
    if (out[len]) break;
    min = Math.min(min, y[len - 1]);
    const drop = min - y[len] + centre * len;
    if (drop <= threshold) continue;
    if (len > maxEnd && min - y[len] <= 2 * spanAfter[len]) continue;
    return { length: len, height: drop };
  }
  return null;
}

/**
 * A run at the end that has not come back: a lone jump far beyond the usual increment. Longer than
 * `maxEnd` (a 300 ms hold at the end of a 2 s run at 1500 requests a second covers 9 samples of 60), the
 * same rule as at the start: a jump, as seen, of more than twice what the rest of the series spans. It is
 * startRun's rule read backwards: the series reversed, its usual increment negated.
 */
function endRun(
  y: readonly number[],
  centre: number,
  out: Uint8Array,
  threshold: number,
  maxEnd: number,
): EndRun | null {
  return startRun([...y].reverse(), -centre, out.slice().reverse(), threshold, maxEnd);
}

/** Runs at both ends that each pass the rule only with the other one left out (see settleExcursions). */
function endsAsPair(
  y: readonly number[],
  centre: number,
  out: Uint8Array,
  threshold: number,
  maxEnd: number,
): { first: EndRun; last: EndRun } | null {
  const n = y.length;
  // The end's candidate: its jump alone, whatever the rest spans.
  const last = endRun(y, centre, out, threshold, n);
  if (!last) return null;
  const trial = out.slice();
  trial.fill(1, n - last.length);
  const first = startRun(y, centre, trial, threshold, maxEnd);
  if (!first) return null;
  trial.fill(0, n - last.length);
  trial.fill(1, 0, first.length);
  const confirmed = endRun(y, centre, trial, threshold, maxEnd);
  return confirmed && confirmed.length === last.length ? { first, last } : null;
}

export function settleExcursions(series: Series, options: ExcursionOptions): Settled {
  const n = Math.min(series.x.length, series.y.length);
  const y = series.y.slice(0, n);
  const { centre, spread } = usualIncrement(y);
  const threshold = Math.max(options.floor, (options.spread ?? 8) * spread);
  // At either end a run is seen from one side only, weaker evidence: it stays short unless its height
  // leaves no doubt (a long first tooth of a sawtooth falls back too).
  const maxEnd = Math.max(4, Math.floor(n / 8));
  const out = new Uint8Array(n);
  let height = 0;
  let transient = 0;
  let tail = 0;
  if (n >= 8) {
    // Runs that came back: every sample of the run above both neighbours by more than the threshold. Of any
    // length: at thousands of requests a second a 300 ms hold covers half of a one-second run (a third was
    // the limit once, and let 2 KB leaks pass one run in eight there). What is left may then be too few
    // samples to judge: the verdict says so (verdict.ts).
    for (let i = 1; i < n - 1; i++) {
      let min = Infinity;
      for (let len = 1; i + len < n; len++) {
        const j = i + len - 1;
        min = Math.min(min, y[j]);
        // Once the run's lowest sample is no longer above the sample before it, no longer run can be.
        if (min - y[i - 1] <= threshold) break;
        const above = min - Math.max(y[i - 1], y[j + 1]);
        if (above <= threshold) continue;
        for (let k = i; k <= j; k++) out[k] = 1;
        transient += len;
        height = Math.max(height, above);
        i = j;
        break;
      }
    }
    // At the ends: the start first, then the end, then the start again if the end's run was in the way
    // (a long hold at the start is judged against what the rest spans, and a hold at the end was part of it).
    const leaveOut = (run: EndRun, at: 'start' | 'end') => {
      const from = at === 'start' ? 0 : n - run.length;
      for (let k = from; k < from + run.length; k++) out[k] = 1;
      if (at === 'start') transient += run.length;
      else tail = run.length;
      height = Math.max(height, run.height);
    };
    const first = startRun(y, centre, out, threshold, maxEnd);
    if (first) leaveOut(first, 'start');
    const last = endRun(y, centre, out, threshold, maxEnd);
    if (last) leaveOut(last, 'end');
    if (last && !first) {
      const again = startRun(y, centre, out, threshold, maxEnd);
      if (again) leaveOut(again, 'start');
    } else if (!first && !last) {
      // Long holds at both ends, each in what the other is measured against: tried as a pair, each must
      // pass with the other left out.
      const pair = endsAsPair(y, centre, out, threshold, maxEnd);
      if (pair) {
        leaveOut(pair.first, 'start');
        leaveOut(pair.last, 'end');
      }
    }
  }
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (!out[i]) kept.push(i);
  return {
    series: { x: kept.map((i) => series.x[i]), y: kept.map((i) => y[i]) },
    kept,
    transient,
    tail,
    height,
    threshold,
  };
}
