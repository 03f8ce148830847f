/**
 * What a live soak (`heapgate soak --live`) knows while it runs: the finished scenarios' reports, and for
 * the running one its samples so far (bounded, live-series.ts) and the verdict so far — the same analysis
 * the end of the scenario runs (analysis/verdict.ts, analysis/scenario-report.ts), recomputed at most
 * every few seconds. `snapshot()` is a report like the final one, with the running scenario in it and a
 * gate reason saying the run is not over: the live page renders it with the HTML report's renderer, the
 * periodic partial report is written from it, and /leaks and /metrics (live-endpoints.ts) read it.
 */
import { scenarioBudget } from '../config/budget.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { describeVerdict } from '../analysis/scenario-report.js';
import { scenarioVerdict } from '../analysis/verdict.js';
import type { Progress, TreeUsage } from '../model/progress.js';
import type { Report, ScenarioReport } from '../model/report.js';
import type { Sample } from '../model/sample.js';
import type { Scenario } from '../scenarios/model.js';
import { LiveSeries } from './live-series.js';
import type { ScenarioRun } from './run-scenario.js';
import { soakReport } from './soak.js';

/**
 * No verdict so far from fewer measured samples: the run itself stops early on a failure no sooner
 * (pipeline/run-scenario.ts), and a handful of samples from a service still settling can look like growth.
 */
const VERDICT_FROM_SAMPLES = 25;
/** The verdict so far is recomputed at most this often (the analysis bootstraps; the page polls). */
const VERDICT_EVERY_MS = 2000;

/** The running scenario, as the live view holds it. */
export interface RunningScenario {
  scenario: Scenario;
  series: LiveSeries;
  progress: Progress;
  startedAt: number;
}

export class LiveSoak {
  private readonly finished: ScenarioRun[] = [];
  private running: RunningScenario | null = null;
  private cached: { at: number; rounds: number; report: ScenarioReport } | null = null;
  private rounds = 0;
  /** When the soak started (ms since the epoch). */
  readonly startedAt: number;

  constructor(
    private readonly scenarios: readonly Scenario[],
    private readonly dynamic: Pick<DynamicOptions, 'configBudget' | 'flagBudget'>,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Feeds a progress report (the soak pipeline's onProgress). */
  onProgress(progress: Progress): void {
    if (!this.running || this.running.scenario.name !== progress.scenario) {
      const scenario = this.scenarios.find((s) => s.name === progress.scenario);
      if (!scenario) return;
      this.running = { scenario, series: new LiveSeries(), progress, startedAt: this.now() };
      this.cached = null;
    }
    this.running.progress = progress;
    if (progress.round?.length) {
      this.running.series.add(progress.round);
      this.rounds++;
    }
  }

  /** Records a finished scenario (the soak pipeline's onScenarioDone). */
  onScenarioDone(run: ScenarioRun): void {
    this.finished.push(run);
    this.running = null;
    this.cached = null;
  }

  /** The scenario running now, if any. */
  get current(): RunningScenario | null {
    return this.running;
  }

  /** The latest tree reading of the running scenario's target (null when none yet). */
  get tree(): TreeUsage | null {
    return this.running?.progress.tree ?? null;
  }

  /** The latest sample round, per process, of the running scenario. */
  get latestRound(): readonly Sample[] {
    return this.running?.series.latestRound ?? [];
  }

  /** The report so far: the finished scenarios, the running one with its verdict so far, a gate reason. */
  snapshot(): Report {
    const report = soakReport(this.finished, null, this.scenarios.length);
    const running = this.runningReport();
    if (running) report.scenarios.push(running);
    const left = this.scenarios.length - this.finished.length;
    if (left > 0) {
      const where = this.running
        ? `; '${this.running.scenario.name}' is ${this.running.progress.phase} at iteration ${this.running.progress.iteration}`
        : '';
      report.gate.passed = false;
      report.gate.reasons.push(
        `the soak is still running (${this.finished.length} of ${this.scenarios.length} scenarios finished${where}): this report is partial`,
      );
    }
    return report;
  }

  /** The running scenario's report with the verdict over its samples so far (cached a few seconds). */
  private runningReport(): ScenarioReport | null {
    const running = this.running;
    if (!running) return null;
    const now = this.now();
    if (this.cached && (this.cached.rounds === this.rounds || now - this.cached.at < VERDICT_EVERY_MS)) {
      return this.cached.report;
    }
    const { scenario, progress } = running;
    const samples = running.series.samples();
    const report: ScenarioReport = {
      name: scenario.name,
      kind: scenario.kind,
      verdict: 'pass',
      selectedBy: [],
      iterations: 0,
      durationMs: now - running.startedAt,
      metrics: {},
      leakSites: [],
      notes: [`verdict so far: the scenario was ${progress.phase} at iteration ${progress.iteration}`],
    };
    const measuredFrom = progress.measuredFrom ?? null;
    const measured = measuredFrom === null ? 0 : samples.filter((s) => s.iteration >= measuredFrom).length;
    if (measuredFrom !== null && measured >= VERDICT_FROM_SAMPLES) {
      const budget = scenarioBudget(scenario, this.dynamic.configBudget, this.dynamic.flagBudget);
      const verdict = scenarioVerdict(samples, budget, {
        kind: scenario.kind,
        durationMs: progress.elapsedMs,
        iterations: progress.iteration,
        measuredFromIteration: measuredFrom,
      });
      report.verdict = verdict.verdict;
      report.iterations = progress.iteration - measuredFrom;
      const described = describeVerdict(verdict, measuredFrom, budget, samples);
      Object.assign(report, described, { notes: [...report.notes!, ...(described.notes ?? [])] });
    } else {
      report.series = samples.map(({ pid: _pid, ...point }) => point);
      report.notes!.push(
        measuredFrom === null
          ? 'still warming up: no verdict yet'
          : `${measured} measured samples so far: no verdict before ${VERDICT_FROM_SAMPLES}`,
      );
    }
    this.cached = { at: now, rounds: this.rounds, report };
    return report;
  }
}
