/**
 * One scenario, as named steps: start the target under the shim → warm up until the heap's growth settles
 * → drive measured blocks with a sample between each, stopping early once the verdict is certain → judge
 * → for a failing scenario, name the leak sites → end the target's whole tree (on every way out). The
 * drive session does the driving, the analysis decides; this file only says in what order.
 */
import { scenarioBudget } from '../config/budget.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { TargetError } from '../errors.js';
import { StartInterrupted } from '../service/process.js';
import type { Budget } from '../model/budget.js';
import type { Progress } from '../model/progress.js';
import type { ReachReport, ScenarioReport } from '../model/report.js';
import type { Sample } from '../model/sample.js';
import type { Scenario } from '../scenarios/model.js';
import { attribute, type Attribution } from '../drive/attribute.js';
import { explainGrowth, nativeReason, significantHolders } from '../analysis/held-by.js';
import { DriveSession, type ReachProbe } from '../drive/session.js';
import type { ReachFunction } from '../service/protocol.js';
import type { RequestAlternative } from '../select/alternatives.js';
import { isSuccess } from '../analysis/answers.js';
import { describeVerdict } from '../analysis/scenario-report.js';
import { shouldStop, type EarlyStop } from '../analysis/early-stop.js';
import { throughput } from '../analysis/projections.js';
import { scenarioVerdict, scenarioWarmup, type ScenarioVerdict } from '../analysis/verdict.js';

export interface RunScenarioOptions {
  dynamic: DynamicOptions;
  /** The gate's reach probe, before warm-up (see probe() below). */
  reach?: ReachPlan;
  env?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Told what the user should know as soon as it is known (the port a service chose itself). */
  onNote?: (note: string) => void;
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

/** earlyStop needs 20 measured samples to pass and 25 to fail; checking sooner is wasted work. */
const EARLY_STOP_FROM = 20;
/**
 * The target idles while earlyStop's bootstraps run, so a check waits until the time since the last one
 * is at least this many times what the last one took: analysis stays under ~1/(1+this) of the run.
 */
const EARLY_STOP_SPACING = 8;

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioRun> {
  const { dynamic } = options;
  const budget = scenarioBudget(scenario, dynamic.configBudget, dynamic.flagBudget);
  const session = DriveSession.open(scenario, {
    command: dynamic.command,
    python: dynamic.python,
    cwd: dynamic.cwd,
    heapCounter: dynamic.heapCounter,
    readyPath: dynamic.readyPath,
    readyTimeoutMs: dynamic.readyTimeoutMs,
    port: dynamic.port,
    graceMs: dynamic.graceMs,
    allowRemote: dynamic.allowRemote,
    env: options.env,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const report: ScenarioReport = {
    name: scenario.name,
    kind: scenario.kind,
    verdict: 'error',
    selectedBy: [],
    iterations: 0,
    durationMs: 0,
    metrics: {},
    leakSites: [],
  };
  let verdict: ScenarioVerdict | null = null;
  let probeResult: ReachProbe | null = null;
  let targetFailed = false;
  try {
    await session.start();
    if (session.portNote) options.onNote?.(session.portNote);
    if (options.reach?.functions.length) {
      const settled = await probe(session, options.reach);
      probeResult = settled.probe;
      if (settled.request) report.request = settled.request;
    }
    const measuredFrom = await warmUp(session, budget);
    const { goal, stopped } = await measure(session, budget, measuredFrom);
    verdict = judge(session, budget, measuredFrom, report);
    report.stoppedEarly = stopped ? { atIteration: session.next, why: stoppedWhy(stopped) } : null;
    if (session.aborted && report.iterations <= 0) {
      // Nothing measured says nothing about the service: not a pass (issue 13).
      verdict = null;
      notJudged(report, `interrupted by ${stopSignal(options.signal)} before any iteration was measured`);
    }
    noteForgedFrames(session, report);
    if (verdict?.verdict === 'fail' && !session.aborted) {
      session.progress('attributing', goal);
      const attribution = await attribute(session, dynamic);
      report.leakSites = attribution.sites;
      report.attributionIterations = attribution.iterations;
      recordHolders(report, attribution);
    }
    report.durationMs = Date.now() - session.started;
    report.totalIterations = session.next;
    session.progress('done', goal);
  } catch (error) {
    if (error instanceof StartInterrupted) {
      notJudged(report, `${error.message}`);
      report.durationMs = Date.now() - session.started;
      return { report, samples: session.samples, verdict: null, targetFailed, interrupted: true };
    }
    if (!(error instanceof TargetError)) throw error;
    targetFailed = true;
    report.verdict = 'error';
    report.error = error.stderrTail
      ? `${error.message}\n--- target stderr (tail) ---\n${error.stderrTail}`
      : error.message;
    report.durationMs = Date.now() - session.started;
    report.iterations = Math.max(0, session.next - (session.measuredFrom ?? 0));
    report.iterationsPerHour = throughput(report.iterations, report.durationMs);
  } finally {
    // After the verdict, which writes its own notes.
    if (session.portNote) report.notes = [session.portNote, ...(report.notes ?? [])];
    if (options.reach?.functions.length)
      report.reach = reachReport(options.reach.functions, probeResult, session);
    const ended = await session.close();
    if (ended.tree) report.tree = ended.tree;
    if (ended.leftovers.length) {
      report.error = `${report.error ? `${report.error}\n` : ''}processes still alive after SIGKILL: ${ended.leftovers.join(', ')}`;
    }
  }
  const interrupted = options.signal?.aborted === true;
  return {
    report,
    samples: session.samples,
    verdict: targetFailed ? null : verdict,
    targetFailed,
    interrupted,
  };
}

/**
 * Warm-up at the measured part's cadence: until consecutive blocks' heap slopes agree (`auto`), or for the
 * scenario's fixed count. Returns the first measured iteration.
 */
async function warmUp(session: DriveSession, budget: Budget): Promise<number> {
  const { scenario } = session;
  await session.sample();
  let measuredFrom: number | null = null;
  if (scenario.warmup === 'auto') {
    while (!session.aborted) {
      await session.run(scenario.sampleEvery);
      await session.sample();
      session.progress('warmup', null);
      const warmup = scenarioWarmup(session.samples, budget);
      if (warmup.done) {
        measuredFrom = warmup.startX ?? session.next;
        break;
      }
    }
  } else {
    while (session.next < scenario.warmup && !session.aborted) {
      await session.run(Math.min(scenario.sampleEvery, scenario.warmup - session.next));
      await session.sample();
      session.progress('warmup', null);
    }
    measuredFrom = scenario.warmup;
  }
  session.measuredFrom = measuredFrom ?? session.next;
  return session.measuredFrom;
}

/** The report's `stoppedEarly.why`: the early verdict and its reason. */
function stoppedWhy(stopped: EarlyStop): string {
  return `${stopped.verdict === 'pass' ? 'passed' : 'failed'} early: ${stopped.why}`;
}

/**
 * The measured part: blocks of `sampleEvery` iterations with a sample after each, until the scenario's
 * length or duration, or until shouldStop says the verdict at that length is certain. Returns the
 * iteration goal (null for a time-based scenario) and the early stop, if any.
 */
async function measure(
  session: DriveSession,
  budget: Budget,
  measuredFrom: number,
): Promise<{ goal: number | null; stopped: EarlyStop | null }> {
  const { scenario } = session;
  const goal = scenario.durationMs === null ? measuredFrom + scenario.iterations : null;
  const startedAt = Date.now();
  // The elapsed time the samples will carry when a time-based scenario ends.
  const untilMs = goal === null ? startedAt - session.started + scenario.durationMs! : undefined;
  let stopped: EarlyStop | null = null;
  let rounds = 0;
  let nextCheckAt = 0;
  while (!session.aborted) {
    if (goal !== null ? session.next >= goal : Date.now() - startedAt >= scenario.durationMs!) break;
    const count = goal !== null ? Math.min(scenario.sampleEvery, goal - session.next) : scenario.sampleEvery;
    await session.run(count);
    await session.sample();
    session.progress('measuring', goal);
    rounds++;
    if (rounds >= EARLY_STOP_FROM && performance.now() >= nextCheckAt) {
      const checkStarted = performance.now();
      stopped = shouldStop(session.samples, budget, {
        kind: scenario.kind,
        measuredFromIteration: measuredFrom,
        ...(goal !== null ? { untilIteration: goal } : { untilMs }),
      });
      if (stopped) break;
      const now = performance.now();
      nextCheckAt = now + EARLY_STOP_SPACING * (now - checkStarted);
    }
  }
  return { goal, stopped };
}

/** The gate's reason for a run that a signal stopped. */
export function interruptedReason(
  stoppedBy: string,
  done: number,
  planned: number,
  unfinished: string | null,
): string {
  const cut = unfinished ? `; '${unfinished}' was cut short and is not in the report` : '';
  return `interrupted by ${stoppedBy} after ${done} of ${planned} scenario${planned === 1 ? '' : 's'}${cut}`;
}

/** A scenario that ran but cannot be judged: an error verdict (never a pass) saying why. */
function notJudged(report: ScenarioReport, why: string): void {
  report.verdict = 'error';
  report.iterations = Math.max(0, report.iterations);
  report.error = `${why}: nothing to judge`;
  delete report.reasons;
}

function stopSignal(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : 'an interrupt';
}

/** Says so in the report when something other than the shims wrote to the channels (they were dropped). */
function noteForgedFrames(session: DriveSession, report: ScenarioReport): void {
  const forged = session.live.forged;
  if (!forged) return;
  report.notes = [
    ...(report.notes ?? []),
    `${forged} message${forged === 1 ? '' : 's'} on the control channels did not come from heapgate's shim and ${forged === 1 ? 'was' : 'were'} ignored`,
  ];
}

/** The verdict over the samples, recorded in the report. */
function judge(
  session: DriveSession,
  budget: Budget,
  measuredFrom: number,
  report: ScenarioReport,
): ScenarioVerdict {
  const verdict = scenarioVerdict(session.samples, budget, {
    kind: report.kind,
    durationMs: Date.now() - session.started,
    iterations: session.next,
    measuredFromIteration: measuredFrom,
  });
  report.verdict = verdict.verdict;
  report.tooShort = verdict.tooShort;
  report.iterations = session.next - measuredFrom;
  Object.assign(report, describeVerdict(verdict, measuredFrom, budget, session.samples));
  const counted = session.heapCounter();
  report.heapCounter = counted.counter;
  if (counted.notes.length) report.notes = [...(report.notes ?? []), ...counted.notes];
  return verdict;
}

export interface ReachPlan {
  /** The functions whose entries the shim counts. */
  functions: readonly ReachFunction[];
  /** Ids among them the scenario is after: when one is not reached, the alternatives are tried. */
  targets: readonly string[];
  /** Iterations of the probe that is reported. */
  iterations: number;
  /** Other requests to try, in order (a generated scenario's). */
  alternatives?: readonly RequestAlternative[];
}

/** Iterations each alternative request gets before it is kept or dropped. */
const ALTERNATIVE_ITERATIONS = 3;

/**
 * The reach probe: the scenario's request, one at a time, with the shim counting which functions of
 * interest ran. When it does not reach its targets with success answers and there are alternatives, each
 * is tried for a few iterations; the first that does is kept for the rest of the run (and probed again,
 * so the report's counts are its own). None doing so leaves the scenario's own request.
 */
async function probe(
  session: DriveSession,
  plan: ReachPlan,
): Promise<{ probe: ReachProbe; request: ScenarioReport['request'] | null }> {
  const first = await session.probeReach(plan.functions, plan.iterations);
  const alternatives = plan.alternatives ?? [];
  if (reaches(first, plan.targets) || !alternatives.length || session.aborted) {
    return { probe: first, request: null };
  }
  for (const alternative of alternatives) {
    if (session.aborted) break;
    await session.useRequest(alternative.request);
    const trial = await session.probeReach(plan.functions, ALTERNATIVE_ITERATIONS);
    if (!reaches(trial, plan.targets)) continue;
    const again = await session.probeReach(plan.functions, plan.iterations);
    const target = plan.targets.map((id) => id.slice(id.indexOf(':') + 1)).join(', ');
    return {
      probe: again,
      request: {
        method: alternative.request.method,
        path: alternative.request.path ?? alternative.request.url ?? '',
        why: `${alternative.why}: the generated request ${describeMiss(first, plan.targets)}; this one got success answers and reached ${target || 'the handler'}`,
      },
    };
  }
  await session.useRequest(null);
  return { probe: first, request: null };
}

/** Most answers a success, and every target entered in most iterations. */
function reaches(probe: ReachProbe, targets: readonly string[]): boolean {
  const total = [...probe.statuses.values()].reduce((a, b) => a + b, 0);
  const ok = [...probe.statuses].filter(([s]) => isSuccess(s));
  const share = total ? ok.reduce((a, [, n]) => a + n, 0) / total : 0;
  if (share < 0.5 || !probe.iterations) return false;
  return targets.every((id) => (probe.counts.get(id) ?? 0) * 2 > probe.iterations);
}

function describeMiss(probe: ReachProbe, targets: readonly string[]): string {
  const statuses = [...probe.statuses]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s}×${n}`)
    .join(', ');
  const missed = targets.filter((id) => (probe.counts.get(id) ?? 0) * 2 <= probe.iterations);
  const names = missed.map((id) => id.slice(id.indexOf(':') + 1));
  return `got ${statuses || 'no answer'}${names.length ? ` and did not reach ${names.join(', ')}` : ''}`;
}

/** The probe's counts (0 for a watched function never entered) and the statuses of the whole scenario. */
function reachReport(
  functions: readonly ReachFunction[],
  probe: ReachProbe | null,
  session: DriveSession,
): ReachReport {
  return {
    functions: Object.fromEntries(functions.map((f) => [f.id, probe?.counts.get(f.id) ?? 0])),
    probeIterations: probe?.iterations ?? 0,
    statuses: Object.fromEntries([...session.statuses].sort(([a], [b]) => a.localeCompare(b))),
    mainThreadHooked: probe?.mainThreadHooked ?? false,
  };
}

/** What keeps the memory alive, how much of the growth that explains, and (in the verdict) native growth. */
function recordHolders(report: ScenarioReport, attribution: Attribution): void {
  const heldBy = significantHolders(attribution.heldBy, report.metrics);
  if (attribution.search) {
    report.heldBy = heldBy;
    report.holdersSearch = attribution.search;
  }
  const explained = explainGrowth({
    metrics: report.metrics,
    heldBy,
    sites: attribution.sites,
    iterations: attribution.iterations,
    tracedBytesPerIteration: attribution.tracedBytesPerIteration,
  });
  if (!explained) return;
  report.explained = explained;
  const native = nativeReason(explained);
  if (native) report.reasons = [...(report.reasons ?? []), native];
}
