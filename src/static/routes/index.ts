/**
 * Route extraction: which HTTP routes a service declares and which function each one runs. One file per
 * framework; this module finds the route-shaped decorators and calls, decides which framework each
 * belongs to (by what its receiver is bound to, else by the file's imports and the route's own shape),
 * and combines the results, sorted by (file, line, method, path).
 *
 * Representation shared by all frameworks:
 * - `handler.line` 0: the handler lives in another file (`handler.file` is then the module's guessed
 *   path, `handler.function` its name inside that module) or could not be located;
 * - a class name as `handler.function` (`DetailView`): a class-based view whose methods are unknown
 *   here (another file); same-file classes are expanded to one route per method (`ItemAPI.get`);
 * - websocket endpoints have the method `WS` (aiohttp's are found by their body: websocket-handlers.ts);
 *   `*` means any method;
 * - prefixes written with module-level string constants or f-strings of them are resolved; any other
 *   prefix expression becomes a path variable named after it (`{settings.API_V1_STR}/items`).
 *
 * Also: a route decorator applied by call (`app.route("/x")(view)`, `app.get("/x")(handler)`) is a
 * route like the decorated def; a router/blueprint a module-level def builds and returns is served
 * wherever the def's call is registered (`include_router(make_router(), prefix="/v1")`), in this file or
 * (as the holder `make_router()` of its module) in another. Each route carries what its handler expects
 * from a request (Route.request, request-shape.ts) when its def is in this file.
 *
 * Across files: each route records its owner (the module-level router/blueprint/app/URLconf list it
 * hangs on, and its path relative to it), each file the registrations of other modules' holders it
 * makes (mounts) and the holders it binds with their own prefixes; linkRoutes (link.ts) applies the
 * mounts over the whole project. Per file, a holder registered in another file has its own prefix only.
 *
 * Limits (per file): paths not spelled out in the file are skipped; non-literal `methods=` becomes `*`.
 */
import type { ImportTable } from '../imports.js';
import type { Parser } from 'web-tree-sitter';
import type { FileResult, Framework, Mount, Route, RouteHolder } from '../../model/static.js';
import type { SourceBlock } from '../prescan.js';
import {
  descendants,
  field,
  namedChildren,
  parameterNames,
  positionalArguments,
  unparenthesize,
  type Node,
} from '../pyast.js';
import {
  AIOHTTP_CALLS,
  AIOHTTP_DECORATORS,
  aiohttpCall,
  aiohttpDecorator,
  aiohttpDefinition,
  aiohttpDefinitionRoutes,
} from './aiohttp.js';
import { CONSTRUCTOR_WORDS, RouteCollector, type Holder } from './collector.js';
import { djangoRoutes } from './django.js';
import { FASTAPI_CALLS, FASTAPI_DECORATORS, fastapiCall, fastapiDecorator } from './fastapi.js';
import { argument, literal } from './file-scope.js';
import { FLASK_CALLS, FLASK_DECORATORS, flaskCall, flaskDecorator } from './flask.js';
import { httpServerRoutes } from './http-server.js';
import { buildLexIndex, lexicalImports } from './lex-index.js';
import { ModelIndex, ownModuleName } from './models.js';
import { withRequestShapes } from './request-shape.js';
import { sortRoutes } from './route-paths.js';
import { STARLETTE_WORDS, starletteRoute } from './starlette.js';
import { lexicalAiohttpWebsockets, withAiohttpWebsockets } from './websocket-handlers.js';

export interface RouteContext {
  file: string;
  source: string;
  root: Node;
  imports: ImportTable;
  /** Parses a handler's def the pre-scan left out (see RouteCollector.functionAt). */
  parser?: Parser;
}

const DECORATOR_NAMES = new Set([...FLASK_DECORATORS, ...FASTAPI_DECORATORS, ...AIOHTTP_DECORATORS]);
const CALL_NAMES = new Set([...FLASK_CALLS, ...FASTAPI_CALLS, ...AIOHTTP_CALLS]);
/** A callee that may be Starlette's `Route` or `WebSocketRoute` (starlette.ts checks the import). */
const STARLETTE_NAMES = /(?:^|\.)(?:Route|WebSocketRoute)$/;

const DECORATOR =
  /^[ \t]*@[ \t]*([A-Za-z_][\w. \t]*?)[ \t]*\.[ \t]*(?:route|get|post|put|patch|delete|head|options|trace|api_route|websocket|websocket_route|view)[ \t]*\(/gm;
/** `@mock.patch(...)` is the most common decorator of this shape and never a route. */
const MOCK = /(?:^|\.)[ \t]*mock$/;
const WEB_DEFINITION = /\bweb[ \t]*\.[ \t]*(?:get|post|put|patch|delete|head|route|view)[ \t]*\(/;
const MOUNT = /\.[ \t]*mount[ \t]*\(/;
/** `path("…"`, `re_path(r"…"`, `url(regex="…"`, `urls.path("…"`: a pattern call with a literal first. */
const DJANGO_PATTERN =
  /(?:(?<![\w.])|\burls[ \t]*\.[ \t]*)(?:path|re_path|url)[ \t]*\(\s*(?:(?:route|regex)[ \t]*=[ \t]*)?[rRuUfFbB]{0,2}['"]/;
const DO_METHOD = /\bdef[ \t]+do_[A-Z]/;
/**
 * A route decorator's call applied to a function: `app.route("/x")(view)`, `app.get("/x")(handler)`.
 * The arguments may nest brackets two deep (`methods=("GET", "POST")`, `dependencies=[Depends(f)]`).
 */
const APPLIED =
  /\.[ \t]*(?:route|get|post|put|patch|delete|head|options|trace|api_route|websocket|websocket_route|view)[ \t]*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)[ \t]*\(/;

/**
 * Statements holding any of these words, or passing the test, may declare routes or prefixes:
 * constructors (`Flask(`, `APIRouter(prefix=…)`), registration calls, route decorators (also applied by
 * call: `app.route("/x")(view)`), aiohttp `web.get(`, Django `path(`, and http.server `def do_GET`. What
 * a route merely refers to (handler defs, view classes) is looked up lexically and need not be parsed.
 */
export const ROUTE_TRIGGER = {
  words: [...CONSTRUCTOR_WORDS, ...CALL_NAMES, ...STARLETTE_WORDS].filter((w) => w !== 'mount'),
  test: (text: string): boolean =>
    // Cheap substring checks first: most statements hold none of these.
    (text.includes('@') && hasRouteDecorator(text)) ||
    (text.includes('web') && WEB_DEFINITION.test(text)) ||
    (text.includes('mount') && MOUNT.test(text)) ||
    ((text.includes('path') || text.includes('url')) && DJANGO_PATTERN.test(text)) ||
    (text.includes('do_') && DO_METHOD.test(text)) ||
    (text.includes(')') && APPLIED.test(text)),
};

function hasRouteDecorator(text: string): boolean {
  for (const match of text.matchAll(DECORATOR)) if (!MOCK.test(match[1])) return true;
  return false;
}

/** What route extraction learns about one file. */
export interface Routing {
  routes: Route[];
  /** Registrations of other modules' holders (in line order). */
  mounts: Mount[];
  /** Module-level holders the file binds (by name). */
  holders: RouteHolder[];
}

export function extractRouting(context: RouteContext): Routing {
  const c = new RouteCollector(context.file, context.source, context.root, context.parser ?? null);
  try {
    c.collectHolders();
    for (const decorated of descendants(context.root, 'decorated_definition')) decoratorRoutes(c, decorated);
    for (const call of descendants(context.root, 'call')) callRoutes(c, call);
    djangoRoutes(c);
    httpServerRoutes(c);
    const routes = withRequestShapes(c, withAiohttpWebsockets(c, c.routes()));
    return { routes: sortRoutes(routes), mounts: c.mounts(), holders: c.moduleHolders() };
  } finally {
    c.dispose();
  }
}

/** A class with a base, the only kind that can be (or become) a request model. */
const MODEL_CLASS = /^class[ \t]+\w+[ \t]*\([ \t]*[A-Za-z_]/m;
/** An indented `name: annotation` line. */
const ANNOTATED_ATTRIBUTE = /^[ \t]+[A-Za-z_]\w*[ \t]*:[ \t]*[A-Za-z_"']/m;

/**
 * What linking needs from a file whatever the pre-scan parses: the request-body classes it defines
 * (FileResult.models), its aiohttp websocket handlers and, for a package `__init__.py`, the names it
 * re-exports.
 */
export function lexicalRouting(
  file: string,
  source: string,
  blocks: readonly SourceBlock[],
): Pick<FileResult, 'models' | 'reexports' | 'websocketHandlers'> {
  const out: Pick<FileResult, 'models' | 'reexports' | 'websocketHandlers'> = {};
  const websocketHandlers = lexicalAiohttpWebsockets(source, blocks);
  if (websocketHandlers.length) out.websocketHandlers = websocketHandlers;
  // A model declares annotated fields (or names BaseModel/SQLModel): most classes with bases do not.
  const hasClasses =
    MODEL_CLASS.test(source) &&
    (source.includes('BaseModel') || source.includes('SQLModel') || ANNOTATED_ATTRIBUTE.test(source));
  const isPackage = file === '__init__.py' || file.endsWith('/__init__.py');
  if (!hasClasses && !isPackage) return out;
  const imports = lexicalImports(source, blocks);
  if (isPackage && imports.reexports.length) out.reexports = imports.reexports;
  if (hasClasses) {
    const models = new ModelIndex(
      buildLexIndex(source, blocks),
      imports.bindings,
      ownModuleName(file),
    ).exported();
    if (models.length) out.models = models;
  }
  return out;
}

export function extractRoutes(context: RouteContext): Route[] {
  return extractRouting(context).routes;
}

function decoratorRoutes(c: RouteCollector, decorated: Node): void {
  const definition = field(decorated, 'definition');
  if (!definition) return;
  for (const decorator of namedChildren(decorated)) {
    if (decorator.type !== 'decorator') continue;
    const call = unparenthesize(decorator.namedChild(0));
    const fn = call?.type === 'call' ? field(call, 'function') : null;
    if (!call || fn?.type !== 'attribute') continue;
    const verb = field(fn, 'attribute')?.text ?? '';
    if (!DECORATOR_NAMES.has(verb)) continue;
    // The receiver must be a dotted name (`app`, `api.router`), the shape the pre-scan test looks for.
    const holder = c.holderFor(field(fn, 'object'));
    if (!holder || MOCK.test(holder.name)) continue;
    const framework = holder.framework ?? (holder.kind === 'other' ? null : guess(c, verb, call, definition));
    if (framework === 'flask') flaskDecorator(c, holder, call, verb, definition);
    else if (framework === 'fastapi') fastapiDecorator(c, holder, call, verb, definition);
    else if (framework === 'aiohttp') aiohttpDecorator(c, holder, call, verb, definition);
  }
}

const FASTAPI_KEYWORDS = new Set([
  'response_model',
  'status_code',
  'tags',
  'dependencies',
  'summary',
  'description',
  'response_class',
  'responses',
  'response_description',
  'deprecated',
  'operation_id',
  'include_in_schema',
]);

/**
 * The framework of a route decorator whose receiver the file does not bind (an imported `app`, or
 * `app = create_app()`): the only web framework the file imports, else the route's shape.
 */
function guess(c: RouteCollector, verb: string, call: Node, definition: Node | null): Framework | null {
  if (verb === 'api_route' || verb === 'websocket' || verb === 'websocket_route' || verb === 'trace') {
    return 'fastapi';
  }
  if (verb === 'view') return 'aiohttp';
  const web = (['flask', 'fastapi', 'aiohttp'] as const).filter((f) => c.importedFrameworks.has(f));
  if (web.length === 1) return web[0];
  // Django Ninja's `@api.get`, Sanic's `@app.route`…: not ours to label.
  if (!web.length && (c.importsOtherFramework || c.importedFrameworks.has('django'))) return null;
  const path = literal(argument(call, 0, null)) ?? '';
  if (path.includes('<')) return 'flask';
  if (path.includes('{')) return web.includes('aiohttp') && !web.includes('fastapi') ? 'aiohttp' : 'fastapi';
  const args = field(call, 'arguments');
  for (const arg of args ? namedChildren(args) : []) {
    if (arg.type === 'keyword_argument' && FASTAPI_KEYWORDS.has(field(arg, 'name')?.text ?? '')) {
      return 'fastapi';
    }
  }
  if (verb === 'route') return 'flask';
  if (definition?.type !== 'function_definition') return null;
  const isAsync = definition.child(0)?.type === 'async';
  if (!isAsync) return 'flask';
  // aiohttp handlers take just the request, unannotated; FastAPI's declare typed parameters.
  const params = parameterNames(definition);
  const parameters = field(definition, 'parameters');
  if (
    params.length === 1 &&
    /^req(?:uest)?$/.test(params[0]) &&
    parameters?.namedChild(0)?.type === 'identifier'
  ) {
    return 'aiohttp';
  }
  return 'fastapi';
}

function callRoutes(c: RouteCollector, call: Node): void {
  const fn = field(call, 'function');
  if (fn && STARLETTE_NAMES.test(fn.text)) {
    starletteRoute(c, call);
    return;
  }
  if (fn?.type === 'call') {
    appliedRoutes(c, call, fn);
    return;
  }
  if (fn?.type !== 'attribute') return;
  const name = field(fn, 'attribute')?.text ?? '';
  if (!CALL_NAMES.has(name)) {
    const definition = aiohttpDefinition(c, call);
    if (definition) aiohttpDefinitionRoutes(c, call, definition);
    return;
  }
  const holder = c.holderFor(field(fn, 'object'));
  if (holder?.kind === 'other') return;
  const framework = callFramework(c, holder, call, name);
  if (framework === 'flask') flaskCall(c, holder, call, name);
  else if (framework === 'fastapi') fastapiCall(c, holder, call, name);
  else if (framework === 'aiohttp') aiohttpCall(c, holder, call, name);
}

/**
 * A route decorator applied by hand: `app.route("/x")(view)`, `app.get("/x")(handler)`,
 * `bp.route("/x", methods=["POST"])(login_required(view))`. The view resolves as a registration's would
 * (same-file def, nested def, imported function).
 */
function appliedRoutes(c: RouteCollector, call: Node, decorator: Node): void {
  const fn = field(decorator, 'function');
  if (fn?.type !== 'attribute') return;
  const verb = field(fn, 'attribute')?.text ?? '';
  // Only the shapes the pre-scan test recognises, so a full parse finds no more than it does.
  if (!DECORATOR_NAMES.has(verb) || !APPLIED.test(call.text)) return;
  const [viewNode] = positionalArguments(call);
  const view = viewNode ? c.resolveHandler(viewNode) : null;
  const holder = c.holderFor(field(fn, 'object'));
  if (!view || !holder || MOCK.test(holder.name) || holder.kind === 'other') return;
  // `handlers.get("/x")(request)` looks the same: a receiver the file neither builds nor imports is
  // more likely a dict of handlers than an app.
  if (holder.kind === 'unknown' && !holder.imported) return;
  const definition = view.file === c.file && view.line > 0 ? c.functionAt(view.line) : null;
  const framework = holder.framework ?? guess(c, verb, decorator, definition);
  if (framework === 'flask') flaskDecorator(c, holder, decorator, verb, null, view);
  else if (framework === 'fastapi') fastapiDecorator(c, holder, decorator, verb, null, view);
  else if (framework === 'aiohttp') aiohttpDecorator(c, holder, decorator, verb, null, view);
}

function callFramework(c: RouteCollector, holder: Holder | null, call: Node, name: string): Framework | null {
  const known = holder?.framework ?? null;
  const accept = (f: Framework) => (known === null || known === f ? f : null);
  if (FLASK_CALLS.has(name)) return accept('flask');
  if (name === 'mount') return known === 'fastapi' ? 'fastapi' : null;
  if (name === 'add_route') {
    if (known === 'fastapi') return 'fastapi';
    if (known === 'aiohttp') return 'aiohttp';
    if (known !== null) return null;
    // aiohttp: add_route(method, path, handler); Starlette/FastAPI: add_route(path, endpoint).
    const first = literal(argument(call, 0, null));
    if (first !== null && !first.startsWith('/')) return 'aiohttp';
    return c.importedFrameworks.has('fastapi') ? 'fastapi' : null;
  }
  if (FASTAPI_CALLS.has(name)) return accept('fastapi');
  if (name === 'add_routes' && holder === null) return null;
  return accept('aiohttp');
}
