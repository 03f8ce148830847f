/**
 * Bounded concurrency with a barrier. `runBlock` runs iterations from..from+count-1, starting them in
 * order with at most `concurrency` in flight, and settles only when every started one has finished, so
 * the caller can sample memory between blocks with nothing in flight.
 */
import { setMaxListeners } from 'node:events';

export interface BlockResult {
  /** Iterations started and finished (always the first `done` of the block: from..from+done-1). */
  done: number;
  /** True when the signal stopped the block before all `count` iterations were started. */
  aborted: boolean;
}

export type IterationTask = (i: number, signal?: AbortSignal) => Promise<void>;

/**
 * Runs the block. On abort, no new iteration starts; the ones in flight get the signal (to cut their
 * request short) and are still awaited before this resolves with `aborted: true`. If a task rejects,
 * no new iteration starts either, and once the in-flight ones have finished this rejects with the first
 * error (tasks should report failures as values, not by rejecting).
 */
export async function runBlock(
  from: number,
  count: number,
  concurrency: number,
  task: IterationTask,
  signal?: AbortSignal,
): Promise<BlockResult> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number ≥ 0, got ${count}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;
  const stopped = () => failure !== null || signal?.aborted === true;
  // Tasks get a signal of this block's own: each in-flight request may listen on it, so its listener
  // limit follows the concurrency (no MaxListenersExceededWarning at concurrency > 10), and the caller's
  // signal carries one listener only, removed when the block ends.
  let inner: AbortSignal | undefined;
  let forward: (() => void) | undefined;
  if (signal) {
    const controller = new AbortController();
    setMaxListeners(concurrency + 10, controller.signal);
    forward = () => controller.abort(signal.reason);
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    inner = controller.signal;
  }

  const worker = async (): Promise<void> => {
    while (next < count && !stopped()) {
      const i = from + next++;
      try {
        await task(i, inner);
        done++;
      } catch (error) {
        failure ??= { error };
        done++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    if (signal && forward) signal.removeEventListener('abort', forward);
  }
  if (failure) throw (failure as { error: unknown }).error;
  return { done, aborted: next < count };
}
