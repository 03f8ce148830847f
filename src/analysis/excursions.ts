/**
 * Transient excursions of a byte series (docs/verdict.md, "Transients"): memory a service holds for a
 * moment and gives back — a periodic job's 30 MB buffer held for 300 ms every 2 s. Such a buffer shows as
 * a run of a few samples far above the samples on both sides of it; a leak gives nothing back, so it never
 * makes one. Those runs are left out of the growth verdict, and so is such a run at the very start, whose
 * rise came before the measured part. A run at the very end that has not come back yet is left out too when it starts with a lone jump far beyond the series' usual increments (a one-off
 * step of that size is not sustained growth either way). A sawtooth's teeth are not excursions (each
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
  /**
   * Longest run of samples an excursion may be (default: 4, or a third of the samples when more: how many
   * samples a 300 ms hold covers depends on the cadence, and a fast run of 2 s may hold it for 9 of 60;
   * a run at either end, seen from one side only, at most an eighth unless it stands out far more than
   * the rest of the series spans).
   */
  maxRun?: number;
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

export function settleExcursions(series: Series, options: ExcursionOptions): Settled {
  const n = Math.min(series.x.length, series.y.length);
  const y = series.y.slice(0, n);
  const { centre, spread } = usualIncrement(y);
  const threshold = Math.max(options.floor, (options.spread ?? 8) * spread);
  const maxRun = options.maxRun ?? Math.max(4, Math.floor(n / 3));
  // At either end a run is seen from one side only, weaker evidence: it stays short unless its height
  // leaves no doubt (a long first tooth of a sawtooth falls back too).
  const maxEnd = options.maxRun ?? Math.max(4, Math.floor(n / 8));
  const out = new Uint8Array(n);
  let height = 0;
  let transient = 0;
  let tail = 0;
  if (n >= 8) {
    // Runs that came back: every sample of the run above both neighbours by more than the threshold.
    for (let i = 1; i < n - 1; i++) {
      let min = Infinity;
      for (let len = 1; len <= maxRun && i + len < n; len++) {
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
    // A run at the start whose rise was before the measured part: it fell back far beyond the usual increment.
    // Longer than an eighth, it must also fall by more than twice what the rest of the series spans: a held
    // buffer at the start of a run of 1 s covers a third of it and falls 30 MB; the first tooth of a
    // sawtooth falls by about the height of the next tooth.
    const restLow = new Float64Array(n + 1).fill(Infinity);
    const restHigh = new Float64Array(n + 1).fill(-Infinity);
    for (let k = n - 1; k >= 0; k--) {
      // Without the runs already left out: another hold later on is not part of what the series spans.
      restLow[k] = out[k] ? restLow[k + 1] : Math.min(restLow[k + 1], y[k]);
      restHigh[k] = out[k] ? restHigh[k + 1] : Math.max(restHigh[k + 1], y[k]);
    }
    let min = Infinity;
    for (let len = 1; len <= maxRun && len < n - 1; len++) {
      if (out[len]) break;
      min = Math.min(min, y[len - 1]);
      const drop = min - y[len] + centre * len;
      if (drop <= threshold) continue;
      if (len > maxEnd && drop <= 2 * (restHigh[len] - restLow[len])) continue;
      for (let k = 0; k < len; k++) out[k] = 1;
      transient += len;
      height = Math.max(height, drop);
      break;
    }
    // A run at the end that has not come back: a lone jump far beyond the usual increment.
    min = Infinity;
    for (let len = 1; len <= maxEnd && len < n - 1; len++) {
      const i = n - len;
      if (out[i - 1]) break;
      min = Math.min(min, y[i]);
      const jump = min - y[i - 1] - centre * len;
      if (jump <= threshold) continue;
      for (let k = i; k < n; k++) out[k] = 1;
      tail = len;
      height = Math.max(height, jump);
      break;
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
