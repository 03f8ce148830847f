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

/**
 * Says, before anything starts, how heapgate will find a service whose --target does not say where it
 * listens: $PORT when it reads it, else the port it opens by itself (--port N names it).
 */
export function warnAboutTarget(
  command: string | null,
  scenarios: readonly Scenario[],
  io: CommandIO,
  port: number | null = null,
): void {
  if (command === null || port !== null || !ignoresPort(command) || !scenarios.some(talksToTarget)) return;
  io.stderr.write(
    `heapgate: note: --target "${command}" has no {port}: heapgate drives the port the service listens on ` +
      '($PORT if it reads it, else the one it opens; --port N to name it)\n',
  );
}

/** Prints each note once (every scenario of a run may find the same port). */
export function noteWriter(io: CommandIO, before: () => void = () => {}): (note: string) => void {
  const said = new Set<string>();
  return (note) => {
    if (said.has(note)) return;
    said.add(note);
    before();
    io.stderr.write(`heapgate: note: ${note}\n`);
  };
}
