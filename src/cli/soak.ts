/**
 * `heapgate soak`: the dynamic phase alone, every scenario, for local soaks and CI. Parses the flags,
 * runs the soak pipeline with a progress line, writes the report, maps the outcome to an exit code.
 * Ctrl-C (or SIGTERM) stops at once (cli/interrupt.ts), ends the target, writes a partial report and
 * exits non-zero; a second Ctrl-C ends the target on the spot and still writes what finished.
 */
import path from 'node:path';
import { resolveDynamicOptions, type DynamicFlags } from '../config/dynamic.js';
import { checkConfigKeys } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { EXIT, UsageError } from '../errors.js';
import { prepareScenarios, requireFoundTarget } from '../pipeline/scenarios.js';
import { runSoakPipeline } from '../pipeline/soak.js';
import { parseShard, shardScenarios } from '../scenarios/shard.js';
import { explainOutcome, noteWriter, warnAboutTarget } from './explain.js';
import { publishToGitHub } from './github.js';
import { Interruption } from './interrupt.js';
import type { CommandIO } from './io.js';
import { startLive, type LiveFlags } from './live.js';
import { ProgressPrinter } from './progress.js';
import { resolveOutputFlags, writeRenderedReport } from './report-output.js';

export interface SoakFlags extends DynamicFlags, LiveFlags {
  format?: string;
  output?: string;
  outputDir?: string;
  shard?: string;
}

export async function runSoak(flags: SoakFlags, io: CommandIO): Promise<number> {
  const config = readPyprojectConfig(path.resolve(flags.cwd ?? '.'));
  checkConfigKeys(config);
  const given = resolveDynamicOptions(flags, config, '.');
  const formats = resolveOutputFlags(flags, 'text');
  const shard = flags.shard === undefined ? null : parseShard(flags.shard, '--shard');
  if (!given.scenarioPaths.length) {
    throw new UsageError(
      'no scenarios: pass --scenarios FILE_OR_FOLDER (or set scenarios in [tool.heapgate])',
    );
  }
  const all = await prepareScenarios(given, { requireTarget: false });
  // A shard with nothing to run still writes its (passing) report, so a CI matrix can always merge.
  const scenarios = shard ? shardScenarios(all, shard) : all;
  // No --target: the service found by itself (issue 16), or exit 2 saying why there is none.
  const note = noteWriter(io);
  const options = requireFoundTarget(given, all, note);
  warnAboutTarget(given.command, scenarios, io, options.port);

  const interruption = new Interruption(io);
  const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  // --live / --save-every: the live view and the partial report written while the soak runs (cli/live.ts).
  const live = await startLive(flags, scenarios, options, formats, io);
  let outcome;
  try {
    outcome = await runSoakPipeline(scenarios, {
      dynamic: options,
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
