/**
 * Runs one scenario against a fresh target: start it with the shim, warm up until the heap's growth
 * settles, drive measured blocks with a memory sample between each (nothing in flight), stop early once
 * the verdict is certain, and for a failing scenario run a short attribution pass with deep tracebacks to
 * name the leak sites. The target's whole tree is ended on every way out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { parseBudget, resolveBudget, type Budget, type BudgetOverrides } from '../analysis/budget.js';
import type { Sample } from '../analysis/sample.js';
import { earlyStop, scenarioVerdict, scenarioWarmup, type ScenarioVerdict } from '../analysis/verdict.js';
import { TargetError, UsageError } from '../cli/errors.js';
import type { DynamicOptions, HeapCounter } from '../config/dynamic.js';
import type { LeakSite, ScenarioReport } from '../report/model.js';
import type { Scenario } from '../scenarios/model.js';
import type { SiteEntry } from '../target/protocol.js';
import { TargetProcess } from '../target/process.js';
import type { TreeUsage } from '../target/usage.js';
import { freePort } from '../target/readiness.js';
import { CircuitBreaker, failureOf } from './breaker.js';
import { errorSummary, runCallBlock } from './call.js';
import { runBlock } from './concurrency.js';
import { HttpDriver } from './http.js';

export interface RunnerOptions {
  /** --target, or null: call scenarios run in a bare interpreter. */
  command: string | null;
  python: string;
  cwd: string;
  /** Frames kept for the attribution pass. */
  traceDepth: number;
  /** What the heap series counts (see config/dynamic.ts). */
  heapCounter: HeapCounter;
  readyPath?: string;
  readyTimeoutMs: number;
  graceMs?: number;
  allowRemote: boolean;
  /** `[tool.heapgate] budget`: below the scenario's own budget. */
  budgetConfig: BudgetOverrides;
  /** --budget-* flags: above everything. */
  budgetFlags: BudgetOverrides;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export type Phase = 'starting' | 'warmup' | 'measuring' | 'attributing' | 'done';

export interface Progress {
  scenario: string;
  phase: Phase;
  /** Iterations done so far (warm-up included). */
  iteration: number;
  /** Iterations the measured part will end at (null for a time-based scenario). */
  goal: number | null;
  elapsedMs: number;
  /** Heap now minus heap at the start of the measured part (bytes), when known. */
  heapGrowth: number | null;
  /** Iterations per second, recent. */
  rate: number | null;
  /** The whole target tree's processes, RSS and CPU, read about once a second (null until known). */
  tree: TreeUsage | null;
}

export interface ScenarioRun {
  report: ScenarioReport;
  samples: Sample[];
  verdict: ScenarioVerdict | null;
  /** The run ended because the target failed (exit code 3). */
  targetFailed: boolean;
  /** Ctrl-C (or SIGTERM) stopped it before the end. */
  interrupted: boolean;
}

/** The runner's options from the dynamic phase's resolved options (soak and the gate alike). */
export function runnerOptions(
  dynamic: DynamicOptions,
  run: { signal?: AbortSignal; onProgress?: (progress: Progress) => void },
): RunnerOptions {
  return {
    command: dynamic.command,
    python: dynamic.python,
    cwd: dynamic.cwd,
    traceDepth: dynamic.traceDepth,
    heapCounter: dynamic.heapCounter,
    readyPath: dynamic.readyPath,
    readyTimeoutMs: dynamic.readyTimeoutMs,
    graceMs: dynamic.graceMs,
    allowRemote: dynamic.allowRemote,
    budgetConfig: dynamic.configBudget,
    budgetFlags: dynamic.flagBudget,
    signal: run.signal,
    onProgress: run.onProgress,
  };
}

/** Checks everything about a scenario that can be checked without running it (exit 2 on a problem). */
export function scenarioBudget(scenario: Scenario, config: BudgetOverrides, flags: BudgetOverrides): Budget {
  const own = scenario.budget ? parseBudget(scenario.budget, scenario.where) : {};
  return resolveBudget(config, own, flags);
}

/**
 * The attribution pass traces 16 frames deep, 5-7x the cost of a plain request: its length is the least
 * that still shows a leak of a few dozen bytes an iteration above the sites' 256-byte floor.
 */
const ATTRIBUTION_MIN_ITERATIONS = 50;
/** earlyStop needs 20 measured samples to pass and 25 to fail; checking sooner is wasted work. */
const EARLY_STOP_FROM = 20;
/**
 * The target idles while earlyStop's bootstraps run, so a check waits until the time since the last one
 * is at least this many times what the last one took: analysis stays under ~1/(1+this) of the run.
 */
const EARLY_STOP_SPACING = 8;
/** Leak sites below both of these are left out of the report. */
const MIN_SITE_BYTES = 256;
const MIN_SITE_SHARE = 0.01;

export async function runScenario(scenario: Scenario, options: RunnerOptions): Promise<ScenarioRun> {
  const budget = scenarioBudget(scenario, options.budgetConfig, options.budgetFlags);
  if (scenario.request && options.command === null) {
    throw new UsageError(
      `${scenario.where}: sends HTTP requests, so it needs --target "CMD" to start the service`,
    );
  }
  const started = Date.now();
  const samples: Sample[] = [];
  let next = 0;
  let target: TargetProcess | null = null;
  let driver: HttpDriver | null = null;
  let interrupted = false;
  let measuredFrom: number | null = null;
  let rateMark = { at: started, iteration: 0 };
  let rate: number | null = null;
  const tree = new TreeWatch();
  const progress = (phase: Phase, goal: number | null) => {
    const now = Date.now();
    if (now - rateMark.at >= 1000) {
      rate = ((next - rateMark.iteration) * 1000) / (now - rateMark.at);
      rateMark = { at: now, iteration: next };
    }
    if (target) tree.poll(target, now);
    const base = measuredFrom === null ? null : samples.find((s) => s.iteration >= measuredFrom!);
    const last = samples[samples.length - 1];
    options.onProgress?.({
      scenario: scenario.name,
      phase,
      iteration: next,
      goal,
      elapsedMs: now - started,
      heapGrowth: base && last ? heapAt(samples, last.iteration) - heapAt(samples, base.iteration) : null,
      rate,
      tree: tree.latest,
    });
  };

  const report: ScenarioReport = {
    name: scenario.name,
    verdict: 'error',
    selectedBy: [],
    iterations: 0,
    durationMs: 0,
    metrics: {},
    leakSites: [],
  };

  try {
    progress('starting', null);
    const port = scenario.request || options.command ? await freePort() : null;
    target = await TargetProcess.start({
      command: options.command,
      python: options.python,
      cwd: options.cwd,
      port,
      // Only the tracemalloc counter traces from start-up; one frame is all its series needs.
      traceDepth: 1,
      heapCounter: options.heapCounter,
      readyPath: options.readyPath,
      readyTimeoutMs: options.readyTimeoutMs,
      graceMs: options.graceMs,
      env: options.env,
    });
    const live = target;
    tree.poll(live, Date.now()); // starts the CPU clock
    const breaker = new CircuitBreaker(scenario.call ? { noun: 'calls' } : {});
    if (scenario.request) {
      driver = new HttpDriver({
        port: port!,
        concurrency: scenario.concurrency,
        allowRemote: options.allowRemote,
      });
      await driver.prepare(scenario.request, scenario);
    }
    const stop = options.signal ? AbortSignal.any([options.signal, breaker.signal]) : breaker.signal;

    const runIterations = async (count: number): Promise<void> => {
      if (scenario.request) {
        const request = scenario.request;
        const result = await runBlock(
          next,
          count,
          scenario.concurrency,
          async (i, signal) => {
            breaker.record(failureOf(await driver!.send(request, i, signal), scenario.expect.status));
          },
          stop,
        );
        next += result.done;
      } else {
        const result = await runCallBlock(live.main!, scenario.call!, next, count);
        breaker.recordMany(result.ok, result.errors, errorSummary(result.firstError ?? ''));
        next += count;
      }
      if (live.exited) {
        throw new TargetError(`the target exited mid-run (${await live.exitReason()})`, live.stderrTail());
      }
      if (breaker.tripped) {
        throw new TargetError(
          `the target kept failing, so the scenario stopped: ${breaker.reason}`,
          live.stderrTail(),
        );
      }
    };
    const sample = async (): Promise<void> => {
      const round = await live.sampleAll();
      if (!round.length) {
        throw new TargetError('no process of the target answered the sample request', live.stderrTail());
      }
      const elapsedMs = Date.now() - started;
      for (const s of round) {
        samples.push({
          iteration: next,
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
    };
    const aborted = () => options.signal?.aborted === true;

    // Warm-up: same cadence as the measured part, until consecutive blocks' heap slopes agree.
    await sample();
    if (scenario.warmup === 'auto') {
      while (!aborted()) {
        await runIterations(scenario.sampleEvery);
        await sample();
        progress('warmup', null);
        const warmup = scenarioWarmup(samples, budget);
        if (warmup.done) {
          measuredFrom = warmup.startX ?? next;
          break;
        }
      }
    } else {
      while (next < scenario.warmup && !aborted()) {
        await runIterations(Math.min(scenario.sampleEvery, scenario.warmup - next));
        await sample();
        progress('warmup', null);
      }
      measuredFrom = scenario.warmup;
    }
    measuredFrom ??= next;

    // Measured part.
    const goal = scenario.durationMs === null ? measuredFrom + scenario.iterations : null;
    const measuredStartedAt = Date.now();
    let measuredRounds = 0;
    let nextCheckAt = 0;
    while (!aborted()) {
      if (goal !== null ? next >= goal : Date.now() - measuredStartedAt >= scenario.durationMs!) break;
      const count = goal !== null ? Math.min(scenario.sampleEvery, goal - next) : scenario.sampleEvery;
      await runIterations(count);
      await sample();
      progress('measuring', goal);
      measuredRounds++;
      if (measuredRounds >= EARLY_STOP_FROM && performance.now() >= nextCheckAt) {
        const checkStarted = performance.now();
        if (earlyStop(samples, budget, { measuredFromIteration: measuredFrom })) break;
        const now = performance.now();
        nextCheckAt = now + EARLY_STOP_SPACING * (now - checkStarted);
      }
    }
    interrupted = aborted();

    const verdict = scenarioVerdict(samples, budget, {
      durationMs: Date.now() - started,
      iterations: next,
      measuredFromIteration: measuredFrom,
    });
    report.verdict = verdict.verdict;
    report.iterations = next - measuredFrom;
    Object.assign(report, describeVerdict(verdict, measuredFrom, budget, samples));
    const counted = heapCounterOf(live);
    report.heapCounter = counted.counter;
    if (counted.notes.length) report.notes = [...(report.notes ?? []), ...counted.notes];

    if (verdict.verdict === 'fail' && !interrupted) {
      progress('attributing', goal);
      const attribution = await attribute(live, scenario, options, runIterations);
      report.leakSites = attribution.sites;
      report.attributionIterations = attribution.iterations;
    }
    report.durationMs = Date.now() - started;
    report.totalIterations = next;
    progress('done', goal);
    return { report, samples, verdict, targetFailed: false, interrupted };
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    report.verdict = 'error';
    report.error = error.stderrTail
      ? `${error.message}\n--- target stderr (tail) ---\n${error.stderrTail}`
      : error.message;
    report.durationMs = Date.now() - started;
    report.iterations = Math.max(0, next - (measuredFrom ?? 0));
    return {
      report,
      samples,
      verdict: null,
      targetFailed: true,
      interrupted: options.signal?.aborted === true,
    };
  } finally {
    driver?.close();
    if (target && !target.exited) await tree.finalReading(target);
    const usage = tree.summary();
    if (usage) report.tree = usage;
    if (target) {
      const ended = await target.stop();
      if (ended?.leftovers.length) {
        report.error = `${report.error ? `${report.error}\n` : ''}processes still alive after SIGKILL: ${ended.leftovers.join(', ')}`;
      }
    }
  }
}

/**
 * Reads the target tree's usage at most once a second, one reading in flight at a time, off the
 * measurement's path (nothing awaits it), and keeps the figures the report sums up.
 */
class TreeWatch {
  latest: TreeUsage | null = null;
  private polledAt = 0;
  private inFlight = false;
  private processes = 0;
  private rssPeak = 0;
  private cpuTotal = 0;
  private cpuReadings = 0;
  private primed = false;
  private pending: Promise<void> = Promise.resolve();

  poll(target: TargetProcess, now: number): void {
    if (this.inFlight || now - this.polledAt < 1000) return;
    void this.read(target, now);
  }

  /** One more reading (after any in flight) before the target stops, so even a short run has a CPU interval. */
  async finalReading(target: TargetProcess): Promise<void> {
    await this.pending;
    await this.read(target, Date.now());
  }

  private read(target: TargetProcess, now: number): Promise<void> {
    this.inFlight = true;
    this.polledAt = now;
    this.pending = target
      .usage()
      .then((usage) => {
        if (!usage) return;
        this.processes = Math.max(this.processes, usage.processes);
        this.rssPeak = Math.max(this.rssPeak, usage.rssBytes);
        // CPU is measured between readings: the first one only starts the clock.
        if (this.primed) {
          this.latest = usage;
          this.cpuTotal += usage.cpuPercent;
          this.cpuReadings++;
        }
        this.primed = true;
      })
      .catch(() => {})
      .finally(() => (this.inFlight = false));
    return this.pending;
  }

  summary(): ScenarioReport['tree'] | null {
    if (!this.cpuReadings) return null;
    return {
      processes: this.processes,
      rssPeakBytes: this.rssPeak,
      cpuPercent: Math.round((this.cpuTotal / this.cpuReadings) * 10) / 10,
    };
  }
}

/** What the measured processes' heap figures counted, and why any of them counted otherwise than asked. */
function heapCounterOf(target: TargetProcess): { counter: HeapCounter; notes: string[] } {
  const hellos = target.measuredHellos();
  const counter = hellos.some((h) => (h.heapCounter ?? 'tracemalloc') === 'tracemalloc')
    ? 'tracemalloc'
    : 'allocator';
  const notes = [...new Set(hellos.flatMap((h) => (h.note ? [h.note] : [])))];
  return { counter, notes };
}

/** Heap summed over the processes sampled at an iteration. */
function heapAt(samples: readonly Sample[], iteration: number): number {
  let sum = 0;
  for (const s of samples) if (s.iteration === iteration) sum += s.heap;
  return sum;
}

/**
 * The attribution pass: restart tracing with deep tracebacks in every measured process, take a
 * baseline, drive a few more blocks, and read back the sites that grew.
 */
async function attribute(
  target: TargetProcess,
  scenario: Scenario,
  options: RunnerOptions,
  runIterations: (count: number) => Promise<void>,
): Promise<{ sites: LeakSite[]; iterations: number }> {
  await target.broadcast({ cmd: 'trace', depth: options.traceDepth }, 30_000);
  // Let anything the restart itself allocates settle before the baseline.
  await runIterations(Math.min(scenario.sampleEvery, 10));
  await target.broadcast({ cmd: 'baseline' }, 120_000);
  let done = 0;
  const total = Math.max(ATTRIBUTION_MIN_ITERATIONS, scenario.sampleEvery);
  while (done < total) {
    const count = Math.min(scenario.sampleEvery, total - done);
    await runIterations(count);
    done += count;
  }
  const replies = await target.broadcast({ cmd: 'sites', limit: 50 }, 120_000);
  const merged = new Map<string, LeakSite & { project: boolean }>();
  const sources = new Map<string, string[] | null>();
  for (const reply of replies.values()) {
    if (reply.type !== 'sites' || !reply.sites) continue;
    for (const site of reply.sites) {
      const entry = toLeakSite(site, options.cwd, sources);
      const key = `${entry.file}:${entry.line}`;
      const known = merged.get(key);
      if (known) {
        known.sizeDiffBytes += entry.sizeDiffBytes;
        known.countDiff += entry.countDiff;
      } else {
        merged.set(key, { ...entry, project: site.project });
      }
    }
  }
  const ignored = scenario.ignore.length ? picomatch([...scenario.ignore], { dot: true }) : () => false;
  const grown = [...merged.values()].filter((s) => !ignored(s.file) && s.sizeDiffBytes > 0);
  const totalGrowth = grown.reduce((sum, s) => sum + s.sizeDiffBytes, 0);
  // Crumbs (a few bytes a connection left behind) are not where a leak is.
  const floor = Math.max(MIN_SITE_BYTES, totalGrowth * MIN_SITE_SHARE);
  // The project's own lines first (that is where the fix goes), then by size.
  const sites = grown
    .filter((s) => s.sizeDiffBytes >= floor)
    .sort((a, b) => Number(b.project) - Number(a.project) || b.sizeDiffBytes - a.sizeDiffBytes)
    .slice(0, 20)
    .map(({ project: _project, ...site }) => site);
  return { sites, iterations: total };
}

/** One line of a source file, trimmed; undefined when it cannot be read. */
function sourceLine(file: string, line: number, cache: Map<string, string[] | null>): string | undefined {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      cache.set(file, null);
    }
  }
  return cache.get(file)?.[line - 1]?.trim() || undefined;
}

function toLeakSite(site: SiteEntry, cwd: string, sources: Map<string, string[] | null>): LeakSite {
  const relative = (file: string) => {
    if (file.startsWith('<')) return file;
    const rel = path.relative(cwd, file);
    return rel.startsWith('..') ? file : rel.split(path.sep).join('/');
  };
  return {
    file: relative(site.file),
    line: site.line,
    sizeDiffBytes: site.sizeDiff,
    countDiff: site.countDiff,
    traceback: site.traceback.map((frame) => {
      const at = frame.lastIndexOf(':');
      return `${relative(frame.slice(0, at))}${frame.slice(at)}`;
    }),
    code: site.file.startsWith('<') ? undefined : sourceLine(site.file, site.line, sources),
  };
}

/** The report's view of a verdict: per metric start/end/slope/R²/trend, plus reasons and notes. */
function describeVerdict(
  verdict: ScenarioVerdict,
  measuredFrom: number,
  budget: Budget,
  samples: readonly Sample[],
): Partial<ScenarioReport> {
  const metrics: ScenarioReport['metrics'] = {};
  for (const [name, m] of Object.entries(verdict.metrics)) {
    metrics[name as keyof ScenarioReport['metrics']] = {
      start: m.start,
      end: m.end,
      slopePerIteration: m.slopePerIteration,
      r2: m.ols.r2,
      trend: m.trend,
      exceeded: m.exceeded,
      budget: m.budget,
      ...(m.reason ? { reason: m.reason } : {}),
    };
  }
  return {
    metrics,
    warmupIterations: measuredFrom,
    reasons: verdict.reasons,
    notes: verdict.notes,
    budget,
    series: combine(samples),
  };
}

/** Samples summed across processes per iteration, for charts. */
function combine(samples: readonly Sample[]): ScenarioReport['series'] {
  const byIteration = new Map<number, Omit<Sample, 'pid'>>();
  for (const s of samples) {
    const entry = byIteration.get(s.iteration);
    if (!entry) {
      const { pid: _pid, ...rest } = s;
      byIteration.set(s.iteration, { ...rest });
    } else {
      entry.heap += s.heap;
      entry.rss += s.rss;
      entry.threads += s.threads;
      entry.fds += s.fds;
      entry.handlers += s.handlers;
      entry.gcObjects += s.gcObjects;
      entry.elapsedMs = Math.max(entry.elapsedMs, s.elapsedMs);
    }
  }
  return [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
}
