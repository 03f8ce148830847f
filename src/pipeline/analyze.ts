/**
 * `analyze` as named steps: the static phase over the project → its report → with the memory-budget gate,
 * the plan, the dynamic phase and the findings' confirmation (pipeline/gate.ts).
 */
import type { AnalyzeOptions } from '../config/options.js';
import { buildStaticReport } from '../analysis/static-report.js';
import type { Report } from '../model/report.js';
import { analyzeProject } from '../static/engine.js';
import type { Rule } from '../static/rule.js';
import type { GateOptions } from './gate.js';

export interface AnalyzeOutcome {
  report: Report;
  targetFailed: boolean;
}

export async function runAnalyzePipeline(
  options: AnalyzeOptions,
  rules: readonly Rule[],
  gate: Omit<GateOptions, 'exclude' | 'failOn'> | null,
): Promise<AnalyzeOutcome> {
  const started = performance.now();
  const result = await analyzeProject({
    root: options.root,
    rules,
    exclude: options.exclude,
    includeTests: options.includeTests,
    cacheDir: options.cacheDir,
    threads: options.threads,
    maxFileBytes: options.maxFileBytes,
    fileTimeoutMs: options.fileTimeoutMs,
  });
  const report = buildStaticReport(result, {
    failOn: options.failOn,
    rules: rules.map((r) => r.meta.id),
    durationMs: performance.now() - started,
  });
  if (!gate) return { report, targetFailed: false };
  // Loaded only for the gate: the dynamic phase's modules are half of a warm static run's start-up.
  const { runGate } = await import('./gate.js');
  const outcome = await runGate(result, report, {
    ...gate,
    exclude: options.exclude,
    failOn: options.failOn,
  });
  return { report: outcome.report, targetFailed: outcome.targetFailed };
}
