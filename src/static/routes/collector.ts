/**
 * The route holders of one file (apps, blueprints, routers, aiohttp route tables and lists), the
 * registrations between them with the prefixes they apply, and the route declarations the framework
 * extractors record on them; from those, the file's routes (one per registration chain), the mounts of
 * other modules' holders it makes, and the module-level holders it binds. Handler resolution and name
 * lookup come from the base classes (handlers.ts, file-scope.ts).
 */
import {
  dottedName,
  descendants,
  field,
  keywordArgument,
  unparenthesize,
  walkOwnScope,
  type Node,
} from '../pyast.js';
import type { Framework, Mount, Route, RouteHolder, RouteOwner } from '../../model/static.js';
import { argument, MODULE_SCOPE, type ImportRef } from './file-scope.js';
import { HandlerResolver, type Handler } from './handlers.js';
import { pickLast } from './lex-index.js';
import { compareText, joinFlaskPrefix, joinFlaskRule } from './route-paths.js';

/** Something routes are registered on: an app, a blueprint/router, an aiohttp route table or list. */
export type HolderKind = 'app' | 'group' | 'table' | 'other' | 'unknown';

export interface Holder {
  key: string;
  name: string;
  kind: HolderKind;
  framework: Framework | null;
  /** The holder's own prefix (Blueprint `url_prefix`, APIRouter `prefix`). */
  prefix: string | null;
  /** For a holder the file imports (`from .routers import items` + `items.router`): where it lives. */
  imported?: ImportRef | null;
}

export interface Registration {
  parent: string;
  child: string;
  /** Prefix given at registration (`register_blueprint(url_prefix=)`, `include_router(prefix=)`). */
  prefix: string | null;
  /** The registration call's framework (how its prefix combines with the child's) and line. */
  framework: Framework;
  line: number;
}

export interface Declaration {
  holder: string | null;
  framework: Framework;
  method: string;
  /** As written at the declaration, before any holder prefix. */
  path: string;
  handler: Handler;
  line: number;
  /** The owner, when the extractor knows it without a holder (Django's URLconf lists). */
  owner?: RouteOwner;
}

/** One registration chain from a holder up to a holder nothing in the file registers. */
interface Chain {
  root: string;
  /** The prefix along the chain, the root's own included (what the file serves the holder under). */
  abs: string;
  /** The same without the root's own prefix: relative to the root. */
  rel: string;
}

const CONSTRUCTORS: Record<string, { kind: HolderKind; framework: Framework | null }> = {
  Flask: { kind: 'app', framework: 'flask' },
  Quart: { kind: 'app', framework: 'flask' },
  Blueprint: { kind: 'group', framework: 'flask' },
  FastAPI: { kind: 'app', framework: 'fastapi' },
  APIRouter: { kind: 'group', framework: 'fastapi' },
  RouteTableDef: { kind: 'table', framework: 'aiohttp' },
  // Other frameworks with the same decorator shapes: recognised only so their routes are not
  // mislabelled as Flask or FastAPI.
  Sanic: { kind: 'other', framework: null },
  Bottle: { kind: 'other', framework: null },
  Robyn: { kind: 'other', framework: null },
  Starlette: { kind: 'other', framework: null },
  Litestar: { kind: 'other', framework: null },
};

/**
 * Constructor names whose bindings must be parsed (pre-scan words). aiohttp's `web.Application()` is
 * not among them: nothing about an aiohttp app changes its routes, and the word is common. `Api` is
 * Flask-RESTful's / Flask-RESTX's (checked through the imports).
 */
export const CONSTRUCTOR_WORDS = [...Object.keys(CONSTRUCTORS), 'Api'];

export class RouteCollector extends HandlerResolver {
  private readonly holders = new Map<string, Holder>();
  readonly registrations: Registration[] = [];
  readonly declarations: Declaration[] = [];
  private readonly explicitMounts: Mount[] = [];
  /** Holders a module-level def returns (`def make_router(): r = APIRouter(); …; return r`) → the def. */
  private readonly factories = new Map<string, string>();

  /** Records every `x = Flask(...)`-style binding in the parsed tree. */
  collectHolders(): void {
    const attached: [Node, string][] = [];
    /** Defs that build a holder: the only candidates for factories. */
    const builtIn = new Set<Node>();
    for (const assign of descendants(this.root, 'assignment')) {
      const left = field(assign, 'left');
      const right = unparenthesize(field(assign, 'right'));
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const callee = this.imports.resolve(field(right, 'function'));
      if (!callee) continue;
      const tail = callee.slice(callee.lastIndexOf('.') + 1);
      let spec = Object.hasOwn(CONSTRUCTORS, tail) ? CONSTRUCTORS[tail] : undefined;
      if (tail === 'Blueprint' && callee.startsWith('sanic')) spec = CONSTRUCTORS.Sanic;
      const restful = tail === 'Api' && /^flask_rest(?:ful|x|plus)\./.test(callee);
      if (restful) spec = { kind: 'group', framework: 'flask' };
      if (!spec) continue;
      let prefix: string | null = null;
      // Blueprint(name, import_name, static_folder, static_url_path, template_folder, url_prefix, …)
      if (tail === 'Blueprint') prefix = this.prefixOf(argument(right, 5, 'url_prefix'), 'flask');
      else if (tail === 'APIRouter') prefix = this.prefixOf(keywordArgument(right, 'prefix'), 'fastapi');
      else if (restful) prefix = this.prefixOf(keywordArgument(right, 'prefix'), 'flask');
      const key = this.keyOf(assign, left.text);
      if (!this.holders.has(key)) {
        this.holders.set(key, { key, name: left.text, ...spec, prefix });
        const scope = this.bindingScope(assign, left.text);
        if (scope?.type === 'function_definition') builtIn.add(scope);
        // Flask-RESTful `Api(app)` / `Api(blueprint)` serves its resources under that app or blueprint.
        const app = restful ? argument(right, 0, 'app') : null;
        if (app && dottedName(app)) attached.push([app, key]);
      }
    }
    for (const [app, key] of attached) {
      const parent = this.holderFor(app);
      if (parent) {
        const line = app.startPosition.row + 1;
        this.registrations.push({ parent: parent.key, child: key, prefix: null, framework: 'flask', line });
      }
    }
    this.collectFactories(builtIn);
  }

  /**
   * Module-level defs that build a holder and return it: the routes declared on it are served wherever
   * the def's result is registered (`app.include_router(make_router(), prefix="/v1")`, here or in a file
   * importing the def). Such defs construct the holder, so the pre-scan parses them.
   */
  private collectFactories(candidates: ReadonlySet<Node>): void {
    for (const def of candidates) {
      const parent = def.parent?.type === 'decorated_definition' ? def.parent.parent : def.parent;
      const name = field(def, 'name')?.text;
      if (!name || parent?.type !== 'module') continue;
      walkOwnScope(def, (node) => {
        if (node.type !== 'return_statement') return;
        const value = unparenthesize(node.namedChild(0));
        if (value?.type !== 'identifier') return;
        const holder = this.holders.get(this.keyOf(value, value.text));
        if (holder && holder.kind !== 'unknown' && !this.factories.has(holder.key)) {
          this.factories.set(holder.key, name);
        }
      });
    }
  }

  /** The holder a same-file factory def returns, or null. */
  private factoryHolder(name: string): Holder | null {
    for (const [key, def] of this.factories) if (def === name) return this.holders.get(key) ?? null;
    return null;
  }

  /**
   * The holder an expression denotes (`app`, `app.router`, `bp`), created as `unknown` when the file
   * never binds it to a known constructor (imported apps, `app = create_app()`).
   */
  holderFor(expr: Node | null): Holder | null {
    const node = unparenthesize(expr);
    if (node?.type === 'call') return this.factoryCallHolder(node);
    const found = this.holderKey(expr);
    if (!found) return null;
    let holder = this.holders.get(found.key);
    if (!holder && node?.type === 'identifier' && found.key === `${MODULE_SCOPE}:${found.name}`) {
      // `router = make_router()` at module level (a statement the pre-scan need not parse).
      const instance = pickLast(this.lex.instances.get(found.name), node.startPosition.row + 1);
      const made = instance ? this.factoryHolder(instance.callee) : null;
      if (made) return made;
    }
    if (!holder) {
      holder = { key: found.key, name: found.name, kind: 'unknown', framework: null, prefix: null };
      holder.imported = this.importRef(found.node);
      this.holders.set(found.key, holder);
    }
    return holder;
  }

  /**
   * The holder a factory call returns: a same-file def's (`make_router()`), or an imported def's, named
   * `make_router()` in that module so linking finds the routes declared on it there.
   */
  private factoryCallHolder(call: Node): Holder | null {
    const fn = unparenthesize(field(call, 'function'));
    const text = dottedName(fn);
    if (!fn || !text) return null;
    if (fn.type === 'identifier' && !this.bindingScope(fn, text) && !this.imports.isImported(text)) {
      return this.factoryHolder(text);
    }
    const ref = this.importRef(fn);
    if (!ref) return null;
    const key = `${MODULE_SCOPE}:${text}()`;
    let holder = this.holders.get(key);
    if (!holder) {
      holder = { key, name: `${text}()`, kind: 'unknown', framework: null, prefix: null };
      holder.imported = { module: ref.module, name: `${ref.name}()` };
      this.holders.set(key, holder);
    }
    return holder;
  }

  /** The holder an expression denotes when the file binds it to a known constructor, else null. */
  knownHolder(expr: Node | null): Holder | null {
    const found = this.holderKey(expr);
    const holder = found ? this.holders.get(found.key) : undefined;
    return holder && holder.kind !== 'unknown' ? holder : null;
  }

  private holderKey(expr: Node | null): { key: string; name: string; node: Node } | null {
    let node = unparenthesize(expr);
    // `app.router` is the app's router (aiohttp, Starlette), but `users.router` is the `router` of an
    // imported module.
    const object = node?.type === 'attribute' ? field(node, 'object') : null;
    if (
      object &&
      field(node, 'attribute')?.text === 'router' &&
      !(object.type === 'identifier' && this.importsAt(object, object.text).table.isImported(object.text))
    ) {
      node = object;
    }
    const text = dottedName(node);
    if (!node || !text) return null;
    const key = node.type === 'identifier' ? this.keyOf(node, text) : `${MODULE_SCOPE}:${text}`;
    return { key, name: text, node };
  }

  /** A holder for routes collected in a plain list (`routes = [web.get(...)]`). */
  listHolder(key: string, name: string, framework: Framework): Holder {
    let holder = this.holders.get(key);
    if (!holder) {
      holder = { key, name, kind: 'table', framework, prefix: null };
      this.holders.set(key, holder);
    }
    return holder;
  }

  register(parent: Holder, child: Holder, prefix: string | null, framework: Framework, line: number): void {
    this.registrations.push({ parent: parent.key, child: child.key, prefix, framework, line });
  }

  /** A registration of another module's routes the extractor describes itself (Django `include`). */
  addMount(mount: Mount): void {
    this.explicitMounts.push(mount);
  }

  declare(declaration: Declaration): void {
    this.declarations.push(declaration);
  }

  // --- emission ---

  /**
   * Every registration chain from `key` up to a holder nothing in this file registers, with the prefix
   * a route declared on `key` is served under along it.
   */
  private chains(key: string, seen: Set<string> = new Set()): Chain[] {
    const holder = this.holders.get(key);
    const own = holder?.prefix ?? null;
    const parents = this.registrations.filter((r) => r.child === key && !seen.has(r.parent));
    const framework = holder?.framework ?? null;
    if (!parents.length) return [{ root: key, abs: own ?? '', rel: '' }];
    const next = new Set(seen).add(key);
    const out = new Map<string, Chain>();
    for (const reg of parents) {
      const flask =
        framework === 'flask' || (framework === null && this.holders.get(reg.parent)?.framework === 'flask');
      const join = (above: string) =>
        flask ? joinFlaskPrefix(above, reg.prefix ?? own) : above + (reg.prefix ?? '') + (own ?? '');
      for (const above of this.chains(reg.parent, next)) {
        const chain = { root: above.root, abs: join(above.abs), rel: join(above.rel) };
        out.set(JSON.stringify(chain), chain);
      }
    }
    return [...out.values()];
  }

  /** The owner a chain's root makes for a path relative to it, when the root is a module variable. */
  private ownerOf(root: string, path: string): RouteOwner | undefined {
    const holder = this.holders.get(root);
    if (holder?.imported) return { name: holder.imported.name, module: holder.imported.module, path };
    const factory = this.factories.get(root);
    if (factory) return { name: `${factory}()`, path };
    if (holder && root === `${MODULE_SCOPE}:${holder.name}` && /^[A-Za-z_]\w*$/.test(holder.name)) {
      return { name: holder.name, path };
    }
    return undefined;
  }

  routes(): Route[] {
    const out: Route[] = [];
    for (const d of this.declarations) {
      const route = (path: string, owner: RouteOwner | undefined): Route => ({
        framework: d.framework,
        method: d.method,
        path,
        handler: d.handler,
        file: this.file,
        line: d.line,
        ...(owner ? { owner } : {}),
      });
      if (d.holder === null) {
        out.push(route(d.path, d.owner));
        continue;
      }
      const flask = d.framework === 'flask';
      for (const chain of this.chains(d.holder)) {
        const path = flask ? joinFlaskRule(chain.abs, d.path) : chain.abs + d.path;
        const relative = flask ? joinFlaskRule(chain.rel, d.path) : chain.rel + d.path;
        out.push(route(path, this.ownerOf(chain.root, relative)));
      }
    }
    return out;
  }

  /**
   * Registrations of holders the file imports (`app.include_router(items.router)`), one per chain of
   * the registering holder, and the mounts the extractors added; in line order.
   */
  mounts(): Mount[] {
    const out: Mount[] = [...this.explicitMounts];
    for (const reg of this.registrations) {
      const child = this.holders.get(reg.child);
      if (!child?.imported || child.kind !== 'unknown') continue;
      for (const chain of this.chains(reg.parent)) {
        const owner = this.ownerOf(chain.root, chain.rel);
        out.push({
          framework: reg.framework,
          target: { module: child.imported.module, name: child.imported.name },
          prefix: reg.prefix,
          mode: reg.framework === 'flask' ? 'replace' : 'prepend',
          path: chain.abs,
          ...(owner ? { owner } : {}),
          line: reg.line,
        });
      }
    }
    const keyed = new Map(out.map((m) => [JSON.stringify(m), m]));
    return [...keyed.values()].sort(
      (a, b) => a.line - b.line || compareText(JSON.stringify(a), JSON.stringify(b)),
    );
  }

  /** The module-level apps, blueprints, routers and route tables the file binds. */
  moduleHolders(): RouteHolder[] {
    const out: RouteHolder[] = [];
    for (const h of this.holders.values()) {
      if (h.kind === 'unknown' || h.kind === 'other') continue;
      const factory = this.factories.get(h.key);
      if (factory) {
        out.push({ name: `${factory}()`, framework: h.framework, prefix: h.prefix });
        continue;
      }
      if (h.key !== `${MODULE_SCOPE}:${h.name}` || !/^[A-Za-z_]\w*$/.test(h.name)) continue;
      out.push({ name: h.name, framework: h.framework, prefix: h.prefix });
    }
    return out.sort((a, b) => compareText(a.name, b.name));
  }
}
