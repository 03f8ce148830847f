/**
 * Starlette's route lists: `Route("/x", endpoint, methods=[...])`, `WebSocketRoute("/ws", endpoint)` and
 * `Mount("/api", routes=[...])`, as `Starlette(routes=[...])` (or a module-level `routes = [...]` given to
 * it) declares them. A Route's methods are its `methods=` (GET when absent, as Starlette does for a
 * function), or the verbs an `HTTPEndpoint` class of the file defines; a WebSocketRoute is `WS`. Mount
 * prefixes apply when the list is written inside the Mount; a list given to it by name keeps its own paths.
 * Only the names the file imports from `starlette.routing` (or `fastapi.routing`, which re-exports them).
 */
import { keywordArgument, field, type Node } from '../pyast.js';
import type { RouteCollector } from './collector.js';
import { argument, isRoutePath, literalList } from './file-scope.js';
import type { Handler } from './handlers.js';

const ROUTING = /^(?:starlette|fastapi)\.routing\.(Route|WebSocketRoute|Mount)$/;

/** Words a statement must hold to declare Starlette routes (the pre-scan's trigger). */
export const STARLETTE_WORDS = ['Route', 'WebSocketRoute'];

/** `Route`, `WebSocketRoute` or `Mount` when `call` is one of starlette.routing's, else null. */
function routingName(c: RouteCollector, call: Node): string | null {
  const fn = field(call, 'function');
  if (!fn || (fn.type !== 'identifier' && fn.type !== 'attribute')) return null;
  return ROUTING.exec(c.imports.qualify(fn.text))?.[1] ?? null;
}

/** The prefixes of the Mounts whose `routes=[...]` hold the call, outermost first. */
function mountPrefix(c: RouteCollector, call: Node): string | null {
  let prefix = '';
  for (let node: Node | null = call.parent; node; node = node.parent) {
    if (node.type !== 'call' || routingName(c, node) !== 'Mount') continue;
    const path = c.stringOf(argument(node, 0, 'path'));
    if (path === null) return null;
    prefix = `${path.replace(/\/+$/, '')}${prefix}`;
  }
  return prefix;
}

/** Declares the route a `Route(...)` or `WebSocketRoute(...)` call is; other calls are left alone. */
export function starletteRoute(c: RouteCollector, call: Node): void {
  const name = routingName(c, call);
  if (name !== 'Route' && name !== 'WebSocketRoute') return;
  const own = c.stringOf(argument(call, 0, 'path'));
  const prefix = mountPrefix(c, call);
  if (!isRoutePath(own) || prefix === null) return;
  const path = `${prefix}${own}`;
  const endpoint = argument(call, 1, 'endpoint');
  const line = call.startPosition.row + 1;
  const declare = (method: string, handler: Handler) =>
    c.declare({ holder: null, framework: 'starlette', method, path, handler, line });
  const handler = c.resolveHandler(endpoint);
  if (name === 'WebSocketRoute') {
    if (handler) declare('WS', handler);
    return;
  }
  const given = keywordArgument(call, 'methods');
  const cls = given ? null : c.classRef(endpoint);
  // An HTTPEndpoint class of this file (`class Users(HTTPEndpoint): async def get(...)`): its verbs.
  const byClass = cls?.local ? c.classVerbs(cls.local) : [];
  if (byClass.length) {
    for (const [method, h] of byClass) declare(method, h);
    return;
  }
  if (!handler) return;
  const methods = given ? literalList(given) : ['GET'];
  for (const method of methods ? new Set(methods.map((m) => m.toUpperCase())) : ['*'])
    declare(method, handler);
}
