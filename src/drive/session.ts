/**
 * One scenario's live target: started under the shim, driven in blocks of iterations (HTTP requests,
 * WebSocket connections or in-process calls, through a circuit breaker), sampled between blocks (nothing in flight), and ended on
 * every way out. What to do with the samples — when warm-up is over, when to stop, the verdict — is the
 * analysis's; the order of the steps is the pipeline's (pipeline/run-scenario.ts).
 */
import { TargetError, UsageError } from '../errors.js';
import type { HeapCounter } from '../config/dynamic.js';
import type { Phase, Progress } from '../model/progress.js';
import type { Sample } from '../model/sample.js';
import { iterationNoun } from '../model/scenario-kind.js';
import type { TreeSummary } from '../model/report.js';
import { talksToTarget, type RequestSpec, type Scenario } from '../scenarios/model.js';
import { TargetProcess } from '../service/process.js';
import type { ReachFunction } from '../service/protocol.js';
import { freePort } from '../service/readiness.js';
import { CircuitBreaker, failureOf } from './breaker.js';
import { errorSummary, runCallBlock } from './call.js';
import { runBlock } from './concurrency.js';
import { HttpDriver } from './http.js';
import { ThinnedRounds } from './thinned-rounds.js';
import { TreeWatch } from './tree-watch.js';
import { WebSocketDriver, websocketFailure, websocketStatus } from './websocket-driver.js';

export interface SessionOptions {
  /** --target, or null: call scenarios run in a bare interpreter. */
  command: string | null;
  python: string;
  cwd: string;
  /** What the heap series counts (see config/dynamic.ts). */
  heapCounter: HeapCounter;
  readyPath?: string;
  readyTimeoutMs: number;
  /** `--port N`: the port the service listens on (given to it as {port} and PORT too); null: a free one. */
  port?: number | null;
  graceMs?: number;
  allowRemote: boolean;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** What the reach probe saw. */
export interface ReachProbe {
  /** Function id → iterations it ran in. */
  counts: Map<string, number>;
  /** Iterations the probe drove. */
  iterations: number;
  /** The answers' statuses during the probe. */
  statuses: Map<string, number>;
  /** The service's main thread was hooked too (else only threads started during the probe were). */
  mainThreadHooked: boolean;
}

export class DriveSession {
  /**
   * The sample rounds so far (one sample per measured process a round): every round of a usual scenario;
   * past MAX_ROUNDS, as on a soak of hours, evenly thinned so heapgate's memory stays bounded.
   */
  private readonly rounds = new ThinnedRounds<Sample>();
  private flattened: Sample[] | null = null;
  /** Iterations driven so far (warm-up, measured part and attribution pass). */
  next = 0;
  /** First measured iteration, once warm-up has ended (for progress lines). */
  measuredFrom: number | null = null;
  readonly started = Date.now();
  private rateMark = { at: this.started, iteration: 0 };
  private rate: number | null = null;
  private readonly tree = new TreeWatch();
  /** The latest sample round, handed to the next progress report only (a live soak reads it). */
  private lastRound: Sample[] | null = null;
  private target: TargetProcess | null = null;
  private driver: HttpDriver | null = null;
  private websockets: WebSocketDriver | null = null;
  /**
   * How many answers got each status (`200`, `404`; `error` for none; `ok`/`error` for calls; `101` for
   * a WebSocket iteration that completed).
   */
  readonly statuses = new Map<string, number>();
  private request: RequestSpec | null = null;
  private breaker: CircuitBreaker;
  private stop: AbortSignal;

  private constructor(
    readonly scenario: Scenario,
    private readonly options: SessionOptions,
  ) {
    this.breaker = new CircuitBreaker({ noun: iterationNoun(scenario.kind).many });
    this.stop = options.signal ? AbortSignal.any([options.signal, this.breaker.signal]) : this.breaker.signal;
  }

  /**
   * A session for `scenario`; its target is started by `start()`. Refuses an HTTP or WebSocket scenario
   * without a target command (exit 2) before anything runs.
   */
  static open(scenario: Scenario, options: SessionOptions): DriveSession {
    if (talksToTarget(scenario) && options.command === null) {
      const what = scenario.kind === 'websocket' ? 'opens WebSocket connections' : 'sends HTTP requests';
      throw new UsageError(`${scenario.where}: ${what}, so it needs --target "CMD" to start the service`);
    }
    return new DriveSession(scenario, options);
  }

  /** Starts the target under the shim and waits until it is ready (TargetError when it does not). */
  async start(): Promise<void> {
    const { scenario, options } = this;
    this.progress('starting', null);
    const given = options.port ?? null;
    const port = talksToTarget(scenario) || options.command ? (given ?? (await freePort())) : null;
    this.target = await TargetProcess.start({
      command: options.command,
      python: options.python,
      cwd: options.cwd,
      port,
      portGiven: given !== null,
      // Only the tracemalloc counter traces from start-up; one frame is all its series needs.
      traceDepth: 1,
      heapCounter: options.heapCounter,
      readyPath: options.readyPath,
      readyTimeoutMs: options.readyTimeoutMs,
      graceMs: options.graceMs,
      env: options.env,
      signal: options.signal,
    });
    this.tree.poll(this.target, Date.now()); // starts the CPU clock
    if (scenario.request) {
      this.driver = new HttpDriver({
        // The port the service listens on: the one it was given, or one it chose itself (target.portNote).
        port: this.target.port!,
        concurrency: scenario.concurrency,
        allowRemote: options.allowRemote,
      });
      await this.driver.prepare(scenario.request, scenario);
    }
    if (scenario.kind === 'websocket') {
      // The port the service listens on, as for HTTP (a service may choose its own: target.portNote).
      this.websockets = new WebSocketDriver({ port: this.target.port!, allowRemote: options.allowRemote });
      await this.websockets.prepare(scenario.websocket, scenario);
    }
  }

  /**
   * Which port heapgate drives and why, when the service listens on one of its own choosing; null when it
   * listens where it was told.
   */
  get portNote(): string | null {
    return this.target?.portNote ?? null;
  }

  /** The running target (after start()). */
  get live(): TargetProcess {
    if (!this.target) throw new Error('the session has not started its target');
    return this.target;
  }

  /** Ctrl-C (or SIGTERM) asked the run to stop. */
  get aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  /**
   * Drives this request instead of the scenario's from now on (the gate's probe settled on another one);
   * null goes back to the scenario's own.
   */
  async useRequest(request: RequestSpec | null): Promise<void> {
    if (request && this.driver) await this.driver.prepare(request, this.scenario);
    this.request = request;
  }

  /** The request being driven (the scenario's own unless useRequest chose another). */
  get currentRequest(): RequestSpec | null {
    return this.request ?? this.scenario.request;
  }

  /** Drives `count` iterations; TargetError when the target died or kept failing. */
  async run(count: number): Promise<void> {
    const { scenario } = this;
    const live = this.live;
    if (scenario.request) {
      const request = this.request ?? scenario.request;
      const driver = this.driver!;
      const result = await runBlock(
        this.next,
        count,
        scenario.concurrency,
        async (i, signal) => {
          const result = await driver.send(request, i, signal);
          this.count(result.status === undefined ? 'error' : String(result.status));
          this.breaker.record(failureOf(result, scenario.expect.status));
        },
        this.stop,
      );
      this.next += result.done;
    } else if (scenario.kind === 'websocket') {
      const driver = this.websockets!;
      const result = await runBlock(
        this.next,
        count,
        scenario.concurrency,
        async (i, signal) => {
          const result = await driver.run(scenario.websocket, i, signal);
          this.count(websocketStatus(result));
          this.breaker.record(websocketFailure(result));
        },
        this.stop,
      );
      this.next += result.done;
    } else {
      const result = await runCallBlock(live.main!, scenario.call!, this.next, count);
      this.count('ok', result.ok);
      this.count('error', result.errors);
      this.breaker.recordMany(result.ok, result.errors, errorSummary(result.firstError ?? ''));
      this.next += count;
    }
    if (live.exited) {
      throw new TargetError(`the target exited mid-run (${await live.exitReason()})`, live.stderrTail());
    }
    if (this.breaker.tripped) {
      throw new TargetError(
        `the target kept failing, so the scenario stopped: ${this.breaker.reason}`,
        live.stderrTail(),
      );
    }
  }

  private count(status: string, n = 1): void {
    if (n > 0) this.statuses.set(status, (this.statuses.get(status) ?? 0) + n);
  }

  /**
   * The reach probe: `iterations` iterations one at a time, every measured process told before each that
   * a new one begins, and back which of `functions` ran in how many of them (harness/heapgate_reach.py).
   */
  async probeReach(functions: readonly ReachFunction[], iterations: number): Promise<ReachProbe> {
    const live = this.live;
    const statuses = new Map<string, number>();
    const before = new Map(this.statuses);
    const started = await live.broadcast(
      { cmd: 'reach', action: 'start', functions: [...functions] },
      10_000,
    );
    const hooked = [...started.values()].some((m) => m.type === 'reach' && m.hooked?.mainThread);
    const counts = new Map<string, number>();
    let ran = 0;
    try {
      for (let k = 0; k < iterations && !this.aborted; k++) {
        await live.broadcast({ cmd: 'reach', action: 'mark' }, 10_000);
        await this.run(1);
      }
    } finally {
      const replies = await live.broadcast({ cmd: 'reach', action: 'stop' }, 10_000);
      for (const reply of replies.values()) {
        if (reply.type !== 'reach' || !reply.counts) continue;
        ran = Math.max(ran, reply.iterations ?? 0);
        // A request is served by one process: the processes' counts add up.
        for (const [id, n] of Object.entries(reply.counts)) counts.set(id, (counts.get(id) ?? 0) + n);
      }
    }
    for (const [status, n] of this.statuses) {
      const delta = n - (before.get(status) ?? 0);
      if (delta > 0) statuses.set(status, delta);
    }
    return { counts, iterations: ran, statuses, mainThreadHooked: hooked };
  }

  /** One sample of every measured process, tagged with the iterations driven so far. */
  async sample(): Promise<void> {
    const live = this.live;
    const round = await live.sampleAll();
    if (!round.length) {
      throw new TargetError('no process of the target answered the sample request', live.stderrTail());
    }
    const elapsedMs = Date.now() - this.started;
    const taken: Sample[] = [];
    for (const s of round) {
      taken.push({
        iteration: this.next,
        elapsedMs,
        pid: s.pid,
        heap: s.heap,
        rss: s.rss,
        threads: s.threads,
        fds: s.fds < 0 ? 0 : s.fds,
        handlers: s.handlers,
        gcObjects: s.gcObjects,
      });
    }
    this.rounds.add(taken);
    this.flattened = null;
    this.lastRound = taken;
  }

  /** The samples so far, oldest first (see `rounds`). */
  get samples(): Sample[] {
    this.flattened ??= this.rounds.items();
    return this.flattened;
  }

  /** Tells the caller's progress printer where the run is. */
  progress(phase: Phase, goal: number | null): void {
    const now = Date.now();
    if (now - this.rateMark.at >= 1000) {
      this.rate = ((this.next - this.rateMark.iteration) * 1000) / (now - this.rateMark.at);
      this.rateMark = { at: now, iteration: this.next };
    }
    if (this.target) this.tree.poll(this.target, now);
    if (!this.options.onProgress) return;
    const { samples, measuredFrom } = this;
    const base = measuredFrom === null ? null : samples.find((s) => s.iteration >= measuredFrom);
    const last = samples[samples.length - 1];
    this.options.onProgress({
      scenario: this.scenario.name,
      phase,
      iteration: this.next,
      goal,
      elapsedMs: now - this.started,
      heapGrowth: base && last ? heapAt(samples, last.iteration) - heapAt(samples, base.iteration) : null,
      rate: this.rate,
      tree: this.tree.latest,
      ...(this.lastRound ? { round: this.lastRound } : {}),
      measuredFrom,
    });
    this.lastRound = null;
  }

  /** What the measured processes' heap figures counted, and why any of them counted otherwise than asked. */
  heapCounter(): { counter: HeapCounter; notes: string[] } {
    const hellos = this.live.measuredHellos();
    const counter = hellos.some((h) => (h.heapCounter ?? 'tracemalloc') === 'tracemalloc')
      ? 'tracemalloc'
      : 'allocator';
    const notes = [...new Set(hellos.flatMap((h) => (h.note ? [h.note] : [])))];
    return { counter, notes };
  }

  /**
   * Ends the driver and the target's whole tree; returns the tree's usage summary and any process that
   * outlived SIGKILL.
   */
  async close(): Promise<{ tree: TreeSummary | null; leftovers: number[] }> {
    this.driver?.close();
    await this.websockets?.close();
    const target = this.target;
    if (target && !target.exited) await this.tree.finalReading(target);
    const tree = this.tree.summary();
    const ended = target ? await target.stop() : null;
    return { tree, leftovers: ended?.leftovers ?? [] };
  }
}

/** Heap summed over the processes sampled at an iteration. */
function heapAt(samples: readonly Sample[], iteration: number): number {
  let sum = 0;
  for (const s of samples) if (s.iteration === iteration) sum += s.heap;
  return sum;
}
