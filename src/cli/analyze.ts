/** `heapgate analyze [PATH]`: the static phase, reported in the chosen formats, gated by --fail-on. */
import path from 'node:path';
import {
  FORMAT_EXTENSIONS,
  resolveAnalyzeOptions,
  type AnalyzeFlags,
} from '../config/options.js';
import { buildStaticReport } from '../report/build.js';
import { render } from '../report/index.js';
import { analyzeProject } from '../static/engine.js';
import { EXIT } from './errors.js';
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
  const report = buildStaticReport(result, {
    failOn: options.failOn,
    rules: options.rules.map((r) => r.meta.id),
    durationMs: performance.now() - started,
  });

  const toTerminal = !options.output && !options.outputDir;
  const textOptions = {
    color: toTerminal && Boolean(io.stdout.isTTY) && !process.env.NO_COLOR,
    width: io.stdout.columns ?? 120,
  };
  if (toTerminal) {
    io.stdout.write(render(report, options.formats[0], textOptions));
  } else {
    const files: OutputFile[] = options.output
      ? [{ path: options.output, content: render(report, options.formats[0], textOptions), source: '--output' }]
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
  return report.gate.passed ? EXIT.passed : EXIT.gateFailed;
}
