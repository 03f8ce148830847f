/**
 * The target's first process: started in a process group of its own (so the whole group can be
 * signalled), stdin from /dev/null, stdout and stderr kept together as a bounded tail (the service's
 * prints and tracebacks, quoted when it fails), and its end described in words a newcomer can act on:
 * "no such program" rather than "exit code unknown".
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

const TAIL_BYTES = 64 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Why the program could not be started at all (spawn's errno), when it could not. */
  spawnError?: string;
}

export class TargetChild {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Settles once the child has exited and its pipes have closed (or it could not be spawned). */
  readonly gone: Promise<void>;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private info: ExitInfo | null = null;
  private waiters: ((reason: string) => void)[] = [];

  constructor(
    private readonly program: string,
    args: string[],
    options: { cwd: string; env: Record<string, string | undefined>; shell: boolean },
  ) {
    this.child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      shell: options.shell,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = this.child;
    child.stdout.on('data', (chunk: Buffer) => this.keep(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.keep(chunk));
    this.gone = new Promise<void>((resolve) => {
      const finish = (info: ExitInfo) => {
        if (this.info) return;
        this.info = info;
        const reason = describeExit(info, this.program);
        for (const waiter of this.waiters.splice(0)) waiter(reason);
        resolve();
      };
      // 'close' comes once stdio has drained too, so the tail is complete; a grandchild still holding
      // the pipes must not hide the exit, hence the short wait after 'exit'.
      child.once('exit', (code, signal) => {
        setTimeout(() => finish({ code, signal }), 200).unref();
      });
      child.once('close', (code: number | null, signal: string | null) => finish({ code, signal }));
      child.once('error', (error: NodeJS.ErrnoException) => {
        this.keep(Buffer.from(`${error.message}\n`));
        if (child.pid === undefined) finish({ code: null, signal: null, spawnError: error.code ?? 'error' });
      });
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get exited(): ExitInfo | null {
    return this.info;
  }

  /** Resolves with a description once the process has exited. */
  exitReason(): Promise<string> {
    if (this.info) return Promise.resolve(describeExit(this.info, this.program));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The last lines the service wrote (stdout and stderr as they came). */
  tail(maxLines = 40): string {
    return Buffer.concat(this.chunks)
      .toString('utf8')
      .split('\n')
      .slice(-maxLines - 1)
      .join('\n')
      .trimEnd();
  }

  private keep(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > TAIL_BYTES && this.chunks.length > 1) this.bytes -= this.chunks.shift()!.length;
  }
}

/** How the target ended, in words: what a shell's 126/127 and spawn's errno mean. */
export function describeExit(info: ExitInfo, program: string): string {
  if (info.spawnError === 'ENOENT') return `no such program '${program}' (is it installed and on PATH?)`;
  if (info.spawnError === 'EACCES') return `'${program}' cannot be executed (permission denied)`;
  if (info.spawnError) return `'${program}' could not be started (${info.spawnError})`;
  if (info.signal) return `killed by ${info.signal}`;
  if (info.code === 127) return 'exit code 127: the shell found no such command (a typo in --target?)';
  if (info.code === 126) return 'exit code 126: the command is not executable';
  return `exit code ${info.code ?? 'unknown'}`;
}
