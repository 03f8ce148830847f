/** What a scenario's answers say: the share that were a success, and the statuses in a line. */
import type { ScenarioReport } from '../model/report.js';

/** Share of a scenario's answers that were a success (2xx, 3xx, a call that returned, a WebSocket connection that completed); null: unknown. */
export function successShare(report: ScenarioReport): number | null {
  const statuses = Object.entries(report.reach?.statuses ?? {});
  const total = statuses.reduce((sum, [, n]) => sum + n, 0);
  if (!total) return null;
  const ok = statuses.filter(([status]) => isSuccess(status));
  return ok.reduce((sum, [, n]) => sum + n, 0) / total;
}

/** `200`, `302`, `ok` (a call that returned) or `101` (a WebSocket connection that did all it should). */
export function isSuccess(status: string): boolean {
  return status === 'ok' || status === '101' || /^[23]\d\d$/.test(status);
}

/** `404×2990, 200×10`: the statuses, most frequent first. */
export function describeStatuses(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, n]) => `${status}×${n}`)
    .join(', ');
}
