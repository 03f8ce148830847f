/** One measurement of the target, as it arrives over the IPC channel (see docs/ipc.md). */
export interface Sample {
  /** Scenario iterations completed when the sample was taken (0 = baseline, before any). */
  iteration: number;
  /** Milliseconds since the scenario started. */
  elapsedMs: number;
  /** Process that took it (a forked worker reports its own samples). */
  pid: number;
  /** tracemalloc's traced bytes after gc.collect(), the harness's own allocations excluded. */
  heap: number;
  /** Resident set size in bytes. */
  rss: number;
  threads: number;
  fds: number;
  /** Handlers attached to all loggers. */
  handlers: number;
  gcObjects: number;
}

export const METRICS = ['heap', 'rss', 'threads', 'fds', 'handlers', 'gcObjects'] as const;
export type Metric = (typeof METRICS)[number];

/** A metric's series: x = iteration, y = value. */
export interface Series {
  x: number[];
  y: number[];
}

export function seriesOf(samples: readonly Sample[], metric: Metric): Series {
  return { x: samples.map((s) => s.iteration), y: samples.map((s) => s[metric]) };
}
