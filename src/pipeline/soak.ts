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
import { runScenario, type ScenarioRun } from './run-scenario.js';

export interface SoakOptions {
  dynamic: DynamicOptions;
  signal?: AbortSignal;
  /** The name of the signal that stopped the run, asked for once it has (for the report). */
  stoppedBy?: () => string | null;
  onProgress?: (progress: Progress) => void;
  /** Called after each scenario (the terminal ends its progress line). */
  onScenarioDone?: (run: ScenarioRun) => void;
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
  try {
    for (const scenario of scenarios) {
      if (options.signal?.aborted) break;
      const run = await runScenario(scenario, {
        dynamic: options.dynamic,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      options.onScenarioDone?.(run);
      runs.push(run);
    }
  } finally {
    await stopAllTargets();
  }
  return {
    report: soakReport(runs, options.stoppedBy?.() ?? null, scenarios.length),
    targetFailed: runs.some((r) => r.targetFailed),
  };
}

export function soakReport(runs: readonly ScenarioRun[], stoppedBy: string | null, planned: number): Report {
  const reasons = scenarioGateReasons(runs.map((r) => r.report));
  if (stoppedBy) {
    reasons.push(
      `interrupted by ${stoppedBy} after ${runs.length} of ${planned} scenario${planned === 1 ? '' : 's'}`,
    );
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'heapgate', version: VERSION },
    findings: [],
    scenarios: runs.map((r) => r.report),
    gate: { passed: reasons.length === 0, reasons },
  };
}
