/**
 * Cross-file prefix linking: the per-file results know which module-level router/blueprint/app/URLconf
 * list each route hangs on (Route.owner) and which other modules' holders the file registers under
 * which prefix (FileResult.mounts); this pass applies those registrations over the whole project, so
 * `router = APIRouter(prefix="/items")` in routers/items.py, included by main.py with
 * `prefix="/api/v1"`, serves `/api/v1/items/...`.
 *
 * Semantics, per registration kind (transitively: a router included by a router included by the app):
 * - FastAPI `include_router(r, prefix=p)` / `mount(p, app)`, aiohttp `add_subapp(p, sub)` /
 *   `add_routes(table)`: mount point + p + the child's own prefix + the route's path;
 * - Flask `register_blueprint(bp, url_prefix=p)`: p replaces the blueprint's own `url_prefix` (its own
 *   when p is absent), joined on single slashes as Flask does;
 * - Django `path("api/", include("polls.urls"))`: `/` + the including patterns + the included ones.
 * A holder registered in several places is served under each; one never registered (and one reachable
 * only through a registration cycle) keeps the path its own file computed. Module names are resolved
 * to files among the analysed ones: relative imports from the importing file's package, absolute ones
 * from each of its ancestor folders (shallowest first), then a unique file anywhere with that path.
 */
import type {
  FieldShape,
  FileResult,
  Framework,
  Mount,
  RequestShape,
  Route,
  RouteOwner,
  ValueShape,
} from '../../model/static.js';
import { joinFlaskRule, sortRoutes } from './route-paths.js';

/*
 * Names resolve through package re-exports: `from .api import users_router` where api/__init__.py says
 * `from .users import router as users_router` (or `from .users import *`) is users.py's `router`; a
 * factory's `make_router()` follows the re-export of `make_router`. Request shapes' references to other
 * modules' pydantic models are resolved here too (modelResolver).
 */

/** Bounds on what one holder can be served under, so pathological registration graphs stay cheap. */
const MAX_DEPTH = 32;
const MAX_PREFIXES = 64;

interface Edge {
  mount: Mount;
  /** The registering holder's node, or null when it is not a module variable (`mount.path` is final). */
  parent: string | null;
}

export function linkRoutes(results: readonly FileResult[]): Route[] {
  const resolver = new ModuleResolver(results.map((r) => r.file));
  const nodeKey = (file: string, name: string) => `${file}\0${name}`;
  const reexports = new Map(results.filter((r) => r.reexports?.length).map((r) => [r.file, r.reexports!]));
  /**
   * Where `name` of `file` is defined, `has` telling where it is: the file itself, or, through a
   * package's re-exports (`from .users import router as users_router`, `from .users import *`), the
   * module the name comes from. A factory's `make_router()` follows the re-export of `make_router`.
   */
  const definition = (
    file: string,
    name: string,
    has: (file: string, name: string) => boolean,
    depth = 0,
  ): { file: string; name: string } | null => {
    if (has(file, name)) return { file, name };
    if (depth > MAX_DEPTH) return null;
    const call = name.endsWith('()') ? '()' : '';
    const bare = name.slice(0, name.length - call.length);
    for (const entry of reexports.get(file) ?? []) {
      if (entry.name !== bare && entry.name !== '*') continue;
      const from = resolver.resolve(file, entry.module);
      if (from === null || from === file) continue;
      const found = definition(from, entry.name === '*' ? name : entry.target + call, has, depth + 1);
      if (found) return found;
    }
    return null;
  };
  const knownNode = (file: string, name: string) => known.has(nodeKey(file, name));
  /** The node of `name` in the module a file imports as `module`, following re-exports. */
  const nodeIn = (file: string, module: string, name: string): string | null => {
    const target = resolver.resolve(file, module);
    if (target === null) return null;
    const found = definition(target, name, knownNode);
    return found ? nodeKey(found.file, found.name) : nodeKey(target, name);
  };
  const nodeOf = (file: string, owner: RouteOwner): string | null =>
    owner.module === undefined ? nodeKey(file, owner.name) : nodeIn(file, owner.module, owner.name);

  // Holders that exist somewhere: bound by a file, or carrying routes or registrations.
  const ownPrefix = new Map<string, string | null>();
  const known = new Set<string>();
  for (const result of results) {
    for (const holder of result.holders ?? []) {
      const key = nodeKey(result.file, holder.name);
      ownPrefix.set(key, holder.prefix);
      known.add(key);
    }
    for (const item of [...result.routes, ...(result.mounts ?? [])]) {
      const node = item.owner ? nodeOf(result.file, item.owner) : null;
      if (node) known.add(node);
    }
  }

  const targetOf = (file: string, mount: Mount): string | null => {
    const { module, name } = mount.target;
    const candidates: [string, string][] = [[module, name]];
    // `include(urls)`: `urls` may be the module (its urlpatterns) or a list in the module before it.
    if (mount.framework === 'django') candidates.unshift([joinModule(module, name), 'urlpatterns']);
    for (const [m, n] of candidates) {
      const target = resolver.resolve(file, m);
      const found = target === null ? null : definition(target, n, knownNode);
      if (found) return nodeKey(found.file, found.name);
    }
    return null;
  };

  const incoming = new Map<string, Edge[]>();
  for (const result of results) {
    for (const mount of result.mounts ?? []) {
      const target = targetOf(result.file, mount);
      if (target === null) continue;
      const parent = mount.owner ? nodeOf(result.file, mount.owner) : null;
      const list = incoming.get(target);
      if (list) list.push({ mount, parent });
      else incoming.set(target, [{ mount, parent }]);
    }
  }

  /** A holder's own prefix, as the framework combines it (Django URLconfs have none). */
  const own = (node: string, framework: Framework): string =>
    framework === 'django' ? '' : (ownPrefix.get(node) ?? '');

  /**
   * The prefixes a holder is served under through registrations, its own prefix applied (Django:
   * without the leading `/`); null when nothing registers it, [] when only a cycle does.
   */
  const prefixesOf = (node: string, seen: ReadonlySet<string>, depth: number): string[] | null => {
    const edges = incoming.get(node);
    if (!edges) return null;
    const out = new Set<string>();
    if (depth > MAX_DEPTH) return [];
    const next = new Set(seen).add(node);
    for (const { mount, parent } of edges) {
      let points: string[];
      if (parent === null || !mount.owner) {
        points = [mount.framework === 'django' ? mount.path.replace(/^\//, '') : mount.path];
      } else {
        if (next.has(parent)) continue; // a cycle serves nothing new
        const above = prefixesOf(parent, next, depth + 1) ?? [own(parent, mount.framework)];
        const relative = mount.owner.path;
        points = above.map((a) => join(mount.framework, a, relative));
      }
      for (const point of points) {
        out.add(mounted(mount, point, ownPrefix.get(node) ?? null));
        if (out.size >= MAX_PREFIXES) return [...out];
      }
    }
    return [...out];
  };
  const memo = new Map<string, string[] | null>();
  const servedUnder = (node: string): string[] | null => {
    if (!memo.has(node)) memo.set(node, prefixesOf(node, new Set(), 0));
    return memo.get(node) ?? null;
  };

  const requestOf = modelResolver(results, resolver, definition);
  const websockets = new Map(
    results.filter((r) => r.websocketHandlers?.length).map((r) => [r.file, new Set(r.websocketHandlers)]),
  );
  const out: Route[] = [];
  for (const result of results) {
    for (const route of result.routes) {
      const { owner, request, ...rest } = route;
      const resolved = request ? requestOf(result.file, request) : null;
      const plain: Route = resolved ? { ...rest, request: resolved } : rest;
      // An aiohttp GET whose handler, in another file, is a websocket endpoint (websocket-handlers.ts).
      if (
        route.framework === 'aiohttp' &&
        (route.method === 'GET' || route.method === '*') &&
        route.handler.file !== result.file &&
        websockets.get(route.handler.file)?.has(route.handler.function)
      ) {
        plain.method = 'WS';
      }
      const node = owner ? nodeOf(result.file, owner) : null;
      const prefixes = node === null ? null : servedUnder(node);
      if (owner && node !== null && prefixes?.length) {
        for (const prefix of prefixes) {
          out.push({ ...plain, path: fullPath(route.framework, prefix, owner.path) });
        }
      } else if (owner?.module !== undefined && node !== null && !prefixes) {
        // Declared on an imported holder nobody registers: its own prefix still applies.
        out.push({ ...plain, path: fullPath(route.framework, own(node, route.framework), owner.path) });
      } else {
        out.push(plain);
      }
    }
  }
  return sortRoutes(out);
}

type Definition = (
  file: string,
  name: string,
  has: (file: string, name: string) => boolean,
) => { file: string; name: string } | null;

/** Bounds how deep models nest in one another (and their imported bases), so cycles stay cheap. */
const MAX_MODEL_DEPTH = 8;

/**
 * Resolves the `model` references of request shapes (a handler's parameter annotated with a class of
 * another module) against the models the files export: a class is a model when it is one in its own
 * file or one of its imported bases is, and an imported base's fields come before its own. A body that
 * stays unknown is dropped, so the scenario falls back to the built-in shape.
 */
function modelResolver(
  results: readonly FileResult[],
  resolver: ModuleResolver,
  definition: Definition,
): (file: string, request: RequestShape) => RequestShape | null {
  const models = new Map(
    results.filter((r) => r.models?.length).map((r) => [r.file, new Map(r.models!.map((m) => [m.name, m]))]),
  );
  const hasModel = (file: string, name: string) => models.get(file)?.has(name) ?? false;
  /** Models being expanded: one met again inside itself (a tree of nodes) is left an empty object. */
  const open = new Set<string>();
  const fieldsOf = (
    file: string,
    ref: { module: string; name: string },
    depth: number,
  ): FieldShape[] | null => {
    if (depth > MAX_MODEL_DEPTH) return null;
    const target = resolver.resolve(file, ref.module);
    const found = target === null ? null : definition(target, ref.name, hasModel);
    const key = found ? `${found.file}\0${found.name}` : '';
    if (!found || open.has(key)) return null;
    open.add(key);
    try {
      const model = models.get(found.file)!.get(found.name)!;
      let isModel = model.model;
      const fields = new Map<string, FieldShape>();
      for (const base of model.importedBases) {
        const inherited = fieldsOf(found.file, base, depth + 1);
        if (!inherited) continue;
        isModel = true;
        for (const f of inherited) fields.set(f.name, f);
      }
      if (!isModel) return null;
      for (const f of model.fields) {
        fields.set(f.name, { ...f, value: valueIn(found.file, f.value, depth + 1) ?? { kind: 'dict' } });
      }
      return [...fields.values()];
    } finally {
      open.delete(key);
    }
  };
  const valueIn = (file: string, value: ValueShape, depth: number): ValueShape | null => {
    if (value.kind === 'model') {
      const fields = fieldsOf(file, value, depth);
      return fields ? { kind: 'object', fields } : null;
    }
    if (value.kind !== 'object') return value;
    if (depth > MAX_MODEL_DEPTH) return { kind: 'dict' };
    return {
      kind: 'object',
      fields: value.fields.map((f) => ({
        ...f,
        value: valueIn(file, f.value, depth + 1) ?? { kind: 'dict' },
      })),
    };
  };
  return (file, request) => {
    const value = request.body ? valueIn(file, request.body.value, 0) : null;
    const body = request.body && value ? { ...request.body, value } : null;
    return body || request.query.length ? { body, query: request.query } : null;
  };
}

/** A registered holder's prefix: the mount point, then the registration's and the holder's own. */
function mounted(mount: Mount, point: string, childOwn: string | null): string {
  if (mount.mode === 'replace') {
    const prefix = mount.prefix ?? childOwn;
    return prefix === null ? point : joinFlaskRule(point, prefix);
  }
  return point + (mount.prefix ?? '') + (mount.framework === 'django' ? '' : (childOwn ?? ''));
}

function join(framework: Framework, prefix: string, path: string): string {
  return framework === 'flask' ? joinFlaskRule(prefix, path) : prefix + path;
}

function fullPath(framework: Framework, prefix: string, path: string): string {
  return framework === 'django' ? `/${prefix}${path}` : join(framework, prefix, path);
}

function joinModule(module: string, name: string): string {
  return module.endsWith('.') ? module + name : `${module}.${name}`;
}

/** Module names (as imported from some file) → analysed files. */
class ModuleResolver {
  private readonly files: Set<string>;
  private readonly cache = new Map<string, string | null>();

  constructor(files: readonly string[]) {
    this.files = new Set(files);
  }

  resolve(from: string, module: string): string | null {
    const dirs = from.split('/').slice(0, -1);
    const key = `${dirs.join('/')}\0${module}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      found = this.lookup(dirs, module);
      this.cache.set(key, found);
    }
    return found;
  }

  private lookup(dirs: string[], module: string): string | null {
    const dots = /^\.*/.exec(module)![0].length;
    const rest = module.slice(dots).split('.').filter(Boolean);
    const at = (base: string[]): string | null => {
      const stem = [...base, ...rest];
      const candidates = rest.length
        ? [`${stem.join('/')}.py`, [...stem, '__init__.py'].join('/')]
        : [[...base, '__init__.py'].join('/')];
      return candidates.find((c) => this.files.has(c)) ?? null;
    };
    if (dots > 0) return dots - 1 > dirs.length ? null : at(dirs.slice(0, dirs.length - (dots - 1)));
    if (!rest.length) return null;
    for (let i = 0; i <= dirs.length; i++) {
      const found = at(dirs.slice(0, i));
      if (found) return found;
    }
    // A source root elsewhere (`src/`, a sibling service): the one file with that path, if unique.
    const tails = [`/${rest.join('/')}.py`, `/${rest.join('/')}/__init__.py`];
    for (const tail of tails) {
      const matches = [...this.files].filter((f) => f.endsWith(tail) || f === tail.slice(1));
      if (matches.length === 1) return matches[0];
    }
    return null;
  }
}
