/**
 * `heapgate merge A.json B.json …`: joins the JSON reports of the shards of a CI matrix (`--shard i/n`)
 * into one report, written like any other (default --format json to stdout; several formats with
 * --output-dir), and gates on it.
 *
 * - Scenarios: concatenated in the order of the files. The same scenario name in two files is an error
 *   naming both (a shard split gone wrong, or one file given twice): exit 2.
 * - Findings: one per rule, file, line and column. Every shard runs the static phase over the whole tree,
 *   so each finding normally arrives once per shard; its dynamic status is the strongest any shard gave
 *   (confirmed > not-reproduced > not-exercised): the shard that ran its covering scenario knows.
 * - Gate: passed only when every shard's gate passed; the reasons are concatenated in file order, the
 *   same reason from several shards (e.g. --fail-on's count of findings) kept once.
 * - Static summary (when the shards have one): the static phase is not sharded, so the shards analysed
 *   the same files — files, bytes, suppressed and duration are the largest any shard reports (not sums,
 *   which would count every file n times); cache hits and misses are summed (each shard has its own
 *   cache); the rules are the union; --fail-on the strictest given. Routes and problems are de-duplicated.
 * - tool.version: the first file's; shards written by different versions are merged with a warning.
 *
 * Exit codes: 0 when the merged gate passes, 1 when it does not (so the merge job of a matrix is the
 * gate), 2 on a bad flag or an unreadable, invalid or conflicting report.
 */
import { DYNAMIC_STATUSES, severityRank, type Severity } from '../model/static.js';
import { SCHEMA_VERSION, type Report, type ReportFinding, type StaticSummary } from '../model/report.js';
import type { CommandIO } from './io.js';
import { EXIT, UsageError } from '../errors.js';
import { publishToGitHub } from './github.js';
import { readReportFile } from './read-report.js';
import { resolveOutputFlags, writeRenderedReport } from './report-output.js';
import type { ReportCommandFlags } from './report-command.js';

export interface NamedReport {
  file: string;
  report: Report;
}

/** Merges shard reports (pure; see the module comment). Throws UsageError on duplicate scenarios. */
export function mergeReports(inputs: readonly NamedReport[]): Report {
  if (!inputs.length) throw new UsageError('merge: give at least one JSON report');

  const scenarioFile = new Map<string, string>();
  const scenarios: Report['scenarios'] = [];
  for (const { file, report } of inputs) {
    for (const s of report.scenarios) {
      const earlier = scenarioFile.get(s.name);
      if (earlier !== undefined) {
        throw new UsageError(
          `${file}: scenarios: '${s.name}' is also in ${earlier}: each scenario must run in exactly one shard ` +
            '(the same --shard given twice, or the same file merged twice?)',
        );
      }
      scenarioFile.set(s.name, file);
      scenarios.push(s);
    }
  }

  const findings = new Map<string, ReportFinding>();
  for (const { report } of inputs) {
    for (const f of report.findings) {
      const key = `${f.rule}\0${f.file}\0${f.line}\0${f.column}`;
      const known = findings.get(key);
      if (!known || DYNAMIC_STATUSES[f.dynamic].strength > DYNAMIC_STATUSES[known.dynamic].strength)
        findings.set(key, f);
    }
  }
  const mergedFindings = [...findings.values()].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );

  const reasons = [...new Set(inputs.flatMap(({ report }) => report.gate.reasons))];
  const passed = inputs.every(({ report }) => report.gate.passed);
  if (!passed && !reasons.length) reasons.push('a shard failed its gate');

  const merged: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'heapgate', version: inputs[0].report.tool.version },
    findings: mergedFindings,
    scenarios,
    gate: { passed, reasons },
  };

  const statics = inputs
    .map(({ report }) => report.static)
    .filter((s): s is StaticSummary => s !== undefined);
  if (statics.length) merged.static = mergeStatic(statics);

  const routes = inputs.flatMap(({ report }) => report.routes ?? []);
  if (inputs.some(({ report }) => report.routes !== undefined)) {
    merged.routes = uniqueBy(routes, (r) => `${r.method}\0${r.path}\0${r.file}\0${r.line}`);
  }
  if (inputs.some(({ report }) => report.problems !== undefined)) {
    merged.problems = uniqueBy(
      inputs.flatMap(({ report }) => report.problems ?? []),
      (p) => `${p.kind}\0${p.file}\0${p.line ?? ''}\0${p.message}`,
    );
  }
  return merged;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function mergeStatic(statics: readonly StaticSummary[]): StaticSummary {
  const failOns = statics.map((s) => s.failOn).filter((f): f is Severity => f !== null);
  return {
    root: statics[0].root,
    filesAnalyzed: Math.max(...statics.map((s) => s.filesAnalyzed)),
    bytes: Math.max(...statics.map((s) => s.bytes)),
    durationMs: Math.max(...statics.map((s) => s.durationMs)),
    suppressed: Math.max(...statics.map((s) => s.suppressed)),
    hidden: Math.max(...statics.map((s) => s.hidden ?? 0)),
    cache: {
      hits: statics.reduce((sum, s) => sum + s.cache.hits, 0),
      misses: statics.reduce((sum, s) => sum + s.cache.misses, 0),
    },
    rules: [...new Set(statics.flatMap((s) => s.rules))],
    failOn: failOns.length ? failOns.reduce((a, b) => (severityRank(b) < severityRank(a) ? b : a)) : null,
  };
}

export async function runMerge(files: string[], flags: ReportCommandFlags, io: CommandIO): Promise<number> {
  const formats = resolveOutputFlags(flags, 'json');
  if (!files.length) throw new UsageError('merge: give the JSON reports of the shards to merge');
  const inputs = files.map((file) => ({ file, report: readReportFile(file) }));
  const versions = [...new Set(inputs.map(({ report }) => report.tool.version))];
  if (versions.length > 1) {
    io.stderr.write(
      `heapgate: warning: the reports were written by different heapgate versions (${versions.join(', ')}); merged anyway\n`,
    );
  }
  const merged = mergeReports(inputs);
  const toStdout = writeRenderedReport(merged, formats, flags, io);
  const n = merged.scenarios.length;
  io.stderr.write(
    `heapgate merge: ${files.length} report${files.length === 1 ? '' : 's'}, ${n} scenario${n === 1 ? '' : 's'}, ` +
      `${merged.findings.length} finding${merged.findings.length === 1 ? '' : 's'}; gate ${merged.gate.passed ? 'passed' : 'failed'}\n`,
  );
  if (!merged.gate.passed && !(toStdout && formats[0] === 'text')) {
    for (const reason of merged.gate.reasons) io.stderr.write(`heapgate: gate failed: ${reason}\n`);
  }
  publishToGitHub(merged, process.env, io);
  return merged.gate.passed ? EXIT.passed : EXIT.gateFailed;
}
