/**
 * Which scenarios the gate runs, and why. A finding selects a scenario whose `covers` names its rule, its
 * file/function (or a function that reaches it through project calls), or a route whose handler reaches
 * it; an HTTP scenario also covers the routes its request path matches. A flagged route no scenario
 * covers gets a scenario generated from a built-in template. Everything here is pure.
 */
import { severityRank, type Finding, type Route, type Severity } from '../model/static.js';
import type { Scenario } from '../scenarios/model.js';
import { functionId, reachableFrom, type CallGraph, type FunctionId } from './callgraph.js';

export interface SelectionReason {
  rule: string;
  file: string;
  line: number;
  severity: Severity;
  /** How the scenario reaches the finding, for people. */
  via: string;
}

export interface PlannedScenario {
  scenario: Scenario;
  generated: boolean;
  selected: boolean;
  selectedBy: SelectionReason[];
  /** One line: why it runs, or why not. */
  why: string;
}

export interface Plan {
  /** Selected first, most severe first; then the rest. */
  scenarios: PlannedScenario[];
  /** Flagged routes no scenario covers and for which none could be generated, with the reason. */
  uncovered: { route: string; reason: string }[];
}

export interface PlanInput {
  findings: readonly Finding[];
  routes: readonly Route[];
  scenarios: readonly Scenario[];
  graph: CallGraph;
  /** Run every scenario, selected or not (--all-scenarios). */
  all: boolean;
  /** Builds a scenario for a flagged route nobody covers; null when it cannot (the reason is returned). */
  generate?: (route: Route, findings: readonly Finding[]) => Scenario | string;
}

export function findingKey(f: Finding): string {
  return `${f.rule}:${f.file}:${f.line}:${f.column}`;
}

/** `GET /items/<int:id>` / `/items/{id}` → a form where parameters are just `{}`, for comparing patterns. */
export function normalizeRoutePath(path: string): string {
  return (
    path
      .replace(/<[^>]*>/g, '{}')
      .replace(/\{[^}]*\}/g, '{}')
      .replace(/\/+$/, '')
      .toLowerCase() || '/'
  );
}

export function routeLabel(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Does a scenario's request path (a template) hit this route pattern? */
export function requestMatchesRoute(method: string, requestPath: string, route: Route): boolean {
  if (route.method !== '*' && route.method !== method) return false;
  const path = requestPath.split('?')[0].replace(/\{(i|uuid|random)\}/g, 'x1');
  let pattern = route.path;
  if (route.framework === 'django' && /[\^$(]/.test(pattern)) {
    // re_path: the route is already a regex (after the leading slash).
    try {
      const body = pattern
        .replace(/^\/\^?/, '')
        .replace(/\$$/, '')
        .replace(/\(\?P</g, '(?<');
      return new RegExp(`^/${body}/?$`).test(path);
    } catch {
      return false;
    }
  }
  pattern = pattern.split('?')[0].replace(/[.+?^$()|[\]\\]/g, '\\$&');
  const regex = pattern
    .replace(/<path:[^>]*>/g, '.+')
    .replace(/<[^>]*>/g, '[^/]+')
    .replace(/\{[^}]*:\.\*\}|\{[^}]*:path\}/g, '.+')
    .replace(/\{[^}]*\}/g, '[^/]+');
  return new RegExp(`^${regex}/?$`).test(path);
}

export function planScenarios(input: PlanInput): Plan {
  const { findings, routes, graph } = input;
  const reach = new Map<FunctionId, Set<FunctionId>>();
  const reachOf = (id: FunctionId) => {
    let set = reach.get(id);
    if (!set) reach.set(id, (set = reachableFrom(graph, id)));
    return set;
  };
  const findingFunction = (f: Finding) => (f.function ? functionId(f.file, f.function) : null);
  const routeReaches = (route: Route, f: Finding): boolean => {
    const target = findingFunction(f);
    if (!target) return false;
    const handler = functionId(route.handler.file, route.handler.function);
    return reachOf(handler).has(target);
  };

  const covered = new Set<string>();
  const planned: PlannedScenario[] = input.scenarios.map((scenario) => {
    const selectedBy: SelectionReason[] = [];
    const routesCovered = coveredRoutes(scenario, routes);
    for (const route of routesCovered) covered.add(routeLabel(route));
    for (const f of findings) {
      const via = coverage(scenario, f, routesCovered, { routeReaches, reachOf, findingFunction });
      if (via) selectedBy.push({ rule: f.rule, file: f.file, line: f.line, severity: f.severity, via });
    }
    const selected = selectedBy.length > 0 || input.all;
    return {
      scenario,
      generated: false,
      selected,
      selectedBy,
      why: selectedBy.length
        ? `selected: ${describeReasons(selectedBy)}`
        : input.all
          ? 'runs because of --all-scenarios (covers no finding)'
          : findings.length
            ? 'skipped: covers no finding (no rule, function or route of a finding)'
            : 'skipped: there are no findings to confirm',
    };
  });

  const uncovered: Plan['uncovered'] = [];
  if (input.generate) {
    // One generated scenario per handler: `GET /health` and `GET *` of one do_GET drive the same code.
    const generatedFor = new Set<string>();
    for (const route of routes) {
      const label = routeLabel(route);
      if (covered.has(label)) continue;
      const reached = findings.filter((f) => routeReaches(route, f));
      if (!reached.length) continue;
      const handler = `${route.method} ${functionId(route.handler.file, route.handler.function)}`;
      if (generatedFor.has(handler)) continue;
      generatedFor.add(handler);
      const made = input.generate(route, reached);
      if (typeof made === 'string') {
        uncovered.push({ route: label, reason: made });
        continue;
      }
      covered.add(label);
      const selectedBy = reached.map((f) => ({
        rule: f.rule,
        file: f.file,
        line: f.line,
        severity: f.severity,
        via: `route ${label} reaches ${f.function}`,
      }));
      planned.push({
        scenario: made,
        generated: true,
        selected: true,
        selectedBy,
        why: `generated and selected: no scenario covers ${label}, which reaches ${describeReasons(selectedBy)}`,
      });
    }
  }

  const rank = (p: PlannedScenario) => Math.max(-1, ...p.selectedBy.map((r) => severityRank(r.severity)));
  const order = planned.map((p, i) => [p, i] as const);
  order.sort(([a, i], [b, j]) => Number(b.selected) - Number(a.selected) || rank(b) - rank(a) || i - j);
  return { scenarios: order.map(([p]) => p), uncovered };
}

function coveredRoutes(scenario: Scenario, routes: readonly Route[]): Route[] {
  const out: Route[] = [];
  for (const route of routes) {
    const named = scenario.covers.routes.some((text) => {
      const [method, ...rest] = text.trim().split(/\s+/);
      const path = rest.length ? rest.join(' ') : method;
      const wantMethod = rest.length ? method.toUpperCase() : '*';
      return (
        (wantMethod === '*' || route.method === '*' || route.method === wantMethod) &&
        normalizeRoutePath(path) === normalizeRoutePath(route.path)
      );
    });
    const requested =
      scenario.request?.path != null &&
      requestMatchesRoute(scenario.request.method, scenario.request.path, route);
    if (named || requested) out.push(route);
  }
  return out;
}

function coverage(
  scenario: Scenario,
  f: Finding,
  routes: readonly Route[],
  helpers: {
    routeReaches: (route: Route, f: Finding) => boolean;
    reachOf: (id: FunctionId) => Set<FunctionId>;
    findingFunction: (f: Finding) => FunctionId | null;
  },
): string | null {
  const rules = scenario.covers.rules.map((r) => r.toUpperCase());
  if (rules.includes(f.rule) || rules.includes(f.shortId)) return `covers rule ${f.shortId}`;
  const target = helpers.findingFunction(f);
  for (const entry of scenario.covers.functions) {
    const colon = entry.lastIndexOf(':');
    const file = colon === -1 ? (entry.endsWith('.py') ? entry : null) : entry.slice(0, colon);
    const fn = colon === -1 ? (entry.endsWith('.py') ? null : entry) : entry.slice(colon + 1);
    if (file && !fn && file === f.file) return `covers file ${file}`;
    if (fn && (!file || file === f.file) && fn === f.function) return `covers function ${entry}`;
    if (fn && file && target && helpers.reachOf(functionId(file, fn)).has(target)) {
      return `covers function ${entry}, which calls ${f.function}`;
    }
  }
  if (scenario.call && target) {
    // `pkg.mod:fn` runs pkg/mod.py (or pkg/mod/__init__.py) fn, relative to the project root.
    const [module, fn] = scenario.call.function.split(':');
    const base = module.replace(/\./g, '/');
    for (const file of [`${base}.py`, `${base}/__init__.py`]) {
      if (!helpers.reachOf(functionId(file, fn)).has(target)) continue;
      return f.file === file && f.function === fn
        ? `calls ${scenario.call.function}`
        : `calls ${scenario.call.function}, which reaches ${f.function}`;
    }
  }
  for (const route of routes) {
    if (helpers.routeReaches(route, f)) {
      const direct = route.handler.file === f.file && route.handler.function === f.function;
      return direct
        ? `exercises ${routeLabel(route)} (handler ${f.function})`
        : `exercises ${routeLabel(route)}, whose handler ${route.handler.function} reaches ${f.function}`;
    }
  }
  return null;
}

function describeReasons(reasons: readonly SelectionReason[]): string {
  const parts = reasons.slice(0, 3).map((r) => `${r.rule} at ${r.file}:${r.line} (${r.via})`);
  return parts.join('; ') + (reasons.length > 3 ? `; and ${reasons.length - 3} more` : '');
}
