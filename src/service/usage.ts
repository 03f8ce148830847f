/**
 * What the whole target tree costs the machine: every process under the one heapgate started (workers,
 * helpers, anything the service spawns — not only the Python processes that report over the channel),
 * read with pidusage from /proc. For progress lines and the report's summary; the verdicts use the
 * shim's own per-process samples.
 */
import pidusage from 'pidusage';
import type { TreeUsage } from '../model/progress.js';
import { descendantsOf, isAlive } from './kill.js';

export async function treeUsage(rootPid: number): Promise<TreeUsage | null> {
  const pids = [rootPid, ...descendantsOf(rootPid)].filter(isAlive);
  if (!pids.length) return null;
  let stats: Record<string, pidusage.Stat>;
  try {
    stats = await pidusage(pids);
  } catch {
    return null; // a process ended between the listing and the reading: the next reading will do
  }
  const all = Object.values(stats);
  return {
    processes: all.length,
    rssBytes: all.reduce((sum, s) => sum + s.memory, 0),
    cpuPercent: all.reduce((sum, s) => sum + s.cpu, 0),
  };
}

/** Forgets pidusage's per-pid history (kept to compute CPU between readings) once a target is gone. */
export function forgetUsageHistory(): void {
  pidusage.clear();
}
