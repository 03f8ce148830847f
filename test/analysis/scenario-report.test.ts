/**
 * What the report records of a scenario's verdict (src/analysis/scenario-report.ts): every figure the
 * renderers draw or quote, taken from the verdict itself, so no renderer has to recompute one.
 */
import { describe, expect, it } from 'vitest';
import { describeVerdict } from '../../src/analysis/scenario-report.js';
import { scenarioVerdict } from '../../src/analysis/verdict.js';
import { theilSen } from '../../src/analysis/regression.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import { seriesOf } from '../../src/model/sample.js';
import { ar1, rng, toSamples } from './synthetic.js';

const every = 100;

/** A bounded cache filling for 1000 iterations, then flat, under ±700 B autocorrelated noise. */
function filling(seed: number, n = 41, pid = 4242) {
  const noise = ar1(rng(seed), n, 0.7, 700);
  const heap = noise.map((w, i) => 2e7 + 300 * Math.min(i * every, 1000) + w);
  return toSamples(heap, every, { pid, msPerIteration: 2 });
}

describe('describeVerdict records what the reports draw', () => {
  it('the measured range, the throughput, and per metric its fitted line, plateau and projection', () => {
    const samples = filling(5);
    const measuredFrom = 300;
    const verdict = scenarioVerdict(samples, DEFAULT_BUDGET, { measuredFromIteration: measuredFrom });
    const recorded = describeVerdict(verdict, measuredFrom, DEFAULT_BUDGET, samples);

    expect(recorded.warmupIterations).toBe(300);
    expect(recorded.measured).toEqual({ fromSample: 3, toSample: 40, fromIteration: 300, toIteration: 4000 });
    // 2 ms per iteration: 1.8 million iterations an hour.
    expect(recorded.iterationsPerHour).toBeCloseTo(1_800_000, 6);
    expect(recorded.iterationsPerHour).toBe(verdict.iterationsPerHour);

    const heap = recorded.metrics!.heap!;
    const v = verdict.metrics.heap;
    expect(heap.trend).toBe('plateau');
    // The plateau exactly as the verdict found it: where, and at what level.
    expect(v.plateau.plateau).toBe(true);
    expect(heap.plateau).toEqual({
      fromSample: v.plateau.start,
      fromIteration: v.plateau.startX,
      level: v.plateau.level,
    });
    expect(heap.plateau!.fromIteration).toBeGreaterThanOrEqual(900);
    expect(heap.plateau!.fromIteration).toBeLessThanOrEqual(1300);
    expect(heap.plateau!.level).toBeGreaterThan(2e7 + 300_000 - 2000);
    expect(heap.plateau!.level).toBeLessThan(2e7 + 300_000 + 2000);
    // The line the chart draws: Theil–Sen over the measured samples, the slope the report quotes.
    const line = theilSen(seriesOf(samples.slice(3), 'heap'));
    expect(heap.fit).toEqual({ intercept: line.intercept, slope: line.slope });
    expect(heap.slopePerIteration).toBe(line.slope);
    expect(heap.projection).toEqual({
      perMillion: line.slope * 1e6,
      perHour: line.slope * verdict.iterationsPerHour!,
    });

    // A flat metric: no plateau, and the fit is its level.
    expect(recorded.metrics!.threads).toMatchObject({ plateau: null, fit: { intercept: 5, slope: 0 } });
  });

  it('records the series and range of several processes summed, as the verdict judged them', () => {
    const a = filling(6, 41, 100);
    const b = filling(7, 41, 200);
    const samples = [...a, ...b];
    const verdict = scenarioVerdict(samples, DEFAULT_BUDGET, { measuredFromIteration: 500 });
    const recorded = describeVerdict(verdict, 500, DEFAULT_BUDGET, samples);
    expect(recorded.series).toHaveLength(41);
    expect(recorded.series![10].heap).toBe(a[10].heap + b[10].heap);
    expect(recorded.measured).toMatchObject({ fromSample: 5, toSample: 40, fromIteration: 500 });
    expect(recorded.notes).toContain('samples of 2 processes summed per iteration');
  });
});
