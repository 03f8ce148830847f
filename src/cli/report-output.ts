/**
 * Rendering a report to stdout, to --output FILE or to every --format under --output-dir, for the commands
 * that take an existing report (`report`, `merge`). Same rules as analyze and soak: several formats need
 * --output-dir; --output and --output-dir exclude each other; files are written atomically.
 */
import path from 'node:path';
import { FORMAT_EXTENSIONS, FORMATS, type Format } from '../config/formats.js';
import { render } from '../report/index.js';
import type { Report } from '../model/report.js';
import type { CommandIO } from './io.js';
import { UsageError } from '../errors.js';
import { prepareOutputs, writeOutputsAtomically, type OutputTarget } from './output.js';

export interface OutputFlags {
  format?: string;
  output?: string;
  outputDir?: string;
}

/** `--format json,sarif` → the formats, checked, without repeats; `fallback` when not given. */
export function parseFormatList(text: string | undefined, fallback: Format): Format[] {
  if (text === undefined) return [fallback];
  const formats = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (!formats.length) throw new UsageError(`--format: expected one or more of ${FORMATS.join(', ')}`);
  for (const format of formats) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format: unknown format '${format}' (known: ${FORMATS.join(', ')})`);
    }
  }
  return [...new Set(formats)] as Format[];
}

/**
 * Checks the flags' combination and that the files they name can be written, before any work is done;
 * returns the formats.
 */
export function resolveOutputFlags(flags: OutputFlags, fallback: Format): Format[] {
  const formats = parseFormatList(flags.format, fallback);
  if (flags.output !== undefined && flags.outputDir !== undefined) {
    throw new UsageError('--output and --output-dir: give one or the other');
  }
  if (formats.length > 1 && flags.outputDir === undefined) {
    throw new UsageError(
      `--format: several formats (${formats.join(', ')}) need --output-dir to write them to`,
    );
  }
  prepareReportOutputs(formats, flags);
  return formats;
}

/** The files the flags name (none when the report goes to stdout). */
export function outputTargets(
  formats: readonly Format[],
  flags: OutputFlags,
): (OutputTarget & { format: Format })[] {
  if (flags.output !== undefined) {
    return [{ path: path.resolve(flags.output), source: '--output', format: formats[0] }];
  }
  if (flags.outputDir === undefined) return [];
  return formats.map((format) => ({
    path: path.resolve(flags.outputDir!, `heapgate.${FORMAT_EXTENSIONS[format]}`),
    source: '--output-dir',
    format,
  }));
}

/** Checks, before any work starts, that the report's files can be written (output.ts). */
export function prepareReportOutputs(formats: readonly Format[], flags: OutputFlags): void {
  prepareOutputs(outputTargets(formats, flags));
}

/**
 * Writes the report: to stdout (first format) when neither --output nor --output-dir is given, else to
 * the files, and says on stderr what was written. Returns true when it went to stdout.
 */
export function writeRenderedReport(
  report: Report,
  formats: Format[],
  flags: OutputFlags,
  io: CommandIO,
  /** Said before what was written: `3 findings` → `heapgate: 3 findings; wrote …`. */
  lead?: string,
): boolean {
  const toTerminal = flags.output === undefined && flags.outputDir === undefined;
  const text = {
    color: toTerminal && Boolean(io.stdout.isTTY) && !process.env.NO_COLOR,
    width: io.stdout.columns ?? 120,
  };
  if (toTerminal) {
    io.stdout.write(render(report, formats[0], text));
    return true;
  }
  const files = outputTargets(formats, flags).map((target) => ({
    ...target,
    content: render(report, target.format, text),
  }));
  writeOutputsAtomically(files);
  io.stderr.write(
    `heapgate: ${lead ? `${lead}; ` : ''}wrote ${files.map((f) => path.relative(process.cwd(), f.path) || f.path).join(', ')}\n`,
  );
  return false;
}
