/**
 * The run's control channels: a Unix socket in the private folder that every process of the target
 * connects to, and the check each connection's claim passes before it gets a key (docs/ipc.md,
 * "Who may speak"). A claim names a process; heapgate accepts it only for a live process that carries
 * this run's marker, is not heapgate, and has no accepted connection yet — so a process cannot take over
 * another's channel, invent processes, or speak twice. The key goes back on the connection while the
 * new process is still starting (its shim waits for it before the service's code runs), so nothing
 * the service can see later — its environment, /proc/self, its descriptors — holds it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { ShimConnection } from './connection.js';
import { isAlive } from './kill.js';
import type { HelloMessage } from './protocol.js';

/** Whether the process `pid` carries `HEAPGATE_RUN_ID=runId` (Linux; elsewhere nothing to check). */
function markedWith(pid: number, runId: string): boolean {
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`HEAPGATE_RUN_ID=${runId}\0`);
  } catch {
    return false;
  }
}

export class ChannelServer {
  /** Accepted connections by the pid they speak for. */
  readonly connections = new Map<number, ShimConnection>();
  private readonly all = new Set<ShimConnection>();
  private readonly sockets = new Set<net.Socket>();
  private latestMain: ShimConnection | null = null;
  private mainWaiters: ((hello: HelloMessage) => void)[] = [];
  private refusedForged = 0;
  /** Told the pid of every accepted process (so it is ended with the run even if it leaves the tree). */
  onAccepted: ((pid: number) => void) | null = null;

  private constructor(
    private readonly server: net.Server,
    private readonly runId: string,
  ) {}

  static async listen(socketPath: string, runId: string): Promise<ChannelServer> {
    const server = net.createServer();
    const channels = new ChannelServer(server, runId);
    server.on('connection', (socket) => {
      channels.sockets.add(socket);
      socket.once('close', () => channels.sockets.delete(socket));
      channels.adopt(new ShimConnection(socket, socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    return channels;
  }

  /** The first process's connection (the latest one, when a shell runs several in turn). */
  get main(): ShimConnection | null {
    return this.latestMain;
  }

  /** Lines that failed authentication on any connection, refused ones included. */
  get forged(): number {
    let sum = this.refusedForged;
    for (const c of this.all) sum += c.forged;
    return sum;
  }

  /** Resolves with the first process's hello once its claim is accepted. */
  waitForMain(): Promise<HelloMessage> {
    if (this.latestMain?.hello) return Promise.resolve(this.latestMain.hello);
    return new Promise((resolve) => this.mainWaiters.push(resolve));
  }

  /** Why a claim is refused, or null when it is accepted. */
  private check(claim: HelloMessage): string | null {
    if (claim.pid === process.pid) return 'that is heapgate';
    const current = this.connections.get(claim.pid);
    if (current?.isOpen) return `process ${claim.pid} already has a channel`;
    if (!isAlive(claim.pid)) return `no live process ${claim.pid}`;
    if (!markedWith(claim.pid, this.runId)) return `process ${claim.pid} is not part of this run`;
    if (claim.role === 'main' && this.latestMain?.isOpen) return 'the first process is already connected';
    return null;
  }

  private adopt(connection: ShimConnection): void {
    this.all.add(connection);
    connection.on('claim', (claim) => {
      const refusal = this.check(claim);
      if (refusal) {
        connection.refuse(refusal);
        // A refused connection is someone other than a shim: what it sent counts as forged.
        this.refusedForged += 1;
        return;
      }
      connection.accept(claim, randomBytes(32));
    });
    connection.on('hello', (hello) => {
      this.connections.set(hello.pid, connection);
      this.onAccepted?.(hello.pid);
      if (hello.role === 'main') {
        this.latestMain = connection;
        for (const waiter of this.mainWaiters.splice(0)) waiter(hello);
      }
    });
    connection.on('close', () => {
      const pid = connection.pid;
      if (pid !== null && this.connections.get(pid) === connection) this.connections.delete(pid);
    });
  }

  /** Closes every connection and the socket (a peer that keeps its end open does not hold it up). */
  async close(): Promise<void> {
    for (const c of this.all) c.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
