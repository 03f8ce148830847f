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
   * Longest run of samples an excursion may be (default: 4, or an eighth of the samples when more: how
   * many samples a 300 ms hold covers depends on the cadence).
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

/** Median and robust standard deviation (1.4826 × MAD) of the series' increments. */
function increments(y: readonly number[]): { centre: number; spread: number } {
  const steps: number[] = [];
  for (let i = 1; i < y.length; i++) steps.push(y[i] - y[i - 1]);
  const centre = median(steps);
  return { centre, spread: 1.4826 * median(steps.map((s) => Math.abs(s - centre))) };
}

function runMin(y: readonly number[], from: number, to: number): number {
  let min = Infinity;
  for (let k = from; k <= to; k++) min = Math.min(min, y[k]);
  return min;
}

export function settleExcursions(series: Series, options: ExcursionOptions): Settled {
  const n = Math.min(series.x.length, series.y.length);
  const y = series.y.slice(0, n);
  const { centre, spread } = increments(y);
  const threshold = Math.max(options.floor, (options.spread ?? 8) * spread);
  const maxRun = options.maxRun ?? Math.max(4, Math.floor(n / 8));
  const out = new Uint8Array(n);
  let height = 0;
  let transient = 0;
  let tail = 0;
  if (n >= 8) {
    // Runs that came back: every sample of the run above both neighbours by more than the threshold.
    for (let i = 1; i < n - 1; i++) {
      for (let len = 1; len <= maxRun && i + len < n; len++) {
        const j = i + len - 1;
        const above = runMin(y, i, j) - Math.max(y[i - 1], y[j + 1]);
        if (above <= threshold) continue;
        for (let k = i; k <= j; k++) out[k] = 1;
        transient += len;
        height = Math.max(height, above);
        i = j;
        break;
      }
    }
    // A run at the start whose rise was before the measured part: it fell back far beyond the usual increment.
    for (let len = 1; len <= maxRun && len < n - 1; len++) {
      if (out[len]) break;
      const drop = runMin(y, 0, len - 1) - y[len] + centre * len;
      if (drop <= threshold) continue;
      for (let k = 0; k < len; k++) out[k] = 1;
      transient += len;
      height = Math.max(height, drop);
      break;
    }
    // A run at the end that has not come back: a lone jump far beyond the usual increment.
    for (let len = 1; len <= maxRun && len < n - 1; len++) {
      const i = n - len;
      if (out[i - 1]) break;
      const jump = runMin(y, i, n - 1) - y[i - 1] - centre * len;
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
