/**
 * The TCP ports a set of processes listens on (Linux: /proc/net/tcp and tcp6, matched by socket inode
 * to the processes' descriptors). Lets heapgate drive a service that listens on a port of its own
 * choosing (hard-coded, from its own configuration) instead of the one it was given.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/** A listening TCP socket of the watched processes. */
export interface ListeningSocket {
  port: number;
  /**
   * The socket's inode: the kernel numbers sockets as they are created, so a smaller inode is a socket
   * opened earlier (a metrics port opened before the service's own, or after it).
   */
  inode: number;
}

/** Socket inode → port, for every listening TCP socket on the machine. */
function machineSockets(): Map<string, number> {
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

/** Whether this machine lets heapgate see which ports a process listens on. */
export function canSeeListeningPorts(): boolean {
  return process.platform === 'linux';
}

/**
 * The ports `pids` listen on, one entry per port (its earliest socket), in the order they were opened;
 * empty where /proc cannot tell.
 */
export function listeningSockets(pids: Iterable<number>): ListeningSocket[] {
  if (!canSeeListeningPorts()) return [];
  const sockets = machineSockets();
  if (!sockets.size) return [];
  const byPort = new Map<number, number>();
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
        if (port === undefined) continue;
        const inode = Number(match![1]);
        const known = byPort.get(port);
        if (known === undefined || inode < known) byPort.set(port, inode);
      } catch {
        // closed while we looked
      }
    }
  }
  return [...byPort]
    .map(([port, inode]) => ({ port, inode }))
    .sort((a, b) => a.inode - b.inode || a.port - b.port);
}

/** The ports `pids` listen on, sorted; empty where /proc cannot tell. */
export function listeningPorts(pids: Iterable<number>): number[] {
  return listeningSockets(pids)
    .map((s) => s.port)
    .sort((a, b) => a - b);
}
