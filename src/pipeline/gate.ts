/**
 * The memory-budget gate (`analyze --enable-memory-budget-gate`): static findings → a plan of scenarios
 * (selected by the findings, generated for flagged routes nobody covers) → the dynamic phase on the
 * selected ones, most severe first → each finding confirmed, not reproduced or not exercised → one
 * combined report.
 */
import { scenarioGateReasons, staticGateReasons } from '../analysis/gate.js';
import type { DynamicOptions } from '../config/dynamic.js';
import type { Report, ReportFinding, ScenarioReport } from '../model/report.js';
import type { Scenario } from '../scenarios/model.js';
import { buildCallGraph, type CallGraph } from '../select/callgraph.js';
import { confirmFindings } from '../analysis/confirm.js';
import { generateScenario } from '../select/generate.js';
import { planScenarios, type Plan } from '../select/plan.js';
import type { StaticResult } from '../static/engine.js';
import type { Severity } from '../model/static.js';
import { shardScenarios, type Shard } from '../scenarios/shard.js';
import { stopAllTargets } from '../service/process.js';
import type { Progress } from '../model/progress.js';
import { UsageError } from '../errors.js';
import { interruptedReason, runScenario, type ScenarioRun } from './run-scenario.js';
import { prepareScenarios, runLength } from './scenarios.js';
import { withLength } from '../scenarios/model.js';

export interface GateOptions {
  dynamic: DynamicOptions;
  /** --shard i/n: this job runs only its share of the selected scenarios. */
  shard?: Shard | null;
  exclude: readonly string[];
  failOn: Severity | null;
  /** --fail-on counts confirmed findings only. */
  failOnConfirmed: boolean;
  all: boolean;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Told the scenarios about to run, before the first starts. */
  onStart?: (scenarios: readonly Scenario[]) => void;
  /** Handed, once the plan is made, a function giving the report of what has finished (a second Ctrl-C). */
  onPartial?: (partial: () => Report) => void;
}

export interface GatePlan {
  plan: Plan;
  graph: CallGraph;
}

/** The plan the gate would run: also what `heapgate scenarios` prints. */
export async function planGate(
  result: StaticResult,
  options: Omit<GateOptions, 'failOn' | 'failOnConfirmed'>,
): Promise<GatePlan> {
  const scenarios: Scenario[] = options.dynamic.scenarioPaths.length
    ? await prepareScenarios(options.dynamic, { requireTarget: false })
    : [];
  const graph = await buildCallGraph(result.root, options.exclude);
  const plan = planScenarios({
    findings: result.findings,
    routes: result.routes,
    scenarios,
    graph,
    all: options.all,
    generate: (route, findings) => {
      // --iterations / --duration apply to generated scenarios as to the user's (issue 13).
      const generated = generateScenario(route, findings);
      return typeof generated === 'string' ? generated : withLength(generated, runLength(options.dynamic));
    },
  });
  return { plan, graph };
}

export interface GateOutcome {
  report: Report;
  targetFailed: boolean;
  interrupted: boolean;
}

export async function runGate(
  result: StaticResult,
  base: Report,
  options: GateOptions,
): Promise<GateOutcome> {
  const { plan, graph } = await planGate(result, options);
  const selected = plan.scenarios.filter((p) => p.selected);
  const toRun = options.shard
    ? shardScenarios(
        selected.map((p) => ({ name: p.scenario.name, planned: p })),
        options.shard,
      ).map((entry) => entry.planned)
    : selected;
  const needsTarget = toRun.find((p) => p.scenario.request);
  if (needsTarget && options.dynamic.command === null) {
    throw new UsageError(
      `the gate would run '${needsTarget.scenario.name}', which sends HTTP requests: pass --target "CMD" (or set target in [tool.heapgate])`,
    );
  }

  options.onStart?.(toRun.map((p) => p.scenario));
  const runs: ScenarioRun[] = [];
  let current: string | null = null;
  const assemble = (unfinished: string | null): GateOutcome =>
    gateReport(result, base, { plan, graph, runs, planned: toRun.length, unfinished }, options);
  options.onPartial?.(() => assemble(current).report);
  try {
    for (const planned of toRun) {
      if (options.signal?.aborted) break;
      current = planned.scenario.name;
      const run = await runScenario(planned.scenario, {
        dynamic: options.dynamic,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      run.report.selectedBy = planned.selectedBy.map((r) => ({ rule: r.rule, file: r.file, line: r.line }));
      if (planned.generated) run.report.generated = true;
      runs.push(run);
      current = null;
    }
  } finally {
    await stopAllTargets();
  }
  return assemble(null);
}

/** The combined report: findings confirmed by the runs so far, their scenarios, the gate. */
function gateReport(
  result: StaticResult,
  base: Report,
  progress: GatePlan & { runs: readonly ScenarioRun[]; planned: number; unfinished: string | null },
  options: GateOptions,
): GateOutcome {
  const { plan, graph, runs } = progress;
  const reports = new Map<string, ScenarioReport>(runs.map((r) => [r.report.name, r.report]));
  const confirmations = confirmFindings(result.findings, plan, reports, graph);
  const findings: ReportFinding[] = result.findings.map((f) => {
    const c = confirmations.get(f)!;
    return {
      ...f,
      dynamic: c.status,
      evidence: c.evidence,
      ...(c.recommendation ? { recommendation: c.recommendation } : {}),
    };
  });

  const judged = options.failOnConfirmed ? findings.filter((f) => f.dynamic === 'confirmed') : findings;
  const reasons = staticGateReasons(judged, options.failOn).map((r) =>
    options.failOnConfirmed ? r.replace(/finding(s?) at or above/, 'confirmed finding$1 at or above') : r,
  );
  reasons.push(...scenarioGateReasons(runs.map((r) => r.report)));
  const interrupted = options.signal?.aborted === true;
  if (interrupted) {
    const reason: unknown = options.signal?.reason;
    const by = reason instanceof Error ? reason.message : 'a signal';
    reasons.push(interruptedReason(by, runs.length, progress.planned, progress.unfinished));
  }

  return {
    report: {
      ...base,
      findings,
      scenarios: runs.map((r) => r.report),
      gate: { passed: reasons.length === 0, reasons },
      plan: plan.scenarios.map((p) => ({
        scenario: p.scenario.name,
        file: p.generated ? null : p.scenario.file,
        generated: p.generated,
        selected: p.selected,
        why: p.why,
      })),
      uncoveredRoutes: plan.uncovered,
    },
    targetFailed: runs.some((r) => r.targetFailed),
    interrupted,
  };
}
