/**
 * The circuit breaker that ends a scenario whose target keeps failing instead of hammering it (README "The dynamic phase";
 * verdict `error`, exit 3). Failures are transport errors, timeouts and statuses outside expect.status.
 *
 * It trips on either of:
 * - `consecutive` failures in a row (default 20): a target that is down or hung is given up on quickly
 *   (20 refused connections take milliseconds; 20 timeouts at concurrency 4 and 10 s take ~50 s);
 * - more than `maxFailureRatio` (default 0.5) of the last `window` outcomes (default 50) failing, counted
 *   only once `window` outcomes have been seen: "answered mostly errors" (exit 3, README "Exit codes") even when the odd
 *   success breaks every run of failures. Occasional failures (a few percent) never trip it.
 * Once tripped it stays tripped; its reason says what failed and how often, e.g.
 * "41 of the last 50 requests failed: connection refused (ECONNREFUSED) ×38, status 500 ×3".
 */
import { TargetError } from '../errors.js';
import type { SendResult } from './http.js';

export interface BreakerOptions {
  consecutive?: number;
  window?: number;
  maxFailureRatio?: number;
  /** What is counted, for the reason: 'requests' (default) or 'calls'. */
  noun?: string;
}

export const BREAKER_DEFAULTS = { consecutive: 20, window: 50, maxFailureRatio: 0.5 } as const;

/** How many distinct causes a reason lists before "other ×n". */
const CAUSES_SHOWN = 3;

/** Why an HTTP result counts as a failure (`status 500`, the driver's error text), or null when it is fine. */
export function failureOf(result: SendResult, expectStatus: readonly number[]): string | null {
  if (result.error !== undefined) return result.error;
  if (result.status === undefined) return 'no answer';
  return expectStatus.includes(result.status) ? null : `status ${result.status}`;
}

export class CircuitBreaker {
  private readonly consecutiveLimit: number;
  private readonly windowSize: number;
  private readonly maxFailureRatio: number;
  private readonly noun: string;
  /** The last `window` outcomes: a failure's cause, or null for a success. */
  private readonly ring: (string | null)[] = [];
  private ringStart = 0;
  private windowFailures = 0;
  private run: string[] = [];
  private readonly controller = new AbortController();
  private tripReason: string | null = null;
  successes = 0;
  failures = 0;

  constructor(options: BreakerOptions = {}) {
    this.consecutiveLimit = options.consecutive ?? BREAKER_DEFAULTS.consecutive;
    this.windowSize = options.window ?? BREAKER_DEFAULTS.window;
    this.maxFailureRatio = options.maxFailureRatio ?? BREAKER_DEFAULTS.maxFailureRatio;
    this.noun = options.noun ?? 'requests';
    if (
      !(
        this.consecutiveLimit >= 1 &&
        this.windowSize >= 1 &&
        this.maxFailureRatio >= 0 &&
        this.maxFailureRatio < 1
      )
    ) {
      throw new RangeError('breaker: consecutive and window must be ≥ 1 and maxFailureRatio in [0, 1)');
    }
  }

  get tripped(): boolean {
    return this.tripReason !== null;
  }

  /** Why it tripped, or null. */
  get reason(): string | null {
    return this.tripReason;
  }

  /** Aborted (with a TargetError carrying the reason) when the breaker trips: hand it to runBlock. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Records one outcome: null for a success, else the failure's cause. Returns whether it has tripped. */
  record(failure: string | null): boolean {
    if (failure === null) this.successes++;
    else this.failures++;
    if (this.tripReason !== null) return true;
    this.push(failure);
    if (failure === null) this.run = [];
    else this.run.push(failure);

    if (this.run.length >= this.consecutiveLimit) {
      const n = this.run.length;
      this.trip(`the last ${n} ${this.noun} all failed: ${breakdown(this.run)}`);
    } else if (
      this.ring.length >= this.windowSize &&
      this.windowFailures / this.ring.length > this.maxFailureRatio
    ) {
      const window = this.windowEntries();
      this.trip(
        `${this.windowFailures} of the last ${window.length} ${this.noun} failed: ` +
          breakdown(window.filter((f): f is string => f !== null)),
      );
    }
    return this.tripped;
  }

  /** Records a batch (a block of calls): `ok` successes, then `failed` failures with one cause. */
  recordMany(ok: number, failed: number, cause: string): boolean {
    for (let k = 0; k < ok; k++) this.record(null);
    for (let k = 0; k < failed; k++) this.record(cause);
    return this.tripped;
  }

  private push(outcome: string | null): void {
    if (this.ring.length < this.windowSize) {
      this.ring.push(outcome);
    } else {
      if (this.ring[this.ringStart] !== null) this.windowFailures--;
      this.ring[this.ringStart] = outcome;
      this.ringStart = (this.ringStart + 1) % this.windowSize;
    }
    if (outcome !== null) this.windowFailures++;
  }

  private windowEntries(): (string | null)[] {
    return [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)];
  }

  private trip(reason: string): void {
    this.tripReason = reason;
    this.run = [];
    this.controller.abort(new TargetError(`the target keeps failing: ${reason}`));
  }
}

/** `connection refused (ECONNREFUSED) ×38, status 500 ×3`: most frequent first, ties by first seen. */
export function breakdown(causes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const cause of causes) counts.set(cause, (counts.get(cause) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, CAUSES_SHOWN).map(([cause, n]) => `${cause} ×${n}`);
  const rest = sorted.slice(CAUSES_SHOWN).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) shown.push(`other ×${rest}`);
  return shown.join(', ');
}
