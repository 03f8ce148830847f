/**
 * Other requests worth trying for a generated scenario when its first request does not reach the code:
 * a handler may answer 404 to ids it does not know, or 400 to a body in the wrong format. The gate's probe
 * (pipeline/run-scenario.ts) tries them in this order, a few iterations each, and keeps the first that
 * gets a success status and reaches the function it is after; the report says which and why. Each keeps
 * the scenario's varying parts where it can (a new key per iteration is what makes a cache grow).
 */
import type { JsonValue, RequestSpec } from '../scenarios/model.js';
import { xmlDocument } from './request-body.js';

export interface RequestAlternative {
  request: RequestSpec;
  /** For people: what is different about it. */
  why: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const FORM = 'application/x-www-form-urlencoded';

/** The alternatives to `base`, without repeats and without `base` itself. */
export function alternativeRequests(base: RequestSpec): RequestAlternative[] {
  if (base.path === null) return [];
  const out: RequestAlternative[] = [];
  const seen = new Set([keyOf(base)]);
  const add = (request: RequestSpec, why: string) => {
    const key = keyOf(request);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ request, why });
  };
  const path = base.path;
  const [pathPart, query] = splitQuery(path);
  // Ids: a number per iteration (`item-{i}` → `{i}`), then the same small id every time (one that exists).
  const numeric = pathPart.replace(/[\w.-]*\{(?:i|uuid|random)\}[\w.-]*/g, '{i}');
  if (numeric !== pathPart)
    add({ ...base, path: joinQuery(numeric, query) }, 'a number per iteration in the path');
  const fixed = pathPart.replace(/[\w.-]*\{(?:i|uuid|random)\}[\w.-]*/g, '1');
  if (fixed !== pathPart) add({ ...base, path: joinQuery(fixed, query) }, 'the same id, 1, every time');
  // A handler that compares the whole path (`self.path == "/health"`) answers 404 to any query string.
  if (query !== null) add({ ...base, path: pathPart }, 'no query string');
  if (BODY_METHODS.has(base.method) || base.body) {
    const json: JsonValue = { id: '{i}', name: 'heapgate-{i}' };
    add(withBody(base, { kind: 'json', value: json }, null), 'a JSON body');
    add(withBody(base, { kind: 'text', value: 'id={i}&name=heapgate-{i}' }, FORM), 'a form body');
    add(withBody(base, { kind: 'text', value: xmlDocument([], true) }, 'application/xml'), 'an XML body');
    add(withBody(base, { kind: 'text', value: 'heapgate-{i}' }, 'text/plain'), 'a text body');
    add(withBody(base, null, null), 'no body');
  }
  return out;
}

function withBody(base: RequestSpec, body: RequestSpec['body'], contentType: string | null): RequestSpec {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(base.headers)) {
    if (name.toLowerCase() !== 'content-type') headers[name] = value;
  }
  if (contentType) headers['content-type'] = contentType;
  return { ...base, headers, body };
}

function splitQuery(path: string): [string, string | null] {
  const at = path.indexOf('?');
  return at < 0 ? [path, null] : [path.slice(0, at), path.slice(at + 1)];
}

function joinQuery(path: string, query: string | null): string {
  return query === null ? path : `${path}?${query}`;
}

function keyOf(request: RequestSpec): string {
  return JSON.stringify([request.method, request.path, request.headers, request.body]);
}
