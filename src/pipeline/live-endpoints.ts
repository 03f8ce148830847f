/**
 * What a live soak answers on `GET /leaks` and `GET /metrics`, read from the report so far (live.ts) and
 * the running scenario's newest sample round; nothing here judges — the verdict, fits and projections are
 * the analysis's, recorded in the report.
 *
 * /leaks has the shape of riptide-api's leak report (issue 14; docs/live.md): `has_leaks`,
 * `overall_growth_rate`, `growth_mb_per_minute`, `time_window_secs`, `leak_candidates` (component = the
 * leak site, or the scenario while its sites are not located yet; severity from the projected growth),
 * `recommendations` (the report's reasons), `baseline_mb`, `current_mb`, `timestamp`.
 * /metrics is the Prometheus text format: every metric of the metric table per scenario (and per process
 * for the running one), the fitted slope per metric, iterations, the verdict, the target tree's RSS.
 */
import { METRIC_TABLE, METRICS, type Metric } from '../model/metrics.js';
import type { Report, ScenarioReport } from '../model/report.js';
import type { LiveSoak } from './live.js';

const MB = 1024 * 1024;

export type Severity = 'Critical' | 'High' | 'Medium' | 'Low';

export interface LeakCandidate {
  component: string;
  allocated_mb: number;
  net_allocations: number;
  age_secs: number;
  severity: Severity;
  /** MB per minute at the measured throughput. */
  growth_rate: number;
}

export interface LeaksAnswer {
  has_leaks: boolean;
  /** Heap growth over the window as a fraction of the baseline (0.5: half as much again). */
  overall_growth_rate: number;
  growth_mb_per_minute: number;
  time_window_secs: number;
  leak_candidates: LeakCandidate[];
  recommendations: string[];
  baseline_mb: number;
  current_mb: number;
  timestamp: string;
}

/** Severity of a projected heap growth per hour: ≥1 GB/h critical, ≥100 MB/h high, ≥10 MB/h medium. */
export function severityOf(bytesPerHour: number): Severity {
  if (bytesPerHour >= 1024 * MB) return 'Critical';
  if (bytesPerHour >= 100 * MB) return 'High';
  if (bytesPerHour >= 10 * MB) return 'Medium';
  return 'Low';
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** `GET /leaks`: the leak report so far. */
export function leaksAnswer(report: Report, now: Date = new Date()): LeaksAnswer {
  const candidates: LeakCandidate[] = [];
  const recommendations: string[] = [];
  let perMinute = 0;
  for (const s of report.scenarios) {
    const heap = s.metrics.heap;
    const growing = s.verdict === 'fail' || heap?.exceeded === true;
    if (!heap || !growing) continue;
    const rate = ((heap.projection?.perHour ?? 0) > 0 ? heap.projection!.perHour! : 0) / 60 / MB;
    perMinute += rate;
    const severity = severityOf((heap.projection?.perHour ?? 0) > 0 ? heap.projection!.perHour! : 0);
    const age = Math.round(s.durationMs / 1000);
    const sites = s.leakSites.length
      ? s.leakSites.map((site) => ({
          component: `${site.file}:${site.line}${site.code ? ` ${site.code}` : ''}`,
          allocated_mb: round3(site.sizeDiffBytes / MB),
          net_allocations: site.countDiff,
        }))
      : [
          {
            component: `scenario '${s.name}' (leak sites not located yet)`,
            allocated_mb: round3((heap.end - heap.start) / MB),
            net_allocations: Math.round((s.metrics.gcObjects?.end ?? 0) - (s.metrics.gcObjects?.start ?? 0)),
          },
        ];
    for (const site of sites) {
      candidates.push({ ...site, age_secs: age, severity, growth_rate: round3(rate) });
    }
    for (const m of METRICS) {
      const reason = s.metrics[m]?.exceeded ? s.metrics[m]?.reason : undefined;
      if (reason) recommendations.push(`${s.name}: ${reason}`);
    }
  }
  const focus = report.scenarios[report.scenarios.length - 1] as ScenarioReport | undefined;
  const series = focus?.series ?? [];
  const baseline = series.length ? series[0].heap : 0;
  const current = series.length ? series[series.length - 1].heap : 0;
  const window = series.length ? (series[series.length - 1].elapsedMs - series[0].elapsedMs) / 1000 : 0;
  return {
    has_leaks: candidates.length > 0,
    overall_growth_rate: baseline > 0 ? round3((current - baseline) / baseline) : 0,
    growth_mb_per_minute: round3(perMinute),
    time_window_secs: Math.round(window),
    leak_candidates: candidates,
    recommendations,
    baseline_mb: round3(baseline / MB),
    current_mb: round3(current / MB),
    timestamp: now.toISOString(),
  };
}

/** `heapgate_heap_bytes`, `heapgate_threads`: a metric's Prometheus name, from the metric table. */
export function promName(metric: Metric): string {
  const snake = metric.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return METRIC_TABLE[metric].kind === 'bytes' ? `heapgate_${snake}_bytes` : `heapgate_${snake}`;
}

/** A label value, escaped as the text format wants (backslash, quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'NaN';
}

/** `GET /metrics`: the Prometheus text exposition of the report so far and the newest samples. */
export function metricsText(
  report: Report,
  live: Pick<LiveSoak, 'latestRound' | 'tree' | 'current'>,
): string {
  const out: string[] = [];
  const running = live.current?.scenario.name ?? null;
  for (const metric of METRICS) {
    const info = METRIC_TABLE[metric];
    const name = promName(metric);
    out.push(
      `# HELP ${name} ${info.label} at the newest sample, summed over the target's processes (pid="all") and per process.`,
    );
    out.push(`# TYPE ${name} gauge`);
    for (const s of report.scenarios) {
      const last = s.series?.[s.series.length - 1];
      if (last) out.push(`${name}{scenario="${label(s.name)}",pid="all"} ${num(last[metric])}`);
    }
    if (running) {
      for (const sample of live.latestRound) {
        out.push(`${name}{scenario="${label(running)}",pid="${sample.pid}"} ${num(sample[metric])}`);
      }
    }
  }
  out.push(
    '# HELP heapgate_slope_per_iteration Fitted growth per iteration over the measured part (Theil–Sen), per metric.',
  );
  out.push('# TYPE heapgate_slope_per_iteration gauge');
  for (const s of report.scenarios) {
    for (const metric of METRICS) {
      const m = s.metrics[metric];
      if (m)
        out.push(
          `heapgate_slope_per_iteration{scenario="${label(s.name)}",metric="${metric}"} ${num(m.slopePerIteration)}`,
        );
    }
  }
  out.push(
    '# HELP heapgate_heap_growth_bytes_per_hour Heap growth projected per hour at the measured throughput.',
  );
  out.push('# TYPE heapgate_heap_growth_bytes_per_hour gauge');
  for (const s of report.scenarios) {
    const perHour = s.metrics.heap?.projection?.perHour;
    if (perHour != null)
      out.push(`heapgate_heap_growth_bytes_per_hour{scenario="${label(s.name)}"} ${num(perHour)}`);
  }
  out.push('# HELP heapgate_iterations Measured iterations so far.');
  out.push('# TYPE heapgate_iterations gauge');
  for (const s of report.scenarios)
    out.push(`heapgate_iterations{scenario="${label(s.name)}"} ${s.iterations}`);
  out.push('# HELP heapgate_failing 1 when the scenario fails (so far), 0 when it passes.');
  out.push('# TYPE heapgate_failing gauge');
  for (const s of report.scenarios) {
    out.push(`heapgate_failing{scenario="${label(s.name)}"} ${s.verdict === 'pass' ? 0 : 1}`);
  }
  const tree = live.tree;
  if (running && tree) {
    out.push("# HELP heapgate_tree_rss_bytes RSS summed over the target's whole process tree.");
    out.push('# TYPE heapgate_tree_rss_bytes gauge');
    out.push(`heapgate_tree_rss_bytes{scenario="${label(running)}"} ${tree.rssBytes}`);
    out.push("# HELP heapgate_tree_processes Processes in the target's tree.");
    out.push('# TYPE heapgate_tree_processes gauge');
    out.push(`heapgate_tree_processes{scenario="${label(running)}"} ${tree.processes}`);
  }
  return `${out.join('\n')}\n`;
}
