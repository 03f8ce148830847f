/**
 * Plateau detection: a series that rose and then stopped rising (a bounded cache that filled, a warm-up
 * table, a deque that reached its maxlen, a one-off step) and where the flat part starts.
 */
import { median, theilSen } from './regression.js';
import type { Series } from '../model/sample.js';

export interface PlateauOptions {
  /** Smallest rise (in y units) that counts as "rose"; default 0 (then only the noise rule applies). */
  minRise?: number;
  /** The flat part may still rise by this share of the total rise (default 0.1). */
  flatFraction?: number;
  /** … or by at most this slope (y units per x unit), whichever is larger (default 0). */
  flatSlope?: number;
  /** The flat part must hold at least this share of the samples (default 0.25) … */
  minTailFraction?: number;
  /** … and at least this many samples (default 4). */
  minTailSamples?: number;
}

export interface Plateau {
  plateau: boolean;
  /** Index of the first sample of the flat part, or null. */
  start: number | null;
  /** x of that sample (the iteration, for sample series), or null. */
  startX: number | null;
  /** Level of the flat part minus the level at the beginning (median-based). */
  rise: number;
  /** Level of the flat part (the beginning's level plus the rise), or null when there is no plateau. */
  level: number | null;
  /** Theil–Sen slope of the flat part (of the last minTail samples when there is no plateau). */
  tailSlope: number;
}

/** Theil–Sen on a pair subsample small enough for the scan below to stay cheap on long soaks. */
const SCAN = { maxPairs: 4000 };

/** Robust spread of the series around its own Theil–Sen line (1.4826 · MAD of the residuals). */
function spread(x: number[], y: number[]): number {
  const { slope, intercept } = theilSen({ x, y }, SCAN);
  const residuals = y.map((v, i) => v - (intercept + slope * x[i]));
  const m = median(residuals);
  return 1.4826 * median(residuals.map((r) => Math.abs(r - m)));
}

/**
 * Scans the candidate starts k from the beginning and returns the first one whose tail [k, n) is flat
 * (rises by at most max(flatFraction · rise, flatSlope · span)) while the part before it rose by at least
 * max(minRise, 4 × the tail's own noise) from the beginning. A steadily growing series has no such k (its
 * tail always keeps a proportional share of the rise); a flat one never rose.
 */
export function detectPlateau(series: Series, options: PlateauOptions = {}): Plateau {
  const n = Math.min(series.x.length, series.y.length);
  const minTail = Math.max(options.minTailSamples ?? 4, Math.ceil((options.minTailFraction ?? 0.25) * n));
  const none = (tailSlope: number, rise: number): Plateau => ({
    plateau: false,
    start: null,
    startX: null,
    rise,
    level: null,
    tailSlope,
  });
  if (n < minTail + 3) return none(0, 0);
  const x = series.x.slice(0, n);
  const y = series.y.slice(0, n);
  const head = median(y.slice(0, Math.min(3, n)));
  const flatFraction = options.flatFraction ?? 0.1;
  const flatSlope = options.flatSlope ?? 0;
  const minRise = options.minRise ?? 0;

  // Long series: try every (n/100)-th start, then refine the start sample by sample below.
  const stride = Math.max(1, Math.floor(n / 100));
  for (let k = 2; k <= n - minTail; k += stride) {
    const tx = x.slice(k);
    const ty = y.slice(k);
    const rise = median(ty) - head;
    if (rise <= 0 || rise < minRise) continue;
    const slope = theilSen({ x: tx, y: ty }, SCAN).slope;
    const span = tx[tx.length - 1] - tx[0];
    const tailRise = slope * span;
    if (Math.abs(tailRise) > Math.max(flatFraction * rise, flatSlope * span)) continue;
    const noise = spread(tx, ty);
    if (rise < 4 * noise) continue;
    // The tail may begin with a few samples still on the way up: the plateau starts at the first one
    // that has reached its level.
    const level = head + rise;
    const tolerance = Math.max(flatFraction * rise, 2 * noise);
    let start = k;
    while (start < n - minTail && level - y[start] > tolerance) start++;
    return { plateau: true, start, startX: x[start], rise, level, tailSlope: slope };
  }
  const tx = x.slice(n - minTail);
  const ty = y.slice(n - minTail);
  return none(theilSen({ x: tx, y: ty }, SCAN).slope, median(ty) - head);
}
