/**
 * aiohttp: `app.router.add_get/add_post/…/add_route/add_view`, route definitions (`web.get('/x', h)`,
 * `web.route('*', …)`, `web.view(…)`) collected by `app.add_routes([...])` or a named list, a
 * `web.RouteTableDef()` with `@routes.get('/x')` / `@routes.view('/x')`, and `app.add_subapp(prefix, sub)`
 * for sub-applications of the same file. Paths are kept as written (`/items/{id:\d+}`).
 *
 * `add_get` also answers HEAD (allow_head=True); only GET is reported, the route a scenario would drive.
 * A GET whose handler creates and prepares a `web.WebSocketResponse` is a websocket endpoint: the method
 * `WS` (websocket-handlers.ts).
 */
import { dottedName, field, type Node } from '../pyast.js';
import type { Holder, RouteCollector } from './collector.js';
import { argument, isRoutePath, literal } from './file-scope.js';
import type { ClassRef, Handler } from './handlers.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head']);
export const AIOHTTP_DECORATORS = new Set([...VERBS, 'route', 'view']);
export const AIOHTTP_CALLS = new Set([
  ...[...VERBS].map((v) => `add_${v}`),
  'add_route',
  'add_view',
  'add_routes',
  'add_subapp',
]);
/** `aiohttp.web.<name>(...)` route definitions. */
const DEFINITIONS = new Set([...VERBS, 'route', 'view']);

/** Routes for a class-based `web.View`: one per HTTP method it defines. */
function viewRoutes(c: RouteCollector, cls: ClassRef | null, fallback: Handler | null): [string, Handler][] {
  if (cls?.local) {
    const routes = c.classVerbs(cls.local);
    if (routes.length) return routes;
  }
  const handler = cls?.handler ?? fallback;
  return handler ? [['*', handler]] : [];
}

/**
 * Routes for `method path → handler`, where the handler may be a `web.View` class of the file
 * (`add_get('/x', MyView)`): the class's method for that verb then runs.
 */
function handlerRoutes(c: RouteCollector, method: string, view: Node | null): [string, Handler][] {
  const cls = c.classRef(c.unwrapView(view));
  if (cls?.local) {
    const routes = viewRoutes(c, cls, null);
    if (method === '*') return routes;
    const match = routes.find(([m]) => m === method);
    return [[method, match ? match[1] : cls.handler]];
  }
  const handler = c.resolveHandler(view);
  return handler ? [[method, handler]] : [];
}

function methodName(node: Node | null): string | null {
  const value = literal(node);
  if (value === null || !/^(?:\*|[A-Za-z]+)$/.test(value)) return null;
  return value.toUpperCase();
}

/**
 * `@routes.get('/x')` on a def (or a web.View class for `@routes.view`), or the same call applied to a
 * handler (`routes.get('/x')(handler)`): then `definition` is null and `view` is the handler.
 */
export function aiohttpDecorator(
  c: RouteCollector,
  holder: Holder | null,
  call: Node,
  verb: string,
  definition: Node | null,
  view: Handler | null = null,
): void {
  if (!AIOHTTP_DECORATORS.has(verb)) return;
  const line = call.startPosition.row + 1;
  const base = { holder: holder?.key ?? null, framework: 'aiohttp' as const, line };
  if (!definition) {
    if (verb === 'view' || !view) return;
    const method = verb === 'route' ? methodName(argument(call, 0, 'method')) : verb.toUpperCase();
    const path = c.stringOf(argument(call, verb === 'route' ? 1 : 0, 'path'));
    if (method && isRoutePath(path)) c.declare({ ...base, method, path, handler: view });
    return;
  }
  if (verb === 'view') {
    const path = c.stringOf(argument(call, 0, 'path'));
    if (!isRoutePath(path)) return;
    const name = field(definition, 'name');
    const own = c.definitionHandler(definition);
    const cls = definition.type === 'class_definition' && name ? c.classRef(name) : null;
    for (const [method, handler] of viewRoutes(c, cls, own)) c.declare({ ...base, method, path, handler });
    return;
  }
  if (definition.type !== 'function_definition') return;
  const method = verb === 'route' ? methodName(argument(call, 0, 'method')) : verb.toUpperCase();
  const path = c.stringOf(argument(call, verb === 'route' ? 1 : 0, 'path'));
  if (!method || !isRoutePath(path)) return;
  c.declare({ ...base, method, path, handler: c.definitionHandler(definition) });
}

export function aiohttpCall(c: RouteCollector, holder: Holder | null, call: Node, name: string): void {
  const line = call.startPosition.row + 1;
  if (name === 'add_routes') {
    const table = argument(call, 0, 'routes');
    // A literal list is handled through its `web.get(...)` items; a name is a table or list.
    if (holder && (table?.type === 'identifier' || table?.type === 'attribute')) {
      const child = c.holderFor(table);
      if (child) c.register(holder, child, '', 'aiohttp', line);
    }
    return;
  }
  if (name === 'add_subapp') {
    const prefix = c.prefixOf(argument(call, 0, 'prefix'), 'aiohttp');
    const child = c.holderFor(argument(call, 1, 'subapp'));
    if (holder && child && prefix) c.register(holder, child, prefix.replace(/\/+$/, ''), 'aiohttp', line);
    return;
  }
  const base = { holder: holder?.key ?? null, framework: 'aiohttp' as const, line };
  if (name === 'add_view') {
    const path = c.stringOf(argument(call, 0, 'path'));
    if (!isRoutePath(path)) return;
    const view = argument(call, 1, 'handler');
    for (const [method, handler] of viewRoutes(c, c.classRef(view), c.resolveHandler(view))) {
      c.declare({ ...base, method, path, handler });
    }
    return;
  }
  const routeForm = name === 'add_route';
  const method = routeForm ? methodName(argument(call, 0, 'method')) : name.slice(4).toUpperCase();
  const path = c.stringOf(argument(call, routeForm ? 1 : 0, 'path'));
  if (!method || !isRoutePath(path)) return;
  const view = argument(call, routeForm ? 2 : 1, 'handler');
  for (const [verb, handler] of handlerRoutes(c, method, view))
    c.declare({ ...base, method: verb, path, handler });
}

/** The name of an `aiohttp.web` route definition this call makes (`get`, `route`, `view`), or null. */
export function aiohttpDefinition(c: RouteCollector, call: Node): string | null {
  // Written `web.get(...)` (the pre-scan looks for that text), `web` being aiohttp's.
  const text = dottedName(field(call, 'function'));
  if (!text || !/(?:^|\.)web\.\w+$/.test(text)) return null;
  const callee = c.imports.qualify(text);
  const match = /^aiohttp\.(?:web|web_routedef)\.(\w+)$/.exec(callee);
  return match && DEFINITIONS.has(match[1]) ? match[1] : null;
}

/**
 * `web.get('/x', h)` and friends. They take effect where they are collected: the holder is the app of
 * an enclosing `app.add_routes([...])`, or the list they are assigned to (`routes = [...]`), which an
 * `add_routes(routes)` elsewhere in the file ties to its app.
 */
export function aiohttpDefinitionRoutes(c: RouteCollector, call: Node, kind: string): void {
  const line = call.startPosition.row + 1;
  const holder = definitionHolder(c, call);
  const base = { holder: holder?.key ?? null, framework: 'aiohttp' as const, line };
  if (kind === 'view') {
    const path = c.stringOf(argument(call, 0, 'path'));
    if (!isRoutePath(path)) return;
    const view = argument(call, 1, 'handler');
    for (const [method, handler] of viewRoutes(c, c.classRef(view), c.resolveHandler(view))) {
      c.declare({ ...base, method, path, handler });
    }
    return;
  }
  const method = kind === 'route' ? methodName(argument(call, 0, 'method')) : kind.toUpperCase();
  const path = c.stringOf(argument(call, kind === 'route' ? 1 : 0, 'path'));
  if (!method || !isRoutePath(path)) return;
  const view = argument(call, kind === 'route' ? 2 : 1, 'handler');
  for (const [verb, handler] of handlerRoutes(c, method, view))
    c.declare({ ...base, method: verb, path, handler });
}

function definitionHolder(c: RouteCollector, call: Node): Holder | null {
  let node: Node = call;
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'list' || p.type === 'tuple' || p.type === 'parenthesized_expression') {
      node = p;
      continue;
    }
    if (p.type === 'argument_list') {
      const outer = p.parent;
      const fn = outer ? field(outer, 'function') : null;
      const attribute = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : null;
      // `app.add_routes([...])`, or `routes.append(web.get(...))` / `routes.extend([...])` on a list.
      if (attribute === 'add_routes' || attribute === 'append' || attribute === 'extend') {
        return c.holderFor(field(fn!, 'object'));
      }
      return null;
    }
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      const left = field(p, 'left');
      const name = dottedName(left);
      if (left && name && field(p, 'right')?.equals(node)) {
        return left.type === 'identifier' ? c.holderFor(left) : null;
      }
      return null;
    }
    return null;
  }
  return null;
}
