import { describe, expect, it } from 'vitest';
import { detectPlateau } from '../../src/analysis/plateau.js';
import { ar1, rng } from './synthetic.js';

const every = 100;
const series = (n: number, f: (it: number, i: number) => number) => ({
  x: Array.from({ length: n }, (_, i) => i * every),
  y: Array.from({ length: n }, (_, i) => f(i * every, i)),
});

describe('detectPlateau', () => {
  it('finds a bounded cache that fills and stops, and where it stops', () => {
    // 200 B/iteration until iteration 1200, then full.
    const noise = ar1(rng(1), 40, 0.6, 500);
    const p = detectPlateau(series(40, (it, i) => 1e7 + 200 * Math.min(it, 1200) + noise[i]));
    expect(p.plateau).toBe(true);
    expect(p.startX).toBeGreaterThanOrEqual(1100);
    expect(p.startX).toBeLessThanOrEqual(1300);
    expect(p.rise).toBeGreaterThan(200_000);
    expect(Math.abs(p.tailSlope)).toBeLessThan(5);
  });

  it('finds a saturating fill (warm-up table) and starts it near saturation', () => {
    const p = detectPlateau(series(40, (it) => 1e7 + 300_000 * (1 - Math.exp(-it / 400))));
    expect(p.plateau).toBe(true);
    // Within 10% of the rise: 1 − e^(−t/400) ≥ 0.9 at t ≈ 920.
    expect(p.startX).toBeGreaterThanOrEqual(700);
    expect(p.startX).toBeLessThanOrEqual(1400);
  });

  it('calls a single step a plateau that starts at the step', () => {
    const p = detectPlateau(series(30, (it) => 1e7 + (it >= 1500 ? 64_000 : 0)));
    expect(p).toMatchObject({ plateau: true, startX: 1500 });
  });

  it('does not call steady growth a plateau', () => {
    const noise = ar1(rng(2), 40, 0.7, 1500);
    expect(detectPlateau(series(40, (it, i) => 1e7 + 100 * it + noise[i])).plateau).toBe(false);
    expect(detectPlateau(series(40, (it) => 1e7 + 20 * it)).plateau).toBe(false);
  });

  it('does not call noise around a flat level a plateau', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const noise = ar1(rng(seed), 30, 0.5, 800);
      expect(
        detectPlateau(
          series(30, (_, i) => 1e7 + noise[i]),
          { minRise: 8192 },
        ).plateau,
      ).toBe(false);
    }
  });

  it('needs enough samples and respects minRise', () => {
    expect(detectPlateau(series(5, (it) => Math.min(it, 200))).plateau).toBe(false);
    const small = series(30, (it) => 1e7 + (it >= 1500 ? 2000 : 0));
    expect(detectPlateau(small).plateau).toBe(true);
    expect(detectPlateau(small, { minRise: 4096 }).plateau).toBe(false);
  });
});
