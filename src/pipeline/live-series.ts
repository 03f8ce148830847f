/**
 * A live soak's memory of the running scenario's samples: the sample rounds combined over the target's
 * processes (as the verdict combines them), bounded and evenly spread however long the soak runs (the
 * thinning is the session's own, drive/thinned-rounds.ts), with the newest round per process at hand for
 * /metrics.
 */
import { ThinnedRounds } from '../drive/thinned-rounds.js';
import { METRICS, type Sample } from '../model/sample.js';

/** Points the live view keeps per scenario: more than a chart has pixels. */
export const LIVE_CAPACITY = 1024;

export class LiveSeries {
  private readonly points: ThinnedRounds<Sample>;
  /** The newest round, combined. */
  latest: Sample | null = null;
  /** The newest round as each process reported it. */
  latestRound: readonly Sample[] = [];

  constructor(capacity = LIVE_CAPACITY) {
    this.points = new ThinnedRounds<Sample>(capacity);
  }

  /** Adds a sample round (one sample per measured process, same iteration). */
  add(round: readonly Sample[]): void {
    if (!round.length) return;
    this.latest = combineRound(round);
    this.latestRound = round;
    this.points.add([this.latest]);
  }

  /** The points kept, oldest first, the newest round last. */
  samples(): Sample[] {
    return this.points.items();
  }

  /** Points held now (what bounds the memory). */
  get size(): number {
    return this.points.size;
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
