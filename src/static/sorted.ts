/**
 * Binary search over sorted data, once: the static phase looks up offsets in sorted node, block, line and
 * occurrence lists everywhere, and each of those searches had its own copy of the same loop.
 */

/**
 * The first index in [0, length) for which `before(i)` is false, given that `before` is true for a prefix
 * of the indices and false for the rest; `length` when it is true for all of them.
 */
export function partitionPoint(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
