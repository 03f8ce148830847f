/**
 * `heapgate report FILE.json --format …`: re-renders a saved JSON report (from analyze, soak or merge) in
 * any format, several at once with --output-dir. Every renderer is a pure function of the JSON report, so
 * the output is what the original run would have written.
 *
 * Exit codes: 0 once the report is rendered — re-rendering is not a gate, whatever the report's own
 * gate says (the run that produced it already returned 1; `heapgate merge` recomputes and gates, and
 * `jq -e .gate.passed FILE.json` reads the saved verdict); 2 when the file is missing, not JSON, not
 * schemaVersion 1 or lacks a field the renderers need (the message names the file and the field), or
 * on a bad flag.
 */
import type { CommandIO } from './io.js';
import { EXIT } from '../errors.js';
import { readReportFile } from './read-report.js';
import { resolveOutputFlags, writeRenderedReport } from './report-output.js';

export interface ReportCommandFlags {
  format?: string;
  output?: string;
  outputDir?: string;
}

export async function runReport(file: string, flags: ReportCommandFlags, io: CommandIO): Promise<number> {
  const formats = resolveOutputFlags(flags, 'text');
  const report = readReportFile(file);
  writeRenderedReport(report, formats, flags, io);
  return EXIT.passed;
}
