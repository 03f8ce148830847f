/**
 * A live soak's memory of one scenario's samples, bounded however long it runs: the sample rounds
 * combined over the target's processes (as the verdict combines them), kept evenly spaced — when the
 * store is full every other point goes and from then on only every other new round is kept, so an
 * eight-hour soak holds at most `capacity` points, spread over the whole run, with the newest always at
 * hand. An even thinning leaves a linear trend's robust fit where it was (test/live/live-series.test.ts
 * checks it on eight simulated hours); the final verdict still reads the session's own samples.
 */
import { METRICS, type Sample } from '../model/sample.js';

/** Points a scenario keeps at most: far more than a chart has pixels, few enough for any soak. */
export const LIVE_CAPACITY = 1024;

export class LiveSeries {
  private points: Sample[] = [];
  /** Keep one round in `stride`; doubles at each thinning. */
  private stride = 1;
  private rounds = 0;
  /** The newest round, combined, whether or not the stride kept it. */
  latest: Sample | null = null;
  /** The newest round as each process reported it. */
  latestRound: readonly Sample[] = [];

  constructor(private readonly capacity = LIVE_CAPACITY) {
    if (capacity < 4) throw new Error('a live series keeps at least 4 points');
  }

  /** Adds a sample round (one sample per measured process, same iteration). */
  add(round: readonly Sample[]): void {
    if (!round.length) return;
    const point = combineRound(round);
    this.latest = point;
    this.latestRound = round;
    if (this.rounds++ % this.stride !== 0) return;
    this.points.push(point);
    if (this.points.length > this.capacity) {
      // Every other point, keeping the first (the baseline) and the newest.
      const newest = this.points[this.points.length - 1];
      this.points = this.points.filter((_, k) => k % 2 === 0);
      if (this.points[this.points.length - 1] !== newest) this.points.push(newest);
      this.stride *= 2;
    }
  }

  /** The points kept, oldest first, with the newest round last. */
  samples(): Sample[] {
    const out = [...this.points];
    if (this.latest && out[out.length - 1] !== this.latest) out.push(this.latest);
    return out;
  }

  /** Points held now (what bounds the memory). */
  get size(): number {
    return this.points.length;
  }
}

/** One round's samples summed over the processes (pid 0), as model/combine.ts combines a series. */
function combineRound(round: readonly Sample[]): Sample {
  if (round.length === 1) return round[0];
  const point: Sample = { ...round[0], pid: 0 };
  for (const metric of METRICS) point[metric] = round.reduce((sum, s) => sum + s[metric], 0);
  point.elapsedMs = Math.max(...round.map((s) => s.elapsedMs));
  return point;
}
