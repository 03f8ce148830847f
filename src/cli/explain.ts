/**
 * What the terminal is told besides the report: why a run exits 1 or 3 when the report went to a file,
 * the target's own last words when it failed, that nothing was checked when nothing was found, and
 * warnings about a setup that cannot work (a --target without {port}).
 */
import type { Report } from '../model/report.js';
import { talksToTarget, type Scenario } from '../scenarios/model.js';
import { ignoresPort } from '../service/process.js';
import type { CommandIO } from './io.js';

/**
 * After the report is written: the gate's reasons (when the report is not on the terminal to say them),
 * and for every scenario that ended in an error, the error in full: with the service's last lines when
 * its target failed (the text report's table shows only the first line).
 */
export function explainOutcome(report: Report, reportOnTerminal: boolean, io: CommandIO): void {
  if (!report.gate.passed && !reportOnTerminal) {
    for (const reason of report.gate.reasons) io.stderr.write(`heapgate: gate failed: ${reason}\n`);
  }
  for (const s of report.scenarios) {
    if (s.verdict === 'error' && s.error) io.stderr.write(`heapgate: ${s.name}: ${s.error}\n`);
  }
  if (report.static && report.static.filesAnalyzed === 0 && !report.scenarios.length) {
    io.stderr.write(`heapgate: no Python files under ${report.static.root}: nothing was checked\n`);
  }
}

/** Warns, before anything starts, about a --target that does not say where the service listens. */
export function warnAboutTarget(command: string | null, scenarios: readonly Scenario[], io: CommandIO): void {
  if (command === null || !ignoresPort(command) || !scenarios.some(talksToTarget)) return;
  io.stderr.write(
    `heapgate: note: --target "${command}" has no {port}: the service must listen on the port in $PORT\n`,
  );
}
