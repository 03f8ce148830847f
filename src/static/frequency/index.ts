/**
 * The project-wide pass after the per-file rules: for each finding, how often its code runs in a
 * long-running service (test code, a run-once file, module level, or the walk in reach.ts), the entry
 * points that reach it, and the severity that follows from how often it runs and how sure the rule is
 * (SPEC §2: HIGH means high confidence on a repeated path). Findings in tests, scripts, benchmarks and
 * examples are dropped unless asked for.
 */
import type { Confidence, Finding, Route, RunFrequency, Severity } from '../../model/static.js';
import { CONFIDENCES, SEVERITIES, severityRank } from '../../model/static.js';
import { CODE_KIND_WORDS, codeKind, onceFile } from './paths.js';
import { ProjectView, type ProjectFile } from './project.js';
import { ReachFinder, routesByHandler } from './reach.js';

export { codeKind } from './paths.js';
export type { ProjectFile } from './project.js';

/**
 * Files the pass may read to find callers: a service of a few hundred files is read whole; beyond, the
 * callers in files left unread go unseen (those findings may stay `unknown`). Keeps the static phase fast.
 */
const MAX_FILES_READ = 300;

export interface FrequencyOptions {
  /** Keep findings in tests, test helpers, scripts, benchmarks and examples (default: dropped). */
  includeTests?: boolean;
}

export interface FrequencyResult {
  findings: Finding[];
  /** Findings dropped because they are in test code, scripts, benchmarks or examples. */
  hidden: number;
  /** Files the pass read from disk (the ones that may call a flagged function). */
  filesRead: number;
  /** True when the read budget ran out and some callers went unseen. */
  budgetHit: boolean;
}

/**
 * The severity a finding gets: the rule's, kept only for a high-confidence finding on a repeated path;
 * one step lower for medium confidence or an unknown frequency (each), never above MEDIUM without both;
 * LOW for low confidence, code that runs once, and test code.
 */
export function weighSeverity(rule: Severity, confidence: Confidence, frequency: RunFrequency): Severity {
  if (frequency === 'once' || frequency === 'test' || confidence === 'low') return 'LOW';
  let rank = severityRank(rule);
  if (confidence === 'medium') rank--;
  if (frequency === 'unknown') rank--;
  if (!(confidence === 'high' && frequency === 'repeated')) rank = Math.min(rank, severityRank('MEDIUM'));
  return SEVERITIES[Math.max(0, rank)];
}

function sentence(frequency: RunFrequency, from: readonly string[], more: number): string {
  const extra = more > 0 ? ` and ${more} more` : '';
  if (frequency === 'repeated') return `Reached from ${from[0]}${extra}.`;
  if (frequency === 'once') return `Runs once: ${from[0]}${extra}.`;
  return '';
}

export function assignRunFrequency(
  findings: readonly Finding[],
  routes: readonly Route[],
  files: readonly ProjectFile[],
  options: FrequencyOptions = {},
): FrequencyResult {
  const view = new ProjectView(files, MAX_FILES_READ);
  const finder = new ReachFinder(view, routesByHandler(routes));
  const out: Finding[] = [];
  let hidden = 0;
  // The findings that could be HIGH first, so a large project's read budget goes to them.
  const order = [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      CONFIDENCES.indexOf(b.confidence) - CONFIDENCES.indexOf(a.confidence),
  );
  for (const finding of order) {
    let frequency: RunFrequency = 'unknown';
    let from: string[] = [];
    const kind = codeKind(finding.file);
    const onceReason = kind ? null : onceFile(finding.file);
    if (kind) {
      frequency = 'test';
      from = [CODE_KIND_WORDS[kind]];
    } else if (onceReason) {
      frequency = 'once';
      from = [onceReason];
    } else if (finding.function === null) {
      frequency = 'once';
      from = [`${finding.file} at import time`];
    } else {
      const reach = finder.reach(finding.file, finding.function);
      if (reach) {
        frequency = reach.frequency;
        from = reach.from;
      }
    }
    if (frequency === 'test' && !options.includeTests) {
      hidden++;
      continue;
    }
    const said = frequency === 'test' ? `In ${from[0]}.` : sentence(frequency, from, from.length - 1);
    out.push({
      ...finding,
      severity: weighSeverity(finding.severity, finding.confidence, frequency),
      message: said ? `${finding.message} ${said}` : finding.message,
      runFrequency: frequency,
      reachedFrom: frequency === 'repeated' ? from : [],
    });
  }
  return { findings: out, hidden, filesRead: view.reads, budgetHit: view.budgetHit };
}
