/**
 * TargetProcess: the service under test (or a bare interpreter for call scenarios), started with the
 * shim injected, its channels, readiness and, on every way out, the end of its whole process tree.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { TargetError, UsageError } from '../errors.js';
import type { HeapCounter } from '../config/dynamic.js';
import { splitCommand } from './command.js';
import { ShimConnection } from './connection.js';
import { writeHarness, type HarnessFolder } from './harness.js';
import { isAlive, terminateTree, type TerminateResult } from './kill.js';
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
  /** Frames tracemalloc keeps when it traces from start-up (the `tracemalloc` heap counter). */
  traceDepth: number;
  /** What the heap figure counts (default `allocator`; see config/dynamic.ts). */
  heapCounter?: HeapCounter;
  readyPath?: string;
  readyTimeoutMs: number;
  helloTimeoutMs?: number;
  graceMs?: number;
  env?: Record<string, string>;
}

export interface ProcessSample extends SampleMessage {
  role: HelloMessage['role'];
}

const STDERR_TAIL_BYTES = 64 * 1024;
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
  process.on('exit', () => {
    for (const target of live) target.killNow();
  });
}

/** Ends every live target (the CLI calls this on SIGINT/SIGTERM and on errors). */
export async function stopAllTargets(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop()));
}

export class TargetProcess {
  readonly runId = randomUUID();
  readonly connections = new Map<number, ShimConnection>();
  main: ShimConnection | null = null;
  private harness: HarnessFolder | null = null;
  private server: net.Server | null = null;
  private child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  /** Settles once the child has exited and its pipes have closed (or it could not be spawned). */
  private childGone: Promise<void> = Promise.resolve();
  private stderrChunks: Buffer[] = [];
  private stderrBytes = 0;
  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private exitWaiters: ((reason: string) => void)[] = [];
  private stopping: Promise<TerminateResult | null> | null = null;
  private readonly seenPids = new Set<number>();

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

  /** The private folder holding the shim for this run (removed by stop()). */
  get privateFolder(): string | null {
    return this.harness?.dir ?? null;
  }

  /** The last lines the service wrote to stderr (its prints land there too). */
  stderrTail(maxLines = 40): string {
    const text = Buffer.concat(this.stderrChunks).toString('utf8');
    return text
      .split('\n')
      .slice(-maxLines - 1)
      .join('\n')
      .trimEnd();
  }

  get exited(): { code: number | null; signal: string | null } | null {
    return this.exitInfo;
  }

  /** Resolves with a description once the main process has exited. */
  exitReason(): Promise<string> {
    if (this.exitInfo) return Promise.resolve(describeExit(this.exitInfo));
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  private async launch(): Promise<void> {
    const { options } = this;
    if (options.command && ignoresPythonPath(options.command)) {
      throw new UsageError(
        `--target "${options.command}": python -I / -E ignore PYTHONPATH, so heapgate's shim cannot load; drop the flag`,
      );
    }
    this.harness = writeHarness();
    this.server = net.createServer((socket) => this.adopt(new ShimConnection(socket, socket)));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.harness!.socketPath, () => resolve());
    });

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
    if (options.command === null) {
      env.HEAPGATE_BARE = '1';
      this.child = this.spawnChild(
        options.python,
        ['-c', 'import heapgate_shim; heapgate_shim.serve_forever()'],
        env,
      );
    } else {
      const command = options.command.replaceAll('{port}', String(options.port ?? ''));
      if (SHELL_SYNTAX.test(command)) {
        this.child = this.spawnChild(command, [], env, true);
      } else {
        const [file, ...args] = splitCommand(command);
        this.child = this.spawnChild(file, args, env);
      }
    }
    const child = this.child;
    if (child.pid) this.seenPids.add(child.pid);
    this.main = new ShimConnection(child.stdout!, child.stdin!);
    this.adopt(this.main);

    const hello = await this.waitForHello(options.helloTimeoutMs ?? 20_000);
    if (hello.error) throw new UsageError(`${hello.executable}: ${hello.error}`);

    if (options.port !== null) {
      const ready = await waitUntilReady({
        host: '127.0.0.1',
        port: options.port,
        readyPath: options.readyPath,
        timeoutMs: options.readyTimeoutMs,
        abandoned: this.exitReason(),
      });
      if (!ready.ready) {
        throw new TargetError(`the target never became ready: ${ready.reason}`, this.stderrTail());
      }
    }
  }

  /**
   * Starts the target in a process group of its own (so the whole group can be signalled) with three
   * pipes: stdin/stdout carry the main channel, stderr is kept as a bounded tail.
   */
  private spawnChild(
    file: string,
    args: string[],
    env: Record<string, string | undefined>,
    shell = false,
  ): ChildProcessByStdio<Writable, Readable, Readable> {
    const child = spawn(file, args, {
      cwd: this.options.cwd,
      env,
      detached: true,
      shell,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    this.childGone = new Promise<void>((resolve) => {
      let exited = false;
      const finish = (code: number | null, signal: string | null) => {
        if (exited) return;
        exited = true;
        this.exitInfo = { code, signal };
        const reason = describeExit(this.exitInfo);
        for (const waiter of this.exitWaiters.splice(0)) waiter(reason);
        resolve();
      };
      // 'close' comes once stdio has drained too, so the stderr tail is complete; a grandchild still
      // holding the pipes must not hide the exit, hence the short wait after 'exit'.
      child.once('exit', (code, signal) => {
        setTimeout(() => finish(code, signal), 200).unref();
      });
      child.once('close', (code: number | null, signal: string | null) => finish(code, signal));
      child.once('error', (error) => {
        this.keepStderr(Buffer.from(`${error.message}\n`));
        if (child.pid === undefined) finish(null, null); // never started
      });
    });
    // A target that exits early closes its stdin under us: that is reported as an exit, not thrown.
    child.stdin.on('error', () => {});
    return child;
  }

  private waitForHello(timeoutMs: number): Promise<HelloMessage> {
    return new Promise<HelloMessage>((resolve, reject) => {
      const main = this.main!;
      if (main.hello) return resolve(main.hello);
      const timer = setTimeout(() => {
        reject(
          new TargetError(
            `no word from heapgate's shim within ${timeoutMs / 1000} s: is the target a Python program, ` +
              'started without -I/-E, by an interpreter that reads PYTHONPATH?',
            this.stderrTail(),
          ),
        );
      }, timeoutMs);
      main.once('hello', (hello) => {
        clearTimeout(timer);
        resolve(hello);
      });
      void this.exitReason().then((reason) => {
        clearTimeout(timer);
        reject(new TargetError(`the target exited before it started (${reason})`, this.stderrTail()));
      });
    });
  }

  private adopt(connection: ShimConnection): void {
    connection.on('hello', (hello) => {
      this.seenPids.add(hello.pid);
      this.connections.set(hello.pid, connection);
    });
    connection.on('close', () => {
      const pid = connection.pid;
      if (pid !== null && this.connections.get(pid) === connection) this.connections.delete(pid);
    });
  }

  private keepStderr(chunk: Buffer): void {
    this.stderrChunks.push(chunk);
    this.stderrBytes += chunk.length;
    while (this.stderrBytes > STDERR_TAIL_BYTES && this.stderrChunks.length > 1) {
      this.stderrBytes -= this.stderrChunks.shift()!.length;
    }
  }

  /** Processes, RSS and CPU of the whole tree (null when it cannot be read right now). */
  async usage(): Promise<TreeUsage | null> {
    const pid = this.child?.pid;
    return pid && !this.exitInfo ? treeUsage(pid) : null;
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
      for (const c of this.connections.values()) c.close();
      this.main?.close();
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
        await Promise.race([this.childGone, new Promise((r) => (timer = setTimeout(r, 1000)))]);
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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

function describeExit(info: { code: number | null; signal: string | null }): string {
  if (info.signal) return `killed by ${info.signal}`;
  return `exit code ${info.code ?? 'unknown'}`;
}
