/** `heapgate analyze [PATH]`: the static phase, reported in the chosen formats, gated by --fail-on. */
import path from 'node:path';
import { resolveDynamicOptions } from '../config/dynamic.js';
import { resolveAnalyzeOptions, type AnalyzeFlags } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { EXIT, UsageError } from '../errors.js';
import { runAnalyzePipeline, type AnalyzeOutcome } from '../pipeline/analyze.js';
import { parseShard } from '../scenarios/shard.js';
import { selectRules } from '../static/rules/index.js';
import { explainOutcome, noteWriter, warnAboutTarget } from './explain.js';
import { publishToGitHub } from './github.js';
import { Interruption } from './interrupt.js';
import type { CommandIO } from './io.js';
import { ProgressPrinter } from './progress.js';
import { prepareReportOutputs, writeRenderedReport } from './report-output.js';

export async function runAnalyze(
  pathArg: string | undefined,
  flags: AnalyzeFlags,
  io: CommandIO,
): Promise<number> {
  const options = resolveAnalyzeOptions(pathArg, flags);
  const rules = selectRules(options.ruleSelection);
  const outputFlags = { output: options.output ?? undefined, outputDir: options.outputDir ?? undefined };
  prepareReportOutputs(options.formats, outputFlags);
  let outcome: AnalyzeOutcome;
  let interruption: Interruption | null = null;
  if (flags.enableMemoryBudgetGate) {
    const config = readPyprojectConfig(options.config ? path.dirname(options.config) : options.root);
    const dynamic = resolveDynamicOptions(flags, config, flags.cwd ?? options.root);
    const shard = flags.shard === undefined ? null : parseShard(flags.shard, '--shard');
    interruption = new Interruption(io);
    const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    try {
      outcome = await runAnalyzePipeline(options, rules, {
        shard,
        dynamic,
        failOnConfirmed: flags.failOnConfirmed ?? false,
        all: flags.allScenarios ?? false,
        signal: interruption.signal,
        onProgress: (p) => progress.update(p),
        onNote: noteWriter(io, () => progress.finishLine()),
        onStart: (scenarios) => warnAboutTarget(dynamic.command, scenarios, io, dynamic.port),
        onPartial: (partial) =>
          interruption!.onSecondSignal(() => {
            progress.finishLine();
            writeRenderedReport(partial(), options.formats, outputFlags, io);
          }),
      });
    } finally {
      progress.finishLine();
      interruption.release();
    }
  } else {
    const gateOnly: [string, boolean][] = [
      ['--all-scenarios', flags.allScenarios === true],
      ['--fail-on-confirmed', flags.failOnConfirmed === true],
      ['--shard', flags.shard !== undefined],
      ['--gate-time', flags.gateTime !== undefined],
      ['--fail-on-unreached', flags.failOnUnreached === true],
    ];
    const given = gateOnly.find(([, on]) => on);
    if (given) throw new UsageError(`${given[0]}: only means something with --enable-memory-budget-gate`);
    outcome = await runAnalyzePipeline(options, rules, null);
  }

  const { report } = outcome;
  const n = report.findings.length;
  const toTerminal = writeRenderedReport(
    report,
    options.formats,
    outputFlags,
    io,
    `${n} finding${n === 1 ? '' : 's'}`,
  );
  explainOutcome(report, toTerminal, io);
  publishToGitHub(report, process.env, io, { root: options.root });
  if (interruption?.exitCode != null) return interruption.exitCode;
  if (outcome.targetFailed) return EXIT.targetFailed;
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}
