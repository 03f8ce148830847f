/**
 * Early stop never changes a verdict (issue 11): on synthetic runs of bounded fills that level off at
 * 40–60% of the requested length, linear leaks, and clean noise, the verdict of a run that stops early
 * equals the verdict of the same run at its full requested length; and the stop says why.
 */
import { describe, expect, it } from 'vitest';
import { resolveBudget } from '../../src/config/budget.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import type { Sample } from '../../src/model/sample.js';
import { levelledContinuation, shouldStop } from '../../src/analysis/early-stop.js';
import { scenarioVerdict } from '../../src/analysis/verdict.js';
import { ar1, nastyCleanHeap, rng, simulateRun, stepWalk, toSamples, uniform } from './synthetic.js';

const budget = DEFAULT_BUDGET;

/** ±2 KB autocorrelated in-flight noise plus small steps that stay. */
const noise = (seed: number, n: number) => {
  const r = rng(seed);
  const wiggle = ar1(r, n, 0.7, 700);
  const steps = stepWalk(r, n, 0.2, 200, 4096, 0.6);
  return (i: number) => wiggle[i] + steps[i];
};

interface Outcome {
  full: 'pass' | 'fail';
  early: 'pass' | 'fail';
  /** Measured samples when it stopped (null: it ran its full length) and of the full length. */
  stoppedAt: number | null;
  measured: number;
}

/**
 * The run judged at its full length, and as the dynamic phase runs it: a stop check after every sample
 * from the 20th measured one on, the verdict on the samples it has when a check says stop.
 */
function withAndWithout(samples: Sample[], measuredFrom: number): Outcome {
  const measuredFromIteration = samples[measuredFrom].iteration;
  const untilIteration = samples[samples.length - 1].iteration;
  const measured = samples.length - 1 - measuredFrom;
  const full = scenarioVerdict(samples, budget, { measuredFromIteration }).verdict;
  for (let k = measuredFrom + 20; k < samples.length - 1; k++) {
    const prefix = samples.slice(0, k + 1);
    const stop = shouldStop(prefix, budget, { measuredFromIteration, untilIteration });
    if (!stop) continue;
    const early = scenarioVerdict(prefix, budget, { measuredFromIteration }).verdict;
    expect(early, stop.why).toBe(stop.verdict);
    return { full, early, stoppedAt: k - measuredFrom, measured };
  }
  return { full, early: full, stoppedAt: null, measured };
}

type Model = (iteration: number, index: number, noise: (i: number) => number) => number;

function simulate(seed: number, requested: number, model: Model) {
  return simulateRun(
    (shape) => {
      const n = noise(seed, shape.n);
      return Array.from({ length: shape.n }, (_, i) => model(i * shape.every, i, n));
    },
    { iterations: requested },
  );
}

// Hundreds of verdicts each (a stop check per sample, as the dynamic phase does): slow on a loaded machine.
describe('early stop never changes a verdict', { timeout: 240_000 }, () => {
  const seeds = [1, 2, 3, 4, 5];
  const lengths = [3000, 5000];

  it('bounded fills levelling off at 40–60% of the requested length: never stopped with a fail', () => {
    for (const requested of lengths) {
      for (const seed of seeds) {
        const r = rng(seed * 31 + requested);
        const share = uniform(r, 0.4, 0.6);
        const rate = uniform(r, 100, 2000);
        const run = simulate(
          seed,
          requested,
          (it, i, n) => 2e7 + rate * Math.min(it, share * requested) + n(i),
        );
        const o = withAndWithout(run.samples, run.measuredFrom);
        const label = `${rate.toFixed(0)} B/iteration until ${(share * 100).toFixed(0)}% of ${requested}`;
        expect(o.full, label).toBe('pass');
        expect(o.early, label).toBe('pass');
      }
    }
  });

  it('linear leaks: fail early, and the full-length run fails too', () => {
    for (const requested of lengths) {
      for (const seed of seeds) {
        const leak = uniform(rng(seed * 37 + requested), 60, 500);
        const run = simulate(seed, requested, (it, i, n) => 2e7 + leak * it + n(i));
        const o = withAndWithout(run.samples, run.measuredFrom);
        expect(o.full, `${leak.toFixed(0)} B/iteration`).toBe('fail');
        expect(o.early, `${leak.toFixed(0)} B/iteration`).toBe('fail');
      }
    }
  });

  it('a leak behind a fill that levels off at half the run: the same verdict either way', () => {
    for (const requested of lengths) {
      for (const seed of seeds) {
        const r = rng(seed * 41 + requested);
        const share = uniform(r, 0.4, 0.6);
        const rate = uniform(r, 300, 1500);
        const leak = uniform(r, 80, 300);
        const run = simulate(
          seed,
          requested,
          (it, i, n) => 2e7 + rate * Math.min(it, share * requested) + leak * it + n(i),
        );
        const o = withAndWithout(run.samples, run.measuredFrom);
        expect(o.early, `fill ${rate.toFixed(0)} + leak ${leak.toFixed(0)}`).toBe(o.full);
      }
    }
  });

  it('clean noise and the nasty clean heap: pass, early or not', () => {
    for (const requested of lengths) {
      for (const seed of seeds) {
        const flat = withAndWithout(...args(simulate(seed, requested, (_it, i, n) => 2e7 + n(i))));
        expect(flat).toMatchObject({ full: 'pass', early: 'pass' });
        const nasty = simulateRun((shape) => nastyCleanHeap(seed, shape), { iterations: requested });
        const o = withAndWithout(...args(nasty));
        expect(o.early, `nasty ${seed}`).toBe(o.full);
      }
    }
  });
});

const args = (run: { samples: Sample[]; measuredFrom: number }): [Sample[], number] => [
  run.samples,
  run.measuredFrom,
];

describe('shouldStop', () => {
  it('says why it stopped: a quiet pass, a fail that levelling off now could not undo', () => {
    const quiet = simulate(9, 3000, (_it, i, n) => 2e7 + n(i));
    const from = quiet.samples[quiet.measuredFrom].iteration;
    const pass = shouldStop(quiet.samples.slice(0, quiet.measuredFrom + 21), budget, {
      measuredFromIteration: from,
      untilIteration: from + 3000,
    });
    expect(pass?.verdict).toBe('pass');
    expect(pass?.why).toMatch(/^growth clearly below budget over iterations \d+–\d+/);

    const leak = simulate(9, 3000, (it, i, n) => 2e7 + 300 * it + n(i));
    const at = leak.samples[leak.measuredFrom].iteration;
    const stops = leak.samples.map((_, k) =>
      shouldStop(leak.samples.slice(0, k + 1), budget, {
        measuredFromIteration: at,
        untilIteration: at + 3000,
      }),
    );
    const fail = stops.find((s) => s?.verdict === 'fail');
    expect(fail?.why).toMatch(
      /^growth over iterations \d+–\d+ already fails the verdict at the requested length \(iteration \d+\) even if it levelled off now: heap grows/,
    );
  });

  it('does not pass a run too short to judge, and fails a crossed ceiling at once with the figures', () => {
    const quiet = ar1(rng(5), 30, 0.5, 300).map((v) => 2e7 + v);
    const samples = toSamples(quiet, 10);
    expect(shouldStop(samples, budget, { measuredFromIteration: 10, untilIteration: 600 })).toBeNull();
    const ceiling = shouldStop(toSamples([2e7, 2e7, 3e7], 100), resolveBudget({ heap: 25e6 }));
    expect(ceiling).toEqual({
      verdict: 'fail',
      why: 'heap reached 29 MB at iteration 200, above its ceiling of 24 MB',
    });
  });

  it('continues the series flat at its recent level to the requested length', () => {
    const samples = toSamples([10, 20, 30, 40, 50, 60, 70], 100);
    const continued = levelledContinuation(samples, 1, { untilIteration: 1000 })!;
    expect(continued.map((s) => s.iteration)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(continued.slice(7).map((s) => s.heap)).toEqual([50, 50, 50, 50]);
    expect(continued[10].elapsedMs).toBe(2000);
    expect(levelledContinuation(samples, 1, {})).toBeNull();
    expect(levelledContinuation(samples, 1, { untilIteration: 600 })).toBeNull();
    const timed = levelledContinuation(samples, 1, { untilMs: 1600 })!;
    expect(timed[timed.length - 1].iteration).toBe(800);
  });
});
