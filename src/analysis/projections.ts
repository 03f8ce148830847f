/**
 * Growth in the units people reason in: bytes per iteration → "MB per million requests" (or connections,
 * calls: model/scenario-kind.ts) and "MB per hour
 * at the measured rate"; and the measured rate itself (iterations per hour), computed here only.
 */
import type { Sample } from '../model/sample.js';
import { iterationNoun, type ScenarioKind } from '../model/scenario-kind.js';
import { formatBytes } from '../units.js';

export const HOUR_MS = 3_600_000;

/** Bytes one million iterations add at this per-iteration growth. */
export function bytesPerMillion(bytesPerIteration: number): number {
  return bytesPerIteration * 1e6;
}

/** Bytes an hour adds at this growth and throughput. */
export function bytesPerHour(bytesPerIteration: number, iterationsPerHour: number): number {
  return bytesPerIteration * iterationsPerHour;
}

/**
 * Iterations per hour between two samples (by default the first and last), from their iteration counts
 * and timestamps; null when no time passed or nothing ran.
 */
export function iterationsPerHour(
  samples: readonly Sample[],
  from = 0,
  to = samples.length - 1,
): number | null {
  if (to <= from || from < 0 || to >= samples.length) return null;
  const ms = samples[to].elapsedMs - samples[from].elapsedMs;
  const iterations = samples[to].iteration - samples[from].iteration;
  if (!(ms > 0) || !(iterations > 0)) return null;
  return (iterations / ms) * HOUR_MS;
}

/** Iterations per hour from a count and a wall time (the fallback when samples carry no usable times). */
export function throughput(iterations: number, durationMs: number): number | null {
  return durationMs > 0 && iterations > 0 ? (iterations / durationMs) * HOUR_MS : null;
}

/** A growth per iteration (bytes, or a count) projected over a million iterations and an hour. */
export interface Projection {
  perIteration: number;
  perMillion: number;
  /** null when the throughput is unknown. */
  perHour: number | null;
  iterationsPerHour: number | null;
}

export function project(perIteration: number, perHour: number | null): Projection {
  return {
    perIteration,
    perMillion: bytesPerMillion(perIteration),
    perHour: perHour === null ? null : bytesPerHour(perIteration, perHour),
    iterationsPerHour: perHour,
  };
}

/**
 * "103 B/iteration (98 MB per million requests, 37 MB/h at the measured rate)", for a byte metric; the
 * million counted in the scenario kind's iterations (connections, calls…).
 */
export function describeProjection(p: Projection, kind?: ScenarioKind): string {
  const parts = [`${formatBytes(p.perMillion)} per million ${iterationNoun(kind).many}`];
  if (p.perHour !== null) parts.push(`${formatBytes(p.perHour)}/h at the measured rate`);
  return `${formatBytes(p.perIteration)}/iteration (${parts.join(', ')})`;
}
