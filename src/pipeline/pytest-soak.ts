/**
 * `heapgate soak --pytest PATH` before anything starts (issue 16, item 3): the static phase over the
 * project (the soak's --cwd, with [tool.heapgate]'s rule selection and excludes), the call graph the
 * gate uses, the pytest tests under PATH (select/pytest-collect.ts), the ones that reach flagged code
 * (select/pytest-pick.ts), each turned into a `pytest` scenario validated like a scenario file's. What
 * was picked and why, and what was not, is returned for the command to say.
 */
import { scenarioBudget } from '../config/budget.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { resolveAnalyzeOptions } from '../config/options.js';
import { UsageError } from '../errors.js';
import type { Scenario } from '../scenarios/model.js';
import { withLength } from '../scenarios/model.js';
import { checkScenarioFile } from '../scenarios/validate.js';
import { buildCallGraph } from '../select/callgraph.js';
import { collectPytestTests, conftestsOf } from '../select/pytest-collect.js';
import { pickTests, type TestPick } from '../select/pytest-pick.js';
import { analyzeProject } from '../static/engine.js';
import { selectRules } from '../static/rules/index.js';
import { runLength } from './scenarios.js';

/** How many tests `--pytest` soaks when --max-tests does not say: a soak each, so minutes, not hours. */
export const DEFAULT_MAX_TESTS = 10;

export interface PytestSoakPlan {
  /** One `pytest` scenario per picked test, in the order they run (most severe reach first). */
  scenarios: Scenario[];
  pick: TestPick;
  /** How many tests were collected, and how many flagged functions the static phase found. */
  collected: number;
  flaggedFunctions: number;
  /** Per scenario name, the findings that picked it (the report's selectedBy). */
  selectedBy: Map<string, { rule: string; file: string; line: number }[]>;
}

export async function planPytestSoak(
  paths: readonly string[],
  dynamic: DynamicOptions,
  maxTests: number,
): Promise<PytestSoakPlan> {
  const root = dynamic.cwd;
  const analyze = resolveAnalyzeOptions(root, {});
  const collection = await collectPytestTests(root, paths, analyze.exclude);
  if (collection.problems.length) throw new UsageError(collection.problems.join('\n'));
  // Findings in tests stay hidden (a service never runs them); the graph still has the tests' functions.
  const result = await analyzeProject({
    root,
    rules: selectRules(analyze.ruleSelection),
    exclude: analyze.exclude,
    cacheDir: analyze.cacheDir,
    includeTests: false,
  });
  const graph = await buildCallGraph(root, analyze.exclude);
  const pick = pickTests(collection, graph, result.findings, maxTests, (file) => conftestsOf(root, file));

  const scenarios: Scenario[] = [];
  const selectedBy = new Map<string, { rule: string; file: string; line: number }[]>();
  const problems: string[] = [];
  for (const { test, reaches } of pick.picked) {
    const name = test.nodeId.length <= 200 ? test.nodeId : `…${test.nodeId.slice(-199)}`;
    const checked = checkScenarioFile({ name, pytest: test.nodeId }, test.file);
    problems.push(...checked.problems);
    for (const scenario of checked.scenarios) {
      const sized = withLength(scenario, runLength(dynamic));
      scenarioBudget(sized, dynamic.configBudget, dynamic.flagBudget);
      scenarios.push(sized);
      selectedBy.set(
        sized.name,
        reaches.map((r) => ({ rule: r.rule, file: r.file, line: r.line })),
      );
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  const flaggedFunctions = new Set(
    result.findings.filter((f) => f.function).map((f) => `${f.file}:${f.function}`),
  ).size;
  return { scenarios, pick, collected: collection.tests.length, flaggedFunctions, selectedBy };
}
