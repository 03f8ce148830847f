/**
 * The TCP ports a set of processes listens on (Linux: /proc/net/tcp and tcp6, matched by socket inode
 * to the processes' descriptors). Lets heapgate say at once that a target listens on 5000 rather than
 * on the port it was given, instead of waiting out the ready timeout.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/** Socket inode → port, for every listening TCP socket on the machine. */
function listeningSockets(): Map<string, number> {
  const out = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      const port = parseInt(fields[1].split(':')[1] ?? '', 16);
      if (Number.isInteger(port)) out.set(fields[9], port);
    }
  }
  return out;
}

/** The ports `pids` listen on, sorted; empty where /proc cannot tell. */
export function listeningPorts(pids: Iterable<number>): number[] {
  if (process.platform !== 'linux') return [];
  const sockets = listeningSockets();
  if (!sockets.size) return [];
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = match ? sockets.get(match[1]) : undefined;
        if (port !== undefined) ports.add(port);
      } catch {
        // closed while we looked
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
