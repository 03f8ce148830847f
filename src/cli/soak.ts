/**
 * `heapgate soak`: the dynamic phase alone, every scenario, for local soaks and CI. Parses the flags,
 * runs the soak pipeline with a progress line, writes the report, maps the outcome to an exit code.
 * Ctrl-C (or SIGTERM) stops at once (cli/interrupt.ts), ends the target, writes a partial report and
 * exits non-zero; a second Ctrl-C ends the target on the spot and still writes what finished. With
 * --pytest PATH, the tests under PATH that reach flagged code are soaked too (cli/soak-pytest.ts).
 */
import path from 'node:path';
import { resolveDynamicOptions, type DynamicFlags } from '../config/dynamic.js';
import { checkConfigKeys } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { EXIT, UsageError } from '../errors.js';
import { prepareScenarios, requireFoundTarget } from '../pipeline/scenarios.js';
import { talksToTarget, type Scenario } from '../scenarios/model.js';
import { runSoakPipeline } from '../pipeline/soak.js';
import { parseShard, shardScenarios } from '../scenarios/shard.js';
import { explainOutcome, noteWriter, warnAboutTarget } from './explain.js';
import { publishToGitHub } from './github.js';
import { Interruption } from './interrupt.js';
import type { CommandIO } from './io.js';
import { startLive, type LiveFlags } from './live.js';
import { ProgressPrinter } from './progress.js';
import { resolveOutputFlags, writeRenderedReport } from './report-output.js';
import { pytestScenarios, type PytestFlags } from './soak-pytest.js';

export interface SoakFlags extends DynamicFlags, LiveFlags, PytestFlags {
  format?: string;
  output?: string;
  outputDir?: string;
  shard?: string;
}

export async function runSoak(flags: SoakFlags, io: CommandIO): Promise<number> {
  const config = readPyprojectConfig(path.resolve(flags.cwd ?? '.'));
  checkConfigKeys(config);
  const resolved = resolveDynamicOptions(flags, config, '.');
  const formats = resolveOutputFlags(flags, 'text');
  const shard = flags.shard === undefined ? null : parseShard(flags.shard, '--shard');
  const pytest = flags.pytest?.length ? flags.pytest : null;
  // With --pytest, the scenario files are only those --scenarios names (not [tool.heapgate]'s).
  const given = pytest && !flags.scenarios?.length ? { ...resolved, scenarioPaths: [] } : resolved;
  if (!given.scenarioPaths.length && !pytest) {
    throw new UsageError(
      'no scenarios: pass --scenarios FILE_OR_FOLDER or --pytest TESTS (or set scenarios in [tool.heapgate])',
    );
  }
  if (flags.maxTests !== undefined && !pytest) throw new UsageError('--max-tests: only with --pytest');
  const files = given.scenarioPaths.length ? await prepareScenarios(given, { requireTarget: false }) : [];
  const tests = pytest ? await pytestScenarios(flags, given, files.length, io) : null;
  const all = [...files, ...(tests?.scenarios ?? [])];
  checkUniqueNames(all);
  // A shard with nothing to run still writes its (passing) report, so a CI matrix can always merge.
  const scenarios = shard ? shardScenarios(all, shard) : all;
  // No --target: the service found by itself (issue 16), or exit 2 saying why there is none.
  const note = noteWriter(io);
  // The tests run in a bare interpreter (--python) unless --target says to run them in the service, or
  // another scenario needs the service anyway.
  const bare = tests && flags.target === undefined && !files.some(talksToTarget);
  const options = requireFoundTarget(bare ? { ...given, command: null } : given, all, note);
  warnAboutTarget(given.command, scenarios, io, options.port);

  const interruption = new Interruption(io);
  const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  // --live / --save-every: the live view and the partial report written while the soak runs (cli/live.ts).
  const live = await startLive(flags, scenarios, options, formats, io);
  let outcome;
  try {
    outcome = await runSoakPipeline(scenarios, {
      dynamic: options,
      selectedBy: tests?.selectedBy,
      signal: interruption.signal,
      stoppedBy: () => interruption.stoppedBy,
      onProgress: (p) => {
        progress.update(p);
        live?.onProgress(p);
      },
      onNote: (text) => {
        progress.finishLine();
        note(text);
      },
      onScenarioDone: (run) => {
        progress.finishLine();
        live?.onScenarioDone(run);
      },
      onPartial: (partial) =>
        interruption.onSecondSignal(() => {
          progress.finishLine();
          writeRenderedReport(partial(), formats, flags, io);
        }),
    });
  } finally {
    interruption.release();
    progress.finishLine();
    await live?.stop();
  }
  const { report } = outcome;
  explainOutcome(report, writeRenderedReport(report, formats, flags, io), io);
  publishToGitHub(report, process.env, io, { root: options.cwd });
  if (interruption.exitCode !== null) return interruption.exitCode;
  if (outcome.targetFailed) return EXIT.targetFailed;
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}

/** A picked test named like a scenario of a file: exit 2, naming both. */
function checkUniqueNames(scenarios: readonly Scenario[]): void {
  const seen = new Map<string, Scenario>();
  for (const scenario of scenarios) {
    const earlier = seen.get(scenario.name);
    if (earlier) {
      throw new UsageError(
        `${scenario.where}: '${scenario.name}' is already the name of a scenario in ${earlier.where}`,
      );
    }
    seen.set(scenario.name, scenario);
  }
}
