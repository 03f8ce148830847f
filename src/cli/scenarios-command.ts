/** `heapgate scenarios [PATH]`: the gate's plan — every scenario, generated ones too, and why it would run. */
import path from 'node:path';
import Table from 'cli-table3';
import { resolveDynamicOptions } from '../config/dynamic.js';
import { checkConfigKeys, resolveAnalyzeOptions } from '../config/options.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { analyzeProject } from '../static/engine.js';
import { selectRules } from '../static/rules/index.js';
import type { CommandIO } from './io.js';
import { UsageError } from '../errors.js';
import { planGate } from '../pipeline/gate.js';
import { scriptScenarioFiles } from '../pipeline/scenarios.js';
import type { Scenario } from '../scenarios/model.js';

export interface ScenariosFlags {
  scenarios?: string[];
  allScenarios?: boolean;
  select?: string;
  ignore?: string;
  exclude?: string[];
  format?: string;
}

export async function runScenariosCommand(
  pathArg: string | undefined,
  flags: ScenariosFlags,
  io: CommandIO,
): Promise<number> {
  const format = flags.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`--format: expected text or json, got '${format}'`);
  }
  const options = resolveAnalyzeOptions(pathArg, {
    select: flags.select,
    ignore: flags.ignore,
    exclude: flags.exclude,
  });
  const config = readPyprojectConfig(options.root);
  checkConfigKeys(config);
  const dynamic = resolveDynamicOptions({ scenarios: flags.scenarios }, config, options.root);
  const result = await analyzeProject({
    root: options.root,
    rules: selectRules(options.ruleSelection),
    exclude: options.exclude,
    cacheDir: options.cacheDir,
  });
  const scripts = scriptScenarioFiles(dynamic.scenarioPaths);
  if (scripts.length) {
    const shown = scripts.map((f) => path.relative(process.cwd(), f) || f).join(', ');
    io.stderr.write(
      `heapgate: note: running the JavaScript scenario file${scripts.length === 1 ? '' : 's'} ${shown} ` +
        '(a .js/.mjs scenario is a module: reading it runs its code)\n',
    );
  }
  const { plan } = await planGate(result, {
    dynamic,
    exclude: options.exclude,
    all: flags.allScenarios ?? false,
  });
  if (format === 'json') {
    const entries = plan.scenarios.map((p) => ({
      scenario: p.scenario.name,
      file: p.generated ? null : p.scenario.file,
      generated: p.generated,
      selected: p.selected,
      phase: p.phase,
      routes: p.routes,
      why: p.why,
      selectedBy: p.selectedBy,
      request: p.scenario.request
        ? `${p.scenario.request.method} ${p.scenario.request.path ?? p.scenario.request.url}`
        : null,
      call: p.scenario.call?.function ?? null,
      websocket:
        p.scenario.kind === 'websocket' ? (p.scenario.websocket.path ?? p.scenario.websocket.url) : null,
    }));
    io.stdout.write(
      `${JSON.stringify({ scenarios: entries, routes: plan.routes, uncoveredRoutes: plan.uncovered }, null, 2)}\n`,
    );
    return 0;
  }
  const table = new Table({
    head: ['Scenario', 'Plan', 'Drives', 'Why'],
    colWidths: [34, 11, 30, Math.max(40, (io.stdout.columns ?? 120) - 84)],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const p of plan.scenarios) {
    // selected: always runs; after / sweep: run while the gate's time budget lasts.
    const status = !p.phase
      ? 'skipped'
      : p.phase === 'selected'
        ? 'selected'
        : p.phase === 'extra'
          ? 'after'
          : 'sweep';
    const drives = describeAction(p.scenario);
    table.push([p.scenario.name, status, drives, p.why]);
  }
  io.stdout.write(
    `${plan.scenarios.length ? table.toString() : 'No scenarios: none given, and no route to generate one for.'}\n`,
  );
  for (const u of plan.uncovered) io.stdout.write(`not covered: ${u.route}: ${u.reason}\n`);
  const selected = plan.scenarios.filter((p) => p.phase === 'selected').length;
  const later = plan.scenarios.filter((p) => p.phase && p.phase !== 'selected').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  io.stdout.write(
    `heapgate: ${plural(result.findings.length, 'finding')}, ${plural(plan.routes.length, 'route')}; ` +
      `${selected} selected scenario${selected === 1 ? '' : 's'} would run, then ${later} more while the time budget lasts\n`,
  );
  return 0;
}

/** What a scenario drives, in a few words: `GET /items/{i}`, `call app:handle`, `websocket /ws (drop)`. */
function describeAction(scenario: Scenario): string {
  if (scenario.request) return `${scenario.request.method} ${scenario.request.path ?? scenario.request.url}`;
  if (scenario.kind === 'websocket') {
    const { path, url, close } = scenario.websocket;
    return `websocket ${path ?? url} (${close})`;
  }
  return `call ${scenario.call.function}`;
}
