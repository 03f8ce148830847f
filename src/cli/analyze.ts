/** `heapgate analyze [PATH]`: the static phase, reported in the chosen formats, gated by --fail-on. */
import path from 'node:path';
import { resolveDynamicOptions } from '../config/dynamic.js';
import { resolveAnalyzeOptions, type AnalyzeFlags } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { buildStaticReport } from '../report/build.js';
import { parseShard } from '../scenarios/shard.js';
import { analyzeProject } from '../static/engine.js';
import { EXIT, UsageError } from './errors.js';
import { runGate } from './gate.js';
import { publishToGitHub } from './github.js';
import { Interruption } from './interrupt.js';
import { ProgressPrinter } from './progress.js';
import { writeRenderedReport } from './report-output.js';

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

export async function runAnalyze(
  pathArg: string | undefined,
  flags: AnalyzeFlags,
  io: CommandIO,
): Promise<number> {
  const options = resolveAnalyzeOptions(pathArg, flags);
  const started = performance.now();
  const result = await analyzeProject({
    root: options.root,
    rules: options.rules,
    exclude: options.exclude,
    cacheDir: options.cacheDir,
    threads: options.threads,
    maxFileBytes: options.maxFileBytes,
  });
  let report = buildStaticReport(result, {
    failOn: options.failOn,
    rules: options.rules.map((r) => r.meta.id),
    durationMs: performance.now() - started,
  });
  let targetFailed = false;
  let interruption: Interruption | null = null;
  if (flags.enableMemoryBudgetGate) {
    const config = readPyprojectConfig(options.config ? path.dirname(options.config) : options.root);
    const dynamic = resolveDynamicOptions(flags, config, flags.cwd ?? options.root);
    interruption = new Interruption(io);
    const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    try {
      const outcome = await runGate(result, report, {
        shard: flags.shard === undefined ? null : parseShard(flags.shard, '--shard'),
        dynamic,
        exclude: options.exclude,
        failOn: options.failOn,
        failOnConfirmed: flags.failOnConfirmed ?? false,
        all: flags.allScenarios ?? false,
        signal: interruption.signal,
        onProgress: (p) => progress.update(p),
      });
      report = outcome.report;
      targetFailed = outcome.targetFailed;
    } finally {
      progress.finishLine();
      interruption.release();
    }
  } else if (flags.allScenarios || flags.failOnConfirmed || flags.shard !== undefined) {
    const flag = flags.allScenarios
      ? '--all-scenarios'
      : flags.failOnConfirmed
        ? '--fail-on-confirmed'
        : '--shard';
    throw new UsageError(`${flag}: only means something with --enable-memory-budget-gate`);
  }

  const n = report.findings.length;
  const toTerminal = writeRenderedReport(
    report,
    options.formats,
    { output: options.output ?? undefined, outputDir: options.outputDir ?? undefined },
    io,
    `${n} finding${n === 1 ? '' : 's'}`,
  );
  if (!report.gate.passed && !toTerminal) {
    for (const reason of report.gate.reasons) io.stderr.write(`heapgate: gate failed: ${reason}\n`);
  }
  publishToGitHub(report, process.env, io, { root: options.root });
  if (interruption?.exitCode != null) return interruption.exitCode;
  if (targetFailed) return EXIT.targetFailed;
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}
