import { describe, expect, it } from 'vitest';
import { resolveBudget } from '../../src/config/budget.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import {
  bytesPerHour,
  bytesPerMillion,
  describeProjection,
  iterationsPerHour,
  project,
} from '../../src/analysis/projections.js';
import { ols } from '../../src/analysis/regression.js';
import { METRICS, seriesOf, type Sample } from '../../src/model/sample.js';
import { combineSamples } from '../../src/model/combine.js';
import { earlyStop } from '../../src/analysis/early-stop.js';
import { metricVerdict } from '../../src/analysis/metric-verdict.js';
import { scenarioVerdict } from '../../src/analysis/verdict.js';
import { ar1, realisticHeap, rng, simulateRun, stepWalk, toSamples } from './synthetic.js';

const every = 100;
/** A run as the dynamic phase makes it: auto warm-up, then 3000 measured iterations, sampled every 100. */
const run = (heap: (it: number, i: number) => number, extras = {}) =>
  simulateRun((shape) => Array.from({ length: shape.n }, (_, i) => heap(i * shape.every, i)), {}, extras);

const heapVerdict = (heap: (it: number, i: number) => number) => {
  const r = run(heap);
  return metricVerdict('heap', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom });
};

/** ±2 KB autocorrelated in-flight noise plus small steps that stay. */
const noise = (seed: number, n = 60) => {
  const r = rng(seed);
  const wiggle = ar1(r, n, 0.7, 700);
  const steps = stepWalk(r, n, 0.2, 200, 4096, 0.6);
  return (i: number) => wiggle[i] + steps[i];
};

describe('heap verdict', () => {
  it('fails a linear leak of 100 B/iteration under ±2 KB autocorrelated noise', () => {
    const n = noise(1);
    const r = run((it, i) => 2e7 + 100 * it + n(i));
    const v = metricVerdict('heap', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom });
    expect(v.exceeded).toBe(true);
    expect(v.trend).toBe('growing');
    expect(v.slopePerIteration).toBeGreaterThan(90);
    expect(v.slopePerIteration).toBeLessThan(110);
    expect(v.r2).toBeGreaterThan(0.95);
    expect(v.reason).toMatch(
      /^heap grows 1\d\d B\/iteration \(9\d MB per million requests, .* MB\/h at the measured rate\)/,
    );
    expect(v.reason).toMatch(/budget 32 B\/iteration$/);
    expect(v.judged?.by).toBe('halves');
  });

  it('passes a bounded cache that fills and then stops (plateau)', () => {
    const n = noise(2);
    const v = heapVerdict((it, i) => 2e7 + 300 * Math.min(it, 1000) + n(i));
    expect(v.exceeded).toBe(false);
    expect(v.trend).toBe('plateau');
    expect(v.plateau.startX).toBeGreaterThanOrEqual(900);
    expect(v.plateau.startX).toBeLessThanOrEqual(1200);
  });

  it('passes a bounded deque filling for two thirds of the measured part', () => {
    // deque(maxlen=2000) of 500-byte records: linear for 2000 iterations, which warm-up cannot tell from a
    // leak (its blocks agree), then flat. The halves disagree, and so do the last two thirds'.
    const n = noise(3);
    const v = heapVerdict((it, i) => 2e7 + 500 * Math.min(it, 2000) + n(i));
    expect(v.measuredFromIteration).toBeLessThanOrEqual(200);
    expect(v.exceeded).toBe(false);
    expect(v.trend).toBe('plateau');
  });

  it('passes warm-up allocations that an early fit calls a 500 B/iteration leak at R² 0.98', () => {
    // lru_cache(maxsize=128) and the re cache filling at 529 B/iteration, then full.
    const n = noise(4);
    const heap = (it: number, i: number) =>
      2e7 + 529 * Math.min(it, 600) + 60_000 * (1 - Math.exp(-it / 150)) + n(i);
    const first = toSamples(
      Array.from({ length: 7 }, (_, i) => heap(i * every, i)),
      every,
    );
    const early = ols(seriesOf(first, 'heap'));
    expect(early.slope).toBeGreaterThan(500);
    expect(early.r2).toBeGreaterThan(0.98);
    const v = heapVerdict(heap);
    expect(v.exceeded).toBe(false);
    expect(v.trend).not.toBe('growing');
  });

  it('passes a single step, and arena steps of a few KB that stop', () => {
    const n = noise(5);
    const step = heapVerdict((it, i) => 2e7 + (it >= 1700 ? 256_000 : 0) + n(i));
    expect(step.exceeded).toBe(false);
    expect(step.trend).toBe('plateau');
    const arenas = heapVerdict(
      (it, i) => 2e7 + (it >= 900 ? 8192 : 0) + (it >= 2100 ? 16384 : 0) + (it >= 3000 ? 4096 : 0) + n(i),
    );
    expect(arenas.exceeded).toBe(false);
    expect(arenas.trend).not.toBe('growing');
  });

  it('passes a noisy flat series and calls it flat', () => {
    for (let seed = 10; seed < 15; seed++) {
      const n = noise(seed);
      const v = heapVerdict((_, i) => 2e7 + n(i));
      expect(v.exceeded).toBe(false);
      expect(v.trend).not.toBe('growing');
    }
    const quiet = ar1(rng(3), 60, 0.5, 300);
    expect(heapVerdict((_, i) => 2e7 + quiet[i]).trend).toBe('flat');
  });

  it('passes per-request garbage: a GC sawtooth, whatever its period and phase', () => {
    // 300 B/iteration of garbage, collected every `period` iterations: teeth of up to 300 B × period.
    // Teeth longer than half the measured part look linear inside it; their drops give them away.
    for (const period of [700, 1500, 2300]) {
      for (const phase of [0, 400, 900, 1300, 1700]) {
        const n = noise(period + phase);
        const v = heapVerdict((it, i) => 2e7 + 300 * ((it + phase) % period) + n(i));
        expect(v.exceeded, `period ${period}, phase ${phase}`).toBe(false);
      }
    }
  });

  it('catches a leak hidden behind a warm-up fill that warm-up could not see ending', () => {
    // A cache filling at 250 B/iteration until iteration 800 plus a real 64 B/iteration leak: the
    // halves disagree (the first holds the fill), the last two thirds do not.
    const n = noise(6);
    const v = heapVerdict((it, i) => 2e7 + 250 * Math.min(it, 800) + 64 * it + n(i));
    expect(v.exceeded).toBe(true);
    expect(v.judged?.by).toBe('tail');
  });

  it('does not judge growth on too few samples', () => {
    const samples = toSamples(
      Array.from({ length: 8 }, (_, i) => 2e7 + 1000 * i * every),
      every,
    );
    const v = metricVerdict('heap', samples, DEFAULT_BUDGET, { measuredFrom: 1 });
    expect(v.insufficient).toBe(true);
    expect(v.exceeded).toBe(false);
    const s = scenarioVerdict(samples, DEFAULT_BUDGET, { measuredFromIteration: 100 });
    expect(s.verdict).toBe('pass');
    expect(s.notes.join(' ')).toMatch(/only 7 samples after warm-up: growth needs at least 10/);
  });
});

describe('slow leaks', () => {
  // The smallest leak the defaults catch at 3000 iterations (sampleEvery 100) under the realistic noise
  // model: ≥ 95% at 40 B/iteration; leaks under the 32 B budget are (by design) not failed.
  const rate = (leak: number, seeds: number) => {
    let caught = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = simulateRun((shape) => realisticHeap(seed, shape, leak));
      if (metricVerdict('heap', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom }).exceeded)
        caught++;
    }
    return caught / seeds;
  };
  it('catches 40 B/iteration at 3000 iterations ≥ 95% of the time', () => {
    expect(rate(40, 100)).toBeGreaterThanOrEqual(0.95);
  });
  it('does not fail 24 B/iteration, under the budget', () => {
    expect(rate(24, 50)).toBeLessThanOrEqual(0.02);
  });
});

describe('count metrics', () => {
  const base = (n = 60) => Array.from({ length: n }, () => 0);
  const countRun = (extras: Record<string, number[]>) =>
    run((_, i) => 2e7 + ar1(rng(9), 60, 0.5, 500)[i], extras);

  it('fails a thread leak and names the growth', () => {
    const threads = base().map((_, i) => 5 + Math.floor((i * every) / 50));
    const r = countRun({ threads });
    const v = metricVerdict('threads', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom });
    expect(v.exceeded).toBe(true);
    expect(v.trend).toBe('growing');
    expect(v.reason).toMatch(
      /^threads rose by \d+ over iterations .* and kept rising in both halves .* budget \+0 threads$/,
    );
    expect(
      metricVerdict('threads', r.samples, resolveBudget({ threads: 100 }), { measuredFrom: r.measuredFrom })
        .exceeded,
    ).toBe(false);
  });

  it('passes in-flight fds that come and go', () => {
    const r2 = rng(12);
    const fds = base().map(() => 12 + Math.floor(r2() * 4));
    const r = countRun({ fds });
    const v = metricVerdict('fds', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom });
    expect(v.exceeded).toBe(false);
    expect(v.countGrowth?.total).toBeLessThanOrEqual(0);
  });

  it('passes a pool that grew once during the run (not sustained)', () => {
    const threads = base().map((_, i) => (i >= 12 ? 6 : 5));
    const r = countRun({ threads });
    const v = metricVerdict('threads', r.samples, DEFAULT_BUDGET, { measuredFrom: r.measuredFrom });
    expect(v.exceeded).toBe(false);
    expect(v.trend).toBe('plateau');
  });

  it('fails a handler added on every request, and an fd leaked every 700 iterations', () => {
    const handlers = base().map((_, i) => 1 + i * every);
    const fds = base().map((_, i) => 12 + Math.floor((i * every) / 700));
    const r = countRun({ handlers, fds });
    const s = scenarioVerdict(r.samples, DEFAULT_BUDGET);
    expect(s.verdict).toBe('fail');
    expect(s.metrics.handlers.exceeded).toBe(true);
    expect(s.metrics.fds.exceeded).toBe(true);
    expect(s.metrics.heap.exceeded).toBe(false);
    expect(s.reasons).toHaveLength(2);
  });
});

describe('RSS, ceilings and rates', () => {
  it('passes the false RSS drift of a clean service, fails a native leak only RSS sees', () => {
    const r = rng(21);
    const drift = Array.from({ length: 60 }, (_, i) => 4e7 + 30 * i * every + (r() < 0.1 ? 135_168 : 0));
    let steps = 0;
    const rss = drift.map((v, i) => v + (steps += i > 0 && r() < 0.08 ? 135_168 : 0));
    const clean = run((_, i) => 2e7 + ar1(rng(22), 60, 0.5, 500)[i], { rss });
    expect(scenarioVerdict(clean.samples).verdict).toBe('pass');
    const native = rss.map((v, i) => v + 1024 * i * every);
    const leaky = run((_, i) => 2e7 + ar1(rng(22), 60, 0.5, 500)[i], { rss: native });
    const s = scenarioVerdict(leaky.samples);
    expect(s.verdict).toBe('fail');
    expect(s.metrics.rss.exceeded).toBe(true);
    expect(s.metrics.heap.exceeded).toBe(false);
    expect(s.reasons[0]).toMatch(/^rss grows 1\.\d KB\/iteration .* budget 256 B\/iteration$/);
  });

  it('fails a heap or RSS ceiling at any sample', () => {
    const r = run((_, i) => 2e7 + (i === 25 ? 5e6 : 0));
    const budget = resolveBudget({ heap: 24e6, rss: 1e9 });
    const s = scenarioVerdict(r.samples, budget);
    expect(s.verdict).toBe('fail');
    expect(s.reasons).toEqual([
      expect.stringMatching(/^heap reached 24 MB at iteration 2500; ceiling 23 MB$/),
    ]);
    expect(s.metrics.heap.ceiling?.exceeded).toBe(true);
    expect(s.metrics.rss.ceiling?.exceeded).toBe(false);
  });

  it('fails heap growth per hour against the rate budget', () => {
    // 20 B/iteration (under the growth budget) at 500 iterations/s = 36 MB/h.
    const n = noise(30);
    const r = run((it, i) => 2e7 + 20 * it + n(i), { msPerIteration: 2 });
    const budget = resolveBudget({ rate: 10 * 1024 ** 2 });
    const s = scenarioVerdict(r.samples, budget);
    expect(s.metrics.heap.rate?.exceeded).toBe(true);
    expect(s.reasons.join()).toMatch(/heap grows [34]\d MB\/h and [34]\d MB\/h .* budget 10 MB\/h/);
    expect(scenarioVerdict(r.samples, resolveBudget({ rate: 100 * 1024 ** 2 })).verdict).toBe('pass');
  });
});

describe('scenarioVerdict', () => {
  it('reports every metric in the report shape', () => {
    const r = run((it, i) => 2e7 + noise(40)(i));
    const s = scenarioVerdict(r.samples, DEFAULT_BUDGET, { durationMs: 6000, iterations: 3000 });
    expect(s.verdict).toBe('pass');
    expect(Object.keys(s.metrics).sort()).toEqual([...METRICS].sort());
    for (const metric of METRICS) {
      const m = s.metrics[metric];
      expect(m).toMatchObject({
        start: expect.any(Number),
        end: expect.any(Number),
        slopePerIteration: expect.any(Number),
        r2: expect.any(Number),
        trend: expect.stringMatching(/^(growing|flat|plateau)$/),
        exceeded: false,
      });
    }
    expect(s.measuredFrom).toBe(r.measuredFrom);
    expect(s.iterationsPerHour).toBeCloseTo(1_800_000, -3);
  });

  it('sums forked workers per iteration and ignores helpers that serve nothing', () => {
    const a = noise(50);
    const b = noise(51);
    const workers: Sample[] = [];
    const one = run((it, i) => 1.5e7 + 50 * it + a(i), { pid: 101 }).samples;
    const two = run((it, i) => 1.6e7 + 50 * it + b(i), { pid: 102 }).samples;
    for (let i = 0; i < Math.min(one.length, two.length); i++) workers.push(one[i], two[i]);
    const helper = toSamples([9e6, 9e6], every, { pid: 103 });
    const { samples, pids } = combineSamples([...workers, ...helper]);
    expect(pids).toEqual([101, 102]);
    expect(samples[3].heap).toBe(one[3].heap + two[3].heap);
    const s = scenarioVerdict([...workers, ...helper]);
    expect(s.verdict).toBe('fail');
    expect(s.metrics.heap.slopePerIteration).toBeGreaterThan(90);
    expect(s.notes).toContain('samples of 2 processes summed per iteration');
  });
});

describe('earlyStop', () => {
  const budget = DEFAULT_BUDGET;
  const prefixes = (samples: Sample[]) => samples.map((_, k) => samples.slice(0, k + 1));

  it('stops a clear leak before its requested length, with the verdict scenarioVerdict gives', () => {
    const n = noise(60);
    const { samples, measuredFrom } = run((it, i) => 2e7 + 300 * it + n(i));
    const untilIteration = samples[samples.length - 1].iteration;
    const at = prefixes(samples).findIndex((p) => earlyStop(p, budget, { untilIteration }) === 'fail');
    // Not before 25 measured samples: a deque still filling at that rate would look the same.
    expect(at - measuredFrom + 1).toBeGreaterThanOrEqual(25);
    expect(at).toBeLessThan(samples.length - 1);
    expect(scenarioVerdict(samples.slice(0, at + 1), budget).verdict).toBe('fail');
    expect(earlyStop(samples.slice(0, at), budget, { untilIteration })).toBeNull();
    // Without the requested length, the full-length verdict is unknown: no early fail on growth.
    expect(prefixes(samples).some((p) => earlyStop(p, budget) === 'fail')).toBe(false);
  });

  it('passes a quiet service after enough measured samples, and not before', () => {
    const quiet = ar1(rng(61), 60, 0.5, 400);
    const { samples } = run((it, i) => 2e7 + 40_000 * (1 - Math.exp(-it / 200)) + quiet[i]);
    const answers = prefixes(samples).map((p) => earlyStop(p, budget));
    const at = answers.indexOf('pass');
    expect(answers.includes('fail')).toBe(false);
    expect(at).toBeGreaterThanOrEqual(20);
    expect(answers.slice(0, at).every((a) => a === null)).toBe(true);
    expect(scenarioVerdict(samples.slice(0, at + 1), budget).verdict).toBe('pass');
  });

  it('keeps going while the verdict is open: warm-up pending, a leak near the budget', () => {
    const n = noise(62);
    const { samples } = run((it, i) => 2e7 + 45 * it + n(i));
    expect(earlyStop(samples.slice(0, 5), budget)).toBeNull();
    expect(earlyStop(samples.slice(0, 25), budget)).toBeNull();
  });

  it('fails at once when a ceiling is crossed', () => {
    const samples = toSamples([2e7, 2e7, 3e7], every);
    expect(earlyStop(samples, resolveBudget({ heap: 25e6 }))).toBe('fail');
  });
});

describe('projections', () => {
  it('speaks MB per million requests and MB per hour', () => {
    expect(bytesPerMillion(100)).toBe(1e8);
    expect(bytesPerHour(100, 3600)).toBe(360_000);
    const samples = toSamples([1, 2, 3], 100, { msPerIteration: 2 });
    expect(iterationsPerHour(samples)).toBe(1_800_000);
    expect(iterationsPerHour(samples.slice(0, 1))).toBeNull();
    expect(describeProjection(project(100, 1_800_000))).toBe(
      '100 B/iteration (95 MB per million requests, 172 MB/h at the measured rate)',
    );
    expect(describeProjection(project(48, null))).toBe('48 B/iteration (46 MB per million requests)');
  });
});

describe('edge cases', () => {
  it('survives no samples, one sample, and samples out of order', () => {
    const empty = scenarioVerdict([]);
    expect(empty.verdict).toBe('pass');
    expect(empty.metrics.heap).toMatchObject({ samples: 0, insufficient: true, exceeded: false });
    expect(earlyStop([])).toBeNull();
    const one = scenarioVerdict(toSamples([2e7], every));
    expect(one.verdict).toBe('pass');
    const n = noise(70);
    const { samples } = run((it, i) => 2e7 + 100 * it + n(i));
    const shuffled = [...samples].reverse();
    expect(scenarioVerdict(shuffled).metrics.heap.slopePerIteration).toBe(
      scenarioVerdict(samples).metrics.heap.slopePerIteration,
    );
  });

  it('notes a warm-up that never settled and measures anyway', () => {
    const heap = Array.from({ length: 60 }, (_, i) => 2e7 + 50_000 * Math.exp((i * every) / 500));
    const s = scenarioVerdict(toSamples(heap, every));
    expect(s.warmup?.reason).toBe('cap');
    expect(s.measuredFrom).toBe(20);
    expect(s.notes[0]).toMatch(/^warm-up never settled; measured from iteration 2000 anyway$/);
    expect(s.verdict).toBe('fail');
  });

  it('uses the warm-up the driver decided when given', () => {
    const n = noise(71);
    const { samples } = run((it, i) => 2e7 + n(i));
    const s = scenarioVerdict(samples, DEFAULT_BUDGET, { measuredFromIteration: 750 });
    expect(s.warmup).toBeNull();
    expect(s.measuredFromIteration).toBe(800);
  });
});
