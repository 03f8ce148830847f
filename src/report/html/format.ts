/**
 * Text for the HTML report: escaping (every string from the service or its files goes through
 * `escapeHtml`), numbers coerced before they reach the page, and how a metric's levels, rates and budgets
 * read. Only formatting: every figure comes from the report as recorded.
 */
import { describeBudget } from '../../model/budget.js';
import { METRIC_TABLE, type MetricName } from '../../model/metrics.js';
import type { ScenarioReport } from '../../model/report.js';
import { formatBytes } from '../../units.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute content: safe inside elements and inside double- or single-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

export const e = escapeHtml;

/** Escaped text whose `backtick spans` become <code> (after escaping, so their content stays inert). */
export function prose(value: unknown): string {
  return e(value).replace(/`([^`\n]+)`/g, '<code>$1</code>');
}

/** A finite number, or 0: what reaches an attribute or a figure is always a number. */
export function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** 1,450 · 12k · 3.4M */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e4) return `${+(n / 1e3).toFixed(abs >= 1e5 ? 0 : 1)}k`;
  const rounded = Number.isInteger(n) ? n : +n.toFixed(2);
  return rounded.toLocaleString('en-US');
}

export function signedBytes(bytes: number): string {
  return `${bytes > 0 ? '+' : ''}${formatBytes(bytes)}`;
}

export function signedCount(n: number): string {
  const text = Math.abs(n) >= 100 || Number.isInteger(n) ? formatCount(n) : n.toPrecision(2);
  return `${n > 0 ? '+' : ''}${text}`;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export const BYTE_UNITS: readonly [string, number][] = [
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
  ['B', 1],
];

/** A level rather than a change: three significant digits (3.29 MB, 26.9 MB, 512 KB). */
export function preciseBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1024) return formatBytes(bytes);
  const [unit, factor] = BYTE_UNITS.find(([, f]) => abs >= f) ?? ['B', 1];
  const value = bytes / factor;
  const digits = Math.abs(value) < 10 ? 2 : Math.abs(value) < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${unit}`;
}

export function isByteMetric(metric: MetricName): boolean {
  return METRIC_TABLE[metric].kind === 'bytes';
}

/** How a chart or table heads a metric; the heap says what its counter counted. */
export function metricLabel(metric: MetricName, s: ScenarioReport): string {
  if (metric === 'heap') return s.heapCounter === 'allocator' ? 'Allocated heap' : 'Traced heap';
  return METRIC_TABLE[metric].label;
}

/** A growth rate: bytes per iteration (small ones to two significant digits); slow counts per 1,000. */
export function perIteration(metric: MetricName, value: number): string {
  const abs = Math.abs(value);
  if (isByteMetric(metric)) {
    const bytes = abs > 0 && abs < 1 ? `${value > 0 ? '+' : '-'}${abs.toPrecision(2)} B` : signedBytes(value);
    return `${bytes}/iteration`;
  }
  const unit = METRIC_TABLE[metric].unit;
  if (abs > 0 && abs < 0.1) return `${signedCount(value * 1000)} ${unit} per 1,000 iterations`;
  return `${signedCount(value)} ${unit}/iteration`;
}

/** A level of a metric: bytes to three significant digits, counts as counts. */
export function level(metric: MetricName, value: number): string {
  return isByteMetric(metric) ? preciseBytes(value) : formatCount(value);
}

/** A change of a metric's level, signed. */
export function change(metric: MetricName, value: number): string {
  return isByteMetric(metric) ? signedBytes(value) : signedCount(value);
}

export function budgetText(metric: MetricName, budget: number | null | undefined): string {
  if (budget === null || budget === undefined) return 'no budget';
  const { kind, budget: key } = METRIC_TABLE[metric];
  if (key === null) return `limit ${formatCount(num(budget))}`;
  const text = describeBudget(key, num(budget));
  return kind === 'count' ? `${text} over the measured part` : text;
}

export function location(file: string, line: number | undefined): string {
  return `${file}${line ? `:${line}` : ''}`;
}

/** A path in the project (relative), not the standard library's or a site-package's. */
export function isOwnCode(file: string): boolean {
  return !(
    file.startsWith('/') ||
    file.startsWith('<') ||
    /^[A-Za-z]:[\\/]/.test(file) ||
    file.startsWith('\\\\')
  );
}
