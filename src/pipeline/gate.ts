/**
 * The memory-budget gate (`analyze --enable-memory-budget-gate`), as named steps: static findings → a
 * plan (scenarios the findings select, most severe first; the user's other scenarios; a generated
 * scenario for every other route) → the selected ones, always → the rest while `--gate-time` lasts, each
 * with a reach probe that checks its requests get to the code (and tries other requests for a generated
 * scenario until one does) → each finding confirmed, not reproduced, not reached or not exercised → one
 * report that says what was soaked and what was left, and why.
 */
import path from 'node:path';
import {
  gateCoverage,
  gateSummary,
  routeOutcomes,
  scenarioGateReasons,
  staticGateReasons,
  unreachedReason,
} from '../analysis/gate.js';
import type { DynamicOptions } from '../config/dynamic.js';
import type { Report, ReportFinding, ScenarioReport } from '../model/report.js';
import type { Scenario } from '../scenarios/model.js';
import { buildCallGraph, functionId, type CallGraph } from '../select/callgraph.js';
import { alternativeRequests } from '../select/alternatives.js';
import { confirmFindings } from '../analysis/confirm.js';
import { tieHolders } from '../analysis/held-by.js';
import { generateScenario } from '../select/generate.js';
import { planScenarios, type Plan, type PlannedScenario } from '../select/plan.js';
import type { StaticResult } from '../static/engine.js';
import type { Severity } from '../model/static.js';
import { shardScenarios, type Shard } from '../scenarios/shard.js';
import { stopAllTargets } from '../service/process.js';
import type { Progress } from '../model/progress.js';
import { UsageError } from '../errors.js';
import { interruptedReason, runScenario, type ReachPlan, type ScenarioRun } from './run-scenario.js';
import type { ReachFunction } from '../service/protocol.js';
import { prepareScenarios, runLength, withFoundTarget } from './scenarios.js';
import { talksToTarget, withLength } from '../scenarios/model.js';

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
  /** Told what the user should know as soon as it is known (the port a service chose itself). */
  onNote?: (note: string) => void;
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
    sweep: true,
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

/** Iterations of each scenario's reach probe. */
const REACH_ITERATIONS = 10;
/** A scenario after the selected ones starts only when at least this much of the time budget is left… */
const MIN_SCENARIO_MS = 2_000;

interface Attempt {
  planned: PlannedScenario;
  run: ScenarioRun | null;
  /** Why it did not run. */
  notRun: string | null;
}

export async function runGate(result: StaticResult, base: Report, given: GateOptions): Promise<GateOutcome> {
  const { plan, graph } = await planGate(result, given);
  const runnable = plan.scenarios.filter((p) => p.phase !== null);
  const toRun = given.shard
    ? shardScenarios(
        runnable.map((p) => ({ name: p.scenario.name, planned: p })),
        given.shard,
      ).map((entry) => entry.planned)
    : runnable;
  // No --target: the service found by itself (issue 16), when some scenario to run sends requests.
  const found = withFoundTarget(
    given.dynamic,
    toRun.map((p) => p.scenario),
    given.onNote,
  );
  const options: GateOptions = { ...given, dynamic: found.options };
  const needsTarget = toRun.find((p) => p.phase === 'selected' && talksToTarget(p.scenario));
  if (needsTarget && options.dynamic.command === null) {
    const what =
      needsTarget.scenario.kind === 'websocket' ? 'opens WebSocket connections' : 'sends HTTP requests';
    throw new UsageError(
      `the gate would run '${needsTarget.scenario.name}', which ${what}: ` +
        (found.problem ?? 'pass --target "CMD" (or set target in [tool.heapgate])'),
    );
  }
  const watched = flaggedFunctions(result, graph);

  options.onStart?.(toRun.map((p) => p.scenario));
  const attempts: Attempt[] = plan.scenarios
    .filter((p) => p.phase !== null && !toRun.includes(p))
    .map((planned) => ({ planned, run: null, notRun: 'in another shard' }));
  const runs: ScenarioRun[] = [];
  let current: string | null = null;
  const assemble = (unfinished: string | null): GateOutcome =>
    gateReport(result, base, { plan, graph, runs, attempts, planned: toRun.length, unfinished }, options);
  options.onPartial?.(() => assemble(current).report);
  const started = Date.now();
  try {
    for (const planned of toRun) {
      const skip = whyNotRun(planned, options, Date.now() - started, runs);
      if (skip) {
        attempts.push({ planned, run: null, notRun: skip });
        continue;
      }
      current = planned.scenario.name;
      const run = await runScenario(planned.scenario, {
        dynamic: options.dynamic,
        signal: options.signal,
        onProgress: options.onProgress,
        onNote: options.onNote,
        reach: reachPlan(planned, watched, result.root),
      });
      run.report.selectedBy = planned.selectedBy.map((r) => ({ rule: r.rule, file: r.file, line: r.line }));
      if (planned.generated) run.report.generated = true;
      if (planned.phase) run.report.phase = planned.phase;
      runs.push(run);
      attempts.push({ planned, run, notRun: null });
      current = null;
    }
  } finally {
    await stopAllTargets();
  }
  return assemble(null);
}

/** Why a planned scenario is not started now, or null to start it. */
function whyNotRun(
  planned: PlannedScenario,
  options: GateOptions,
  elapsedMs: number,
  runs: readonly ScenarioRun[],
): string | null {
  if (options.signal?.aborted) return 'interrupted';
  if (planned.phase === 'selected') return null;
  if (talksToTarget(planned.scenario) && options.dynamic.command === null)
    return 'no --target to start the service';
  // The rest run while the budget lasts: one more only when about a scenario's time is left.
  const typical = runs.length ? runs.reduce((sum, r) => sum + r.report.durationMs, 0) / runs.length : 0;
  const left = options.dynamic.gateTimeMs - elapsedMs;
  return left < Math.max(MIN_SCENARIO_MS, typical) ? 'time budget' : null;
}

/** Every flagged function the call graph knows: any scenario's probe watches them all. */
function flaggedFunctions(result: StaticResult, graph: CallGraph): ReachFunction[] {
  const out = new Map<string, ReachFunction>();
  for (const f of result.findings) {
    if (!f.function) continue;
    const fn = graph.functions.get(functionId(f.file, f.function));
    if (fn) out.set(fn.id, { id: fn.id, file: fn.file, lines: [fn.firstLine, fn.line] });
  }
  return [...out.values()];
}

/**
 * The scenario's reach probe: its functions of interest plus every flagged function (a scenario the call
 * graph did not link may still run one), absolute paths for the shim; its targets, the flagged functions
 * it was selected for (else its routes' handlers); a generated scenario's other requests to try.
 */
function reachPlan(
  planned: PlannedScenario,
  watched: readonly ReachFunction[],
  root: string,
): ReachPlan | undefined {
  const functions = new Map<string, ReachFunction>();
  for (const f of [...planned.interest, ...watched]) {
    if (!functions.has(f.id))
      functions.set(f.id, { id: f.id, file: path.resolve(root, f.file), lines: f.lines });
  }
  if (!functions.size) return undefined;
  const flagged = planned.interest.filter((f) => f.role === 'flagged').map((f) => f.id);
  const targets = flagged.length
    ? flagged
    : planned.interest.filter((f) => f.role === 'handler').map((f) => f.id);
  const request = planned.scenario.request;
  return {
    functions: [...functions.values()],
    targets,
    iterations: REACH_ITERATIONS,
    ...(planned.generated && request ? { alternatives: alternativeRequests(request) } : {}),
  };
}

/** The combined report: findings confirmed by the runs so far, their scenarios, the gate. */
function gateReport(
  result: StaticResult,
  base: Report,
  progress: GatePlan & {
    runs: readonly ScenarioRun[];
    attempts: readonly Attempt[];
    planned: number;
    unfinished: string | null;
  },
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
  if (options.dynamic.failOnUnreached) reasons.push(...unreachedReason(findings));
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
      scenarios: runs.map((r) => tieHolders(r.report, result.findings)),
      gate: gate(reasons, progress, findings, plan),
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

/** The gate's verdict, what it covered and its one line. */
function gate(
  reasons: string[],
  progress: { runs: readonly ScenarioRun[]; attempts: readonly Attempt[]; unfinished: string | null },
  findings: readonly ReportFinding[],
  plan: Plan,
): Report['gate'] {
  const attempted = new Set(progress.attempts.map((a) => a.planned));
  const covering = [
    ...progress.attempts.map((a) => ({
      routes: a.planned.routes,
      report: a.run?.report ?? null,
      notRun: a.notRun,
    })),
    // Planned but never reached by the loop (a second Ctrl-C mid-run): not run.
    ...plan.scenarios
      .filter((p) => p.phase !== null && !attempted.has(p))
      .map((p) => ({
        routes: p.routes,
        report: null,
        notRun: 'interrupted',
      })),
  ];
  const coverage = gateCoverage(routeOutcomes(plan.routes, covering, plan.uncovered));
  const passed = reasons.length === 0;
  const judged = progress.runs.filter((r) => r.report.verdict !== 'error').length;
  return { passed, reasons, coverage, summary: gateSummary(passed, coverage, judged, findings) };
}
