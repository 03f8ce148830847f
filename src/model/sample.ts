/** One measurement of the target, as it arrives over the IPC channel (see docs/ipc.md). */
import { METRICS, type Metric } from './metrics.js';

export { METRICS, type Metric };

/** The value of every metric at one sample (see model/metrics.ts for what each counts). */
export type MetricValues = Record<Metric, number>;

export interface Sample extends MetricValues {
  /** Scenario iterations completed when the sample was taken (0 = baseline, before any). */
  iteration: number;
  /** Milliseconds since the scenario started. */
  elapsedMs: number;
  /** Process that took it (a forked worker reports its own samples). */
  pid: number;
}

/** A metric's series: x = iteration, y = value. */
export interface Series {
  x: number[];
  y: number[];
}

export function seriesOf(samples: readonly Sample[], metric: Metric): Series {
  return { x: samples.map((s) => s.iteration), y: samples.map((s) => s[metric]) };
}
