/**
 * Flask (and Quart, which shares its API): `@app.route`, `@app.get/post/put/patch/delete`, blueprints
 * with their `url_prefix`, `register_blueprint(bp, url_prefix=)`, `add_url_rule`, the decorators applied by call
 * (`app.route("/x")(view)`) and class-based views
 * (`X.as_view('name')`). Rules are kept as written, converters included (`/items/<int:id>`).
 */
import { field, keywordArgument, positionalArguments, type Node } from '../pyast.js';
import type { Holder, RouteCollector } from './collector.js';
import { argument, isRoutePath, literalList } from './file-scope.js';
import type { ClassRef, Handler } from './handlers.js';
import { HTTP_METHODS } from './route-paths.js';

export const FLASK_DECORATORS = new Set(['route', 'get', 'post', 'put', 'patch', 'delete']);
export const FLASK_CALLS = new Set(['add_url_rule', 'register_blueprint', 'add_resource']);

/**
 * The methods of `methods=[...]`: the default when absent, `*` when not a literal (a variable or a
 * computed list: any method may reach the view).
 */
function methodsArgument(call: Node, fallback: string[]): string[] {
  const node = keywordArgument(call, 'methods');
  if (!node) return fallback;
  const list = literalList(node);
  if (!list) return ['*'];
  return [...new Set(list.map((m) => m.toUpperCase()))];
}

/**
 * `@app.route('/p', methods=[...])`, `@bp.get('/p')` on a def, or the same call applied to a view
 * (`app.route('/p')(view)`): then `definition` is null and `view` is the view's handler.
 */
export function flaskDecorator(
  c: RouteCollector,
  holder: Holder | null,
  call: Node,
  verb: string,
  definition: Node | null,
  view: Handler | null = null,
): void {
  if (!FLASK_DECORATORS.has(verb)) return;
  const rule = c.stringOf(argument(call, 0, 'rule'));
  if (!isRoutePath(rule)) return;
  if (definition?.type === 'class_definition') {
    // Flask-RESTX `@api.route('/todos')` / `@ns.route(...)` on a Resource class.
    const name = field(definition, 'name');
    const cls = verb === 'route' && name ? c.classRef(name) : null;
    if (!cls) return;
    for (const [method, handler] of resourceMethods(c, cls)) {
      c.declare({
        holder: holder?.key ?? null,
        framework: 'flask',
        method,
        path: rule,
        handler,
        line: call.startPosition.row + 1,
      });
    }
    return;
  }
  if (definition && definition.type !== 'function_definition') return;
  const methods = verb === 'route' ? methodsArgument(call, ['GET']) : [verb.toUpperCase()];
  const handler = definition ? c.definitionHandler(definition) : view;
  if (!handler) return;
  for (const method of methods) {
    c.declare({
      holder: holder?.key ?? null,
      framework: 'flask',
      method,
      path: rule,
      handler,
      line: call.startPosition.row + 1,
    });
  }
}

/** `add_url_rule(...)` and `register_blueprint(...)` on a Flask app or blueprint. */
export function flaskCall(c: RouteCollector, holder: Holder | null, call: Node, name: string): void {
  const line = call.startPosition.row + 1;
  if (name === 'register_blueprint') {
    const child = c.holderFor(argument(call, 0, 'blueprint'));
    if (!holder || !child) return;
    const prefixNode = keywordArgument(call, 'url_prefix');
    c.register(holder, child, c.prefixOf(prefixNode, 'flask'), 'flask', line);
    return;
  }
  if (name === 'add_resource') {
    // Flask-RESTful: add_resource(resource, *urls, endpoint=None, …)
    const cls = c.classRef(argument(call, 0, 'resource'));
    if (!cls) return;
    const urls = positionalArguments(call)
      .slice(1)
      .map((u) => c.stringOf(u))
      .filter(isRoutePath);
    for (const url of urls) {
      for (const [method, handler] of resourceMethods(c, cls)) {
        c.declare({ holder: holder?.key ?? null, framework: 'flask', method, path: url, handler, line });
      }
    }
    return;
  }
  // add_url_rule(rule, endpoint=None, view_func=None, provide_automatic_options=None, **options)
  const rule = c.stringOf(argument(call, 0, 'rule'));
  if (!isRoutePath(rule)) return;
  const view = argument(call, 2, 'view_func');
  if (!view) return;
  const base = { holder: holder?.key ?? null, framework: 'flask' as const, path: rule, line };
  const cls = isAsView(view) ? c.classOfView(view) : null;
  if (cls) {
    for (const [method, handler] of classViewMethods(c, cls, call)) c.declare({ ...base, method, handler });
    return;
  }
  const handler = c.resolveHandler(view);
  if (!handler) return;
  for (const method of methodsArgument(call, ['GET'])) c.declare({ ...base, method, handler });
}

/** A Flask-RESTful/RESTX Resource: one route per HTTP method it defines, `*` when not in this file. */
function resourceMethods(c: RouteCollector, cls: ClassRef): [string, ClassRef['handler']][] {
  return cls.local ? c.classVerbs(cls.local) : [['*', cls.handler]];
}

function isAsView(view: Node): boolean {
  const node = view.type === 'call' ? field(view, 'function') : null;
  return node?.type === 'attribute' && field(node, 'attribute')?.text === 'as_view';
}

/**
 * The methods a class-based view answers and the method that runs for each. A `MethodView` answers the
 * HTTP methods it defines (`get` → `X.get`); a plain `View` its `methods` attribute (default GET) through
 * `dispatch_request`; `methods=` on `add_url_rule` overrides both. A class from another file cannot be
 * looked into: one `*` route naming the class.
 */
function classViewMethods(c: RouteCollector, cls: ClassRef, call: Node): [string, ClassRef['handler']][] {
  if (!cls.local) {
    return methodsArgument(call, ['*']).map((m) => [m, cls.handler]);
  }
  const methods = c.classMethods(cls.local);
  const handlerFor = (method: string) => {
    const own = methods.get(method.toLowerCase()) ?? methods.get('dispatch_request');
    const name = methods.has(method.toLowerCase()) ? method.toLowerCase() : 'dispatch_request';
    return own ? { file: c.file, function: `${own.owner}.${name}`, line: own.line } : cls.handler;
  };
  const explicit = keywordArgument(call, 'methods');
  let verbs: string[];
  if (explicit) verbs = methodsArgument(call, ['GET']);
  else if (cls.local.methodsAttr) verbs = cls.local.methodsAttr.map((m) => m.toUpperCase());
  else {
    verbs = HTTP_METHODS.filter((m) => methods.has(m)).map((m) => m.toUpperCase());
    if (!verbs.length) verbs = ['GET'];
  }
  return [...new Set(verbs)].map((m) => [m, m === '*' ? cls.handler : handlerFor(m)]);
}
