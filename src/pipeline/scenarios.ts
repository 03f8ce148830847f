/**
 * The scenario files of a run, loaded and checked before anything starts: validated (exit 2 naming the
 * file and field), --iterations/--duration applied, budgets parsed, absolute URLs (http:// and ws://)
 * checked against the loopback rule.
 */
import { scenarioBudget } from '../config/budget.js';
import type { DynamicOptions } from '../config/dynamic.js';
import { UsageError } from '../errors.js';
import { checkLoopback } from '../drive/http.js';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadScenarios } from '../scenarios/load.js';
import { talksToTarget, withLength, type Scenario } from '../scenarios/model.js';
import { ALL_RULES } from '../static/rules/index.js';
import { detectTarget } from '../service/detect/index.js';

/** --iterations / --duration (or the configuration's), for withLength: every scenario of a run, generated too. */
export function runLength(options: DynamicOptions): { iterations?: number; durationMs?: number } {
  return {
    ...(options.iterations !== undefined ? { iterations: options.iterations } : {}),
    ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
  };
}

export async function prepareScenarios(
  options: DynamicOptions,
  { requireTarget = true }: { requireTarget?: boolean } = {},
): Promise<Scenario[]> {
  const knownRules = ALL_RULES.flatMap((r) => [r.meta.id, r.meta.shortId]);
  const loaded = await loadScenarios(options.scenarioPaths, { cwd: options.cwd, knownRules });
  const scenarios = loaded.map((s) => withLength(s, runLength(options)));
  for (const scenario of scenarios) {
    scenarioBudget(scenario, options.configBudget, options.flagBudget);
    if (requireTarget && talksToTarget(scenario) && options.command === null) {
      const what = scenario.kind === 'websocket' ? 'opens WebSocket connections' : 'sends HTTP requests';
      throw new UsageError(`${scenario.where}: ${what}, so it needs --target "CMD" to start the service`);
    }
    if (scenario.request?.url) {
      await checkLoopback(scenario.request.url, { allowRemote: options.allowRemote, origin: scenario });
    }
    if (scenario.kind === 'websocket' && scenario.websocket.url) {
      await checkLoopback(scenario.websocket.url, {
        allowRemote: options.allowRemote,
        origin: scenario,
        field: 'websocket.url',
      });
    }
  }
  return scenarios;
}

/**
 * The JavaScript scenario modules among `paths` (files, or a folder's own `*.js`/`*.mjs`): loading them
 * runs their code, which `heapgate scenarios` says before it does.
 */
export function scriptScenarioFiles(paths: readonly string[]): string[] {
  const script = (name: string) => /\.m?js$/i.test(name) && !name.startsWith('.');
  const out: string[] = [];
  for (const given of paths) {
    try {
      if (statSync(given).isDirectory()) {
        out.push(
          ...readdirSync(given)
            .filter(script)
            .sort()
            .map((name) => path.join(given, name)),
        );
      } else if (script(path.basename(given))) out.push(given);
    } catch {
      // missing: loadScenarios says so
    }
  }
  return out;
}

/**
 * The options with the target found by itself (issue 16) when none was given and a scenario of `scenarios`
 * sends HTTP requests — call scenarios run in a bare interpreter and need none; `problem` says why there is
 * no target when one was needed and none could be found (none, or several).
 */
export function withFoundTarget(
  options: DynamicOptions,
  scenarios: readonly Scenario[],
  onNote?: (note: string) => void,
): { options: DynamicOptions; problem: string | null } {
  if (options.command !== null || !scenarios.some((s) => s.request)) return { options, problem: null };
  const detection = detectTarget(options.cwd);
  if ('problem' in detection) return { options, problem: detection.problem };
  onNote?.(detection.target.reason);
  return { options: { ...options, command: detection.target.command }, problem: null };
}

/** `withFoundTarget`, an error (exit 2) naming the first HTTP scenario when no target can be found. */
export function requireFoundTarget(
  options: DynamicOptions,
  scenarios: readonly Scenario[],
  onNote?: (note: string) => void,
): DynamicOptions {
  const found = withFoundTarget(options, scenarios, onNote);
  if (found.problem !== null) {
    const first = scenarios.find((s) => s.request)!;
    throw new UsageError(
      `${first.where}: sends HTTP requests, so it needs --target "CMD" to start the service; ${found.problem}`,
    );
  }
  return found.options;
}
