/**
 * `heapgate init [PATH]` (issue 16, item 2): writes `[tool.heapgate]` into pyproject.toml (the target
 * found by itself, or --target; `scenarios = ["heapgate"]`) without clobbering what is there, a
 * `heapgate/` folder with one editable scenario file per route (the request the gate would generate, its
 * guesses said in its description), and with --ci a GitHub workflow. Files that exist are never
 * overwritten. Nothing is written when the target cannot be found (exit 2, saying how to choose), so the
 * gate right after init runs with no flags.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkConfigKeys, resolveAnalyzeOptions } from '../config/options.js';
import { addHeapgateKeys } from '../config/pyproject-edit.js';
import { readPyprojectConfig } from '../config/pyproject.js';
import { UsageError } from '../errors.js';
import type { Finding, Route } from '../model/static.js';
import { buildCallGraph } from '../select/callgraph.js';
import { generatedScenarioFile } from '../select/generate.js';
import { planScenarios, routeLabel } from '../select/plan.js';
import { validateScenario } from '../scenarios/validate.js';
import { detectTarget } from '../service/detect/index.js';
import { analyzeProject } from '../static/engine.js';
import { selectRules } from '../static/rules/index.js';
import { githubWorkflow } from './init-workflow.js';
import type { CommandIO } from './io.js';

export interface InitFlags {
  target?: string;
  ci?: boolean;
}

export const SCENARIO_DIR = 'heapgate';

interface Drafted {
  route: Route;
  findings: readonly Finding[];
  file: Record<string, unknown>;
}

/** What the generated request had to guess about a route, in words (empty: nothing). */
export function guesses(route: Route): string[] {
  const out: string[] = [];
  if (route.path === '*') out.push('the path (the handler answers any path)');
  else if (/[<{]/.test(route.path)) out.push('the path parameters (a new value each iteration)');
  if (route.method === '*') out.push('the method (the view takes any; GET is sent)');
  if (['POST', 'PUT', 'PATCH'].includes(route.method) && !route.request) {
    out.push('the JSON body (what the handler reads was not found)');
  }
  return out;
}

/** `GET /items/<int:id>` → `get-items-int-id`. */
export function scenarioFileName(label: string, taken: Set<string>): string {
  const base =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'route';
  let name = `${base}.json`;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}.json`;
  taken.add(name);
  return name;
}

/** The scenario file init writes for a route: named after it, saying where it comes from and what it guessed. */
function scenarioFile(drafted: Drafted): Record<string, unknown> {
  const { route, findings, file } = drafted;
  const guessed = guesses(route);
  const flagged = findings.length
    ? ` It reproduces ${[...new Set(findings.map((f) => `${f.rule} at ${f.file}:${f.line}`))].join(', ')}.`
    : '';
  const description =
    `Written by heapgate init for ${routeLabel(route)} (${route.handler.function} in ${route.file}:${route.line}).` +
    flagged +
    (guessed.length ? ` Guessed: ${guessed.join('; ')} — edit the request to what the route expects.` : '');
  const { name: _generatedName, description: _template, ...rest } = file;
  return { name: routeLabel(route), description, ...rest };
}

export async function runInit(pathArg: string | undefined, flags: InitFlags, io: CommandIO): Promise<number> {
  const root = path.resolve(pathArg ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UsageError(`PATH ${pathArg ?? '.'}: not a folder`);
  }
  const config = readPyprojectConfig(root);
  checkConfigKeys(config);

  // The target first: with none, nothing is written.
  const configured = typeof config?.table.target === 'string' ? config.table.target : null;
  let target = flags.target ?? configured;
  if (target === null) {
    const detection = detectTarget(root);
    if ('problem' in detection) throw new UsageError(detection.problem);
    target = detection.target.portable;
    io.stderr.write(
      `heapgate: ${detection.target.reason.replace(/^no --target given: heapgate starts/, 'target:')}\n`,
    );
  }

  const options = resolveAnalyzeOptions(root, {});
  const result = await analyzeProject({
    root: options.root,
    rules: selectRules(options.ruleSelection),
    exclude: options.exclude,
    cacheDir: options.cacheDir,
  });
  const graph = await buildCallGraph(result.root, options.exclude);
  const drafts = new Map<string, Drafted>();
  const plan = planScenarios({
    findings: result.findings,
    routes: result.routes,
    scenarios: [],
    graph,
    all: true,
    sweep: true,
    generate: (route, findings) => {
      const made = generatedScenarioFile(route, findings);
      if (typeof made === 'string') return made;
      const scenario = validateScenario(made.scenario, { file: made.template });
      drafts.set(scenario.name, { route, findings, file: made.scenario });
      return scenario;
    },
  });

  const folder = path.join(root, SCENARIO_DIR);
  const taken = new Set<string>();
  const written: string[] = [];
  const skipped: string[] = [];
  for (const planned of plan.scenarios) {
    const drafted = planned.generated ? drafts.get(planned.scenario.name) : undefined;
    if (!drafted) continue;
    const name = scenarioFileName(routeLabel(drafted.route), taken);
    const file = path.join(folder, name);
    if (existsSync(file)) {
      skipped.push(`${SCENARIO_DIR}/${name}`);
      continue;
    }
    mkdirSync(folder, { recursive: true });
    writeFileSync(file, `${JSON.stringify(scenarioFile(drafted), null, 2)}\n`);
    written.push(`${SCENARIO_DIR}/${name}`);
  }

  const pyproject = path.join(root, 'pyproject.toml');
  const before = existsSync(pyproject) ? readFileSync(pyproject, 'utf8') : null;
  const edit = addHeapgateKeys(
    before,
    [
      ['target', target],
      ['scenarios', [SCENARIO_DIR]],
    ],
    pyproject,
  );
  if (edit.added.length) writeFileSync(pyproject, edit.text);

  let workflow: string | null = null;
  if (flags.ci) {
    const file = path.join(root, '.github/workflows/heapgate.yml');
    if (existsSync(file)) skipped.push('.github/workflows/heapgate.yml');
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, githubWorkflow());
      workflow = '.github/workflows/heapgate.yml';
    }
  }

  const lines: string[] = [];
  if (edit.added.length) {
    lines.push(`pyproject.toml: [tool.heapgate] ${edit.added.map((k) => `${k}`).join(', ')} added`);
  }
  if (edit.kept.length)
    lines.push(`pyproject.toml: [tool.heapgate] ${edit.kept.join(', ')} already set, kept`);
  for (const file of written) lines.push(`${file}: written`);
  for (const file of skipped) lines.push(`${file}: exists, kept`);
  if (!written.length && !skipped.length) lines.push(`no routes found: ${SCENARIO_DIR}/ not written`);
  if (workflow) lines.push(`${workflow}: written`);
  for (const { route, reason } of plan.uncovered) lines.push(`${route}: no scenario (${reason})`);
  lines.push('next: heapgate analyze . --enable-memory-budget-gate');
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
