/**
 * Growth of a count (threads, fds, handlers) as the verdict judges it (docs/verdict.md, "Counts"): the
 * rise of its floor, so in-flight sockets or threads that come and go do not count.
 */

export interface CountGrowth {
  /** Floor at the end minus floor at the start of the measured part. */
  total: number;
  /** The same within each half. */
  first: number;
  second: number;
}

/** Rise of the floor (the minimum of a fifth of the samples) over a count series; null under 4 samples. */
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

/** A rise in both halves: a sustained increase, not a pool that grew once. */
export function sustained(growth: CountGrowth): boolean {
  return growth.first >= 1 && growth.second >= 1;
}
