/**
 * Sample rounds kept within a fixed number however long a soak runs (issue 14: an eight-hour soak takes
 * some 60 000 rounds): when `capacity` rounds are held, every other one goes — the first and the newest
 * stay — and from then on only every other new round is kept (the stride doubles at each thinning), so the
 * kept rounds stay evenly spread over the whole run. The newest round is always at hand: one the stride
 * skips is held as a tail until the next arrives. Short runs (fewer rounds than `capacity`) keep every
 * round, unchanged. An even thinning leaves a linear trend's fit where it was; test/live/live-series.test.ts
 * checks the verdict and the slope over eight simulated hours.
 */

/** Rounds a scenario keeps at most: far above the ~60 a default scenario takes, enough for any verdict. */
export const MAX_ROUNDS = 4096;

export class ThinnedRounds<T> {
  private kept: (readonly T[])[] = [];
  private tail: readonly T[] | null = null;
  private stride = 1;
  private taken = 0;

  constructor(readonly capacity = MAX_ROUNDS) {
    if (capacity < 4) throw new Error('at least 4 rounds must be kept');
  }

  /** Adds the newest round. */
  add(round: readonly T[]): void {
    this.tail = null;
    if (this.taken++ % this.stride !== 0) {
      this.tail = round;
      return;
    }
    this.kept.push(round);
    // At capacity counting the tail: kept rounds plus a skipped newest one never exceed it.
    if (this.kept.length >= this.capacity) {
      const newest = this.kept[this.kept.length - 1];
      this.kept = this.kept.filter((_, k) => k % 2 === 0);
      if (this.kept[this.kept.length - 1] !== newest) this.tail = newest;
      this.stride *= 2;
    }
  }

  /** The rounds kept, oldest first, the newest last. */
  rounds(): (readonly T[])[] {
    return this.tail ? [...this.kept, this.tail] : [...this.kept];
  }

  /** Every item of the rounds kept, in order. */
  items(): T[] {
    const out: T[] = [];
    for (const round of this.kept) out.push(...round);
    if (this.tail) out.push(...this.tail);
    return out;
  }

  /** Rounds held now (what bounds the memory). */
  get size(): number {
    return this.kept.length + (this.tail ? 1 : 0);
  }
}
