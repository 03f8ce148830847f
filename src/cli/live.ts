/**
 * `heapgate soak --live [PORT]` and `--save-every DURATION`: the live view's server (pipeline/live-server.ts)
 * and the partial report written while the soak runs — through the one checked, atomic output path
 * (output.ts), every few minutes and after each scenario — so a soak stopped by SIGKILL or a power cut
 * leaves the report of what it had measured, marked partial in its gate reasons. See docs/live.md.
 */
import type { DynamicOptions } from '../config/dynamic.js';
import type { Format } from '../config/formats.js';
import { UsageError } from '../errors.js';
import type { Progress } from '../model/progress.js';
import { LiveSoak } from '../pipeline/live.js';
import { startLiveServer, type LiveServer } from '../pipeline/live-server.js';
import type { ScenarioRun } from '../pipeline/run-scenario.js';
import { render } from '../report/index.js';
import type { Scenario } from '../scenarios/model.js';
import { parseDuration } from '../units.js';
import type { CommandIO } from './io.js';
import { writeOutputsAtomically } from './output.js';
import { outputTargets, type OutputFlags } from './report-output.js';

export interface LiveFlags extends OutputFlags {
  /** `--live` alone (true: any free port) or `--live PORT`. */
  live?: boolean | string;
  saveEvery?: string;
}

/** How often a live soak writes its partial report when --save-every is not given. */
export const DEFAULT_SAVE_EVERY_MS = 2 * 60_000;

export interface LiveHooks {
  onProgress(progress: Progress): void;
  onScenarioDone(run: ScenarioRun): void;
  /** Stops the server and the timer (the final report is written by the soak as always). */
  stop(): Promise<void>;
}

/** `--live` → the port (0 for any free one), or null without the flag. */
export function livePort(flag: boolean | string | undefined): number | null {
  if (flag === undefined || flag === false) return null;
  if (flag === true) return 0;
  if (!/^\d{1,5}$/.test(flag) || Number(flag) > 65535) {
    throw new UsageError(`--live: expected a port (0–65535), got '${flag}'`);
  }
  return Number(flag);
}

/** `--save-every` → milliseconds (null without the flag). */
export function saveEveryMs(flag: string | undefined): number | null {
  if (flag === undefined) return null;
  const ms = parseDuration(flag);
  if (ms === null || ms < 100)
    throw new UsageError(`--save-every: expected a duration of 100ms or more ("2m", "30s"), got '${flag}'`);
  return ms;
}

/**
 * Starts what the flags ask for (nothing without --live or --save-every): the live server, and the
 * partial report's timer when the report goes to files. Checks the flags before the soak starts.
 */
export async function startLive(
  flags: LiveFlags,
  scenarios: readonly Scenario[],
  dynamic: DynamicOptions,
  formats: Format[],
  io: CommandIO,
): Promise<LiveHooks | null> {
  const port = livePort(flags.live);
  const every = saveEveryMs(flags.saveEvery) ?? (port !== null ? DEFAULT_SAVE_EVERY_MS : null);
  if (port === null && every === null) return null;
  const live = new LiveSoak(scenarios, dynamic);
  const targets = outputTargets(formats, flags);
  const save = () => {
    if (!targets.length) return;
    const report = live.snapshot();
    try {
      writeOutputsAtomically(
        targets.map((t) => ({ ...t, content: render(report, t.format, { color: false, width: 120 }) })),
      );
    } catch (error) {
      io.stderr.write(
        `heapgate: could not write the partial report: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  };
  let server: LiveServer | null = null;
  if (port !== null) {
    server = await startLiveServer(port, live);
    io.stderr.write(`heapgate: live view on ${server.url} (also ${server.url}leaks, ${server.url}metrics)\n`);
  }
  const timer = every !== null && targets.length ? setInterval(save, every) : null;
  timer?.unref();
  return {
    onProgress: (p) => live.onProgress(p),
    onScenarioDone: (run) => {
      live.onScenarioDone(run);
      if (timer) save();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await server?.close();
    },
  };
}
