/**
 * What the run proved about each static finding: `confirmed` when a scenario that covered it showed the
 * leak — a leak site inside the finding's function (or code it calls), or the metric its rule predicts
 * growing past budget — `not-reproduced` when covering scenarios ran and showed nothing, `not-exercised`
 * when none ran. Confirmed findings get a recommendation sized by projected growth. Pure.
 */
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

const COUNT_METRICS = new Set(['threads', 'fds', 'handlers']);

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

  const coveringOf = (f: Finding) =>
    plan.scenarios.filter(
      (p) =>
        p.selected && p.selectedBy.some((r) => r.rule === f.rule && r.file === f.file && r.line === f.line),
    );

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
      const metricCounts = grown && (grown !== 'heap' || !claims || claims.size === 0);
      if (!site && !metricCounts) continue;
      const metric = site ? 'heap' : grown!;
      const slope = report.metrics[metric]?.slopePerIteration ?? 0;
      const evidence = site
        ? `leak site ${site.file}:${site.line} in ${f.function ?? f.file} grew ${formatBytes(site.sizeDiffBytes)} over ${report.attributionIterations ?? '?'} iterations of '${report.name}'`
        : `'${report.name}' grew ${metric} ${describeSlope(metric, slope)} per iteration, past its budget`;
      confirmation = {
        status: 'confirmed',
        evidence,
        recommendation: recommend(f, report, metric, slope, site, thresholds),
      };
      break;
    }
    if (confirmation) {
      out.set(f, confirmation);
      continue;
    }
    const names = usable.map((r) => `'${r.name}'`).join(', ');
    out.set(f, {
      status: 'not-reproduced',
      evidence: `${names} exercised it and stayed within budget${usable.some((r) => r.verdict === 'fail') ? ' for what this rule predicts' : ''}`,
    });
  }
  return out;
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
  return COUNT_METRICS.has(metric) ? `${slope.toFixed(3)} ${metric}` : formatBytes(slope);
}

/** Iterations per hour over the measured part of a scenario's series, or null. */
export function iterationsPerHour(report: ScenarioReport): number | null {
  const series = report.series ?? [];
  const from = series.find((p) => p.iteration >= (report.warmupIterations ?? 0));
  const to = series[series.length - 1];
  if (!from || !to || to.elapsedMs <= from.elapsedMs) return null;
  return ((to.iteration - from.iteration) * 3_600_000) / (to.elapsedMs - from.elapsedMs);
}

export function leakClass(
  metric: string,
  perHour: number | null,
  thresholds: LeakClassThresholds,
): LeakClass {
  if (perHour === null) return 'Medium';
  const limits = COUNT_METRICS.has(metric) ? thresholds.countPerHour : thresholds.bytesPerHour;
  if (perHour >= limits[0]) return 'Critical';
  if (perHour >= limits[1]) return 'High';
  if (perHour >= limits[2]) return 'Medium';
  return 'Low';
}

function recommend(
  f: Finding,
  report: ScenarioReport,
  metric: string,
  perIteration: number,
  site: LeakSite | null,
  thresholds: LeakClassThresholds,
): Recommendation {
  const rate = iterationsPerHour(report);
  const perHour = rate === null ? null : perIteration * rate;
  const cls = leakClass(metric, perHour, thresholds);
  const growth = COUNT_METRICS.has(metric)
    ? `${perIteration.toFixed(3)} ${metric} per iteration${perHour === null ? '' : ` (${Math.round(perHour)} per hour at the measured rate)`}`
    : `${formatBytes(perIteration)} per iteration${perHour === null ? '' : ` (${formatBytes(perHour)}/h at the measured rate)`}`;
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
