/**
 * The dynamic phase alone (`heapgate soak`): every scenario, one after another, each against a fresh
 * target; a Ctrl-C stops at the end of the current block and the report says how far it got.
 */
import type { DynamicOptions } from '../config/dynamic.js';
import { scenarioGateReasons } from '../analysis/gate.js';
import type { Progress } from '../model/progress.js';
import { SCHEMA_VERSION, type Report } from '../model/report.js';
import type { Scenario } from '../scenarios/model.js';
import { stopAllTargets } from '../service/process.js';
import { VERSION } from '../version.js';
import { interruptedReason, runScenario, type ScenarioRun } from './run-scenario.js';

export interface SoakOptions {
  dynamic: DynamicOptions;
  signal?: AbortSignal;
  /** The name of the signal that stopped the run, asked for once it has (for the report). */
  stoppedBy?: () => string | null;
  onProgress?: (progress: Progress) => void;
  /** Told what the user should know as soon as it is known (the port a service chose itself). */
  onNote?: (note: string) => void;
  /** Per scenario name, the findings that selected it (`soak --pytest`), for the report's selectedBy. */
  selectedBy?: ReadonlyMap<string, { rule: string; file: string; line: number }[]>;
  /** Called after each scenario (the terminal ends its progress line). */
  onScenarioDone?: (run: ScenarioRun) => void;
  /** Handed, at the start, a function giving the report of what has finished so far (a second Ctrl-C). */
  onPartial?: (partial: () => Report) => void;
}

export interface SoakOutcome {
  report: Report;
  targetFailed: boolean;
}

export async function runSoakPipeline(
  scenarios: readonly Scenario[],
  options: SoakOptions,
): Promise<SoakOutcome> {
  const runs: ScenarioRun[] = [];
  let current: string | null = null;
  options.onPartial?.(() => soakReport(runs, options.stoppedBy?.() ?? 'a signal', scenarios.length, current));
  try {
    for (const scenario of scenarios) {
      if (options.signal?.aborted) break;
      current = scenario.name;
      const run = await runScenario(scenario, {
        dynamic: options.dynamic,
        signal: options.signal,
        onProgress: options.onProgress,
        onNote: options.onNote,
      });
      const selectedBy = options.selectedBy?.get(scenario.name);
      if (selectedBy) run.report.selectedBy = selectedBy;
      options.onScenarioDone?.(run);
      runs.push(run);
      current = null;
    }
  } finally {
    await stopAllTargets();
  }
  return {
    report: soakReport(runs, options.stoppedBy?.() ?? null, scenarios.length),
    targetFailed: runs.some((r) => r.targetFailed),
  };
}

export function soakReport(
  runs: readonly ScenarioRun[],
  stoppedBy: string | null,
  planned: number,
  /** The scenario a second signal cut short (left out of the report). */
  unfinished: string | null = null,
): Report {
  const reasons = scenarioGateReasons(runs.map((r) => r.report));
  if (stoppedBy) reasons.push(interruptedReason(stoppedBy, runs.length, planned, unfinished));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'heapgate', version: VERSION },
    findings: [],
    scenarios: runs.map((r) => r.report),
    gate: { passed: reasons.length === 0, reasons },
  };
}
