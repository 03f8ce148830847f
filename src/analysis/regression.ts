/**
 * Slopes of a series: ordinary least squares (with R², a diagnostic), the Theil–Sen robust slope, and a
 * moving-block bootstrap interval for the slope that respects autocorrelated, step-like noise.
 * Pure: numbers in, numbers out; the bootstrap is seeded, so the same series always gives the same interval.
 */
import { linearRegression, quantileSorted, rSquared } from 'simple-statistics';
import { mulberry32, randomInt } from './random.js';
import type { Series } from '../model/sample.js';

export interface LinearFit {
  slope: number;
  intercept: number;
}

export interface OlsFit extends LinearFit {
  /** Share of the variance the line explains; 0 when y does not vary or x does not spread. */
  r2: number;
}

function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let sum = 0;
  for (const v of values) sum += (v - mean) ** 2;
  return sum / values.length;
}

function mean(values: readonly number[]): number {
  if (!values.length) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Least-squares line through (x, y) and its R² (simple-statistics). */
export function ols(series: Series): OlsFit {
  const n = Math.min(series.x.length, series.y.length);
  if (n === 0) return { slope: 0, intercept: 0, r2: 0 };
  const x = series.x.slice(0, n);
  const y = series.y.slice(0, n);
  if (n < 2 || variance(x) === 0) return { slope: 0, intercept: mean(y), r2: 0 };
  const points = x.map((xi, i) => [xi, y[i]]);
  const { m, b } = linearRegression(points);
  const r2 = variance(y) === 0 ? 0 : rSquared(points, (xi) => m * xi + b);
  return { slope: m, intercept: b, r2: Number.isFinite(r2) ? Math.max(0, Math.min(1, r2)) : 0 };
}

/** The k-th smallest of the first `length` entries (reorders them): Hoare quickselect, O(n). */
function selectInPlace(values: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

function medianF64(values: Float64Array, length: number): number {
  if (length === 0) return 0;
  const half = length >>> 1;
  const upper = selectInPlace(values, length, half);
  if (length % 2) return upper;
  // The lower middle is the largest value left of the upper middle after the partition.
  let lower = -Infinity;
  for (let i = 0; i < half; i++) if (values[i] > lower) lower = values[i];
  return (lower + upper) / 2;
}

/** Median of the first `length` entries of `values` (a Float64Array is reordered in place). */
export function medianInPlace(values: Float64Array | number[], length = values.length): number {
  return medianF64(values instanceof Float64Array ? values : Float64Array.from(values), length);
}

/** Median of the values (0 for none); the array is left as it is. */
export function median(values: readonly number[]): number {
  return medianF64(Float64Array.from(values), values.length);
}

export interface TheilSenOptions {
  /** Above this many pairs, a seeded random subset of this many pairs is used (default 50 000). */
  maxPairs?: number;
  /** Seed of that subset (default 0x5eed). */
  seed?: number;
}

const DEFAULT_MAX_PAIRS = 50_000;

/** Theil–Sen slope of y over x (no copies of the arrays; `scratch` is reused when large enough). */
function theilSenSlope(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  n: number,
  options: TheilSenOptions = {},
  scratch?: Float64Array,
): number {
  if (n < 2) return 0;
  const maxPairs = Math.max(1, options.maxPairs ?? DEFAULT_MAX_PAIRS);
  const total = (n * (n - 1)) / 2;
  const size = Math.min(total, maxPairs);
  const slopes = scratch && scratch.length >= size ? scratch : new Float64Array(size);
  let count = 0;
  if (total <= maxPairs) {
    for (let i = 0; i < n - 1; i++) {
      const xi = x[i];
      const yi = y[i];
      for (let j = i + 1; j < n; j++) {
        const dx = x[j] - xi;
        if (dx !== 0) slopes[count++] = (y[j] - yi) / dx;
      }
    }
  } else {
    // Deterministic subsample of the pairs: for n up to a few thousand, 50 000 random pairs put the
    // median within a fraction of a per cent of the full one, at a tiny fraction of the cost.
    const random = mulberry32(options.seed ?? 0x5eed);
    for (let k = 0; k < size; k++) {
      const i = randomInt(random, n);
      let j = randomInt(random, n - 1);
      if (j >= i) j++;
      const dx = x[j] - x[i];
      if (dx !== 0) slopes[count++] = (y[j] - y[i]) / dx;
    }
  }
  return count ? medianF64(slopes, count) : 0;
}

function interceptFor(x: ArrayLike<number>, y: ArrayLike<number>, n: number, slope: number): number {
  const rest = new Float64Array(n);
  for (let i = 0; i < n; i++) rest[i] = y[i] - slope * x[i];
  return medianF64(rest, n);
}

/**
 * Theil–Sen line: the median of the slopes of all pairs of points (pairs with equal x skipped), and the
 * median of y − slope·x as intercept. Robust to up to ~29% wild points; not to steps in the middle of
 * the series (half the pairs straddle them), which is why the verdict compares windows as well.
 */
export function theilSen(series: Series, options: TheilSenOptions = {}): LinearFit {
  const n = Math.min(series.x.length, series.y.length);
  if (n === 0) return { slope: 0, intercept: 0 };
  const slope = theilSenSlope(series.x, series.y, n, options);
  return { slope, intercept: interceptFor(series.x, series.y, n, slope) };
}

export interface BootstrapOptions {
  /** Length of the moving blocks, in samples (default max(2, round(1.5·n^⅓)): 4 for 15 samples). */
  blockLength?: number;
  /** Alternatively: how many blocks a resample is made of (block length = ceil(n / blocks)). */
  blocks?: number;
  /** Bootstrap resamples (default 300). */
  resamples?: number;
  /** Two-sided coverage of the interval (default 0.9, so `low` is a one-sided 95% lower bound). */
  confidence?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Slope estimator refitted on every resample (default 'theil-sen'). */
  estimator?: 'theil-sen' | 'ols';
  /**
   * What is resampled in blocks (default 'increments'):
   * - 'residuals': the residuals around the fitted line, added back onto it. Right for stationary noise
   *   (in-flight data that comes and goes); too narrow when the noise itself wanders.
   * - 'increments': the per-x increments of the series, re-accumulated from the first value. Right for
   *   integrated, step-like noise (a random walk of dict resizes and free-list steps that stay), whose
   *   apparent drift over a short window the residual bootstrap cannot see; wider (conservative) on
   *   stationary noise.
   */
  method?: 'residuals' | 'increments';
  /**
   * Longer series are first reduced to this many bins (mean x, median y of consecutive samples) for the
   * resampling, so that a soak of thousands of samples costs what 64 do (default 64). The point estimate
   * is still the full series' slope.
   */
  maxPoints?: number;
}

export interface SlopeInterval {
  /** The estimator's slope on the series itself. */
  slope: number;
  low: number;
  high: number;
  blockLength: number;
}

function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Block length for n samples given the options. */
export function bootstrapBlockLength(
  n: number,
  options: Pick<BootstrapOptions, 'blockLength' | 'blocks'> = {},
): number {
  let length: number;
  if (options.blockLength !== undefined) length = Math.round(options.blockLength);
  else if (options.blocks !== undefined) length = Math.ceil(n / Math.max(1, options.blocks));
  else length = Math.round(1.5 * Math.cbrt(n));
  return Math.max(1, Math.min(n, Math.max(2, length)));
}

/**
 * Percentile interval of the slope by a moving-block bootstrap (Künsch 1989; Lahiri 2003, ch. 2): the
 * series is cut into randomly chosen contiguous blocks and rebuilt, so the autocorrelation and the steps
 * of heap noise stay inside a block instead of being shuffled away, and the slope is refitted each time.
 *
 * By default the blocks are of increments, re-accumulated from the first value (a block bootstrap of the
 * differenced series). Measured on 15-sample windows (test/analysis/regression.test.ts): with AR(1) or
 * step-walk noise the residual variant covers the true slope only ~40–50% of the time at a nominal 90%,
 * because a short window's residuals around its own fitted line hide the noise's wander; the increment
 * variant covers ~93–98%, a little wide on purely stationary noise (conservative for a lower bound).
 * Series are sorted by x first.
 */
export function blockBootstrapSlopeInterval(series: Series, options: BootstrapOptions = {}): SlopeInterval {
  const total = Math.min(series.x.length, series.y.length);
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => series.x[a] - series.x[b]);
  const fullX = Float64Array.from(order, (i) => series.x[i]);
  const fullY = Float64Array.from(order, (i) => series.y[i]);
  const useOls = options.estimator === 'ols';
  const slope = useOls ? olsSlope(fullX, fullY, total) : theilSenSlope(fullX, fullY, total);

  const bins = Math.max(8, Math.round(options.maxPoints ?? 64));
  let x = fullX;
  let y = fullY;
  if (total > bins) {
    x = new Float64Array(bins);
    y = new Float64Array(bins);
    for (let g = 0; g < bins; g++) {
      const from = Math.floor((g * total) / bins);
      const to = Math.floor(((g + 1) * total) / bins);
      let sum = 0;
      for (let i = from; i < to; i++) sum += fullX[i];
      x[g] = sum / (to - from);
      y[g] = medianF64(fullY.slice(from, to), to - from);
    }
  }
  const n = x.length;
  const blockLength = bootstrapBlockLength(n, options);
  if (n < 3) return { slope, low: slope, high: slope, blockLength };
  const scratch = new Float64Array(Math.min((n * (n - 1)) / 2, DEFAULT_MAX_PAIRS) || 1);
  const estimate = (ys: Float64Array): number =>
    useOls ? olsSlope(x, ys, n) : theilSenSlope(x, ys, n, {}, scratch);
  // The slope of the (binned) series the resamples are built from; their spread is moved onto `slope`.
  const base = n === total ? slope : estimate(y);

  const resamples = Math.max(20, Math.round(options.resamples ?? 300));
  const confidence = Math.min(0.999, Math.max(0.5, options.confidence ?? 0.9));
  const random = mulberry32(options.seed ?? 1);
  const ys = new Float64Array(n);
  const slopes: number[] = new Array<number>(resamples);

  if ((options.method ?? 'increments') === 'increments') {
    // Rates between neighbours, resampled in blocks and integrated again over the real x steps.
    const m = n - 1;
    const rates = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const dx = x[i + 1] - x[i];
      rates[i] = dx === 0 ? 0 : (y[i + 1] - y[i]) / dx;
    }
    const length = Math.min(m, blockLength);
    const starts = m - length + 1;
    for (let r = 0; r < resamples; r++) {
      ys[0] = y[0];
      let filled = 0;
      while (filled < m) {
        const start = randomInt(random, starts);
        for (let k = 0; k < length && filled < m; k++, filled++) {
          ys[filled + 1] = ys[filled] + rates[start + k] * (x[filled + 1] - x[filled]);
        }
      }
      slopes[r] = estimate(ys);
    }
  } else {
    const intercept = useOls ? mean(Array.from(y)) - base * mean(Array.from(x)) : interceptFor(x, y, n, base);
    const fitted = Float64Array.from(x, (xi) => intercept + base * xi);
    const residuals = Float64Array.from(y, (yi, i) => yi - fitted[i]);
    // Centre the residuals so that the resamples have no drift of their own.
    const centre = useOls ? mean(Array.from(residuals)) : medianInPlace(Float64Array.from(residuals));
    for (let i = 0; i < n; i++) residuals[i] -= centre;
    const starts = n - blockLength + 1;
    for (let r = 0; r < resamples; r++) {
      let filled = 0;
      while (filled < n) {
        const start = randomInt(random, starts);
        for (let k = 0; k < blockLength && filled < n; k++, filled++)
          ys[filled] = fitted[filled] + residuals[start + k];
      }
      slopes[r] = estimate(ys);
    }
  }
  slopes.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  const shift = slope - base;
  return {
    slope,
    low: Math.min(slope, quantileSorted(slopes, tail) + shift),
    high: Math.max(slope, quantileSorted(slopes, 1 - tail) + shift),
    blockLength,
  };
}
