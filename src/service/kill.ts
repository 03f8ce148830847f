/**
 * Ending a target's whole process tree: SIGTERM to every process of it, SIGKILL to whatever is still
 * there after a grace period, then a sweep for any process carrying the run's marker in its
 * environment (a worker that re-parented itself to init is not in the tree any more, but it still
 * carries HEAPGATE_RUN_ID).
 */
import { readFileSync, readdirSync } from 'node:fs';
import treeKill from 'tree-kill';

export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  /** HEAPGATE_RUN_ID given to the target: finds strays on Linux. */
  runId?: string;
  /** Pids known to belong to the run (the shim's hellos). */
  knownPids?: Iterable<number>;
  /** The target was started as a process-group leader (detached). */
  processGroup?: boolean;
}

export interface TerminateResult {
  /** Processes that got SIGKILL because SIGTERM did not end them in time. */
  killed: number[];
  /** Processes still alive at the end (should always be empty). */
  leftovers: number[];
}

export async function terminateTree(rootPid: number, options: TerminateOptions): Promise<TerminateResult> {
  const pids = new Set<number>([rootPid, ...(options.knownPids ?? [])]);
  for (const pid of descendantsOf(rootPid)) pids.add(pid);
  if (options.runId) for (const pid of processesMarked(options.runId)) pids.add(pid);

  await signalAll(rootPid, pids, 'SIGTERM', options.processGroup ?? false);
  await waitForExit(pids, options.graceMs);

  const stubborn = [...pids].filter(isAlive);
  if (options.runId) for (const pid of processesMarked(options.runId)) if (!pids.has(pid)) stubborn.push(pid);
  if (stubborn.length) {
    await signalAll(rootPid, new Set(stubborn), 'SIGKILL', options.processGroup ?? false);
    await waitForExit(new Set(stubborn), 5000);
  }
  const leftovers = [...pids, ...stubborn].filter(isAlive);
  if (options.runId) for (const pid of processesMarked(options.runId)) leftovers.push(pid);
  return { killed: stubborn, leftovers: [...new Set(leftovers)] };
}

async function signalAll(
  rootPid: number,
  pids: Set<number>,
  signal: NodeJS.Signals,
  processGroup: boolean,
): Promise<void> {
  if (processGroup) {
    try {
      process.kill(-rootPid, signal);
    } catch {
      // group already gone
    }
  }
  await new Promise<void>((resolve) => treeKill(rootPid, signal, () => resolve()));
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitForExit(pids: Set<number>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (![...pids].some(isAlive)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Alive and not a zombie (a zombie has exited; its parent just has not reaped it yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Every descendant of a process, from /proc on Linux (empty elsewhere: tree-kill covers it). */
export function descendantsOf(rootPid: number): number[] {
  if (process.platform !== 'linux') return [];
  const children = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

/** Live processes whose environment carries HEAPGATE_RUN_ID=runId (Linux). */
export function processesMarked(runId: string): number[] {
  return processesWithEnv('HEAPGATE_RUN_ID', runId);
}

/** Live processes (other than this one) whose environment has name=value (Linux). */
export function processesWithEnv(name: string, value: string): number[] {
  if (process.platform !== 'linux') return [];
  const marker = `${name}=${value}\0`;
  const out: number[] = [];
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker) && isAlive(Number(entry))) {
        out.push(Number(entry));
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
