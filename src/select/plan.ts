/**
 * Which scenarios the gate runs, in what order, and why. A finding selects a scenario whose `covers` names
 * its rule, its file/function (or a function that reaches it through project calls), or a route whose
 * handler reaches it; an HTTP scenario also covers the routes its request path matches. A flagged route no
 * scenario covers gets a scenario generated from a built-in template. Static rules decide what runs first,
 * never what is never looked at: with `sweep`, the user's scenarios nothing selected come next, then a
 * generated scenario for every other route (the gate runs them while its time budget lasts). Each planned
 * scenario names the functions whose reach the shim verifies: the handlers of its routes, the flagged
 * functions, and the calls between them. Everything here is pure.
 */
import { severityRank, type Finding, type Route, type Severity } from '../model/static.js';
import type { Scenario } from '../scenarios/model.js';
import { callPath, functionId, reachableFrom, type CallGraph, type FunctionId } from './callgraph.js';

export interface SelectionReason {
  rule: string;
  file: string;
  line: number;
  severity: Severity;
  /** How the scenario reaches the finding, for people. */
  via: string;
}

/**
 * When a scenario runs: `selected` by a finding (always, most severe first), `extra` (a user scenario no
 * finding selected) and `sweep` (a generated scenario for a route nothing else covers) while the gate's
 * time budget lasts; null: it does not run.
 */
export type PlanPhase = 'selected' | 'extra' | 'sweep';

/** A function whose reach the shim counts while the scenario runs. */
export interface InterestFunction {
  id: FunctionId;
  file: string;
  /** The lines its code object may start on: its first decorator's to its `def`'s. */
  lines: [number, number];
  /** `handler` of a covered route, `flagged` by a finding, or on the `path` between them. */
  role: 'handler' | 'flagged' | 'path';
}

export interface PlannedScenario {
  scenario: Scenario;
  generated: boolean;
  /** A finding selected it (or --all-scenarios). */
  selected: boolean;
  selectedBy: SelectionReason[];
  phase: PlanPhase | null;
  /** Labels of the routes it covers (`GET /items/{id}`). */
  routes: string[];
  interest: InterestFunction[];
  /** One line: why it runs, or why not. */
  why: string;
}

export interface Plan {
  /** In the order they run: selected (most severe first), extra, sweep; then those that do not run. */
  scenarios: PlannedScenario[];
  /** Routes no scenario covers and for which none could be generated, with the reason. */
  uncovered: { route: string; reason: string }[];
  /** Every extracted route's label, once each: what the gate's coverage counts against. */
  routes: string[];
}

export interface PlanInput {
  findings: readonly Finding[];
  routes: readonly Route[];
  scenarios: readonly Scenario[];
  graph: CallGraph;
  /** Run every scenario, selected or not (--all-scenarios). */
  all: boolean;
  /** Builds a scenario for a route nobody covers (for its findings, or none); or the reason it cannot. */
  generate?: (route: Route, findings: readonly Finding[]) => Scenario | string;
  /** Also plan the user's unselected scenarios and a scenario for every other route (the gate). */
  sweep?: boolean;
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
  if (route.framework === 'http.server') {
    // `*` is any rest of the path (the handler's catch-all, or a prefix it tests).
    const regex = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^$()|[\]\\{}]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${regex}$`).test(path);
  }
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
    return reachOf(handlerOf(route)).has(target);
  };
  const interestOf = (entries: readonly FunctionId[], flagged: readonly Finding[]) =>
    interestFunctions(
      graph,
      entries,
      flagged.map(findingFunction).filter((id): id is FunctionId => !!id),
    );

  // Routes a scenario that runs covers: no sweep scenario is generated for them.
  const covered = new Set<string>();
  const planned: PlannedScenario[] = input.scenarios.map((scenario) => {
    const selectedBy: SelectionReason[] = [];
    const routesCovered = coveredRoutes(scenario, routes);
    const flagged: Finding[] = [];
    for (const f of findings) {
      const via = coverage(scenario, f, routesCovered, { routeReaches, reachOf, findingFunction });
      if (!via) continue;
      selectedBy.push({ rule: f.rule, file: f.file, line: f.line, severity: f.severity, via });
      flagged.push(f);
    }
    const selected = selectedBy.length > 0 || input.all;
    const phase: PlanPhase | null = selected ? 'selected' : input.sweep ? 'extra' : null;
    if (phase) for (const route of routesCovered) covered.add(routeLabel(route));
    const entries = [...routesCovered.map(handlerOf), ...callEntry(scenario)];
    return {
      scenario,
      generated: false,
      selected,
      selectedBy,
      phase,
      routes: routesCovered.map(routeLabel),
      interest: interestOf(entries, flagged),
      why: selectedBy.length
        ? `selected: ${describeReasons(selectedBy)}`
        : input.all
          ? 'runs because of --all-scenarios (covers no finding)'
          : input.sweep
            ? 'runs after the selected scenarios, while the time budget lasts (covers no finding)'
            : findings.length
              ? 'skipped: covers no finding (no rule, function or route of a finding)'
              : 'skipped: there are no findings to confirm',
    };
  });

  const uncovered: Plan['uncovered'] = [];
  if (input.generate) {
    // Every route gets its own: a handler's named paths (`GET /reports/daily` of an http.server do_GET)
    // and its catch-all (`GET *`) may run different branches.
    for (const route of routes) {
      const reached = findings.filter((f) => routeReaches(route, f));
      const label = routeLabel(route);
      if (covered.has(label) || (!reached.length && !input.sweep)) continue;
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
        selected: reached.length > 0,
        selectedBy,
        phase: reached.length ? 'selected' : 'sweep',
        routes: [label],
        interest: interestOf([handlerOf(route)], reached),
        why:
          (reached.length
            ? `generated and selected: no scenario covers ${label}, which reaches ${describeReasons(selectedBy)}`
            : `generated for the sweep: no scenario covers ${label}`) + drivenAs(made),
      });
    }
  }

  const phaseRank = (p: PlannedScenario) => (p.phase ? PHASES.indexOf(p.phase) : PHASES.length);
  const rank = (p: PlannedScenario) => Math.max(-1, ...p.selectedBy.map((r) => severityRank(r.severity)));
  const order = planned.map((p, i) => [p, i] as const);
  order.sort(([a, i], [b, j]) => phaseRank(a) - phaseRank(b) || rank(b) - rank(a) || i - j);
  return {
    scenarios: order.map(([p]) => p),
    uncovered,
    routes: [...new Set(routes.map(routeLabel))],
  };
}

const PHASES: readonly PlanPhase[] = ['selected', 'extra', 'sweep'];

/**
 * How a generated scenario drives its route, when it is not one request per iteration: a websocket
 * route's clients vanish without a close frame, the way a client set emptied only on a clean close
 * shows its leak (docs/websocket.md).
 */
function drivenAs(scenario: Scenario): string {
  if (scenario.kind !== 'websocket') return '';
  const { send, close } = scenario.websocket;
  const sent = send.length === 1 ? 'sends one message' : `sends ${send.length} messages`;
  const ends =
    close === 'drop'
      ? 'vanishes without a close frame (a client set emptied only on a clean close keeps every one)'
      : close === 'hold'
        ? 'stays open'
        : 'closes normally';
  return `; each iteration is a WebSocket client that connects, ${sent} and ${ends}`;
}

function handlerOf(route: Route): FunctionId {
  return functionId(route.handler.file, route.handler.function);
}

/** `pkg.mod:fn` of a call scenario, as the function ids it may be (a module file or a package). */
function callEntry(scenario: Scenario): FunctionId[] {
  if (!scenario.call) return [];
  const [module, fn] = scenario.call.function.split(':');
  const base = module.replace(/\./g, '/');
  return [functionId(`${base}.py`, fn), functionId(`${base}/__init__.py`, fn)];
}

/**
 * The functions to watch: each entry (a route's handler, a called function) that exists, each flagged
 * function, and the shortest chain of calls from an entry to it.
 */
function interestFunctions(
  graph: CallGraph,
  entries: readonly FunctionId[],
  flagged: readonly FunctionId[],
): InterestFunction[] {
  const roles = new Map<FunctionId, InterestFunction['role']>();
  const known = entries.filter((id) => graph.functions.has(id));
  for (const id of known) roles.set(id, 'handler');
  for (const target of flagged) {
    for (const entry of known) {
      for (const id of callPath(graph, entry, target) ?? []) if (!roles.has(id)) roles.set(id, 'path');
    }
    if (graph.functions.has(target)) roles.set(target, 'flagged');
  }
  return [...roles].map(([id, role]) => {
    const fn = graph.functions.get(id)!;
    return { id, file: fn.file, lines: [fn.firstLine, fn.line], role };
  });
}

function coveredRoutes(scenario: Scenario, routes: readonly Route[]): Route[] {
  const out: Route[] = [];
  for (const route of routes) {
    const named = scenario.covers.routes.some((text) => {
      const [method, ...rest] = text.trim().split(/\s+/);
      const path = rest.length ? rest.join(' ') : method;
      const wantMethod = rest.length ? method.toUpperCase() : '*';
      // `GET /ws` still names a websocket route: its handshake is a GET (aiohttp declares it so).
      const methodMatches =
        wantMethod === '*' ||
        route.method === '*' ||
        route.method === wantMethod ||
        (route.method === 'WS' && wantMethod === 'GET');
      return methodMatches && normalizeRoutePath(path) === normalizeRoutePath(route.path);
    });
    const requested =
      (scenario.request?.path != null &&
        requestMatchesRoute(scenario.request.method, scenario.request.path, route)) ||
      (scenario.kind === 'websocket' &&
        scenario.websocket.path !== null &&
        // The opening handshake is a GET: aiohttp and http.server declare websocket handlers that way.
        (requestMatchesRoute('WS', scenario.websocket.path, route) ||
          requestMatchesRoute('GET', scenario.websocket.path, route)));
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
