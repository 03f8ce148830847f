/**
 * Seeded synthetic sample series for the analysis tests, modelled on what tracemalloc's traced bytes of a
 * clean Python web service do after gc.collect(): flat for long stretches, moving in steps of a few
 * hundred bytes to a few KB (dict resizes, interned strings, free lists), occasional arena-sized steps
 * that stop, a bounded cache or deque filling during warm-up, a few KB of in-flight request data that
 * comes and goes (autocorrelated), sometimes a sawtooth.
 */
import { mulberry32 } from '../../src/analysis/random.js';
import type { Sample } from '../../src/model/sample.js';
import { detectWarmup } from '../../src/analysis/warmup.js';

export type Random = () => number;

export function rng(seed: number): Random {
  return mulberry32(seed * 2654435761);
}

export function uniform(r: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * r();
}

export function logUniform(r: Random, lo: number, hi: number): number {
  return Math.exp(uniform(r, Math.log(lo), Math.log(hi)));
}

export function normal(r: Random): number {
  const u = Math.max(1e-12, r());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** AR(1) noise with marginal standard deviation `sd`. */
export function ar1(r: Random, n: number, phi: number, sd: number): number[] {
  const innovation = sd * Math.sqrt(1 - phi * phi);
  const out: number[] = [];
  let v = sd * normal(r);
  for (let i = 0; i < n; i++) {
    out.push(v);
    v = phi * v + innovation * normal(r);
  }
  return out;
}

export interface Shape {
  /** Iterations between samples. */
  every: number;
  /** Number of samples (the first at iteration 0). */
  n: number;
}

/** Value at each sample; iteration = index × every. */
export type HeapModel = (iteration: number, index: number) => number;

/** Random walk of small steps: at each sample, a step with probability p, log-uniform in [lo, hi]. */
export function stepWalk(r: Random, n: number, p: number, lo = 200, hi = 4096, up = 0.65): number[] {
  const out: number[] = [];
  let level = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && r() < p) level += (r() < up ? 1 : -1) * logUniform(r, lo, hi);
    out.push(level);
  }
  return out;
}

/**
 * The nasty clean heap: every component above, parameters drawn per series, sized so that naive rules go
 * wrong on it: warm-up fills that run into the measured part (exponential up to τ = 800 iterations, or a
 * bounded deque/lru filling linearly for up to 1800 iterations), one-off big steps (a large dict resizing,
 * 64–256 KB) in a fifth of the series, and in a quarter a sawtooth of up to 60 KB (a buffer flushed every
 * few hundred to few thousand requests).
 */
export function nastyCleanHeap(seed: number, shape: Shape): number[] {
  const r = rng(seed);
  const { n, every } = shape;
  const base = uniform(r, 8e6, 30e6);
  const walk = stepWalk(r, n, uniform(r, 0.1, 0.45));
  const inflight = ar1(r, n, uniform(r, 0.3, 0.9), uniform(r, 300, 1000));
  const arenas: { at: number; size: number }[] = [];
  const arenaCount = Math.floor(uniform(r, 0, 4));
  for (let k = 0; k < arenaCount; k++)
    arenas.push({ at: Math.floor(uniform(r, 1, n)), size: uniform(r, 4096, 16384) });
  if (r() < 0.2) arenas.push({ at: Math.floor(uniform(r, 1, n)), size: uniform(r, 65536, 262144) });
  const fill = r() < 0.8 ? { amplitude: uniform(r, 20e3, 400e3), tau: uniform(r, 50, 800) } : null;
  const linearFill = r() < 0.4 ? { rate: uniform(r, 50, 600), until: uniform(r, 100, 1800) } : null;
  const saw =
    r() < 0.25 ? { amplitude: uniform(r, 5e3, 60e3), period: uniform(r, 300, 2500), phase: r() } : null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const it = i * every;
    let v = base + walk[i] + inflight[i];
    for (const a of arenas) if (i >= a.at) v += a.size;
    if (fill) v += fill.amplitude * (1 - Math.exp(-it / fill.tau));
    if (linearFill) v += linearFill.rate * Math.min(it, linearFill.until);
    if (saw) v += saw.amplitude * ((it / saw.period + saw.phase) % 1);
    out.push(Math.round(v));
  }
  return out;
}

/**
 * The "realistic" heap of the brief: a warm-up fill, small steps that stay, ±2 KB of autocorrelated
 * in-flight data, and a leak of `bytesPerIteration` (0 for a clean service). No sawtooth, no long fills.
 */
export function realisticHeap(seed: number, shape: Shape, bytesPerIteration = 0): number[] {
  const r = rng(seed + 7_000_000);
  const { n, every } = shape;
  const base = uniform(r, 8e6, 30e6);
  const walk = stepWalk(r, n, 0.2, 200, 4096, 0.6);
  const inflight = ar1(r, n, 0.7, 700);
  const amplitude = uniform(r, 50e3, 300e3);
  const tau = uniform(r, 100, 400);
  return walk.map((w, i) => {
    const it = i * every;
    return Math.round(
      base + w + inflight[i] + amplitude * (1 - Math.exp(-it / tau)) + bytesPerIteration * it,
    );
  });
}

/** The same noise plus a leak of `bytesPerIteration` from the first iteration on. */
export function leakyHeap(seed: number, shape: Shape, bytesPerIteration: number): number[] {
  return nastyCleanHeap(seed, shape).map((v, i) => Math.round(v + bytesPerIteration * i * shape.every));
}

export interface SampleExtras {
  rss?: number[];
  threads?: number[];
  fds?: number[];
  handlers?: number[];
  gcObjects?: number[];
  /** Milliseconds per iteration (default 2). */
  msPerIteration?: number;
  pid?: number;
}

/** Samples at iterations 0, every, 2·every … with the given heap values and flat other metrics. */
export function toSamples(heap: readonly number[], every: number, extras: SampleExtras = {}): Sample[] {
  const ms = extras.msPerIteration ?? 2;
  return heap.map((h, i) => ({
    iteration: i * every,
    elapsedMs: i * every * ms,
    pid: extras.pid ?? 4242,
    heap: h,
    rss: extras.rss?.[i] ?? 40e6 + 0.25 * (h - heap[0]),
    threads: extras.threads?.[i] ?? 5,
    fds: extras.fds?.[i] ?? 12,
    handlers: extras.handlers?.[i] ?? 1,
    gcObjects: extras.gcObjects?.[i] ?? 60_000,
  }));
}

export interface RunShape {
  /** Iterations between samples (default 100). */
  every?: number;
  /** Measured iterations after warm-up (default 3000). */
  iterations?: number;
  /** Warm-up cap in samples (default 20, as detectWarmup). */
  cap?: number;
  /** Warm-up tolerance, per iteration (default 16: half the default growth budget). */
  tolerance?: number;
}

/**
 * What the dynamic phase does: sample from iteration 0, warm up automatically (detectWarmup on the samples
 * so far), then run `iterations` more and stop. `heapFor(shape)` gives the heap values of a long enough run.
 */
export function simulateRun(
  heapFor: (shape: Shape) => number[],
  run: RunShape = {},
  extras: SampleExtras = {},
): { samples: Sample[]; measuredFrom: number; reason: string } {
  const every = run.every ?? 100;
  const measured = Math.round((run.iterations ?? 3000) / every);
  const cap = run.cap ?? 20;
  const shape = { every, n: cap + measured + 1 };
  const heap = heapFor(shape);
  const warm = detectWarmup(
    { x: heap.map((_, i) => i * every), y: heap },
    { tolerance: run.tolerance ?? 16, maxSamples: cap },
  );
  const end = warm.start + measured + 1;
  return {
    samples: toSamples(heap.slice(0, end), every, extras),
    measuredFrom: warm.start,
    reason: warm.reason,
  };
}
