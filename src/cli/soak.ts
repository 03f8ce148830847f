/**
 * `heapgate soak`: the dynamic phase alone, every scenario, for local soaks and CI. Scenarios run one after
 * another, each against a fresh target. Ctrl-C (or SIGTERM) stops the current scenario at the end of its
 * block, ends the target, writes a partial report and exits non-zero; a second Ctrl-C ends at once.
 */
import path from 'node:path';
import { parseShard, shardScenarios } from '../scenarios/shard.js';
import { publishToGitHub } from './github.js';
import { resolveOutputFlags, writeRenderedReport } from './report-output.js';
import { resolveDynamicOptions, type DynamicFlags, type DynamicOptions } from '../config/dynamic.js';
import { checkConfigKeys } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { runnerOptions, runScenario, scenarioBudget, type ScenarioRun } from '../drive/runner.js';
import { scenarioGateReasons } from '../analysis/gate.js';
import { SCHEMA_VERSION, type Report } from '../report/model.js';
import { loadScenarios } from '../scenarios/load.js';
import { withLength, type Scenario } from '../scenarios/model.js';
import { checkLoopback } from '../drive/http.js';
import { ALL_RULES } from '../static/rules/index.js';
import { stopAllTargets } from '../target/process.js';
import { VERSION } from '../version.js';
import type { CommandIO } from './analyze.js';
import { EXIT, UsageError } from './errors.js';
import { Interruption } from './interrupt.js';
import { ProgressPrinter } from './progress.js';

export interface SoakFlags extends DynamicFlags {
  format?: string;
  output?: string;
  outputDir?: string;
  shard?: string;
}

export async function runSoak(flags: SoakFlags, io: CommandIO): Promise<number> {
  const config = readPyprojectConfig(path.resolve(flags.cwd ?? '.'));
  checkConfigKeys(config);
  const options = resolveDynamicOptions(flags, config, '.');
  const formats = resolveOutputFlags(flags, 'text');
  const shard = flags.shard === undefined ? null : parseShard(flags.shard, '--shard');
  if (!options.scenarioPaths.length) {
    throw new UsageError(
      'no scenarios: pass --scenarios FILE_OR_FOLDER (or set scenarios in [tool.heapgate])',
    );
  }
  const all = await prepareScenarios(options);
  // A shard with nothing to run still writes its (passing) report, so a CI matrix can always merge.
  const scenarios = shard ? shardScenarios(all, shard) : all;

  const interruption = new Interruption(io);
  const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  const runs: ScenarioRun[] = [];
  try {
    for (const scenario of scenarios) {
      if (interruption.signal.aborted) break;
      const run = await runScenario(
        scenario,
        runnerOptions(options, { signal: interruption.signal, onProgress: (p) => progress.update(p) }),
      );
      progress.finishLine();
      runs.push(run);
    }
  } finally {
    interruption.release();
    progress.finishLine();
    await stopAllTargets();
  }

  const report = soakReport(runs, interruption.stoppedBy, scenarios.length);
  writeRenderedReport(report, formats, flags, io);
  publishToGitHub(report, process.env, io, { root: options.cwd });
  if (interruption.exitCode !== null) return interruption.exitCode;
  if (runs.some((r) => r.targetFailed)) return EXIT.targetFailed;
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}

/** Loads, validates and applies --iterations/--duration; checks budgets and URLs before anything runs. */
export async function prepareScenarios(
  options: DynamicOptions,
  { requireTarget = true }: { requireTarget?: boolean } = {},
): Promise<Scenario[]> {
  const knownRules = ALL_RULES.flatMap((r) => [r.meta.id, r.meta.shortId]);
  const loaded = await loadScenarios(options.scenarioPaths, { cwd: options.cwd, knownRules });
  const scenarios = loaded.map((s) =>
    withLength(s, {
      ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
      ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
    }),
  );
  for (const scenario of scenarios) {
    scenarioBudget(scenario, options.configBudget, options.flagBudget);
    if (requireTarget && scenario.request && options.command === null) {
      throw new UsageError(
        `${scenario.where}: sends HTTP requests, so it needs --target "CMD" to start the service`,
      );
    }
    if (scenario.request?.url) {
      await checkLoopback(scenario.request.url, { allowRemote: options.allowRemote, origin: scenario });
    }
  }
  return scenarios;
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
