import { describe, expect, it } from 'vitest';
import { detectWarmup } from '../../src/analysis/warmup.js';
import { ar1, rng } from './synthetic.js';

const every = 100;
const series = (n: number, f: (it: number, i: number) => number) => ({
  x: Array.from({ length: n }, (_, i) => i * every),
  y: Array.from({ length: n }, (_, i) => f(i * every, i)),
});
const options = { tolerance: 16 };

describe('detectWarmup', () => {
  it('waits out a saturating fill, then starts where consecutive blocks agree', () => {
    // A bounded cache and the re cache filling: 500 B/iteration at first, halving every ~280 iterations.
    const s = series(40, (it) => 1e7 + 200_000 * (1 - Math.exp(-it / 400)));
    const w = detectWarmup(s, options);
    expect(w.done).toBe(true);
    expect(w.reason).toBe('stable');
    // The slope left by then is within the tolerance: 500·e^(−t/400) < ~16 → t ≳ 1000 (give or take a block).
    expect(w.startX).toBeGreaterThanOrEqual(800);
    expect(w.startX).toBeLessThanOrEqual(1600);
    expect(w.blockSlopes[0]).toBeGreaterThan(200);
  });

  it('ends at once for a steady leak (slopes agree from the start)', () => {
    const noise = ar1(rng(4), 30, 0.7, 700);
    const w = detectWarmup(
      series(30, (it, i) => 1e7 + 100 * it + noise[i]),
      options,
    );
    expect(w).toMatchObject({ done: true, reason: 'stable', start: 1, startX: 100 });
  });

  it('ends early for a flat, noisy series', () => {
    const noise = ar1(rng(5), 30, 0.5, 500);
    const w = detectWarmup(
      series(30, (_, i) => 2e7 + noise[i]),
      options,
    );
    expect(w.done).toBe(true);
    expect(w.start).toBeLessThanOrEqual(3);
  });

  it('is pending until two blocks exist, and never moves an earlier decision', () => {
    const s = series(40, (it) => 1e7 + 200_000 * (1 - Math.exp(-it / 300)));
    expect(detectWarmup({ x: s.x.slice(0, 8), y: s.y.slice(0, 8) }, options)).toMatchObject({
      done: false,
      reason: 'pending',
    });
    let first: number | null = null;
    for (let k = 2; k <= 40; k++) {
      const w = detectWarmup({ x: s.x.slice(0, k), y: s.y.slice(0, k) }, options);
      if (w.done && first === null) first = w.start;
      if (first !== null) expect(w.start).toBe(first);
    }
    expect(first).not.toBeNull();
  });

  it('gives up at the cap and measures from there', () => {
    // Slopes that keep changing: exponential growth (each block's slope 2.2× the last one's).
    const s = series(40, (it) => 1e7 + 50_000 * Math.exp(it / 500));
    const early = detectWarmup({ x: s.x.slice(0, 15), y: s.y.slice(0, 15) }, { ...options, maxSamples: 20 });
    expect(early.done).toBe(false);
    const w = detectWarmup(s, { ...options, maxSamples: 20 });
    expect(w).toMatchObject({ done: true, reason: 'cap', start: 20, startX: 2000 });
  });

  it('honours skip and blockSize', () => {
    const s = series(30, (it) => 1e7 + 50 * it);
    expect(detectWarmup(s, { ...options, skip: 3 }).start).toBe(3);
    expect(detectWarmup({ x: s.x.slice(0, 6), y: s.y.slice(0, 6) }, { ...options, blockSize: 2 }).done).toBe(
      true,
    );
  });
});
