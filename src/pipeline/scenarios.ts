/**
 * The scenario files of a run, loaded and checked before anything starts: validated (exit 2 naming the
 * file and field), --iterations/--duration applied, budgets parsed, absolute URLs checked against the
 * loopback rule.
 */
import { scenarioBudget } from '../config/budget.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { UsageError } from '../errors.js';
import { checkLoopback } from '../drive/http.js';
import { loadScenarios } from '../scenarios/load.js';
import { withLength, type Scenario } from '../scenarios/model.js';
import { ALL_RULES } from '../static/rules/index.js';

export async function prepareScenarios(
  options: DynamicOptions,
  { requireTarget = true }: { requireTarget?: boolean } = {},
): Promise<Scenario[]> {
  const knownRules = ALL_RULES.flatMap((r) => [r.meta.id, r.meta.shortId]);
  const loaded = await loadScenarios(options.scenarioPaths, { cwd: options.cwd, knownRules });
  const scenarios = loaded.map((s) =>
    withLength(s, {
      ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
      ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
    }),
  );
  for (const scenario of scenarios) {
    scenarioBudget(scenario, options.configBudget, options.flagBudget);
    if (requireTarget && scenario.request && options.command === null) {
      throw new UsageError(
        `${scenario.where}: sends HTTP requests, so it needs --target "CMD" to start the service`,
      );
    }
    if (scenario.request?.url) {
      await checkLoopback(scenario.request.url, { allowRemote: options.allowRemote, origin: scenario });
    }
  }
  return scenarios;
}
