/** Why a run fails: the reasons collected from the static findings and the scenarios' budgets. */
import type { GateCoverage, ScenarioReport } from '../model/report.js';
import { describeStatuses, successShare } from './answers.js';
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

/** What the gate did with each route: soaked it, or left it and why. */
export interface RouteOutcome {
  route: string;
  /** null: soaked (a scenario covering it reached a verdict with most answers a success). */
  left: string | null;
}

/** The scenarios of a run that cover a route, as the gate saw them. */
export interface CoveringRun {
  routes: readonly string[];
  /** The scenario's report when it ran; else why it did not (`time budget`, `interrupted`, …). */
  report: ScenarioReport | null;
  notRun: string | null;
}

/**
 * Each route's outcome: soaked when a scenario covering it was judged (pass or fail) with most answers a
 * success; otherwise left, with the most telling reason of the scenarios that cover it (or the plan's
 * reason when none could be made).
 */
export function routeOutcomes(
  routes: readonly string[],
  runs: readonly CoveringRun[],
  uncovered: readonly { route: string; reason: string }[],
): RouteOutcome[] {
  return routes.map((route) => {
    const covering = runs.filter((r) => r.routes.includes(route));
    const whys: string[] = [];
    for (const run of covering) {
      if (!run.report) {
        whys.push(run.notRun ?? 'not run');
        continue;
      }
      if (run.report.verdict === 'error') {
        whys.push(`${run.report.name}: ${(run.report.error ?? 'the target failed').split('\n')[0]}`);
        continue;
      }
      const share = successShare(run.report);
      if (share === null || share >= 0.5) return { route, left: null };
      whys.push(`answers ${describeStatuses(run.report.reach?.statuses ?? {})}`);
    }
    const planned = uncovered.find((u) => u.route === route)?.reason;
    return { route, left: whys[0] ?? planned ?? 'no scenario covers it' };
  });
}

export function gateCoverage(outcomes: readonly RouteOutcome[]): GateCoverage {
  return {
    routes: outcomes.length,
    routesSoaked: outcomes.filter((o) => o.left === null).length,
    left: outcomes.filter((o) => o.left !== null).map((o) => ({ route: o.route, why: o.left! })),
  };
}

/**
 * The gate's one line, never a bare "passed": what it soaked, what it left and why (grouped), the
 * findings no request reached. A gate that soaked nothing says so instead of "passed".
 */
export function gateSummary(
  passed: boolean,
  coverage: GateCoverage,
  scenariosJudged: number,
  findings: readonly { dynamic?: string }[],
): string {
  const parts: string[] = [];
  if (coverage.routes) {
    const left = new Map<string, number>();
    for (const l of coverage.left) {
      const why = l.why.startsWith('answers ') ? 'not reached: answers mostly failed' : l.why;
      left.set(why, (left.get(why) ?? 0) + 1);
    }
    const leftText = [...left].map(([why, n]) => `${n} left: ${why}`).join('; ');
    parts.push(
      `soaked ${coverage.routesSoaked} of ${coverage.routes} route${coverage.routes === 1 ? '' : 's'}` +
        (leftText ? ` (${leftText})` : ''),
    );
  } else parts.push('no routes found');
  const others = scenariosJudged;
  if (others) parts.push(`${others} scenario${others === 1 ? '' : 's'} judged`);
  const unreached = findings.filter((f) => f.dynamic === 'not-reached').length;
  if (unreached) parts.push(`${unreached} finding${unreached === 1 ? '' : 's'} not reached`);
  // Nothing soaked: no route got a mostly successful scenario (or, without routes, no scenario was judged).
  const soakedNothing = coverage.routes ? coverage.routesSoaked === 0 : scenariosJudged === 0;
  const verdict = !passed ? 'failed' : soakedNothing ? 'nothing soaked' : 'passed';
  return `${verdict}: ${parts.join(', ')}`;
}

/** `--fail-on-unreached`: one reason when findings no request reached remain. */
export function unreachedReason(findings: readonly { dynamic?: string }[]): string[] {
  const n = findings.filter((f) => f.dynamic === 'not-reached').length;
  return n ? [`${n} finding${n === 1 ? '' : 's'} no request reached — --fail-on-unreached`] : [];
}
