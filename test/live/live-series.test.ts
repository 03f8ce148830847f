import { describe, expect, it } from 'vitest';
import { scenarioVerdict } from '../../src/analysis/verdict.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import type { Sample } from '../../src/model/sample.js';
import { LIVE_CAPACITY, LiveSeries } from '../../src/pipeline/live-series.js';

/** A deterministic jitter in [-1, 1) (no Math.random: the test must not vary between runs). */
function jitter(k: number): number {
  const x = Math.sin(k * 12.9898) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

/** Round k of a soak: 50 iterations a round, two rounds a second; heap grows `slope` bytes an iteration. */
function round(k: number, slope: number, pids = [100]): Sample[] {
  const iteration = k * 50;
  return pids.map((pid) => ({
    iteration,
    elapsedMs: k * 500,
    pid,
    heap: 40e6 + slope * iteration + 200_000 * jitter(k + pid),
    rss: 80e6 + slope * iteration,
    threads: 4,
    fds: 12,
    handlers: 1,
    gcObjects: 50_000,
  }));
}

describe('LiveSeries', () => {
  it('keeps eight simulated hours in at most its capacity, spread over the whole run, the newest last', () => {
    const rounds = 8 * 3600 * 2;
    const series = new LiveSeries();
    let most = 0;
    for (let k = 0; k < rounds; k++) {
      series.add(round(k, 40));
      most = Math.max(most, series.size);
    }
    expect(most).toBeLessThanOrEqual(LIVE_CAPACITY);
    const kept = series.samples();
    expect(kept.length).toBeGreaterThan(LIVE_CAPACITY / 4);
    expect(kept[0].iteration).toBe(0);
    expect(kept[kept.length - 1].iteration).toBe((rounds - 1) * 50);
    // Evenly spread: no gap is more than twice the typical one.
    const gaps = kept.slice(1).map((s, i) => s.iteration - kept[i].iteration);
    expect(Math.max(...gaps.slice(0, -1))).toBeLessThanOrEqual(2 * Math.min(...gaps));
  });

  it('stays flat: the second four hours add nothing to what it holds', () => {
    const series = new LiveSeries();
    const half = 4 * 3600 * 2;
    for (let k = 0; k < half; k++) series.add(round(k, 40));
    const atHalf = series.size;
    for (let k = half; k < 2 * half; k++) series.add(round(k, 40));
    expect(series.size).toBeLessThanOrEqual(LIVE_CAPACITY);
    expect(Math.abs(series.size - atHalf)).toBeLessThanOrEqual(LIVE_CAPACITY / 2);
  });

  it('leaves the fit and the verdict of a leak and of a flat series where all the samples put them', () => {
    for (const slope of [200, 0]) {
      const all: Sample[] = [];
      const series = new LiveSeries(128);
      for (let k = 0; k < 4000; k++) {
        const r = round(k, slope);
        all.push(...r);
        series.add(r);
      }
      const full = scenarioVerdict(all, DEFAULT_BUDGET, { measuredFromIteration: 500 });
      const thin = scenarioVerdict(series.samples(), DEFAULT_BUDGET, { measuredFromIteration: 500 });
      expect(thin.verdict).toBe(full.verdict);
      expect(thin.verdict).toBe(slope ? 'fail' : 'pass');
      const a = full.metrics.heap!.slopePerIteration;
      const b = thin.metrics.heap!.slopePerIteration;
      expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.max(0.5, 0.01 * Math.abs(a)));
    }
  });

  it('sums the processes of a round, as the verdict combines them', () => {
    const series = new LiveSeries();
    series.add(round(1, 0, [1, 2]));
    expect(series.latest).toMatchObject({ pid: 0, threads: 8, fds: 24 });
    expect(series.latestRound.map((s) => s.pid)).toEqual([1, 2]);
  });
});
