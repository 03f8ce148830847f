/**
 * The JSON report (schemaVersion 1; README "Reports, comparisons and CI"). Every other format is a pure function of this object,
 * so `heapgate report FILE.json` can re-render a saved run exactly.
 */
import type { Budget } from './budget.js';
import type { MetricName } from './metrics.js';
import type { Sample } from './sample.js';
import type { ScenarioKind } from './scenario-kind.js';
import type { DynamicStatus, Finding, Problem, Route, Severity } from './static.js';

export const SCHEMA_VERSION = 1;

export type { MetricName };
export type Trend = 'growing' | 'flat' | 'plateau';
export type Verdict = 'pass' | 'fail' | 'error';

export interface MetricReport {
  start: number;
  end: number;
  slopePerIteration: number;
  r2: number;
  trend: Trend;
  /** Whether this metric broke its budget, the budget, and why. */
  exceeded?: boolean;
  budget?: number | null;
  reason?: string;
  /**
   * What the reports draw, as the verdict computed it (absent in reports from before it was recorded;
   * renderers then draw without it and never recompute it). The fitted line over the measured part:
   * value = intercept + slope × iteration (Theil–Sen; slope = slopePerIteration).
   */
  fit?: { intercept: number; slope: number };
  /** Where the series (warm-up included) levelled off, as the verdict decided it; null: it did not. */
  plateau?: RecordedPlateau | null;
  /** The slope projected: growth per million iterations and per hour at the measured throughput. */
  projection?: { perMillion: number; perHour: number | null };
}

/** A plateau as the verdict found it: from which sample (index into `series`) and iteration, at what level. */
export interface RecordedPlateau {
  fromSample: number;
  fromIteration: number;
  level: number;
}

/** The measured part of a scenario's series: its first and last sample (indices into `series`). */
export interface MeasuredRange {
  fromSample: number;
  toSample: number;
  fromIteration: number;
  toIteration: number;
}

/** One sampling round, summed over the target's processes. */
export type SeriesPoint = Omit<Sample, 'pid'>;

export interface LeakSite {
  file: string;
  line: number;
  sizeDiffBytes: number;
  countDiff: number;
  traceback: string[];
  /** The source line, read when the run ended (reports are rendered without the source at hand). */
  code?: string;
  /**
   * What the line does with the memory: `retains` it (`raise cached`, `STORE.append(x)`: the line to fix),
   * `allocates` it, `calls` library code that allocates it, or is `library` code reached from no project
   * line. Absent in older reports.
   */
  role?: 'retains' | 'allocates' | 'calls' | 'library';
}

/**
 * A container that grew during the attribution pass and what holds it (docs/held-by.md): a dict, list,
 * set, deque, registry or traceback chain, named by a path from a root a user recognises.
 */
export interface HeldBy {
  /** `app.store`, `logging.Logger.manager.loggerDict`, `<cell seen of make_handler.<locals>.handler()>`; null: no root found. */
  path: string | null;
  /** The container's type (`dict`, `list`, `traceback` for an exception's chain). */
  type: string;
  /** The type of most of its new entries. */
  entryType?: string;
  /** Entries at the end of the pass. */
  entries: number;
  entriesPerIteration: number;
  /** Bytes the new entries keep alive (what they reference that is new too), per iteration. */
  bytesPerIteration: number;
  /** `file:line` of the project's own code that puts entries in (a library line when none is); null: unknown. */
  addedAt: string | null;
  /** The source line at `addedAt`. */
  code?: string;
  /** Whether `addedAt` is the project's own code. */
  ownCode: boolean;
  /** The bytes are a lower bound (the walk of what the entries keep stopped at a bound). */
  partial?: boolean;
  /**
   * The static findings it confirms (`R1 app.py:12`); empty: a leak the rules did not see. Absent where no
   * static phase ran (soak).
   */
  findings?: string[];
}

/** What the held-by search covered and where it stopped (its cost is bounded: docs/held-by.md). */
export interface HoldersSearch {
  /** Objects the collector tracked when it started, over the measured processes. */
  objects: number;
  seconds: number;
  /** Types whose live count grew, per iteration (the biggest first). */
  grownTypes: { type: string; perIteration: number }[];
  /** Where it stopped at one of its bounds, when it did: what it found before is still reported. */
  gaveUp?: string;
}

/** How much of the measured growth the named sites and holders explain (docs/held-by.md). */
export interface Explained {
  /** 0–1: the share of the measured growth per iteration that the holders (or, without any, the leak sites) account for. */
  share: number;
  /** The growth is outside the Python heap: RSS or the allocator grew and traced Python memory did not. */
  outsidePythonHeap: boolean;
  /** The growth compared with: the metric and its slope per iteration. */
  metric: 'heap' | 'rss';
  measuredBytesPerIteration: number;
  /** What tracemalloc saw grow per iteration over the pass, every site included. */
  tracedBytesPerIteration: number | null;
  /** What the named holders keep per iteration, summed. */
  heldBytesPerIteration: number;
}

export interface ScenarioReport {
  name: string;
  /**
   * What it drove each iteration: HTTP `request`s, in-process `call`s or `websocket` connections (the
   * unit its projections are read in, model/scenario-kind.ts). Absent in older reports: requests.
   */
  kind?: ScenarioKind;
  verdict: Verdict;
  selectedBy: { rule: string; file: string; line: number }[];
  iterations: number;
  durationMs: number;
  metrics: Partial<Record<MetricName, MetricReport>>;
  /** Growth between the attribution pass's baseline and its end (see attributionIterations). */
  leakSites: LeakSite[];
  error?: string;
  /** Iterations run before the measured part (warm-up). */
  warmupIterations?: number;
  /** The samples the verdict measured (absent in older reports). */
  measured?: MeasuredRange;
  /** Throughput over the measured part, iterations per hour (null: unknown; absent in older reports). */
  iterationsPerHour?: number | null;
  /** Everything driven at the target: warm-up, measured part and attribution pass. */
  totalIterations?: number;
  /** Iterations of the attribution pass the leak sites' figures cover. */
  attributionIterations?: number;
  /** What keeps the memory alive: the containers that grew during the attribution pass, the biggest first. */
  heldBy?: HeldBy[];
  /** What the held-by search covered (absent when it did not run). */
  holdersSearch?: HoldersSearch;
  /** How much of the growth the holders and sites explain, and whether it is outside the Python heap. */
  explained?: Explained;
  /** Why the scenario failed, one line per metric. */
  reasons?: string[];
  /** What a reader should know that did not fail it (warm-up capped, too few samples…). */
  notes?: string[];
  budget?: Budget;
  /** The samples, for charts. */
  series?: SeriesPoint[];
  /** Made by the gate from a built-in template for a route no scenario covered. */
  generated?: boolean;
  /** When the gate ran it: selected by a finding, a user scenario after those, or the route sweep. */
  phase?: 'selected' | 'extra' | 'sweep';
  /** The request the gate's probe settled on, when it tried others (a generated scenario), and why. */
  request?: { method: string; path: string; why: string };
  /**
   * What the heap metric counted: `allocator` (live bytes from pymalloc and malloc) or `tracemalloc`
   * (traced bytes). Absent in reports from before the choice existed, which were all tracemalloc.
   */
  heapCounter?: 'allocator' | 'tracemalloc';
  /**
   * Whether and why the run stopped before its requested length (docs/verdict.md, "Early stop"): null when
   * it ran its full length (absent in reports from before it was recorded).
   */
  stoppedEarly?: StoppedEarly | null;
  /**
   * Why the measured part was too short to judge growth (only ceilings were checked; the verdict is then
   * a pass that says so), or null when it was long enough (absent in older reports).
   */
  tooShort?: string | null;
  /**
   * The whole target tree (every process under the one heapgate started) as pidusage read it about once
   * a second: most processes at once, peak summed RSS, mean summed CPU (percent of one core).
   */
  tree?: TreeSummary;
  /** Which functions of interest the requests reached, and the statuses they got (the gate's reach probe). */
  reach?: ReachReport;
}

/** A run stopped before its requested length: at which iteration, and why (pass or fail, and the rule). */
export interface StoppedEarly {
  atIteration: number;
  why: string;
}

/**
 * What the scenario's requests reached: each function of interest (the route's handler, the flagged
 * functions, the calls between them) and the number of the probe's iterations it ran in, and the statuses
 * every answer of the scenario got.
 */
export interface ReachReport {
  /** `file:qualified.name` → iterations of the probe it ran in (0: never entered). */
  functions: Record<string, number>;
  /** Iterations the probe drove, one at a time. */
  probeIterations: number;
  /** Status → answers (`error`: no answer; call scenarios: `ok`/`error`), over the whole scenario. */
  statuses: Record<string, number>;
  /** False when the service's main thread could not be hooked (only threads started by requests were). */
  mainThreadHooked: boolean;
}

/** The target tree over a scenario: most processes at once, peak summed RSS, mean summed CPU (% of a core). */
export interface TreeSummary {
  processes: number;
  rssPeakBytes: number;
  cpuPercent: number;
}

/** The gate's plan: every scenario, whether it ran, and why. */
export interface PlanEntry {
  scenario: string;
  /** Its file, or null for a generated one. */
  file: string | null;
  generated: boolean;
  selected: boolean;
  why: string;
}

/** How bad a confirmed leak is, by its projected growth per hour (see analysis/confirm.ts). */
export type LeakClass = 'Critical' | 'High' | 'Medium' | 'Low';

/** What a confirmed finding's reader should do: how bad, where, and the fix. */
export interface Recommendation {
  class: LeakClass;
  scenario: string;
  metric: string;
  /** Growth of the metric per iteration (bytes, or a count). */
  perIteration: number;
  /** Projected growth per hour at the measured rate, when the rate is known. */
  perHour: number | null;
  leakSite: { file: string; line: number; code?: string } | null;
  fix: string;
  summary: string;
}

export interface ReportFinding extends Finding {
  dynamic: DynamicStatus;
  /** What the run showed about it (the gate only). */
  evidence?: string;
  /** For a confirmed finding: how bad, where, and the fix. */
  recommendation?: Recommendation;
}

/** What the static phase covered, for readers and tooling. */
export interface StaticSummary {
  root: string;
  filesAnalyzed: number;
  bytes: number;
  durationMs: number;
  suppressed: number;
  /**
   * Findings left out because they are in tests, test helpers, scripts, benchmarks or examples
   * (`--include-tests` reports them). Absent in reports written before it was counted.
   */
  hidden?: number;
  cache: { hits: number; misses: number };
  /** Rule ids that were reported on (after --select/--ignore). */
  rules: string[];
  /** --fail-on, when given. */
  failOn: Severity | null;
}

/** What the gate decided, why, and (the memory-budget gate) what it covered. */
export interface Gate {
  passed: boolean;
  reasons: string[];
  /** The memory-budget gate: the routes it soaked and those it left, with why. */
  coverage?: GateCoverage;
  /**
   * One line a reader can take at a glance, never a bare "passed": "soaked 14 of 17 routes (3 left: time
   * budget)". Every format shows it as it is.
   */
  summary?: string;
}

export interface GateCoverage {
  /** Every extracted route. */
  routes: number;
  /** Routes a scenario drove to a verdict with most answers a success. */
  routesSoaked: number;
  /** The others, each with why (`time budget`, `interrupted`, `answers 404×3000`, …). */
  left: { route: string; why: string }[];
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'heapgate'; version: string };
  findings: ReportFinding[];
  scenarios: ScenarioReport[];
  gate: Gate;
  static?: StaticSummary;
  routes?: Route[];
  problems?: Problem[];
  plan?: PlanEntry[];
  /** Flagged routes no scenario covers and none could be generated for. */
  uncoveredRoutes?: { route: string; reason: string }[];
}
