/**
 * The metric table: every metric a sample carries, once. Every list of metrics in the code (the verdict's
 * loop, the report's columns, the chart labels, the comparison, the report validator) and every per-metric
 * choice (which budget, which ceiling, bytes or a count) is derived from it.
 */
import type { Budget, BudgetKey } from './budget.js';

export interface MetricInfo {
  /** `bytes` are judged by slope against a per-iteration budget; `count`s by the rise of their floor. */
  kind: 'bytes' | 'count';
  /** Unit of a level: `B` for bytes, the counted thing otherwise. */
  unit: string;
  /** How a chart or table heads it. */
  label: string;
  /** How a sentence names it ("the 32 B/iteration heap budget"). */
  noun: string;
  /** The budget its growth per iteration is compared with (null: reported, never judged). */
  budget: BudgetKey | null;
  /** The budget field that caps its level at any sample (null: none). */
  ceiling: BudgetKey | null;
  /** The budget field on its growth per hour of a time-based soak (null: none). */
  rate: BudgetKey | null;
}

export const METRIC_TABLE = {
  heap: {
    kind: 'bytes',
    unit: 'B',
    label: 'Heap',
    noun: 'heap',
    budget: 'growth',
    ceiling: 'heap',
    rate: 'rate',
  },
  rss: {
    kind: 'bytes',
    unit: 'B',
    label: 'Resident set size (RSS)',
    noun: 'RSS',
    budget: 'rssGrowth',
    ceiling: 'rss',
    rate: null,
  },
  threads: {
    kind: 'count',
    unit: 'threads',
    label: 'Threads',
    noun: 'threads',
    budget: 'threads',
    ceiling: null,
    rate: null,
  },
  fds: {
    kind: 'count',
    unit: 'fds',
    label: 'Open file descriptors',
    noun: 'fds',
    budget: 'fds',
    ceiling: null,
    rate: null,
  },
  handlers: {
    kind: 'count',
    unit: 'handlers',
    label: 'Logging handlers',
    noun: 'handlers',
    budget: 'handlers',
    ceiling: null,
    rate: null,
  },
  gcObjects: {
    kind: 'count',
    unit: 'objects',
    label: 'GC-tracked objects',
    noun: 'GC objects',
    budget: null,
    ceiling: null,
    rate: null,
  },
} as const satisfies Record<string, MetricInfo>;

export type Metric = keyof typeof METRIC_TABLE;
/** The same name, as reports call it. */
export type MetricName = Metric;

/** Every metric, in the table's order (the order reports list them in). */
export const METRICS = Object.keys(METRIC_TABLE) as readonly Metric[];

export function metricInfo(metric: Metric): MetricInfo {
  return METRIC_TABLE[metric];
}

/** Metrics counted in whole numbers whose budget is an allowed increase (threads, fds, handlers). */
export const COUNT_METRICS: ReadonlySet<Metric> = new Set(
  METRICS.filter((m) => METRIC_TABLE[m].kind === 'count' && METRIC_TABLE[m].budget !== null),
);

/** Metrics measured in bytes (heap, RSS). */
export const BYTE_METRICS: ReadonlySet<Metric> = new Set(
  METRICS.filter((m) => METRIC_TABLE[m].kind === 'bytes'),
);

export function isMetric(name: string): name is Metric {
  return Object.prototype.hasOwnProperty.call(METRIC_TABLE, name);
}

/** Whether a metric (or any name a report carries) is measured in bytes. */
export function isBytes(name: string): boolean {
  return isMetric(name) && METRIC_TABLE[name].kind === 'bytes';
}

/** The budget a metric's growth per iteration is compared with (null: not checked). */
export function growthBudgetOf(metric: Metric, budget: Budget): number | null {
  const key = METRIC_TABLE[metric].budget;
  return key === null ? null : budget[key];
}

/** The ceiling on a metric's level (null: none). */
export function ceilingOf(metric: Metric, budget: Partial<Budget>): number | null {
  const key = METRIC_TABLE[metric].ceiling;
  return key === null ? null : (budget[key] ?? null);
}
