/**
 * Scenarios for flagged routes nobody wrote one for, from the built-in templates in scenarios/: unique
 * keys for findings that grow per distinct input, the same call over and over for findings that leak
 * per call, as each rule's `meta.dynamic.reproduce` says. Path parameters are filled per the framework's
 * converters. When the static phase read what the handler expects (Route.request: a pydantic model, the
 * keys it takes out of `request.get_json()`, its query parameters) the request carries exactly that
 * (request-body.ts); otherwise POST/PUT/PATCH get the template's fixed JSON body. Websocket routes get
 * connections that send the message the handler reads and vanish without a close frame
 * (scenarios/websocket.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../scenarios/model.js';
import { validateScenario } from '../scenarios/validate.js';
import { severityRank, type Finding, type Route } from '../model/static.js';
import type { ReproduceTemplate } from '../static/rule.js';
import { ruleById } from '../static/rules/index.js';
import { routeLabel } from './plan.js';
import { FIXED_UUID, generatedRequest } from './request-body.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export type TemplateName = ReproduceTemplate;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The template the worst finding's rule says reproduces it (`meta.dynamic.reproduce`). */
export function templateFor(findings: readonly Finding[]): TemplateName {
  const worst = [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0];
  return (worst && ruleById(worst.rule)?.meta.dynamic.reproduce) ?? 'unique-keys';
}

/** The request path for a route pattern: parameters filled with per-iteration or fixed values. */
export function fillPath(route: Route, unique: boolean): string | null {
  if (route.framework === 'django' && /[\^$(\\]/.test(route.path)) return null;
  // A handler for any path (http.server's do_GET): a path of our own.
  if (route.path === '*') return unique ? '/heapgate/{i}' : '/heapgate';
  let params = 0;
  const value = (kind: string, name: string): string => {
    params++;
    if (kind === 'uuid') return unique ? '{uuid}' : FIXED_UUID;
    if (kind === 'path') return unique ? `${name}/{i}` : `${name}/1`;
    if (kind === 'int' || kind === 'float') return unique ? '{i}' : '1';
    return unique ? `${name}-{i}` : `${name}-1`;
  };
  let filled = route.path
    // Flask/Werkzeug and Django converters: <int:id>, <path:p>, <uuid:u>, <slug:s>, <name>
    .replace(/<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>/g, (_m, kind: string | undefined, name: string) =>
      value(kind ?? 'string', name),
    )
    // FastAPI/Starlette/aiohttp: {id}, {p:path}, {id:int}, {name:\d+}
    .replace(/\{(\w+)(?::([^}]*))?\}/g, (_m, name: string, kind: string | undefined) =>
      value(
        kind === 'path' || kind === '.*' ? 'path' : kind && /\\d|int/.test(kind) ? 'int' : (kind ?? 'int'),
        name,
      ),
    );
  // http.server's `/notes/*`: any rest of the path reaches the handler; a value per iteration there.
  if (route.framework === 'http.server') {
    filled = filled.replace(/\*/g, () => {
      params++;
      return unique ? '{i}' : '1';
    });
  }
  if (/[<>{}]/.test(filled.replace(/\{(i|uuid)\}/g, ''))) return null;
  if (!filled.startsWith('/')) filled = `/${filled}`;
  // A route without parameters gets a query per iteration to vary, except http.server's: its handler
  // compares `self.path`, query and all, with the literal (`if self.path == "/health"`), so a query would
  // send the request down another branch (the demo's /health landed in the leaky catch-all).
  if (unique && params === 0 && route.framework !== 'http.server') {
    filled += `${filled.includes('?') ? '&' : '?'}heapgate={i}`;
  }
  return filled;
}

/** A scenario for a flagged route, or the reason there cannot be one. */
export function generateScenario(route: Route, findings: readonly Finding[]): Scenario | string {
  const file = generatedScenarioFile(route, findings);
  return typeof file === 'string' ? file : validateScenario(file.scenario, { file: file.template });
}

/**
 * The scenario file generateScenario validates (what `heapgate init` writes out), with the template it
 * came from; or the reason there cannot be one.
 */
export function generatedScenarioFile(
  route: Route,
  findings: readonly Finding[],
): { scenario: Record<string, unknown>; template: string } | string {
  if (route.method === 'WS') return websocketScenarioFile(route, findings);
  const template = templateFor(findings);
  const unique = template === 'unique-keys';
  const requestPath = fillPath(route, unique);
  if (!requestPath) return `its path ${route.path} is a pattern heapgate cannot fill`;
  const method = route.method === '*' ? 'GET' : route.method;
  const file = path.join(TEMPLATES_DIR, `${template}.json`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const label = routeLabel(route);
  const filled = fill(raw, { '{{route}}': label, '{{method}}': method, '{{path}}': requestPath }) as Record<
    string,
    unknown
  >;
  const request = filled.request as Record<string, unknown>;
  const derived = route.request ? generatedRequest(route.request, unique) : null;
  if (derived?.query.length) {
    request.path = `${requestPath}${requestPath.includes('?') ? '&' : '?'}${derived.query.join('&')}`;
  }
  if (!BODY_METHODS.has(method)) delete request.json;
  else if (derived?.body?.kind === 'json') request.json = derived.body.value;
  else if (derived?.body?.kind === 'text') {
    delete request.json;
    request.body = derived.body.value;
    request.headers = { 'content-type': derived.body.contentType };
  }
  filled.covers = {
    routes: [`${method} ${route.path}`],
    rules: [],
    functions: [...new Set(findings.map((f) => `${f.file}:${f.function}`))],
  };
  return { scenario: filled, template: `scenarios/${template}.json` };
}

/**
 * A websocket route's scenario file, from scenarios/websocket.json: clients that connect, send one message
 * and vanish without a close frame (docs/websocket.md). The message is
 * what the handler reads first (Route.request.body: the keys of its `receive_json()`, or text), else the
 * template's text; the handshake URL carries the handler's query parameters. Nothing is awaited: whether
 * and when a handler answers is not something its source promises.
 */
function websocketScenarioFile(
  route: Route,
  findings: readonly Finding[],
): { scenario: Record<string, unknown>; template: string } | string {
  const wsPath = fillPath(route, true);
  if (!wsPath) return `its path ${route.path} is a pattern heapgate cannot fill`;
  const raw = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, 'websocket.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const filled = fill(raw, { '{{route}}': routeLabel(route), '{{path}}': wsPath }) as Record<string, unknown>;
  const websocket = filled.websocket as Record<string, unknown>;
  const derived = route.request ? generatedRequest(route.request, true) : null;
  if (derived?.query.length) {
    websocket.path = `${wsPath}${wsPath.includes('?') ? '&' : '?'}${derived.query.join('&')}`;
  }
  if (derived?.body) websocket.send = [derived.body.value];
  else if (route.request?.body?.encoding === 'json') websocket.send = [{ heapgate: '{i}' }];
  filled.covers = {
    routes: [routeLabel(route)],
    rules: [],
    functions: [...new Set(findings.map((f) => `${f.file}:${f.function}`))],
  };
  return { scenario: filled, template: 'scenarios/websocket.json' };
}

function fill(value: unknown, replacements: Record<string, string>): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, replacements));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, replacements)]));
  }
  return value;
}
