import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import { compareReports, measuredSamples, type Comparison } from '../../src/analysis/compare.js';
import type { Report, ScenarioReport, SeriesPoint, Verdict } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { leakyHeap, nastyCleanHeap, normal, realisticHeap, rng } from './synthetic.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/reports');
const fixture = (name: string): Report =>
  validateReport(JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')), name);

interface Synthetic {
  name?: string;
  heap?: (iteration: number, index: number) => number;
  threads?: (iteration: number, index: number) => number;
  gcObjects?: (iteration: number, index: number) => number;
  verdict?: Verdict;
  reasons?: string[];
  every?: number;
  n?: number;
  warmupIterations?: number | null;
  growthBudget?: number;
}

function scenario(spec: Synthetic = {}): ScenarioReport {
  const every = spec.every ?? 50;
  const n = spec.n ?? 61;
  const series: SeriesPoint[] = Array.from({ length: n }, (_, i) => {
    const it = i * every;
    return {
      iteration: it,
      elapsedMs: it * 2,
      heap: Math.round(spec.heap ? spec.heap(it, i) : 5e6),
      rss: 30e6,
      threads: spec.threads ? spec.threads(it, i) : 4,
      fds: 9,
      handlers: 0,
      gcObjects: spec.gcObjects ? spec.gcObjects(it, i) : 16000,
    };
  });
  return {
    name: spec.name ?? 'scenario',
    verdict: spec.verdict ?? 'pass',
    selectedBy: [],
    iterations: (n - 1) * every,
    durationMs: (n - 1) * every * 2,
    metrics: {},
    leakSites: [],
    ...(spec.reasons ? { reasons: spec.reasons } : {}),
    ...(spec.warmupIterations === null ? {} : { warmupIterations: spec.warmupIterations ?? every }),
    budget: { ...DEFAULT_BUDGET, growth: spec.growthBudget ?? DEFAULT_BUDGET.growth! },
    series,
  };
}

function report(...scenarios: ScenarioReport[]): Report {
  const failing = scenarios.filter((s) => s.verdict !== 'pass');
  return {
    schemaVersion: 1,
    tool: { name: 'heapgate', version: '0.0.0-test' },
    findings: [],
    scenarios,
    gate: { passed: failing.length === 0, reasons: failing.map((s) => `${s.name}: ${s.verdict}`) },
  };
}

/** Flat heap with ±1 KB of autocorrelated in-flight noise and a few small steps that stay. */
function noisy(seed: number, bytesPerIteration = 0): (it: number, i: number) => number {
  const r = rng(seed);
  const noise: number[] = [];
  let level = 0;
  let v = 0;
  for (let i = 0; i < 400; i++) {
    v = 0.6 * v + 600 * normal(r);
    if (r() < 0.1) level += (r() < 0.6 ? 1 : -1) * 300 * (1 + 3 * r());
    noise.push(level + v);
  }
  return (it, i) => 8e6 + noise[i] + bytesPerIteration * it;
}

function heapOf(c: Comparison, name = 'scenario') {
  const s = c.scenarios.find((x) => x.name === name)!;
  return s.metrics.find((m) => m.metric === 'heap')!;
}

describe('compareReports on recorded runs', () => {
  it('two clean runs of the same service: no regression, heap unchanged', () => {
    const c = compareReports(fixture('soak-clean.json'), fixture('soak-clean-2.json'));
    expect(c.regressed).toBe(false);
    expect(c.scenarios).toHaveLength(1);
    expect(heapOf(c, 'unique-paths').status).toBe('unchanged');
    const reverse = compareReports(fixture('soak-clean-2.json'), fixture('soak-clean.json'));
    expect(reverse.regressed).toBe(false);
  });

  it('clean vs leaky: the leaking scenario regressed on heap and RSS, the new erroring one too', () => {
    const c = compareReports(fixture('soak-clean.json'), fixture('soak-leaky.json'));
    expect(c.regressed).toBe(true);
    const leak = c.scenarios.find((s) => s.name === 'unique-paths')!;
    expect(leak.status).toBe('regression');
    const heap = leak.metrics.find((m) => m.metric === 'heap')!;
    expect(heap.status).toBe('regression');
    // Head's interval is clearly above base's.
    expect(heap.head!.low).toBeGreaterThan(300);
    expect(heap.base!.high).toBeLessThan(40);
    expect(heap.threshold).toBe(8);
    expect(leak.metrics.find((m) => m.metric === 'rss')!.status).toBe('regression');
    expect(leak.reasons[0]).toBe('passed in base, fails in head');
    expect(leak.reasons.some((r) => r.startsWith('heap grows 393 B/iteration in head'))).toBe(true);
    const failing = c.scenarios.find((s) => s.name === 'worker-failing')!;
    expect(failing.status).toBe('regression');
    expect(failing.reasons[0]).toMatch(/^new in head and errors in head: the target kept failing/);
    expect(c.counts.regression).toBe(2);
  });

  it('a leak both runs have is not a regression; fixing it is an improvement', () => {
    const same = compareReports(fixture('soak-leaky.json'), fixture('soak-leaky.json'));
    expect(same.regressed).toBe(false);
    expect(heapOf(same, 'unique-paths').status).toBe('unchanged');
    const errored = same.scenarios.find((s) => s.name === 'worker-failing')!;
    expect(errored.status).toBe('not-compared');
    expect(errored.note).toBe('no samples to compare (base errored, head errored)');

    const fixed = compareReports(fixture('soak-leaky.json'), fixture('soak-clean.json'));
    expect(fixed.regressed).toBe(false);
    expect(heapOf(fixed, 'unique-paths').status).toBe('improved');
    expect(fixed.scenarios.find((s) => s.name === 'worker-failing')!.status).toBe('removed');
  });

  it('measures from the end of the warm-up', () => {
    const leaky = fixture('soak-leaky.json').scenarios[0];
    const measured = measuredSamples(leaky);
    expect(measured[0].iteration).toBe(50);
    expect(measured).toHaveLength(leaky.series!.length - 1);
  });

  it('compares the samples the verdict measured, as the report recorded them', () => {
    const leaky = fixture('soak-leaky.json').scenarios[0];
    leaky.measured = { fromSample: 5, toSample: 20, fromIteration: 250, toIteration: 1000 };
    const measured = measuredSamples(leaky);
    expect(measured).toEqual(leaky.series!.slice(5, 21));
    // A report from before the range was recorded: from the end of its warm-up on.
    delete leaky.measured;
    expect(measuredSamples(leaky)[0].iteration).toBe(50);
  });
});

describe('compareReports on synthetic runs', () => {
  it('catches a 100 B/iteration leak behind realistic noise and a warm-up fill', () => {
    const shape = { n: 61, every: 50 };
    for (let seed = 1; seed <= 6; seed++) {
      const base = realisticHeap(100 + seed, shape, 0);
      const head = realisticHeap(200 + seed, shape, 100);
      const c = compareReports(
        report(scenario({ heap: (_, i) => base[i], warmupIterations: null })),
        report(scenario({ heap: (_, i) => head[i], warmupIterations: null })),
      );
      expect(heapOf(c).status, `seed ${seed}`).toBe('regression');
      expect(c.regressed).toBe(true);
    }
  });

  it('does not call two clean runs with different noise a regression', () => {
    const shape = { n: 61, every: 50 };
    for (let seed = 1; seed <= 6; seed++) {
      const base = realisticHeap(300 + seed, shape, 0);
      const head = realisticHeap(400 + seed, shape, 0);
      const c = compareReports(
        report(scenario({ heap: (_, i) => base[i], warmupIterations: null })),
        report(scenario({ heap: (_, i) => head[i], warmupIterations: null })),
      );
      expect(c.regressed, `seed ${seed}`).toBe(false);
    }
  });

  it('nasty clean series (fills into the measured part, arena steps, sawtooth): no false regressions', () => {
    // Measured over 300 pairs: 1 false regression (0.3%); 100 B/iteration leaks caught in 86 of 100.
    const shape = { n: 61, every: 50 };
    let regressions = 0;
    let caught = 0;
    for (let i = 0; i < 15; i++) {
      const base = nastyCleanHeap(7000 + 2 * i, shape);
      const clean = nastyCleanHeap(7001 + 2 * i, shape);
      const leak = leakyHeap(7001 + 2 * i, shape, 200);
      const opts = { warmupIterations: null } as const;
      const b = report(scenario({ ...opts, heap: (_, k) => base[k] }));
      if (compareReports(b, report(scenario({ ...opts, heap: (_, k) => clean[k] }))).regressed) regressions++;
      if (compareReports(b, report(scenario({ ...opts, heap: (_, k) => leak[k] }))).regressed) caught++;
    }
    expect(regressions).toBe(0);
    expect(caught).toBeGreaterThanOrEqual(11);
  });

  it('a bounded cache that fills and stops in head is not a regression', () => {
    const base = noisy(1);
    const fill = noisy(2);
    // 400 B/iteration until iteration 1200, then flat: a bigger bounded cache than base's.
    const head = (it: number, i: number) => fill(it, i) + 400 * Math.min(it, 1200);
    const c = compareReports(report(scenario({ heap: base })), report(scenario({ heap: head })));
    expect(c.regressed).toBe(false);
    expect(heapOf(c).status).not.toBe('regression');
  });

  it('growth beyond noise but below a quarter of the budget is "worse", not a regression', () => {
    // 5 B/iteration, nearly noise-free: clearly more than base, but under τ = 8 B/iteration.
    const c = compareReports(
      report(scenario({ heap: (it) => 8e6 + (it % 7) })),
      report(scenario({ heap: (it) => 8e6 + 5 * it + (it % 7) })),
    );
    const heap = heapOf(c);
    expect(heap.status).toBe('worse');
    expect(heap.note).toMatch(/below the threshold of 8 B\/iteration/);
    expect(c.regressed).toBe(false);
    expect(c.counts.worse).toBe(1);

    // With a budget of 8 B/iteration, τ is 2 B/iteration: the same growth is a regression.
    const strict = compareReports(
      report(scenario({ heap: (it) => 8e6 + (it % 7), growthBudget: 8 })),
      report(scenario({ heap: (it) => 8e6 + 5 * it + (it % 7), growthBudget: 8 })),
    );
    expect(heapOf(strict).status).toBe('regression');
    expect(heapOf(strict).threshold).toBe(2);
    expect(strict.regressed).toBe(true);
  });

  it('a leak that gets worse is a regression even when both runs fail', () => {
    const c = compareReports(
      report(scenario({ heap: noisy(3, 100), verdict: 'fail' })),
      report(scenario({ heap: noisy(4, 400), verdict: 'fail' })),
    );
    expect(heapOf(c).status).toBe('regression');
    expect(c.scenarios[0].reasons).toHaveLength(1);
    expect(c.regressed).toBe(true);
  });

  it('pass → fail is a regression whatever the slopes say; fail → fail without more growth is not', () => {
    const flat = noisy(5);
    const passFail = compareReports(
      report(scenario({ heap: flat })),
      report(scenario({ heap: flat, verdict: 'fail', reasons: ['threads rose by 3'] })),
    );
    expect(passFail.regressed).toBe(true);
    expect(passFail.scenarios[0].reasons).toEqual(['passed in base, fails in head: threads rose by 3']);
    const failFail = compareReports(
      report(scenario({ heap: flat, verdict: 'fail' })),
      report(scenario({ heap: flat, verdict: 'fail' })),
    );
    expect(failFail.regressed).toBe(false);
  });

  it('lists new and removed scenarios; a new one that fails is a regression', () => {
    const c = compareReports(
      report(scenario({ name: 'kept' }), scenario({ name: 'gone' })),
      report(
        scenario({ name: 'kept' }),
        scenario({ name: 'added' }),
        scenario({ name: 'added-failing', verdict: 'fail' }),
      ),
    );
    const status = Object.fromEntries(c.scenarios.map((s) => [s.name, s.status]));
    expect(status).toEqual({
      kept: 'unchanged',
      added: 'new',
      'added-failing': 'regression',
      gone: 'removed',
    });
    expect(c.counts).toMatchObject({ new: 1, removed: 1, regression: 1, unchanged: 1 });
  });

  it('does not compare runs with too few samples after warm-up', () => {
    const c = compareReports(
      report(scenario({ n: 8, heap: (it) => 8e6 + it })),
      report(scenario({ n: 61, heap: (it) => 8e6 + 500 * it })),
    );
    expect(heapOf(c).status).toBe('not-compared');
    expect(heapOf(c).note).toMatch(/base has 7 measured samples.*at least 10/);
    expect(c.regressed).toBe(false);
  });

  it('a thread started per 100 requests is a regression; one extra thread once is not', () => {
    const leak = compareReports(
      report(scenario({ threads: () => 4 })),
      report(scenario({ threads: (it) => 4 + Math.floor(it / 100) })),
    );
    const threads = leak.scenarios[0].metrics.find((m) => m.metric === 'threads')!;
    expect(threads.status).toBe('regression');
    expect(leak.regressed).toBe(true);

    const once = compareReports(
      report(scenario({ threads: () => 4 })),
      report(scenario({ threads: (it) => (it >= 1500 ? 5 : 4) })),
    );
    expect(once.scenarios[0].metrics.find((m) => m.metric === 'threads')!.status).not.toBe('regression');
    expect(once.regressed).toBe(false);
  });

  it('gcObjects growth is shown but never gated', () => {
    const c = compareReports(
      report(scenario({ gcObjects: () => 16000 })),
      report(scenario({ gcObjects: (it) => 16000 + it })),
    );
    const gc = c.scenarios[0].metrics.find((m) => m.metric === 'gcObjects')!;
    expect(gc.status).toBe('worse');
    expect(gc.threshold).toBeNull();
    expect(c.regressed).toBe(false);
  });
});
