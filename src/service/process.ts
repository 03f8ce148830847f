/**
 * TargetProcess: the service under test (or a bare interpreter for call scenarios), started with the
 * shim injected, its channels (service/channels.ts), readiness and, on every way out, the end of its
 * whole process tree.
 */
import { randomUUID } from 'node:crypto';
import { TargetError, UsageError } from '../errors.js';
import type { HeapCounter } from '../config/dynamic.js';
import { ChannelServer } from './channels.js';
import { TargetChild, type ExitInfo } from './child.js';
import { splitCommand } from './command.js';
import type { ShimConnection } from './connection.js';
import { writeHarness, type HarnessFolder } from './harness.js';
import { descendantsOf, isAlive, terminateTree, type TerminateResult } from './kill.js';
import { canSeeListeningPorts, listeningSockets, type ListeningSocket } from './listening.js';
import type { Command, HelloMessage, SampleMessage, ShimMessage } from './protocol.js';
import { waitUntilReady } from './readiness.js';
import { forgetUsageHistory, treeUsage } from './usage.js';
import { type TreeUsage } from '../model/progress.js';

export interface TargetOptions {
  /** Shell-style command; `{port}` is replaced. Null: a bare interpreter (`python`) for call scenarios. */
  command: string | null;
  /** Interpreter for the bare mode. */
  python: string;
  cwd: string;
  /** Port given to the service as {port} and PORT; null for a bare interpreter. */
  port: number | null;
  /**
   * `port` is the user's (`--port N`): the service listens there, so heapgate waits for it and looks for no
   * other. Otherwise a command with neither {port} nor PORT is watched for the port it opens by itself.
   */
  portGiven?: boolean;
  /** Frames tracemalloc keeps when it traces from start-up (the `tracemalloc` heap counter). */
  traceDepth: number;
  /** What the heap figure counts (default `allocator`; see config/dynamic.ts). */
  heapCounter?: HeapCounter;
  readyPath?: string;
  readyTimeoutMs: number;
  helloTimeoutMs?: number;
  graceMs?: number;
  env?: Record<string, string>;
  /** Ctrl-C: stops waiting for the target to start at once (TargetProcess.start throws StartInterrupted). */
  signal?: AbortSignal;
}

/** The run was interrupted while the target was starting; nothing was measured. */
export class StartInterrupted extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName} while the target was starting`);
    this.name = 'StartInterrupted';
  }
}

export interface ProcessSample extends SampleMessage {
  role: HelloMessage['role'];
}

const SHELL_SYNTAX = /[|&;<>()$`*?![\]{}~]|^\s*\w+=/;

/**
 * glibc's per-thread cache keeps up to 7 freed chunks of each small size per thread for reuse, and
 * mallinfo2() counts them as in use: turned off, malloc's in-use figure is live memory, and clean
 * services' heap series are about half as noisy (their runs reach an early "pass" far more often). Python
 * objects up to 512 bytes never reach malloc, so the service does not notice (3000 requests to the
 * stdlib fixture: 1.25–1.43 s with the cache, 1.26–1.33 s without). A tcache setting of the user's wins.
 */
function withoutTcache(tunables: string | undefined): string {
  if (tunables?.includes('glibc.malloc.tcache_count')) return tunables;
  return [tunables, 'glibc.malloc.tcache_count=0'].filter(Boolean).join(':');
}

/** Every target alive in this process, so an exit path that skips `stop()` can still end them. */
const live = new Set<TargetProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort, synchronous: the normal paths call stop() and await it.
  process.on('exit', () => killAllTargetsNow());
}

/** Ends every live target (the CLI calls this on SIGINT/SIGTERM and on errors). */
export async function stopAllTargets(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop()));
}

/** SIGKILL to every live target's processes and their folders removed, synchronously (a second Ctrl-C). */
export function killAllTargetsNow(): void {
  for (const target of live) target.killNow();
}

/** A command that names neither {port} nor PORT: the service may well listen elsewhere. */
export function ignoresPort(command: string): boolean {
  return !command.includes('{port}') && !/\bPORT\b/.test(command);
}

/**
 * After a service that chose its own port first listens, heapgate waits this long for the rest of its
 * ports (a metrics port, $PORT opened a moment later) before it picks one.
 */
const PORT_SETTLE_MS = 1000;

export class TargetProcess {
  readonly runId = randomUUID();
  private channels: ChannelServer | null = null;
  private harness: HarnessFolder | null = null;
  private child: TargetChild | null = null;
  private stopping: Promise<TerminateResult | null> | null = null;
  private readonly seenPids = new Set<number>();
  private drivenPort: number | null = null;
  /**
   * Set when the service listens on a port of its own choosing: which port heapgate drives and why, for
   * the report and the terminal.
   */
  portNote: string | null = null;

  private constructor(readonly options: TargetOptions) {}

  static async start(options: TargetOptions): Promise<TargetProcess> {
    const target = new TargetProcess(options);
    installExitHook();
    live.add(target);
    try {
      await target.launch();
      return target;
    } catch (error) {
      await target.stop();
      throw error;
    }
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The port requests go to: the one the service was given, or the one it chose itself (portNote). */
  get port(): number | null {
    return this.drivenPort ?? this.options.port;
  }

  /** Accepted connections by pid. */
  get connections(): ReadonlyMap<number, ShimConnection> {
    return this.channels?.connections ?? new Map();
  }

  /** The first Python process's connection (call scenarios run there). */
  get main(): ShimConnection | null {
    return this.channels?.main ?? null;
  }

  /** Lines on the channels that failed authentication: someone other than a shim tried to speak. */
  get forged(): number {
    return this.channels?.forged ?? 0;
  }

  /** The private folder holding the shim for this run (removed by stop()). */
  get privateFolder(): string | null {
    return this.harness?.dir ?? null;
  }

  /** The last lines the service wrote (stdout and stderr; its prints and tracebacks). */
  stderrTail(maxLines = 40): string {
    return this.child?.tail(maxLines) ?? '';
  }

  get exited(): ExitInfo | null {
    return this.child?.exited ?? null;
  }

  /** Resolves with a description once the main process has exited. */
  exitReason(): Promise<string> {
    return this.child ? this.child.exitReason() : new Promise(() => {});
  }

  private async launch(): Promise<void> {
    const { options } = this;
    if (options.command && ignoresPythonPath(options.command)) {
      throw new UsageError(
        `--target "${options.command}": python -I / -E ignore PYTHONPATH, so heapgate's shim cannot load; drop the flag`,
      );
    }
    const interrupted = whenAborted(options.signal);
    this.harness = writeHarness(this.runId);
    this.channels = await ChannelServer.listen(this.harness.socketPath, this.runId);
    this.channels.onAccepted = (pid) => this.seenPids.add(pid);

    const env: Record<string, string | undefined> = {
      ...process.env,
      ...options.env,
      PYTHONPATH: [this.harness.dir, process.env.PYTHONPATH].filter(Boolean).join(':'),
      PYTHONUNBUFFERED: '1',
      HEAPGATE_SOCKET: this.harness.socketPath,
      HEAPGATE_PROJECT_ROOT: options.cwd,
      HEAPGATE_TRACE_DEPTH: String(options.traceDepth),
      HEAPGATE_HEAP_COUNTER: options.heapCounter ?? 'allocator',
      HEAPGATE_RUN_ID: this.runId,
    };
    delete env.HEAPGATE_MAIN_PID;
    if ((options.heapCounter ?? 'allocator') === 'allocator')
      env.GLIBC_TUNABLES = withoutTcache(env.GLIBC_TUNABLES);
    if (options.port !== null) env.PORT = String(options.port);
    const spawnOptions = { cwd: options.cwd, env, shell: false };
    if (options.command === null) {
      env.HEAPGATE_BARE = '1';
      this.child = new TargetChild(
        options.python,
        ['-c', 'import heapgate_shim; heapgate_shim.serve_forever()'],
        spawnOptions,
      );
    } else {
      const command = options.command.replaceAll('{port}', String(options.port ?? ''));
      if (SHELL_SYNTAX.test(command)) {
        this.child = new TargetChild(command, [], { ...spawnOptions, shell: true });
      } else {
        const [file, ...args] = splitCommand(command);
        this.child = new TargetChild(file, args, spawnOptions);
      }
    }
    if (this.child.pid) this.seenPids.add(this.child.pid);

    const hello = await this.waitForHello(options.helloTimeoutMs ?? 20_000, interrupted);
    if (hello.error) throw new UsageError(`${hello.executable}: ${hello.error}`);

    if (options.port !== null) {
      const started = Date.now();
      const abandoned = Promise.race([this.exitReason(), interrupted]);
      let port = options.port;
      if (options.command && ignoresPort(options.command) && !options.portGiven && canSeeListeningPorts()) {
        const found = await this.ownPort(options.port, options.readyTimeoutMs, abandoned);
        if (options.signal?.aborted) throw new StartInterrupted(signalName(options.signal));
        if ('reason' in found) {
          throw new TargetError(`the target never became ready: ${found.reason}`, this.stderrTail());
        }
        port = found.port;
        this.portNote = found.note;
      }
      this.drivenPort = port;
      const ready = await waitUntilReady({
        host: '127.0.0.1',
        port,
        readyPath: options.readyPath,
        timeoutMs: Math.max(1000, options.readyTimeoutMs - (Date.now() - started)),
        abandoned,
      });
      if (options.signal?.aborted) throw new StartInterrupted(signalName(options.signal));
      if (!ready.ready) {
        throw new TargetError(`the target never became ready: ${ready.reason}`, this.stderrTail());
      }
    }
  }

  /**
   * The port a service whose command names neither {port} nor PORT listens on: `given` (it read $PORT
   * anyway) as soon as it listens there; otherwise, once its tree has listened for PORT_SETTLE_MS, the
   * first port it opened, said in a note naming every port it listens on.
   */
  private async ownPort(
    given: number,
    timeoutMs: number,
    abandoned: Promise<string>,
  ): Promise<{ port: number; note: string | null } | { reason: string }> {
    const started = Date.now();
    let gaveUp: string | null = null;
    void abandoned.then((reason) => (gaveUp = reason));
    let since: number | null = null;
    while (Date.now() - started < timeoutMs) {
      if (gaveUp) return { reason: gaveUp };
      const root = this.pid;
      const sockets = root === null ? [] : listeningSockets([root, ...descendantsOf(root), ...this.seenPids]);
      if (sockets.some((s) => s.port === given)) return { port: given, note: null };
      if (sockets.length) {
        since ??= Date.now();
        if (Date.now() - since >= PORT_SETTLE_MS)
          return { port: sockets[0].port, note: ownPortNote(sockets) };
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, 100))), abandoned]);
      clearTimeout(timer);
    }
    if (gaveUp) return { reason: gaveUp };
    return {
      reason:
        `it listened on no TCP port within ${Math.round(timeoutMs / 1000)} s (its command names neither ` +
        '{port} nor PORT, so heapgate waited for the port it opens by itself)',
    };
  }

  private waitForHello(timeoutMs: number, interrupted: Promise<string>): Promise<HelloMessage> {
    return new Promise<HelloMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new TargetError(
            `no word from heapgate's shim within ${timeoutMs / 1000} s: is the target a Python program, ` +
              'started without -I/-E, by an interpreter that reads PYTHONPATH?',
            this.stderrTail(),
          ),
        );
      }, timeoutMs);
      void this.channels!.waitForMain().then((hello) => {
        clearTimeout(timer);
        resolve(hello);
      });
      void this.exitReason().then((reason) => {
        clearTimeout(timer);
        const spawned = !this.child?.exited?.spawnError;
        reject(
          new TargetError(
            spawned
              ? `the target exited before it started (${reason})`
              : `the target could not be started: ${reason}`,
            this.stderrTail(),
          ),
        );
      });
      void interrupted.then((name) => {
        clearTimeout(timer);
        reject(new StartInterrupted(name));
      });
    });
  }

  /** Processes, RSS and CPU of the whole tree (null when it cannot be read right now). */
  async usage(): Promise<TreeUsage | null> {
    const pid = this.child?.pid;
    return pid && !this.exited ? treeUsage(pid) : null;
  }

  /** Connections of the processes that serve requests and are measured (multiprocessing helpers are not). */
  private measured(): (ShimConnection & { hello: HelloMessage })[] {
    return [...this.connections.values()].filter(
      (c): c is ShimConnection & { hello: HelloMessage } =>
        c.isOpen && !!c.hello && c.hello.role !== 'helper',
    );
  }

  /** The hellos of the measured processes still connected. */
  measuredHellos(): HelloMessage[] {
    return this.measured().map((c) => c.hello);
  }

  /** Samples every measured process. */
  async sampleAll(timeoutMs = 60_000): Promise<ProcessSample[]> {
    const replies = await Promise.all(
      this.measured().map(async (c) => {
        try {
          return { connection: c, reply: await c.request({ cmd: 'sample' }, timeoutMs) };
        } catch {
          return null; // a worker that exits between rounds
        }
      }),
    );
    const samples: ProcessSample[] = [];
    for (const entry of replies) {
      if (entry && entry.reply.type === 'sample') {
        samples.push({ ...entry.reply, role: entry.connection.hello.role });
      }
    }
    return samples;
  }

  /** A command to every live measured process, replies by pid. */
  async broadcast(command: Command, timeoutMs: number): Promise<Map<number, ShimMessage>> {
    const out = new Map<number, ShimMessage>();
    await Promise.all(
      this.measured().map(async (c) => {
        try {
          out.set(c.hello.pid, await c.request(command, timeoutMs));
        } catch {
          // gone: reported by the caller from what is missing
        }
      }),
    );
    return out;
  }

  /** Ends the whole tree and removes the private folder. Safe to call more than once. */
  stop(graceMs = this.options.graceMs ?? 5000): Promise<TerminateResult | null> {
    this.stopping ??= (async () => {
      let result: TerminateResult | null = null;
      const pid = this.child?.pid;
      if (pid) {
        result = await terminateTree(pid, {
          graceMs,
          runId: this.runId,
          knownPids: this.seenPids,
          processGroup: true,
        });
        // Let the child's pipes close so no handle keeps Node alive (and keep no timer alive either).
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.child!.gone, new Promise((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
      }
      await this.channels?.close();
      this.harness?.remove();
      live.delete(this);
      if (!live.size) forgetUsageHistory();
      return result;
    })();
    return this.stopping;
  }

  /** Synchronous last resort for process exit: SIGKILL the group and every pid seen. */
  killNow(): void {
    const pid = this.child?.pid;
    if (pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const seen of this.seenPids) {
      if (isAlive(seen)) {
        try {
          process.kill(seen, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    this.harness?.remove();
  }
}

/** What heapgate says when it drives a port the service chose itself. */
function ownPortNote(sockets: readonly ListeningSocket[]): string {
  const [first] = sockets;
  if (sockets.length === 1) {
    return `the service listens on port ${first.port}, a port of its own choosing (its command names neither {port} nor PORT): heapgate drives port ${first.port}`;
  }
  const ports = sockets.map((s) => s.port).join(', ');
  return (
    `the service listens on ports ${ports}, of its own choosing: heapgate drives port ${first.port}, the first ` +
    'it opened; give --port N (or port in [tool.heapgate]) to drive another'
  );
}

function signalName(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'an interrupt';
}

/** Resolves with the signal's name once `signal` aborts (never, without one). */
function whenAborted(signal: AbortSignal | undefined): Promise<string> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve(signalName(signal));
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signalName(signal)), { once: true }),
  );
}

/** `python -I app.py`, `python3 -E -m uvicorn …`: interpreters that will never load the shim. */
export function ignoresPythonPath(command: string): boolean {
  const words = command.trim().split(/\s+/);
  const at = words.findIndex((w) => /(^|\/)python[\d.]*$/.test(w));
  if (at === -1) return false;
  for (const word of words.slice(at + 1)) {
    if (!word.startsWith('-') || word === '-' || word.startsWith('--')) break;
    if (/^-[A-Za-z]*[IE]/.test(word) && !/^-[cmWX]/.test(word)) return true;
    if (/^-[cmWX]/.test(word)) break;
  }
  return false;
}
