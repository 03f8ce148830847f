/** Why a run fails: the reasons collected from the static findings and the scenarios' budgets. */
import type { ScenarioReport } from '../model/report.js';
import { severityRank, type Finding, type Severity } from '../model/static.js';

/** One reason per severity at or above `failOn` that has findings; empty when the gate passes. */
export function staticGateReasons(findings: readonly Finding[], failOn: Severity | null): string[] {
  if (!failOn) return [];
  const threshold = severityRank(failOn);
  const counts = new Map<Severity, number>();
  for (const f of findings) {
    if (severityRank(f.severity) >= threshold) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (!total) return [];
  const parts = [...counts.entries()]
    .sort((a, b) => severityRank(b[0]) - severityRank(a[0]))
    .map(([severity, n]) => `${n} ${severity}`);
  return [
    `${total} finding${total === 1 ? '' : 's'} at or above ${failOn} (${parts.join(', ')}) — --fail-on ${failOn}`,
  ];
}

/** One reason per scenario that failed its budget or could not run, for the gate. */
export function scenarioGateReasons(scenarios: readonly ScenarioReport[]): string[] {
  const reasons: string[] = [];
  for (const s of scenarios) {
    if (s.verdict === 'fail')
      reasons.push(`${s.name}: ${(s.reasons ?? ['memory budget exceeded']).join('; ')}`);
    if (s.verdict === 'error') reasons.push(`${s.name}: ${(s.error ?? 'the target failed').split('\n')[0]}`);
  }
  return reasons;
}
