/**
 * A scenario's verdict: the samples of its processes summed into one series, the measured part after the
 * warm-up, the throughput over it, and every metric of the table judged against the budget (one metric:
 * metric-verdict.ts; the rule and its error rates: docs/verdict.md). Fails when any metric exceeds.
 */
import { DEFAULT_BUDGET, type Budget } from '../model/budget.js';
import { combineSamples } from '../model/combine.js';
import { METRICS, seriesOf, type Metric, type Sample } from '../model/sample.js';
import { metricVerdict, warmupTolerance, type MetricVerdict, type VerdictOptions } from './metric-verdict.js';
import { iterationsPerHour, throughput } from './projections.js';
import { detectWarmup, type Warmup, type WarmupOptions } from './warmup.js';
import { resolveWindowOptions } from './windows.js';

export interface ScenarioVerdictOptions extends Omit<VerdictOptions, 'measuredFrom' | 'iterationsPerHour'> {
  /** Wall time of the scenario, for the per-hour projection when the samples carry no usable timestamps. */
  durationMs?: number;
  /** Iterations the scenario ran (with durationMs, the fallback throughput). */
  iterations?: number;
  /** First measured iteration, when the driver decided the warm-up itself; default: automatic on heap. */
  measuredFromIteration?: number;
}

export interface ScenarioVerdict {
  verdict: 'pass' | 'fail';
  metrics: Record<Metric, MetricVerdict>;
  reasons: string[];
  /** Things a reader should know that do not fail the scenario (too few samples, warm-up capped …). */
  notes: string[];
  /** Heap-based warm-up (null when measuredFromIteration was given). */
  warmup: Warmup | null;
  /** Index of the first measured sample in the combined series, and its iteration. */
  measuredFrom: number;
  measuredFromIteration: number | null;
  /** Processes whose samples were combined. */
  pids: number[];
  /** Throughput over the measured part (the projections' and the report's), null when unknown. */
  iterationsPerHour: number | null;
}

/** Automatic warm-up on the (combined) heap series, with the budget's tolerance. */
export function scenarioWarmup(
  samples: readonly Sample[],
  budget: Budget,
  options: Partial<WarmupOptions> = {},
): Warmup {
  return detectWarmup(seriesOf(samples, 'heap'), { tolerance: warmupTolerance('heap', budget), ...options });
}

/** Index of the first combined sample at or after `iteration`, or -1 when none is. */
export function sampleAt(samples: readonly Sample[], iteration: number): number {
  return samples.findIndex((s) => s.iteration >= iteration);
}

/** Every metric's verdict over a scenario's samples; fails when any metric exceeds its budget. */
export function scenarioVerdict(
  samples: readonly Sample[],
  budget: Budget = DEFAULT_BUDGET,
  options: ScenarioVerdictOptions = {},
): ScenarioVerdict {
  const combined = combineSamples(samples);
  const all = combined.samples;
  let warmup: Warmup | null = null;
  let measuredFrom: number;
  const notes: string[] = [];
  if (options.measuredFromIteration !== undefined) {
    const index = sampleAt(all, options.measuredFromIteration);
    measuredFrom = index === -1 ? Math.max(0, all.length - 1) : index;
  } else {
    warmup = scenarioWarmup(all, budget, options.warmup);
    measuredFrom = warmup.start;
    if (warmup.reason === 'cap') {
      notes.push(`warm-up never settled; measured from iteration ${warmup.startX ?? '?'} anyway`);
    } else if (!warmup.done) {
      notes.push('warm-up had not settled when the scenario ended; measured from the last samples');
    }
  }
  const perHour =
    iterationsPerHour(all, measuredFrom, all.length - 1) ??
    throughput(options.iterations ?? 0, options.durationMs ?? 0);
  const metrics = {} as Record<Metric, MetricVerdict>;
  const reasons: string[] = [];
  for (const metric of METRICS) {
    const v = metricVerdict(metric, all, budget, { ...options, measuredFrom, iterationsPerHour: perHour });
    metrics[metric] = v;
    if (v.reason) reasons.push(v.reason);
  }
  const heap = metrics.heap;
  if (heap.insufficient) {
    notes.push(
      `only ${heap.samples} samples after warm-up: growth needs at least ${2 * resolveWindowOptions(options).minWindow} ` +
        '(more iterations or a smaller sampleEvery); only ceilings and counts were checked',
    );
  }
  if (combined.pids.length > 1)
    notes.push(`samples of ${combined.pids.length} processes summed per iteration`);
  return {
    verdict: reasons.length ? 'fail' : 'pass',
    metrics,
    reasons,
    notes,
    warmup,
    measuredFrom,
    measuredFromIteration: all[measuredFrom]?.iteration ?? null,
    pids: combined.pids,
    iterationsPerHour: perHour,
  };
}
