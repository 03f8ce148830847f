/**
 * What a route's handler expects from a request, read from its source, so a generated scenario sends a
 * body and query the handler accepts instead of a fixed shape (a FastAPI handler taking a pydantic model
 * answers anything else with 422 and never runs). Per framework:
 *
 * - FastAPI: the handler's parameters (fastapi-parameters.ts), merged with what a `Request` parameter's
 *   body reads (handler-reads.ts); parameters win.
 * - Flask / Quart: what the body reads from the `request` global (handler-reads.ts).
 * - aiohttp: what the body reads from the handler's `request` parameter (`self.request` in a web.View).
 *
 * Annotations are read as text (annotations.ts) and pydantic model fields lexically (models.ts), so a
 * model class need not be parsed. A model of another module stays a `model` reference in the per-file
 * result; linkRoutes resolves it (resolveModelReferences) against the models the other files export.
 */
import type { RequestShape, Route } from '../../model/static.js';
import { field, namedChildren, parameterNames, type Node } from '../pyast.js';
import type { RouteCollector } from './collector.js';
import { fastapiParameterShape } from './fastapi-parameters.js';
import { AIOHTTP_CHANNELS, FLASK_CHANNELS, readShape, STARLETTE_CHANNELS } from './handler-reads.js';
import { lexicalImports } from './lex-index.js';
import { ModelIndex, ownModuleName } from './models.js';
import { aiohttpMessageShape, starletteMessageShape } from './websocket-handlers.js';

// The pieces a unit test reaches for, from the module named for the concern.
export { splitArguments } from './annotations.js';
export { fieldRequired } from './models.js';

/**
 * Each route with what its handler expects from a request (RequestShape), when the handler is a def of
 * this file and its source says anything.
 */
export function withRequestShapes(c: RouteCollector, routes: Route[]): Route[] {
  let models: ModelIndex | null = null;
  const shapes = new Map<string, RequestShape | null>();
  return routes.map((route) => {
    const { handler } = route;
    if (handler.file !== c.file || handler.line === 0) return route;
    if (route.framework !== 'fastapi' && route.framework !== 'flask' && route.framework !== 'aiohttp')
      return route;
    const pathParameters = [...route.path.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1]);
    const key = `${route.framework} ${route.method === 'WS'} ${handler.line} ${pathParameters.join(',')}`;
    if (!shapes.has(key)) {
      const def = c.functionAt(handler.line);
      models ??= new ModelIndex(c.lex, lexicalImports(c.source).bindings, ownModuleName(c.file));
      const shapeOf = route.method === 'WS' ? websocketShapeOf : requestShapeOf;
      shapes.set(key, def ? shapeOf(c, def, route.framework, new Set(pathParameters), models) : null);
    }
    const request = shapes.get(key);
    return request ? { ...route, request } : route;
  });
}

function requestShapeOf(
  c: RouteCollector,
  def: Node,
  framework: 'fastapi' | 'flask' | 'aiohttp',
  pathParameters: ReadonlySet<string>,
  models: ModelIndex,
): RequestShape | null {
  const qualify = (dotted: string) => c.imports.qualify(dotted);
  if (framework === 'flask') {
    return readShape(def, {
      isRequest: (dotted) => /^(?:flask|quart)\.request$/.test(qualify(dotted)),
      channels: FLASK_CHANNELS,
    });
  }
  const params = parameterNames(def);
  if (framework === 'aiohttp') {
    // A handler takes the request first; a web.View method reaches it as `self.request`.
    const method = params[0] === 'self';
    return readShape(def, {
      isRequest: (dotted) => (method ? dotted === 'self.request' : dotted === params[0]),
      channels: AIOHTTP_CHANNELS,
    });
  }
  const requestParams = new Set(
    parameterAnnotations(def)
      .filter(([, annotation]) =>
        /(?:^|\.)(?:fastapi|starlette\.requests)\.Request$/.test(qualify(annotation)),
      )
      .map(([name]) => name),
  );
  const read = requestParams.size
    ? readShape(def, { isRequest: (dotted) => requestParams.has(dotted), channels: STARLETTE_CHANNELS })
    : null;
  return mergeShapes(fastapiParameterShape(def, pathParameters, models.context(qualify)), read);
}

/**
 * A websocket route's: the first message its handler reads as the body (websocket-handlers.ts) and, for
 * FastAPI, its query parameters (the handshake URL's).
 */
function websocketShapeOf(
  c: RouteCollector,
  def: Node,
  framework: 'fastapi' | 'flask' | 'aiohttp',
  pathParameters: ReadonlySet<string>,
  models: ModelIndex,
): RequestShape | null {
  if (framework === 'flask') return null;
  if (framework === 'aiohttp') return aiohttpMessageShape(c, def);
  const parameters = fastapiParameterShape(
    def,
    pathParameters,
    models.context((d) => c.imports.qualify(d)),
  );
  const message = starletteMessageShape(c, def);
  const query = parameters?.query ?? [];
  return message || query.length ? { body: message?.body ?? null, query } : null;
}

/** `name: Annotation` pairs of a def's parameters (annotation text as written). */
function parameterAnnotations(def: Node): [string, string][] {
  const params = field(def, 'parameters');
  const out: [string, string][] = [];
  for (const p of params ? namedChildren(params) : []) {
    if (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter') continue;
    const name = p.type === 'typed_parameter' ? p.namedChild(0) : field(p, 'name');
    const type = field(p, 'type');
    if (name?.type === 'identifier' && type) out.push([name.text, type.text]);
  }
  return out;
}

/** Both views of one handler: its parameters (FastAPI) and what its body reads; parameters win. */
export function mergeShapes(
  primary: RequestShape | null,
  secondary: RequestShape | null,
): RequestShape | null {
  if (!primary) return secondary;
  if (!secondary) return primary;
  const names = new Set(primary.query.map((q) => q.name));
  return {
    body: primary.body ?? secondary.body,
    query: [...primary.query, ...secondary.query.filter((q) => !names.has(q.name))],
  };
}
