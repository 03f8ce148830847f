/** `heapgate analyze [PATH]`: the static phase, reported in the chosen formats, gated by --fail-on. */
import path from 'node:path';
import { FORMAT_EXTENSIONS, resolveAnalyzeOptions, type AnalyzeFlags } from '../config/options.js';
import { buildStaticReport } from '../report/build.js';
import { render } from '../report/index.js';
import { analyzeProject } from '../static/engine.js';
import { resolveDynamicOptions } from '../config/dynamic.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { stopAllTargets } from '../target/process.js';
import { EXIT, UsageError } from './errors.js';
import { runGate } from './gate.js';
import { publishToGitHub } from './github.js';
import { parseShard } from '../scenarios/shard.js';
import { ProgressPrinter } from './progress.js';
import { writeOutputsAtomically, type OutputFile } from './output.js';

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
  let stoppedBy: NodeJS.Signals | null = null;
  if (flags.enableMemoryBudgetGate) {
    const config = readPyprojectConfig(options.config ? path.dirname(options.config) : options.root);
    const dynamic = resolveDynamicOptions(flags, config, flags.cwd ?? options.root);
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppedBy) {
        void stopAllTargets().finally(() => process.exit(signal === 'SIGTERM' ? 143 : 130));
        return;
      }
      stoppedBy = signal;
      io.stderr.write(`\nheapgate: ${signal}: stopping after the current block; a partial report follows\n`);
      controller.abort(new Error(signal));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = new ProgressPrinter(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    try {
      const outcome = await runGate(result, report, {
        shard: flags.shard === undefined ? null : parseShard(flags.shard, '--shard'),
        dynamic,
        exclude: options.exclude,
        failOn: options.failOn,
        failOnConfirmed: flags.failOnConfirmed ?? false,
        all: flags.allScenarios ?? false,
        signal: controller.signal,
        onProgress: (p) => progress.update(p),
      });
      report = outcome.report;
      targetFailed = outcome.targetFailed;
    } finally {
      progress.finishLine();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } else if (flags.allScenarios || flags.failOnConfirmed || flags.shard !== undefined) {
    const flag = flags.allScenarios
      ? '--all-scenarios'
      : flags.failOnConfirmed
        ? '--fail-on-confirmed'
        : '--shard';
    throw new UsageError(`${flag}: only means something with --enable-memory-budget-gate`);
  }

  const toTerminal = !options.output && !options.outputDir;
  const textOptions = {
    color: toTerminal && Boolean(io.stdout.isTTY) && !process.env.NO_COLOR,
    width: io.stdout.columns ?? 120,
  };
  if (toTerminal) {
    io.stdout.write(render(report, options.formats[0], textOptions));
  } else {
    const files: OutputFile[] = options.output
      ? [
          {
            path: options.output,
            content: render(report, options.formats[0], textOptions),
            source: '--output',
          },
        ]
      : options.formats.map((format) => ({
          path: path.join(options.outputDir!, `heapgate.${FORMAT_EXTENSIONS[format]}`),
          content: render(report, format, textOptions),
          source: '--output-dir',
        }));
    writeOutputsAtomically(files);
    const n = report.findings.length;
    io.stderr.write(
      `heapgate: ${n} finding${n === 1 ? '' : 's'}; wrote ${files.map((f) => path.relative(process.cwd(), f.path) || f.path).join(', ')}\n`,
    );
  }
  if (!report.gate.passed && !toTerminal) {
    for (const reason of report.gate.reasons) io.stderr.write(`heapgate: gate failed: ${reason}\n`);
  }
  publishToGitHub(report, process.env, io, { root: options.root });
  if (stoppedBy) return stoppedBy === 'SIGTERM' ? 143 : 130;
  if (targetFailed) return EXIT.targetFailed;
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}
