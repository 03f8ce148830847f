/**
 * Automatic warm-up (docs/verdict.md): instead of a fixed number of iterations, warm up until the slopes of two
 * consecutive blocks of samples agree, i.e. the series has settled into a steady regime (flat, or
 * growing at a constant rate); give up after a cap and measure anyway.
 *
 * Called with the samples so far, over and over while the scenario runs; it only looks at what it is
 * given, so calling it again with more samples never moves an earlier decision (the earliest agreeing
 * pair of blocks wins, and blocks are judged only by their own samples).
 */
import { theilSen } from './regression.js';
import type { Series } from '../model/sample.js';

export interface WarmupOptions {
  /** Sample intervals per block (default 4: five samples, 400 iterations at sampleEvery 100). */
  blockSize?: number;
  /**
   * Slopes agree when they differ by at most this much (y units per x unit), or by at most
   * `relativeTolerance` of the larger one. For heap, half the growth budget.
   */
  tolerance: number;
  /** Default 0.25. */
  relativeTolerance?: number;
  /** Leading samples that are always warm-up (default 1: the baseline before the first iteration). */
  skip?: number;
  /** Give up at this sample index and measure from there (default 20). */
  maxSamples?: number;
}

export type WarmupReason = 'stable' | 'cap' | 'pending';

export interface Warmup {
  /** True once the measured part can start. */
  done: boolean;
  /** Index of the first measured sample (when not done: the earliest index it could still be). */
  start: number;
  /** x (iteration) of that sample, or null when there is no such sample yet. */
  startX: number | null;
  /** 'stable': two consecutive blocks agreed; 'cap': they never did and the cap was reached. */
  reason: WarmupReason;
  /** Theil–Sen slope of each block examined, in order (diagnostic). */
  blockSlopes: number[];
}

/** Decides whether warm-up is over for the samples so far and where the measured part starts. */
export function detectWarmup(series: Series, options: WarmupOptions): Warmup {
  const n = Math.min(series.x.length, series.y.length);
  const m = Math.max(2, Math.round(options.blockSize ?? 4));
  const skip = Math.max(0, Math.round(options.skip ?? 1));
  const cap = Math.max(skip, Math.round(options.maxSamples ?? 20));
  const relative = options.relativeTolerance ?? 0.25;
  const tolerance = Math.max(0, options.tolerance);
  const slopeCache = new Map<number, number>();
  // Slope of the block of samples [a, a + m] (endpoints shared with the neighbouring blocks).
  const blockSlope = (a: number): number => {
    let slope = slopeCache.get(a);
    if (slope === undefined) {
      slope = theilSen({ x: series.x.slice(a, a + m + 1), y: series.y.slice(a, a + m + 1) }).slope;
      slopeCache.set(a, slope);
    }
    return slope;
  };
  const agree = (s1: number, s2: number): boolean =>
    Math.abs(s1 - s2) <= Math.max(tolerance, relative * Math.max(Math.abs(s1), Math.abs(s2)));

  // Candidate starts a: blocks [a, a+m] and [a+m, a+2m] must both be complete, and decided by the cap.
  for (let a = skip; a + 2 * m <= Math.min(n - 1, cap); a++) {
    if (agree(blockSlope(a), blockSlope(a + m))) {
      return {
        done: true,
        start: a,
        startX: series.x[a],
        reason: 'stable',
        blockSlopes: slopesOf(slopeCache),
      };
    }
  }
  if (n - 1 >= cap) {
    return {
      done: true,
      start: cap,
      startX: series.x[cap],
      reason: 'cap',
      blockSlopes: slopesOf(slopeCache),
    };
  }
  const earliest = Math.max(skip, n - 2 * m);
  return {
    done: false,
    start: earliest,
    startX: earliest < n ? series.x[earliest] : null,
    reason: 'pending',
    blockSlopes: slopesOf(slopeCache),
  };
}

function slopesOf(cache: Map<number, number>): number[] {
  return [...cache.entries()].sort((a, b) => a[0] - b[0]).map(([, slope]) => slope);
}
