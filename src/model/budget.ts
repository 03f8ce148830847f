/**
 * Memory budgets: what growth a scenario may show before it fails. Sizes are bytes, rates bytes per hour,
 * counts plain numbers; `null` means "not checked". Parsing what users write is config's job
 * (config/budget.ts); this is the shape, the defaults and how a budget reads in a report.
 */
import { formatBytes } from '../units.js';

export interface Budget {
  /** Heap growth allowed per iteration, bytes (the main gate). */
  growth: number | null;
  /** Heap growth allowed per hour of the soak, bytes/hour (time-based soaks). */
  rate: number | null;
  /** Ceiling for the heap, bytes, at any sample. */
  heap: number | null;
  /** Ceiling for RSS, bytes, at any sample. */
  rss: number | null;
  /** RSS growth allowed per iteration, bytes: coarser than `growth`, RSS drifts on clean services. */
  rssGrowth: number | null;
  /** Allowed increase of the thread count over the measured part. */
  threads: number | null;
  /** Allowed increase of open file descriptors over the measured part. */
  fds: number | null;
  /** Allowed increase of logging handlers over the measured part. */
  handlers: number | null;
}

export type BudgetKey = keyof Budget;
export type BudgetOverrides = Partial<Budget>;

/** What kind of value each budget field holds: how it is written and read. */
export type BudgetKind = 'size' | 'rate' | 'count';

export const BUDGET_KINDS: Readonly<Record<BudgetKey, BudgetKind>> = {
  growth: 'size',
  rate: 'rate',
  heap: 'size',
  rss: 'size',
  rssGrowth: 'size',
  threads: 'count',
  fds: 'count',
  handlers: 'count',
};

export const BUDGET_KEYS = Object.keys(BUDGET_KINDS) as readonly BudgetKey[];

/**
 * Defaults. `growth` 32 B/iteration: a third of the ~100 B/iteration the defaults must catch, so such a
 * leak clears it with margin under realistic noise within 3000 iterations, and ~10× what step-like noise
 * of a clean service's heap fakes over a measured half (a 4 KB step over 1500 iterations is under
 * 3 B/iteration). `rssGrowth` 256 B/iteration: RSS reads +26–31 B/iteration of false growth on a clean
 * service and moves in 128 KB+ malloc steps, so its gate is 8× coarser and only a backstop for native
 * leaks the heap counter cannot see. Counts: no sustained increase allowed. Ceilings and the hourly rate
 * are off unless asked for.
 */
export const DEFAULT_BUDGET: Readonly<Budget> = Object.freeze({
  growth: 32,
  rate: null,
  heap: null,
  rss: null,
  rssGrowth: 256,
  threads: 0,
  fds: 0,
  handlers: 0,
});

/** The spelling of each budget's command-line flag. */
export const BUDGET_FLAGS: Readonly<Record<BudgetKey, string>> = {
  growth: '--budget-growth',
  rate: '--budget-rate',
  heap: '--budget-heap',
  rss: '--budget-rss',
  rssGrowth: '--budget-rss-growth',
  threads: '--budget-threads',
  fds: '--budget-fds',
  handlers: '--budget-handlers',
};

/** "32 B/iteration", "10.0 MB/h", "+0 threads", "off": one budget field for reports and messages. */
export function describeBudget(key: BudgetKey, value: number | null): string {
  if (value === null) return 'off';
  switch (BUDGET_KINDS[key]) {
    case 'size':
      return key === 'growth' || key === 'rssGrowth' ? `${formatBytes(value)}/iteration` : formatBytes(value);
    case 'rate':
      return `${formatBytes(value)}/h`;
    case 'count':
      return `+${value} ${key}`;
  }
}
