/**
 * Writes the Python side (harness/*.py) to a private folder for one run and removes it afterwards. The
 * folder is created 0700 so no other user can reach the channel socket or replace the shim.
 *
 * A heapgate killed with SIGKILL cannot remove its folder, so two others do: the shim removes it when
 * heapgate's end of the channel closes (harness/heapgate_shim.py), and every heapgate sweeps, once, the
 * folders of runs whose heapgate is gone (a folder is recognised by its `owner.json`, which names the run
 * and the heapgate process with its start time, so a reused pid does not keep a stale folder alive).
 */
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from './kill.js';

/** harness/ in the package, next to dist/ and src/. */
export const HARNESS_SOURCE = fileURLToPath(new URL('../../harness/', import.meta.url));
const PREFIX = 'heapgate-';
export const OWNER_FILE = 'owner.json';

export interface HarnessFolder {
  dir: string;
  /** Unix socket every process of the target connects to. */
  socketPath: string;
  remove(): void;
}

interface Owner {
  runId: string;
  pid: number;
  /** The owner's start time (/proc/PID/stat field 22), or null where there is no /proc. */
  started: string | null;
}

/** A process's start time in clock ticks since boot (Linux), to tell a pid from its reuse. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

let swept = false;

/** Removes the private folders of runs whose heapgate is gone (see the module comment). */
export function sweepStaleFolders(tmp = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmp, name);
    let owner: Owner;
    try {
      const stats = lstatSync(dir);
      if (!stats.isDirectory() || stats.uid !== process.getuid?.()) continue;
      owner = JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Owner;
      if (typeof owner.pid !== 'number' || typeof owner.runId !== 'string') continue;
    } catch {
      continue; // not a heapgate run folder
    }
    if (owner.pid === process.pid) continue;
    const alive = isAlive(owner.pid) && (owner.started === null || startTime(owner.pid) === owner.started);
    if (alive) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

export function writeHarness(runId: string): HarnessFolder {
  if (!swept) {
    swept = true;
    sweepStaleFolders();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  chmodSync(dir, 0o700);
  for (const name of readdirSync(HARNESS_SOURCE)) {
    if (name.endsWith('.py')) copyFileSync(path.join(HARNESS_SOURCE, name), path.join(dir, name));
  }
  const owner: Owner = { runId, pid: process.pid, started: startTime(process.pid) };
  writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
  return {
    dir,
    socketPath: path.join(dir, 'control.sock'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
