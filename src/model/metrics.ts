/**
 * The metric table: every metric a sample carries, once. Every list of metrics in the code (the verdict's
 * loop, the report's columns, the chart labels, the comparison, the report validator) is derived from it.
 */
import type { BudgetKey } from './budget.js';

export interface MetricInfo {
  /** `bytes` are judged by slope against a per-iteration budget; `count`s by the rise of their floor. */
  kind: 'bytes' | 'count';
  /** Unit of a level: `B` for bytes, the counted thing otherwise. */
  unit: string;
  /** How a chart or table heads it. */
  label: string;
  /** The budget its growth is compared with (null: reported, never judged). */
  budget: BudgetKey | null;
  /** The budget field that caps its level at any sample (null: none). */
  ceiling: BudgetKey | null;
}

export const METRIC_TABLE = {
  heap: { kind: 'bytes', unit: 'B', label: 'Heap', budget: 'growth', ceiling: 'heap' },
  rss: { kind: 'bytes', unit: 'B', label: 'Resident set size (RSS)', budget: 'rssGrowth', ceiling: 'rss' },
  threads: { kind: 'count', unit: 'threads', label: 'Threads', budget: 'threads', ceiling: null },
  fds: { kind: 'count', unit: 'fds', label: 'Open file descriptors', budget: 'fds', ceiling: null },
  handlers: { kind: 'count', unit: 'handlers', label: 'Logging handlers', budget: 'handlers', ceiling: null },
  gcObjects: { kind: 'count', unit: 'objects', label: 'GC-tracked objects', budget: null, ceiling: null },
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

export function isMetric(name: string): name is Metric {
  return Object.prototype.hasOwnProperty.call(METRIC_TABLE, name);
}
