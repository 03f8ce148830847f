/** A scenario's verdict as the report records it: per metric start/end/slope/R²/trend, reasons, notes, series. */
import type { Budget } from '../model/budget.js';
import type { ScenarioReport } from '../model/report.js';
import type { Sample } from '../model/sample.js';
import { combineSamples, type ScenarioVerdict } from './verdict.js';

export function describeVerdict(
  verdict: ScenarioVerdict,
  measuredFrom: number,
  budget: Budget,
  samples: readonly Sample[],
): Partial<ScenarioReport> {
  const metrics: ScenarioReport['metrics'] = {};
  for (const [name, m] of Object.entries(verdict.metrics)) {
    metrics[name as keyof ScenarioReport['metrics']] = {
      start: m.start,
      end: m.end,
      slopePerIteration: m.slopePerIteration,
      r2: m.ols.r2,
      trend: m.trend,
      exceeded: m.exceeded,
      budget: m.budget,
      ...(m.reason ? { reason: m.reason } : {}),
    };
  }
  return {
    metrics,
    warmupIterations: measuredFrom,
    reasons: verdict.reasons,
    notes: verdict.notes,
    budget,
    series: combineSamples(samples).samples.map(({ pid: _pid, ...point }) => point),
  };
}
