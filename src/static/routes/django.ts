/**
 * Django URLconfs: `path()`, `re_path()` and the old `url()` (through the file's imports from
 * `django.urls` / `django.conf.urls`), with `include([...])` and `include(name)` of a list in the same
 * file applying their prefix.
 *
 * Representation: method `*` (a Django view answers every method unless it checks); path `/` + the
 * patterns joined as Django matches them, `path()` converters kept (`/items/<int:pk>/`), a `re_path`
 * pattern's `^` anchor dropped (the leading `/` already anchors) and `$` kept
 * (`/articles/(?P<year>[0-9]{4})/$`). The handler of a function view is `function`; of a class-based view
 * (`Foo.as_view()`) the class name `Foo`, meaning any of its methods; the file is the module's guessed path
 * (`from . import views` in `polls/urls.py` → `polls/views.py`), line 0 when it is another file.
 * `include('app.urls')` (or `include(urls)` of an imported module or list) of another module adds no
 * route here: it is recorded as a mount, and linkRoutes serves that URLconf's routes under this prefix.
 * Each route's owner is the module-level list it sits in (`urlpatterns`).
 */
import { descendants, dottedName, field, namedChildren, unparenthesize, type Node } from '../pyast.js';
import type { RouteCollector } from './collector.js';
import { argument, literal, type ImportRef } from './file-scope.js';

const ROUTE_FUNCTIONS = new Map<string, 'route' | 'regex'>([
  ['django.urls.path', 'route'],
  ['django.urls.conf.path', 'route'],
  ['django.urls.re_path', 'regex'],
  ['django.urls.conf.re_path', 'regex'],
  ['django.conf.urls.url', 'regex'],
  ['django.conf.urls.re_path', 'regex'],
]);
const WRITTEN = /^(?:path|re_path|url)$|(?:^|\.)urls\.(?:path|re_path|url)$/;
const INCLUDE = new Set(['django.urls.include', 'django.urls.conf.include', 'django.conf.urls.include']);

export function djangoRoutes(c: RouteCollector): void {
  if (!c.importedFrameworks.has('django')) return;
  const kindOf = (call: Node): 'route' | 'regex' | null => {
    // Written `path(`, `re_path(`, `url(` or `urls.path(`: the shapes the pre-scan looks for.
    const text = dottedName(field(call, 'function'));
    if (!text || !WRITTEN.test(text)) return null;
    return ROUTE_FUNCTIONS.get(c.imports.qualify(text)) ?? null;
  };
  const isInclude = (node: Node | null): boolean =>
    node?.type === 'call' && INCLUDE.has(c.imports.resolve(field(node, 'function')) ?? '');

  // Module-level lists of patterns (`api_patterns = [...]`) that an `include(api_patterns)` mounts.
  const lists = new Map<string, Node[]>();
  for (const stmt of namedChildren(c.root)) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    if (assign?.type !== 'assignment' && assign?.type !== 'augmented_assignment') continue;
    const left = field(assign, 'left');
    if (left?.type !== 'identifier') continue;
    const right = unparenthesize(field(assign, 'right'));
    const items = right?.type === 'list' || right?.type === 'tuple' ? namedChildren(right) : [];
    if (assign.type === 'assignment') lists.set(left.text, items);
    else lists.set(left.text, [...(lists.get(left.text) ?? []), ...items]);
  }
  const included = new Set<string>();
  const calls = descendants(c.root, 'call');
  for (const call of calls) {
    // Only an include() that is a pattern's view mounts anything (and that statement is parsed).
    const view = kindOf(call) ? unparenthesize(argument(call, 1, 'view')) : null;
    if (!view || !isInclude(view)) continue;
    const target = includeTarget(view);
    if (target?.type === 'identifier' && lists.has(target.text)) included.add(target.text);
  }

  const emit = (call: Node, prefix: string[], depth: number, owner: string): void => {
    const kind = kindOf(call);
    const route = literal(firstArgument(call));
    if (!kind || route === null || depth > 8) return;
    const segment = kind === 'regex' ? route.replace(/^\^/, '') : route;
    const parts = [...prefix, segment];
    const view = unparenthesize(argument(call, 1, 'view'));
    if (view && isInclude(view)) {
      const target = includeTarget(view);
      const items =
        target?.type === 'list' || target?.type === 'tuple'
          ? namedChildren(target)
          : target?.type === 'identifier'
            ? (lists.get(target.text) ?? [])
            : [];
      for (const item of items) {
        const inner = unparenthesize(item);
        if (inner?.type === 'call') emit(inner, parts, depth + 1, owner);
      }
      const other = !items.length && target ? otherURLconf(c, target) : null;
      if (other) {
        c.addMount({
          framework: 'django',
          target: other,
          prefix: parts.join(''),
          mode: 'prepend',
          path: '/',
          owner: { name: owner, path: '' },
          line: call.startPosition.row + 1,
        });
      }
      return;
    }
    // `admin.site.urls` and other `(patterns, app_name, namespace)` triples are includes in disguise.
    if (!view || (view.type === 'attribute' && field(view, 'attribute')?.text === 'urls')) return;
    const cls = c.classOfView(view, 'parent');
    const handler = cls?.handler ?? c.resolveHandler(view, 'parent');
    if (!handler) return;
    c.declare({
      holder: null,
      framework: 'django',
      method: '*',
      path: '/' + parts.join(''),
      handler,
      line: call.startPosition.row + 1,
      owner: { name: owner, path: parts.join('') },
    });
  };

  for (const call of calls) {
    if (!kindOf(call)) continue;
    // Patterns nested in another pattern's include are emitted from there, with its prefix.
    if (insidePattern(call, kindOf) || insideIncludedList(call, included)) continue;
    emit(call, [], 0, listOf(call));
  }
}

/** The pattern: the first argument, positional or `route=`/`regex=` (the pre-scan's shape). */
function firstArgument(call: Node): Node | null {
  const args = field(call, 'arguments');
  const first = args ? namedChildren(args).find((a) => a.type !== 'comment') : undefined;
  if (!first) return null;
  if (first.type !== 'keyword_argument') return first;
  const name = field(first, 'name')?.text;
  return name === 'route' || name === 'regex' ? field(first, 'value') : null;
}

/** The patterns an `include(...)` mounts: its first argument, unwrapped from `(patterns, app_name)`. */
function includeTarget(call: Node): Node | null {
  let target = unparenthesize(argument(call, 0, 'arg'));
  if (target?.type === 'tuple') target = unparenthesize(target.namedChild(0));
  return target;
}

function insidePattern(call: Node, kindOf: (call: Node) => string | null): boolean {
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'call' && kindOf(p)) return true;
    if (p.type === 'function_definition' || p.type === 'module') return false;
  }
  return false;
}

/** True when the call sits in a module-level list that an `include(name)` of this file mounts. */
function insideIncludedList(call: Node, included: Set<string>): boolean {
  let node: Node = call;
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      const left = field(p, 'left');
      return left?.type === 'identifier' && included.has(left.text) && !!field(p, 'right')?.equals(node);
    }
    if (p.type !== 'list' && p.type !== 'tuple' && p.type !== 'parenthesized_expression') return false;
    node = p;
  }
  return false;
}

/**
 * The URLconf an `include(...)` names in another module: `include('polls.urls')` is that module's
 * `urlpatterns`; `include(urls)` / `include(api.patterns)` a module or list imported (the linker tries the
 * name as a module first, then as a variable of the module before it).
 */
function otherURLconf(c: RouteCollector, target: Node): ImportRef | null {
  const text = literal(target);
  if (text !== null) return /^[A-Za-z_][\w.]*$/.test(text) ? { module: text, name: 'urlpatterns' } : null;
  if (target.type !== 'identifier' && target.type !== 'attribute') return null;
  return c.importRef(target);
}

/**
 * The module-level list a top-level pattern belongs to: the name it is assigned to (`urlpatterns = [...]`,
 * `urlpatterns += [...]`) or appended to (`urlpatterns.append(path(...))`); `urlpatterns` otherwise.
 */
function listOf(call: Node): string {
  let node: Node = call;
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment') {
      const left = field(p, 'left');
      if (left?.type === 'identifier' && field(p, 'right')?.equals(node)) return left.text;
      break;
    }
    if (p.type === 'argument_list') {
      const fn = p.parent ? field(p.parent, 'function') : null;
      const object = fn?.type === 'attribute' ? field(fn, 'object') : null;
      const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : null;
      const adds = method === 'append' || method === 'extend' || method === 'insert';
      if (object?.type === 'identifier' && adds) return object.text;
    }
    if (p.type === 'function_definition' || p.type === 'class_definition' || p.type === 'module') break;
    node = p;
  }
  return 'urlpatterns';
}
