/**
 * Memory budgets (SPEC §3): what growth a scenario may show before it fails. Sizes are bytes, rates bytes
 * per hour, counts plain numbers; `null` means "not checked". Layers merge field by field: command-line
 * flags over the scenario's own `budget` object over the defaults.
 */
import { UsageError } from '../cli/errors.js';
import { formatBytes, parseRate, parseSize } from './units.js';

export interface Budget {
  /** Traced heap growth allowed per iteration, bytes (the main gate). */
  growth: number | null;
  /** Traced heap growth allowed per hour of the soak, bytes/hour (time-based soaks). */
  rate: number | null;
  /** Ceiling for the traced heap, bytes, at any sample. */
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

export const BUDGET_KEYS: readonly BudgetKey[] = [
  'growth',
  'rate',
  'heap',
  'rss',
  'rssGrowth',
  'threads',
  'fds',
  'handlers',
];

/**
 * Defaults. `growth` 32 B/iteration: a third of the ~100 B/iteration the defaults must catch, so such a
 * leak clears it with margin under realistic noise within 3000 iterations, and ~10× what step-like noise
 * of a clean service's traced heap fakes over a measured half (a 4 KB step over 1500 iterations is
 * under 3 B/iteration). `rssGrowth` 256 B/iteration: RSS reads +26–31 B/iteration of false growth on a
 * clean service and moves in 128 KB+ malloc steps, so its gate is 8× coarser and only a backstop for
 * native leaks tracemalloc cannot see. Counts: no sustained increase allowed. Ceilings and the hourly
 * rate are off unless asked for.
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

type Kind = 'size' | 'rate' | 'count';

const KINDS: Record<BudgetKey, Kind> = {
  growth: 'size',
  rate: 'rate',
  heap: 'size',
  rss: 'size',
  rssGrowth: 'size',
  threads: 'count',
  fds: 'count',
  handlers: 'count',
};

/** Accepted spellings of each key (the scenario file may use the flag's spelling). */
const ALIASES: Record<string, BudgetKey> = {
  growth: 'growth',
  rate: 'rate',
  heap: 'heap',
  rss: 'rss',
  rssGrowth: 'rssGrowth',
  'rss-growth': 'rssGrowth',
  rss_growth: 'rssGrowth',
  threads: 'threads',
  fds: 'fds',
  handlers: 'handlers',
};

const EXAMPLES: Record<Kind, string> = {
  size: 'a size such as "64B", "1KB" or a number of bytes',
  rate: 'a rate such as "10MB/h" or "1KB/min"',
  count: 'a whole number such as 0 or 2',
};

/** An invalid budget value: exit 2, the message names where it came from and the field. */
export class BudgetError extends UsageError {
  constructor(
    readonly where: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'BudgetError';
  }
}

const OFF = /^\s*(off|none|unlimited)\s*$/i;

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function parseValue(kind: Kind, value: unknown, fail: (expected: string) => never): number | null {
  if (value === null || value === false || (typeof value === 'string' && OFF.test(value))) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) fail(EXAMPLES[kind]);
    if (kind === 'count' && !Number.isInteger(value)) fail(EXAMPLES[kind]);
    return value;
  }
  if (typeof value !== 'string') return fail(EXAMPLES[kind]);
  const text = value.trim();
  let parsed: number | null;
  if (kind === 'count') parsed = /^\d+$/.test(text) ? Number(text) : null;
  else if (kind === 'rate') parsed = parseRate(text);
  else parsed = text.includes('/') ? null : parseSize(text);
  if (parsed === null || !Number.isFinite(parsed)) return fail(EXAMPLES[kind]);
  return parsed;
}

/**
 * Validates a budget object (a scenario's `budget`, `[tool.heapgate] budget`, …) and returns the fields
 * it sets; absent fields stay absent so that `resolveBudget` can layer it. Values: sizes as strings
 * ("64B", "1.5KB") or byte numbers, the rate as "SIZE/h" (also /min, /s), counts as whole numbers;
 * `null`, `false`, "off" or "none" switch a check off. Throws BudgetError naming `where` and the field.
 */
export function parseBudget(value: unknown, where: string): BudgetOverrides {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BudgetError(
      where,
      'budget',
      `${where}: budget: expected an object such as {"growth": "64B"}, got ${show(value)}`,
    );
  }
  const out: BudgetOverrides = {};
  for (const [rawKey, raw] of Object.entries(value as Record<string, unknown>)) {
    const key = ALIASES[rawKey];
    if (!key) {
      throw new BudgetError(
        where,
        `budget.${rawKey}`,
        `${where}: budget.${rawKey}: unknown budget field (known: ${BUDGET_KEYS.join(', ')})`,
      );
    }
    if (raw === undefined) continue;
    out[key] = parseValue(KINDS[key], raw, (expected) => {
      throw new BudgetError(
        where,
        `budget.${rawKey}`,
        `${where}: budget.${rawKey}: expected ${expected}, got ${show(raw)}`,
      );
    });
  }
  return out;
}

/** The spelling of each budget's command-line flag. */
export const BUDGET_FLAGS: Record<BudgetKey, string> = {
  growth: '--budget-growth',
  rate: '--budget-rate',
  heap: '--budget-heap',
  rss: '--budget-rss',
  rssGrowth: '--budget-rss-growth',
  threads: '--budget-threads',
  fds: '--budget-fds',
  handlers: '--budget-handlers',
};

/** Validates the --budget-* flags as commander hands them over (strings; undefined when not given). */
export function parseBudgetFlags(flags: Partial<Record<BudgetKey, string | undefined>>): BudgetOverrides {
  const out: BudgetOverrides = {};
  for (const key of BUDGET_KEYS) {
    const raw = flags[key];
    if (raw === undefined) continue;
    const flag = BUDGET_FLAGS[key];
    out[key] = parseValue(KINDS[key], raw, (expected) => {
      throw new BudgetError(flag, key, `${flag}: expected ${expected}, got ${show(raw)}`);
    });
  }
  return out;
}

/**
 * The effective budget: later layers win field by field. Call as
 * `resolveBudget(scenarioBudget, flagBudget)` — defaults < scenario < flags.
 */
export function resolveBudget(...layers: (BudgetOverrides | undefined)[]): Budget {
  const out: Budget = { ...DEFAULT_BUDGET };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of BUDGET_KEYS) {
      const value = layer[key];
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}

/** "32 B/iteration", "10.0 MB/h", "+0 threads", "off": one budget field for reports and messages. */
export function describeBudget(key: BudgetKey, value: number | null): string {
  if (value === null) return 'off';
  switch (KINDS[key]) {
    case 'size':
      return key === 'growth' || key === 'rssGrowth' ? `${formatBytes(value)}/iteration` : formatBytes(value);
    case 'rate':
      return `${formatBytes(value)}/h`;
    case 'count':
      return `+${value} ${key}`;
  }
}
