/**
 * Budgets as users write them (a scenario's `budget`, `[tool.heapgate] budget`, the --budget-* flags) →
 * the kernel's Budget (model/budget.ts). Layers merge field by field: command-line flags over the
 * scenario's own `budget` object over the configuration over the defaults.
 */
import { UsageError } from '../errors.js';
import {
  BUDGET_FLAGS,
  BUDGET_KEYS,
  BUDGET_KINDS,
  DEFAULT_BUDGET,
  type Budget,
  type BudgetKey,
  type BudgetKind,
  type BudgetOverrides,
} from '../model/budget.js';
import { parseRate, parseSize } from '../units.js';

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

/** Every spelling a budget key may take (the [tool.heapgate] schema lists them). */
export const BUDGET_SPELLINGS: readonly string[] = Object.keys(ALIASES);

const EXAMPLES: Record<BudgetKind, string> = {
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

function parseValue(kind: BudgetKind, value: unknown, fail: (expected: string) => never): number | null {
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
    out[key] = parseValue(BUDGET_KINDS[key], raw, (expected) => {
      throw new BudgetError(
        where,
        `budget.${rawKey}`,
        `${where}: budget.${rawKey}: expected ${expected}, got ${show(raw)}`,
      );
    });
  }
  return out;
}

/** Validates the --budget-* flags as commander hands them over (strings; undefined when not given). */
export function parseBudgetFlags(flags: Partial<Record<BudgetKey, string | undefined>>): BudgetOverrides {
  const out: BudgetOverrides = {};
  for (const key of BUDGET_KEYS) {
    const raw = flags[key];
    if (raw === undefined) continue;
    const flag = BUDGET_FLAGS[key];
    out[key] = parseValue(BUDGET_KINDS[key], raw, (expected) => {
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

/**
 * A scenario's effective budget: the configuration's, then the scenario's own `budget` object (checked:
 * exit 2 naming the scenario's file and the field), then the --budget-* flags.
 */
export function scenarioBudget(
  scenario: { budget?: unknown; where: string },
  config: BudgetOverrides,
  flags: BudgetOverrides,
): Budget {
  const own = scenario.budget ? parseBudget(scenario.budget, scenario.where) : {};
  return resolveBudget(config, own, flags);
}
