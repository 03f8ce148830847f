/**
 * FastAPI: `@app.get/post/put/patch/delete/options/head/trace`, `@app.api_route(methods=)`, APIRouter
 * `prefix=`, `include_router(router, prefix=)`, `add_api_route`, the decorators applied by call
 * (`app.get("/x")(handler)`), websockets, and `mount()` of another
 * FastAPI app of the same file. Paths are kept as written (`/items/{item_id}`); prefixes are plain string
 * concatenation, as FastAPI does.
 *
 * Websocket endpoints get the method `WS`: the gate drives them with WebSocket connections
 * (select/generate.ts), and a finding inside one is tied to its path.
 */
import { keywordArgument, type Node } from '../pyast.js';
import type { Holder, RouteCollector } from './collector.js';
import { argument, isRoutePath, literalList } from './file-scope.js';
import type { Handler } from './handlers.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace']);
const WEBSOCKET = new Set(['websocket', 'websocket_route']);
export const FASTAPI_DECORATORS = new Set([...VERBS, 'api_route', 'route', ...WEBSOCKET]);
export const FASTAPI_CALLS = new Set([
  'include_router',
  'add_api_route',
  'add_api_websocket_route',
  'add_websocket_route',
  'add_route',
  'mount',
]);

/** `methods=[...]` of api_route/add_api_route: GET when absent, `*` when not a literal. */
function methodsArgument(call: Node): string[] {
  const node = keywordArgument(call, 'methods');
  if (!node) return ['GET'];
  const list = literalList(node);
  if (!list) return ['*'];
  return [...new Set(list.map((m) => m.toUpperCase()))];
}

function methodsOf(verb: string, call: Node): string[] {
  if (VERBS.has(verb)) return [verb.toUpperCase()];
  if (WEBSOCKET.has(verb)) return ['WS'];
  return methodsArgument(call);
}

/**
 * `@app.get("/x")` on a def, or the same call applied to a function (`app.get("/x")(handler)`): then
 * `definition` is null and `view` is the function's handler.
 */
export function fastapiDecorator(
  c: RouteCollector,
  holder: Holder | null,
  call: Node,
  verb: string,
  definition: Node | null,
  view: Handler | null = null,
): void {
  if (!FASTAPI_DECORATORS.has(verb)) return;
  if (definition && definition.type !== 'function_definition') return;
  const path = c.stringOf(argument(call, 0, 'path'));
  if (!isRoutePath(path)) return;
  const handler = definition ? c.definitionHandler(definition) : view;
  if (!handler) return;
  for (const method of methodsOf(verb, call)) {
    c.declare({
      holder: holder?.key ?? null,
      framework: 'fastapi',
      method,
      path,
      handler,
      line: call.startPosition.row + 1,
    });
  }
}

export function fastapiCall(c: RouteCollector, holder: Holder | null, call: Node, name: string): void {
  const line = call.startPosition.row + 1;
  if (name === 'include_router') {
    const child = c.holderFor(argument(call, 0, 'router'));
    if (!holder || !child) return;
    const prefix = keywordArgument(call, 'prefix');
    c.register(holder, child, c.prefixOf(prefix, 'fastapi'), 'fastapi', line);
    return;
  }
  if (name === 'mount') {
    // Only a sub-application this file builds, or one it imports (linked across files), contributes
    // routes; StaticFiles and friends do not.
    const path = c.stringOf(argument(call, 0, 'path'));
    const app = argument(call, 1, 'app');
    const child = c.knownHolder(app) ?? (c.importRef(app) ? c.holderFor(app) : null);
    if (holder && child && (child.framework === 'fastapi' || child.imported) && isRoutePath(path)) {
      c.register(holder, child, path.replace(/\/+$/, ''), 'fastapi', line);
    }
    return;
  }
  const path = c.stringOf(argument(call, 0, 'path'));
  if (!isRoutePath(path)) return;
  const handler = c.resolveHandler(argument(call, 1, 'endpoint'));
  if (!handler) return;
  const methods =
    name === 'add_api_websocket_route' || name === 'add_websocket_route' ? ['WS'] : methodsArgument(call);
  for (const method of methods) {
    c.declare({ holder: holder?.key ?? null, framework: 'fastapi', method, path, handler, line });
  }
}
