/**
 * A scenario's samples as one series: the rule by which the samples of several processes (forked
 * workers) are summed into the series the verdict judges and the report records (model/report.ts
 * SeriesPoint). In the kernel so that every layer that needs the series sums it the same way.
 */
import { METRICS, type Metric, type Sample } from './sample.js';

export interface CombinedSamples {
  /** One sample per iteration any kept process reported (pid 0 when several were summed). */
  samples: Sample[];
  /** The processes whose samples were summed. */
  pids: number[];
}

/** Samples in iteration order; equal iterations keep their arrival order. */
function byIteration(list: readonly Sample[]): Sample[] {
  return list
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0].iteration - b[0].iteration || a[1] - b[1])
    .map(([s]) => s);
}

/**
 * At every iteration any process reported, the sum over processes of each one's latest sample. Processes
 * with fewer than 3 samples (helpers that serve nothing) are left out, and the series starts once every
 * remaining process has reported, so the sum is per scenario iteration, like the budget. One process: its
 * samples in iteration order.
 */
export function combineSamples(samples: readonly Sample[]): CombinedSamples {
  const byPid = new Map<number, Sample[]>();
  for (const s of samples) {
    const list = byPid.get(s.pid);
    if (list) list.push(s);
    else byPid.set(s.pid, [s]);
  }
  if (byPid.size <= 1) return { samples: byIteration(samples), pids: [...byPid.keys()] };
  let kept = [...byPid.entries()].filter(([, list]) => list.length >= 3);
  if (!kept.length) kept = [...byPid.entries()];
  const lists = kept.map(([pid, list]) => ({ pid, list: byIteration(list) }));
  const t0 = Math.max(...lists.map(({ list }) => list[0].iteration));
  const iterations = [...new Set(lists.flatMap(({ list }) => list.map((s) => s.iteration)))]
    .filter((it) => it >= t0)
    .sort((a, b) => a - b);
  const cursor = lists.map(() => -1);
  const out: Sample[] = [];
  for (const iteration of iterations) {
    const latest: Sample[] = [];
    lists.forEach(({ list }, k) => {
      while (cursor[k] + 1 < list.length && list[cursor[k] + 1].iteration <= iteration) cursor[k]++;
      latest.push(list[cursor[k]]);
    });
    const sums = {} as Record<Metric, number>;
    for (const metric of METRICS) sums[metric] = latest.reduce((acc, s) => acc + s[metric], 0);
    out.push({ iteration, elapsedMs: Math.max(...latest.map((s) => s.elapsedMs)), pid: 0, ...sums });
  }
  return { samples: out, pids: lists.map(({ pid }) => pid) };
}
