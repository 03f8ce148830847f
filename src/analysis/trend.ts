/**
 * Mann–Kendall trend test, plain and with the Hamed–Rao correction for autocorrelation.
 *
 * Plain Mann–Kendall assumes independent observations. Heap samples are not: they move in steps
 * (dict resizes, arenas, free lists) and stay there, so neighbouring samples are strongly correlated and
 * plain MK calls a trend far more often than its nominal level (docs/verdict.md: 25–47% at a nominal 5%).
 * The corrected test inflates the variance of S by n/n*, the ratio of the sample size to the effective
 * sample size, estimated from the significant autocorrelations of the ranks of the detrended series:
 *
 *   Hamed, K. H. & Rao, A. R. (1998). A modified Mann-Kendall trend test for autocorrelated data.
 *   Journal of Hydrology 204(1–4), 182–196. https://doi.org/10.1016/S0022-1694(97)00125-X
 *
 * following the reference implementation in pyMannKendall (`hamed_rao_modification_test`): detrend with
 * the Theil–Sen slope, rank, keep the lag-k autocorrelations outside ±z(1−α/2)/√n, and
 *   n/n* = 1 + 2 / (n(n−1)(n−2)) · Σ_k (n−k)(n−k−1)(n−k−2) ρ_k,
 * except that by default only the leading run of significant lags is summed (see HamedRaoOptions.lags):
 * measured on AR(1) noise (φ 0.8, n 100, no trend) plain MK says "trend" 48% of the time at 5%, the
 * all-lags correction 25%, the leading-lags one 14%, and without detrending 8% (at some cost in power).
 * Short, strongly persistent series remain hard for every variant, which is one more reason the verdict
 * does not rest on this test.
 * These are diagnostics: the verdict itself rests on replicated windows (see windows.ts, docs/verdict.md).
 */
import { errorFunction, probit } from 'simple-statistics';
import { theilSen } from './regression.js';
import type { Series } from '../model/sample.js';

export interface MannKendall {
  n: number;
  /** Σ sign(y_j − y_i) over i < j, in x order. */
  s: number;
  /** Variance of S under no trend, corrected for ties (and, for Hamed–Rao, for autocorrelation). */
  variance: number;
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** Kendall's tau: S / (n(n−1)/2). */
  tau: number;
}

export interface HamedRaoMannKendall extends MannKendall {
  /** n/n*: the factor the variance was multiplied by (1 when no autocorrelation was significant). */
  correction: number;
  /** n* = n / correction. */
  effectiveN: number;
  /** Lags whose autocorrelation was significant and entered the correction. */
  significantLags: number[];
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

function ordered(series: Series): number[] {
  const n = Math.min(series.x.length, series.y.length);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => series.x[a] - series.x[b]);
  return order.map((i) => series.y[i]);
}

function mkScore(y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < y.length - 1; i++) {
    for (let j = i + 1; j < y.length; j++) s += Math.sign(y[j] - y[i]);
  }
  return s;
}

function tiedVariance(y: readonly number[]): number {
  const n = y.length;
  const groups = new Map<number, number>();
  for (const v of y) groups.set(v, (groups.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of groups.values()) if (t > 1) ties += t * (t - 1) * (2 * t + 5);
  return (n * (n - 1) * (2 * n + 5) - ties) / 18;
}

function zScore(s: number, variance: number): number {
  if (variance <= 0 || s === 0) return 0;
  return (s > 0 ? s - 1 : s + 1) / Math.sqrt(variance);
}

function finish(n: number, s: number, variance: number): MannKendall {
  const z = zScore(s, variance);
  const p = Math.min(1, Math.max(0, 2 * (1 - normalCdf(Math.abs(z)))));
  return { n, s, variance, z, p, tau: n > 1 ? s / ((n * (n - 1)) / 2) : 0 };
}

/** Plain Mann–Kendall (continuity-corrected Z, tie-corrected variance). Assumes independent samples. */
export function mannKendall(series: Series): MannKendall {
  const y = ordered(series);
  return finish(y.length, mkScore(y), tiedVariance(y));
}

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Sample autocorrelation at lags 0..maxLag (normalised by the lag-0 sum, as statsmodels' acf). */
export function autocorrelation(values: readonly number[], maxLag: number): number[] {
  const n = values.length;
  const m = values.reduce((a, b) => a + b, 0) / (n || 1);
  let denominator = 0;
  for (const v of values) denominator += (v - m) ** 2;
  const out = [1];
  for (let k = 1; k <= maxLag; k++) {
    let sum = 0;
    for (let t = 0; t + k < n; t++) sum += (values[t] - m) * (values[t + k] - m);
    out.push(denominator === 0 ? 0 : sum / denominator);
  }
  return out;
}

export interface HamedRaoOptions {
  /** Significance level for keeping an autocorrelation (default 0.05). */
  alpha?: number;
  /** Largest lag considered (default n − 3: every lag the formula gives weight to). */
  maxLag?: number;
  /**
   * Which significant lags enter the sum (default 'leading'):
   * - 'leading': lags 1, 2, … up to the first one that is not significant;
   * - 'all': every significant lag up to maxLag (pyMannKendall's choice), where spurious significant
   *   autocorrelations at long lags, mostly negative after detrending, cancel much of the correction.
   */
  lags?: 'leading' | 'all';
  /** Remove the Theil–Sen trend before ranking (default true, as Hamed & Rao). */
  detrend?: boolean;
}

const Z_975 = 1.959963984540054;

/** Mann–Kendall with the Hamed–Rao (1998) variance correction for autocorrelated data. */
export function mannKendallHamedRao(series: Series, options: HamedRaoOptions = {}): HamedRaoMannKendall {
  const plain = mannKendall(series);
  const n = plain.n;
  if (n < 4) return { ...plain, correction: 1, effectiveN: n, significantLags: [] };
  const xs = [...series.x.slice(0, n)].sort((a, b) => a - b);
  const y = ordered(series);
  const slope = options.detrend === false ? 0 : theilSen({ x: xs, y }).slope;
  const detrended = y.map((v, i) => v - slope * xs[i]);
  const rank = ranks(detrended);
  const maxLag = Math.max(1, Math.min(n - 3, options.maxLag ?? n - 3));
  // Long series: the leading run of significant lags ends early, so grow the lags only as needed.
  const leading = (options.lags ?? 'leading') === 'leading';
  let rho = autocorrelation(rank, leading ? Math.min(maxLag, 32) : maxLag);
  const alpha = options.alpha ?? 0.05;
  const z = alpha === 0.05 ? Z_975 : probit(1 - alpha / 2);
  const bound = z / Math.sqrt(n);
  let sum = 0;
  const significantLags: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    if (k >= rho.length) rho = autocorrelation(rank, Math.min(maxLag, 2 * k));
    if (Math.abs(rho[k]) > bound) {
      significantLags.push(k);
      sum += (n - k) * (n - k - 1) * (n - k - 2) * rho[k];
    } else if (leading) {
      break;
    }
  }
  // A strongly negative sum can drive the factor to or below zero; keep the test defined.
  const correction = Math.max(1 / n, 1 + (2 / (n * (n - 1) * (n - 2))) * sum);
  const result = finish(n, plain.s, plain.variance * correction);
  return { ...result, correction, effectiveN: n / correction, significantLags };
}
