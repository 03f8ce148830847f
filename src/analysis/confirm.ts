/**
 * What the run proved about each static finding: `confirmed` when a scenario that covered it showed the
 * leak — a leak site inside the finding's function (or code it calls), or the metric its rule predicts
 * growing past budget; `not-reproduced` only when a covering scenario verifiably ran the finding's code —
 * its function entered in most of the reach probe's iterations, most answers a success — and stayed within
 * budget; `not-reached` when covering scenarios ran but did not get there (the evidence says what they
 * got instead); `not-exercised` when none ran. A scenario covers a finding when the plan selected it for
 * the finding, or when its reach probe saw the finding's function run (the call graph may miss a path
 * the service takes). Confirmed findings get a recommendation sized by projected growth. Pure.
 */
import { isBytes } from '../model/metrics.js';
import { describeStatuses, successShare } from './answers.js';
import { heldEvidence, holderOf, holderSite } from './held-by.js';
import { formatBytes } from '../units.js';
import type { LeakClass, LeakSite, Recommendation, ScenarioReport } from '../model/report.js';
import type { Metric } from '../model/metrics.js';
import type { DynamicStatus, Finding } from '../model/static.js';
import { ruleById } from '../static/rules/index.js';
import { functionId, reachableFrom, type CallGraph } from '../select/callgraph.js';
import type { Plan } from '../select/plan.js';

export interface Confirmation {
  status: DynamicStatus;
  evidence: string;
  recommendation?: Recommendation;
}

/** Thresholds per hour for the leak classes: Critical ≥ first, High ≥ second, Medium ≥ third, else Low. */
export interface LeakClassThresholds {
  bytesPerHour: [number, number, number];
  countPerHour: [number, number, number];
}

export const DEFAULT_LEAK_CLASSES: LeakClassThresholds = {
  bytesPerHour: [100 * 1024 ** 2, 10 * 1024 ** 2, 1024 ** 2],
  countPerHour: [1000, 100, 10],
};

/** The metrics a finding's rule predicts growing (beside heap leak sites): its `meta.dynamic.metrics`. */
function predictedMetrics(f: Finding): readonly Metric[] {
  return ruleById(f.rule)?.meta.dynamic.metrics ?? ['heap'];
}

export function confirmFindings(
  findings: readonly Finding[],
  plan: Plan,
  reports: ReadonlyMap<string, ScenarioReport>,
  graph: CallGraph,
  thresholds: LeakClassThresholds = DEFAULT_LEAK_CLASSES,
): Map<Finding, Confirmation> {
  const out = new Map<Finding, Confirmation>();
  // Per scenario: which findings its leak sites point into, so a heap metric alone confirms only when
  // the sites name none of the scenario's findings in particular.
  const siteClaims = new Map<string, Set<Finding>>();

  const coveringOf = (f: Finding) => {
    const id = f.function ? functionId(f.file, f.function) : null;
    return plan.scenarios.filter(
      (p) =>
        (p.selected &&
          p.selectedBy.some((r) => r.rule === f.rule && r.file === f.file && r.line === f.line)) ||
        (id !== null && (reports.get(p.scenario.name)?.reach?.functions[id] ?? 0) > 0),
    );
  };

  for (const f of findings) {
    for (const p of coveringOf(f)) {
      const report = reports.get(p.scenario.name);
      if (!report || report.verdict === 'error') continue;
      if (siteIn(report.leakSites, f, graph)) {
        const claims = siteClaims.get(report.name) ?? new Set();
        claims.add(f);
        siteClaims.set(report.name, claims);
      }
    }
  }

  for (const f of findings) {
    const covering = coveringOf(f);
    if (!covering.length) {
      out.set(f, { status: 'not-exercised', evidence: 'no scenario covers it' });
      continue;
    }
    const ran = covering.map((p) => reports.get(p.scenario.name)).filter((r): r is ScenarioReport => !!r);
    const usable = ran.filter((r) => r.verdict !== 'error');
    if (!usable.length) {
      const why = ran.length
        ? `its scenario${ran.length > 1 ? 's' : ''} failed to run`
        : 'its scenarios did not run';
      out.set(f, { status: 'not-exercised', evidence: why });
      continue;
    }
    let confirmation: Confirmation | null = null;
    for (const report of usable) {
      const site = siteIn(report.leakSites, f, graph);
      const predicted = predictedMetrics(f);
      const grown = predicted.find((m) => report.metrics[m]?.exceeded);
      const claims = siteClaims.get(report.name);
      const holder = report.verdict === 'fail' ? holderOf(report, f) : undefined;
      const metricCounts = grown && (grown !== 'heap' || !claims || claims.size === 0);
      if (!site && !metricCounts && !holder) continue;
      const metric = site || holder ? 'heap' : grown!;
      const recorded = report.metrics[metric];
      const slope = recorded?.slopePerIteration ?? 0;
      const siteEvidence = site
        ? `leak site ${site.file}:${site.line} in ${f.function ?? f.file} grew ${formatBytes(site.sizeDiffBytes)} over ${report.attributionIterations ?? '?'} iterations of '${report.name}'`
        : null;
      const evidence = holder
        ? `${heldEvidence(holder)} in '${report.name}'${siteEvidence ? `; ${siteEvidence}` : ''}`
        : (siteEvidence ??
          `'${report.name}' grew ${metric} ${describeSlope(metric, slope)} per iteration, past its budget`);
      confirmation = {
        status: 'confirmed',
        evidence,
        recommendation: recommend(
          f,
          report,
          metric,
          slope,
          recorded?.projection?.perHour ?? null,
          site ?? (holder ? holderSite(holder) : null),
          thresholds,
        ),
      };
      break;
    }
    if (confirmation) {
      out.set(f, confirmation);
      continue;
    }
    const id = f.function ? functionId(f.file, f.function) : null;
    const reached = usable.filter((r) => reachedIn(r, id));
    if (!reached.length) {
      out.set(f, { status: 'not-reached', evidence: usable.map((r) => missed(r, f, id)).join('; ') });
      continue;
    }
    const names = reached.map((r) => `'${r.name}'`).join(', ');
    out.set(f, {
      status: 'not-reproduced',
      evidence:
        `${names} ran it${reached.map((r) => describeReach(r, id)).join('')} and stayed within budget` +
        (reached.some((r) => r.verdict === 'fail') ? ' for what this rule predicts' : ''),
    });
  }
  return out;
}

/**
 * Did the scenario run the finding's code? Most answers a success, and its function entered in most of the
 * probe's iterations (a module-level finding, or a function the probe could not watch: the answers alone
 * decide). A report without a reach probe (a soak, an older report) is taken at its word.
 */
function reachedIn(report: ScenarioReport, id: string | null): boolean {
  const reach = report.reach;
  if (!reach) return true;
  const share = successShare(report);
  if (share === null || share < 0.5) return false;
  // A function the probe watched decides; one it could not watch (not in the call graph), the answers.
  if (id !== null && id in reach.functions && reach.probeIterations > 0) {
    return reach.functions[id] * 2 > reach.probeIterations;
  }
  return true;
}

function describeReach(report: ScenarioReport, id: string | null): string {
  const reach = report.reach;
  if (!reach) return '';
  const parts: string[] = [];
  if (id !== null && id in reach.functions && reach.probeIterations) {
    parts.push(`in ${reach.functions[id]} of ${reach.probeIterations} probe iterations`);
  }
  const answers = describeStatuses(reach.statuses);
  if (answers) parts.push(`answers ${answers}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** Why a scenario did not count as running the finding's code. */
function missed(report: ScenarioReport, f: Finding, id: string | null): string {
  const reach = report.reach!;
  const parts: string[] = [];
  if (id !== null && id in reach.functions) {
    const n = reach.functions[id];
    if (n === 0) parts.push(`never entered ${f.function}() in ${reach.probeIterations} probe iterations`);
    else if (n * 2 <= reach.probeIterations) {
      parts.push(`entered ${f.function}() in only ${n} of ${reach.probeIterations} probe iterations`);
    }
  }
  const share = successShare(report);
  const answers = describeStatuses(reach.statuses);
  if (answers)
    parts.push(`${share !== null && share < 0.5 ? 'mostly failed answers: ' : 'answers '}${answers}`);
  return `'${report.name}' ${parts.join('; ')}`;
}

/** The first leak site whose traceback passes through the finding's function or code it calls. */
function siteIn(sites: readonly LeakSite[], f: Finding, graph: CallGraph): LeakSite | null {
  const ranges: { file: string; from: number; to: number }[] = [];
  if (f.function) {
    for (const id of reachableFrom(graph, functionId(f.file, f.function))) {
      const fn = graph.functions.get(id);
      if (fn) ranges.push({ file: fn.file, from: fn.line, to: fn.endLine });
    }
  }
  if (!ranges.length) ranges.push({ file: f.file, from: f.line, to: f.endLine });
  for (const site of sites) {
    for (const frame of site.traceback) {
      const at = frame.lastIndexOf(':');
      const file = frame.slice(0, at);
      const line = Number(frame.slice(at + 1));
      if (ranges.some((r) => r.file === file && line >= r.from && line <= r.to)) return site;
    }
  }
  return null;
}

function describeSlope(metric: string, slope: number): string {
  return isBytes(metric) ? formatBytes(slope) : `${slope.toFixed(3)} ${metric}`;
}

export function leakClass(
  metric: string,
  perHour: number | null,
  thresholds: LeakClassThresholds,
): LeakClass {
  if (perHour === null) return 'Medium';
  const limits = isBytes(metric) ? thresholds.bytesPerHour : thresholds.countPerHour;
  if (perHour >= limits[0]) return 'Critical';
  if (perHour >= limits[1]) return 'High';
  if (perHour >= limits[2]) return 'Medium';
  return 'Low';
}

/** `perHour`: the metric's recorded projection (null when the report has none: the class is then Medium). */
function recommend(
  f: Finding,
  report: ScenarioReport,
  metric: string,
  perIteration: number,
  perHour: number | null,
  site: LeakSite | null,
  thresholds: LeakClassThresholds,
): Recommendation {
  const cls = leakClass(metric, perHour, thresholds);
  const growth = isBytes(metric)
    ? `${formatBytes(perIteration)} per iteration${perHour === null ? '' : ` (${formatBytes(perHour)}/h at the measured rate)`}`
    : `${perIteration.toFixed(3)} ${metric} per iteration${perHour === null ? '' : ` (${Math.round(perHour)} per hour at the measured rate)`}`;
  const where = site ? ` at ${site.file}:${site.line}${site.code ? ` (\`${site.code}\`)` : ''}` : '';
  return {
    class: cls,
    scenario: report.name,
    metric,
    perIteration,
    perHour,
    leakSite: site ? { file: site.file, line: site.line, ...(site.code ? { code: site.code } : {}) } : null,
    fix: f.fix,
    summary: `${cls}: ${metric} grows ${growth}${where} in '${report.name}'. Fix: ${f.fix}`,
  };
}
