/**
 * A scenario's verdict as the report records it: per metric start/end/slope/R²/trend, reasons, notes,
 * the series, and everything the renderers draw or quote (docs/verdict.md, "What the report records"):
 * the measured range, the throughput, each metric's fitted line, plateau and projection. Renderers,
 * `compare` and the confirmation of findings read these fields and recompute none of them.
 */
import type { Budget } from '../model/budget.js';
import { combineSamples } from '../model/combine.js';
import type { MetricReport, RecordedPlateau, ScenarioReport } from '../model/report.js';
import type { Metric, Sample } from '../model/sample.js';
import type { MetricVerdict } from './metric-verdict.js';
import type { ScenarioVerdict } from './verdict.js';

function recordedPlateau(m: MetricVerdict): RecordedPlateau | null {
  const { plateau } = m;
  if (!plateau.plateau || plateau.start === null || plateau.startX === null || plateau.level === null)
    return null;
  return { fromSample: plateau.start, fromIteration: plateau.startX, level: plateau.level };
}

function describeMetric(m: MetricVerdict): MetricReport {
  return {
    start: m.start,
    end: m.end,
    slopePerIteration: m.slopePerIteration,
    r2: m.ols.r2,
    trend: m.trend,
    exceeded: m.exceeded,
    budget: m.budget,
    ...(m.reason ? { reason: m.reason } : {}),
    fit: { intercept: m.theilSen.intercept, slope: m.theilSen.slope },
    plateau: recordedPlateau(m),
    projection: { perMillion: m.projection.perMillion, perHour: m.projection.perHour },
  };
}

/** `samples` as the verdict was given them; `measuredFrom` the first measured iteration. */
export function describeVerdict(
  verdict: ScenarioVerdict,
  measuredFrom: number,
  budget: Budget,
  samples: readonly Sample[],
): Partial<ScenarioReport> {
  const metrics: ScenarioReport['metrics'] = {};
  for (const [name, m] of Object.entries(verdict.metrics) as [Metric, MetricVerdict][]) {
    metrics[name] = describeMetric(m);
  }
  const series = combineSamples(samples).samples.map(({ pid: _pid, ...point }) => point);
  const last = series.length - 1;
  const from = verdict.measuredFrom;
  return {
    metrics,
    warmupIterations: measuredFrom,
    ...(last >= 0 && from <= last
      ? {
          measured: {
            fromSample: from,
            toSample: last,
            fromIteration: series[from].iteration,
            toIteration: series[last].iteration,
          },
        }
      : {}),
    iterationsPerHour: verdict.iterationsPerHour,
    reasons: verdict.reasons,
    notes: verdict.notes,
    budget,
    series,
  };
}
