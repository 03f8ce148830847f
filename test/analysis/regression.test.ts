import { describe, expect, it } from 'vitest';
import {
  blockBootstrapSlopeInterval,
  bootstrapBlockLength,
  medianInPlace,
  ols,
  theilSen,
} from '../../src/analysis/regression.js';
import { ar1, normal, rng, stepWalk } from './synthetic.js';

const line = (n: number, slope: number, intercept: number, every = 100) => ({
  x: Array.from({ length: n }, (_, i) => i * every),
  y: Array.from({ length: n }, (_, i) => intercept + slope * i * every),
});

describe('ols', () => {
  it('fits an exact line with R² 1', () => {
    const fit = ols(line(20, 3.5, 1000));
    expect(fit.slope).toBeCloseTo(3.5, 10);
    expect(fit.intercept).toBeCloseTo(1000, 6);
    expect(fit.r2).toBeCloseTo(1, 10);
  });
  it('has a small R² on noise and survives degenerate input', () => {
    const r = rng(7);
    const noise = {
      x: Array.from({ length: 200 }, (_, i) => i),
      y: Array.from({ length: 200 }, () => normal(r)),
    };
    expect(ols(noise).r2).toBeLessThan(0.05);
    expect(ols({ x: [], y: [] })).toEqual({ slope: 0, intercept: 0, r2: 0 });
    expect(ols({ x: [5], y: [9] })).toEqual({ slope: 0, intercept: 9, r2: 0 });
    expect(ols({ x: [1, 1, 1], y: [1, 2, 3] })).toEqual({ slope: 0, intercept: 2, r2: 0 });
    expect(ols({ x: [1, 2, 3], y: [4, 4, 4] })).toEqual({ slope: 0, intercept: 4, r2: 0 });
  });
});

describe('medianInPlace', () => {
  it('agrees with sorting, odd and even lengths, with duplicates', () => {
    const r = rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(r() * 40);
      const values = Array.from({ length: n }, () => Math.round(r() * 10));
      const sorted = [...values].sort((a, b) => a - b);
      const expected = n % 2 ? sorted[n >> 1] : (sorted[(n >> 1) - 1] + sorted[n >> 1]) / 2;
      expect(medianInPlace(Float64Array.from(values))).toBe(expected);
    }
  });
});

describe('theilSen', () => {
  it('ignores a minority of wild points that drag OLS', () => {
    const s = line(30, 2, 500);
    for (const i of [25, 26, 27, 28]) s.y[i] += 1e6;
    expect(theilSen(s).slope).toBeCloseTo(2, 6);
    expect(theilSen(s).intercept).toBeCloseTo(500, 3);
    expect(Math.abs(ols(s).slope - 2)).toBeGreaterThan(10);
  });
  it('skips pairs with equal x', () => {
    expect(theilSen({ x: [0, 0, 1, 2], y: [0, 5, 1, 2] }).slope).toBeCloseTo(1, 6);
    expect(theilSen({ x: [1, 1], y: [0, 5] }).slope).toBe(0);
  });
  it('stays close to the exact median for n = 2000 (subsampled pairs), deterministically', () => {
    const r = rng(11);
    const s = line(2000, 1.25, 0, 1);
    s.y = s.y.map((v) => v + 200 * normal(r));
    const fast = theilSen(s);
    const exact = theilSen(s, { maxPairs: 2_000_000 });
    expect(Math.abs(fast.slope - exact.slope)).toBeLessThan(0.02);
    expect(theilSen(s)).toEqual(fast);
  });
});

describe('blockBootstrapSlopeInterval', () => {
  it('is reproducible for a seed and contains the estimate', () => {
    const r = rng(5);
    const s = line(15, 100, 1e7);
    const noise = ar1(r, 15, 0.7, 700);
    s.y = s.y.map((v, i) => v + noise[i]);
    const a = blockBootstrapSlopeInterval(s, { seed: 9 });
    expect(blockBootstrapSlopeInterval(s, { seed: 9 })).toEqual(a);
    expect(a.low).toBeLessThanOrEqual(a.slope);
    expect(a.high).toBeGreaterThanOrEqual(a.slope);
    expect(a.low).toBeGreaterThan(80);
    expect(a.high).toBeLessThan(120);
  });
  it('chooses the block length from n, blocks or blockLength', () => {
    expect(bootstrapBlockLength(15)).toBe(4);
    expect(bootstrapBlockLength(30)).toBe(5);
    expect(bootstrapBlockLength(30, { blocks: 3 })).toBe(10);
    expect(bootstrapBlockLength(30, { blockLength: 7 })).toBe(7);
    expect(bootstrapBlockLength(3, { blockLength: 50 })).toBe(3);
  });
  it('is exact on a noiseless line, and for too few points', () => {
    expect(blockBootstrapSlopeInterval(line(10, 4, 0))).toMatchObject({ slope: 4, low: 4, high: 4 });
    expect(blockBootstrapSlopeInterval({ x: [0, 1], y: [0, 3] })).toMatchObject({
      slope: 3,
      low: 3,
      high: 3,
    });
  });
  it('covers the true slope of a 15-sample window of step-like, autocorrelated noise (90% nominal)', () => {
    // Measured over 200 windows: increments ~94%, residuals ~40% (a short window's residuals around its
    // own line hide the noise's wander, so the residual interval is far too narrow).
    const trials = 200;
    const covered = { increments: 0, residuals: 0 };
    for (let seed = 1; seed <= trials; seed++) {
      const r = rng(seed);
      const walk = stepWalk(r, 15, 0.25, 200, 2000, 0.5);
      const wiggle = ar1(r, 15, 0.6, 700);
      const s = line(15, 50, 2e7);
      s.y = s.y.map((v, i) => v + walk[i] + wiggle[i]);
      for (const method of ['increments', 'residuals'] as const) {
        const { low, high } = blockBootstrapSlopeInterval(s, { seed, method });
        if (low <= 50 && 50 <= high) covered[method]++;
      }
    }
    expect(covered.increments / trials).toBeGreaterThan(0.85);
    expect(covered.residuals / trials).toBeLessThan(0.6);
  });
  it('bins long series for the resampling and keeps the full series as the estimate', () => {
    const r = rng(8);
    const s = line(2000, 3, 0, 1);
    const wiggle = ar1(r, 2000, 0.9, 300);
    s.y = s.y.map((v, i) => v + wiggle[i]);
    const interval = blockBootstrapSlopeInterval(s, { seed: 4 });
    expect(interval.slope).toBeCloseTo(theilSen(s).slope, 10);
    expect(interval.low).toBeLessThan(3);
    expect(interval.high).toBeGreaterThan(3);
    // Increments treat the noise as if it wandered: wide on stationary noise, but clearly positive.
    expect(interval.low).toBeGreaterThan(1);
    expect(interval.high).toBeLessThan(5);
  });
  it('supports OLS as the estimator', () => {
    const s = line(20, 10, 0);
    s.y[5] += 3000;
    const i = blockBootstrapSlopeInterval(s, { estimator: 'ols', seed: 2 });
    expect(i.slope).toBeCloseTo(ols(s).slope, 8);
  });
});
