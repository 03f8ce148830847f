import { describe, expect, it } from 'vitest';
import {
  autocorrelation,
  mannKendall,
  mannKendallHamedRao,
  normalCdf,
  ranks,
} from '../../src/analysis/trend.js';
import { ar1, rng } from './synthetic.js';

const seq = (y: number[]) => ({ x: y.map((_, i) => i), y });

describe('mannKendall', () => {
  it('matches the textbook values on a short increasing series', () => {
    const mk = mannKendall(seq([1, 2, 3, 4, 5]));
    expect(mk.s).toBe(10);
    expect(mk.variance).toBeCloseTo((5 * 4 * 15) / 18, 10);
    expect(mk.z).toBeCloseTo(9 / Math.sqrt(50 / 3), 10);
    expect(mk.p).toBeCloseTo(0.0275, 3);
    expect(mk.tau).toBe(1);
  });
  it('corrects the variance for ties', () => {
    const mk = mannKendall(seq([1, 1, 2, 2, 3]));
    // Two tie groups of 2: subtract 2 · 2·1·9 from n(n−1)(2n+5) = 300, over 18.
    expect(mk.variance).toBeCloseTo((300 - 36) / 18, 10);
    expect(mk.s).toBe(8);
  });
  it('orders by x and is two-sided', () => {
    const down = mannKendall({ x: [4, 3, 2, 1, 0], y: [1, 2, 3, 4, 5] });
    expect(down.s).toBe(-10);
    expect(down.z).toBeLessThan(0);
    expect(down.p).toBeCloseTo(0.0275, 3);
    expect(mannKendall(seq([3, 3, 3])).p).toBe(1);
  });
});

describe('helpers', () => {
  it('normalCdf, ranks with ties, autocorrelation', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(ranks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4]);
    const alternating = autocorrelation([1, -1, 1, -1, 1, -1], 1);
    expect(alternating[0]).toBe(1);
    expect(alternating[1]).toBeCloseTo(-5 / 6, 10);
  });
});

describe('mannKendallHamedRao', () => {
  it('leaves independent noise about alone', () => {
    const r = rng(1);
    const y = Array.from({ length: 80 }, () => r());
    const hr = mannKendallHamedRao(seq(y));
    expect(hr.s).toBe(mannKendall(seq(y)).s);
    expect(hr.correction).toBeGreaterThan(0.5);
    expect(hr.correction).toBeLessThan(2);
  });

  it('stops plain MK from flagging AR(1) noise that has no trend', () => {
    // AR(1) with φ = 0.8, n = 100: no trend at all, but neighbours are correlated.
    const trials = 200;
    let plain = 0;
    let leading = 0;
    let all = 0;
    let raw = 0;
    let example: { plain: number; corrected: number } | null = null;
    for (let seed = 1; seed <= trials; seed++) {
      const series = seq(ar1(rng(seed), 100, 0.8, 1));
      const p = mannKendall(series).p;
      const q = mannKendallHamedRao(series).p;
      if (p < 0.05) plain++;
      if (q < 0.05) leading++;
      if (mannKendallHamedRao(series, { lags: 'all' }).p < 0.05) all++;
      if (mannKendallHamedRao(series, { detrend: false }).p < 0.05) raw++;
      if (!example && p < 0.01 && q > 0.1) example = { plain: p, corrected: q };
    }
    // Measured: plain ~48%, all lags ~25%, leading lags (default) ~14%, not detrended ~8%.
    expect(plain / trials).toBeGreaterThan(0.35);
    expect(leading / trials).toBeLessThan(0.2);
    expect(leading).toBeLessThan(plain / 2.5);
    expect(all).toBeLessThan(plain);
    expect(raw / trials).toBeLessThan(0.12);
    // One series plain MK calls a trend at p < 0.01 that the corrected test does not.
    expect(example).not.toBeNull();
  });

  it('still finds a real trend under AR(1) noise', () => {
    let found = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const noise = ar1(rng(seed), 60, 0.8, 1);
      if (mannKendallHamedRao(seq(noise.map((v, i) => v + 0.1 * i))).p < 0.05) found++;
    }
    expect(found).toBeGreaterThan(45);
  });
});
