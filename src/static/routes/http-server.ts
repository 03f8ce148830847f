/**
 * http.server: every class deriving from BaseHTTPRequestHandler / SimpleHTTPRequestHandler /
 * CGIHTTPRequestHandler (directly, or through bases defined in the same file) serves its own `do_GET`,
 * `do_POST`, … methods. Method from the name, route and handler at the `def`.
 *
 * Path: the literals the method compares the request path with (`self.path == '/health'`,
 * `parsed.path in ('/a', '/b')`), one route each; prefixes it tests (`self.path.startswith('/notes/')`)
 * and the segments it compares after splitting the path (`parts = self.path.strip('/').split('/')`,
 * `parts[0] == 'notes'`) as routes ending in `*` (any rest: `/notes/*`); and always `*` as well: any path
 * reaches the method. The gate fills a route's `*` with a value per iteration.
 */
import { descendants, dottedName, field, namedChildren, qualifiedName, type Node } from '../pyast.js';
import type { RouteCollector } from './collector.js';
import { literal } from './file-scope.js';

const HANDLER_BASES = new Set([
  'BaseHTTPRequestHandler',
  'SimpleHTTPRequestHandler',
  'CGIHTTPRequestHandler',
]);
const DO_METHOD = /^do_([A-Z]+)$/;

function tail(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

export function httpServerRoutes(c: RouteCollector): void {
  for (const cls of descendants(c.root, 'class_definition')) {
    const methods = ownDoMethods(cls);
    if (!methods.length || !derivesFromHandler(c, cls)) continue;
    for (const def of methods) {
      const method = DO_METHOD.exec(field(def, 'name')!.text)![1];
      const line = def.startPosition.row + 1;
      const handler = { file: c.file, function: qualifiedName(def) ?? method, line };
      const paths = comparedPaths(def);
      // The method serves every path; the literals it compares with are worth naming too.
      for (const path of [...paths, '*']) {
        c.declare({ holder: null, framework: 'http.server', method, path, handler, line });
      }
    }
  }
}

function ownDoMethods(cls: Node): Node[] {
  const body = field(cls, 'body');
  if (!body) return [];
  const out: Node[] = [];
  for (const stmt of namedChildren(body)) {
    const def = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
    if (def?.type === 'function_definition' && DO_METHOD.test(field(def, 'name')?.text ?? '')) out.push(def);
  }
  return out;
}

function derivesFromHandler(c: RouteCollector, cls: Node): boolean {
  const bases = field(cls, 'superclasses');
  if (!bases) return false;
  for (const base of namedChildren(bases)) {
    const name = dottedName(base);
    if (!name) continue;
    if (HANDLER_BASES.has(tail(c.imports.qualify(name)))) return true;
    // A base class of this file: follow its bases (lexically: it may not be parsed).
    if (!name.includes('.') && !c.imports.isImported(name)) {
      const local = c.lex.classes
        .get(name)
        ?.filter((k) => k.line < cls.startPosition.row + 1)
        .pop();
      if (local && c.baseNames(local).some((b) => HANDLER_BASES.has(tail(b)))) return true;
    }
  }
  return false;
}

const isPath = (n: Node) => /(?:^|\.)path$/.test(dottedName(n) ?? '');

/** Literal paths and prefixes the method compares a `…path` expression with (see the file's comment). */
function comparedPaths(def: Node): string[] {
  const out = new Set<string>();
  const splits = splitPaths(def);
  for (const call of descendants(def, 'call')) {
    // path.startswith('/notes/') or startswith(('/a/', '/b/'))
    const fn = field(call, 'function');
    if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'startswith') continue;
    const object = field(fn, 'object');
    if (!object || !isPath(object)) continue;
    const arg = namedChildren(field(call, 'arguments')!)[0] ?? null;
    const prefixes = arg?.type === 'tuple' ? namedChildren(arg).map(literal) : [literal(arg)];
    for (const prefix of prefixes) if (prefix?.startsWith('/')) out.add(prefixRoute(prefix));
  }
  for (const cmp of descendants(def, 'comparison_operator')) {
    const operands = namedChildren(cmp);
    const operators = cmp.children.filter((n): n is Node => n !== null && !n.isNamed).map((n) => n.type);
    if (operands.length !== 2 || operators.length !== 1) continue;
    const [left, right] = operands;
    const op = operators[0];
    const segment = op === '==' ? (splitSegment(left, splits) ?? splitSegment(right, splits)) : null;
    if (segment) {
      const value = literal(segment.index === left ? right : left);
      if (value && !value.includes('/')) out.add(`${'/*'.repeat(segment.position)}/${value}/*`);
      continue;
    }
    if (op === '==') {
      const value = isPath(left) ? literal(right) : isPath(right) ? literal(left) : null;
      if (value?.startsWith('/')) out.add(value);
    } else if (
      op === 'in' &&
      isPath(left) &&
      (right.type === 'tuple' || right.type === 'list' || right.type === 'set')
    ) {
      for (const item of namedChildren(right)) {
        const value = literal(item);
        if (value?.startsWith('/')) out.add(value);
      }
    }
  }
  return [...out].sort();
}

/** `/notes/` → `/notes/*`; `/notes` (a prefix of `/notes…`) → `/notes*`. */
function prefixRoute(prefix: string): string {
  return `${prefix}*`;
}

/**
 * Locals holding the request path split at `/` (`parts = self.path.split('/')`, also after `.strip('/')`
 * or `.lstrip('/')`, or of `urlparse(self.path).path`): name → how many leading empty segments the split
 * has (1 when the leading `/` was kept).
 */
function splitPaths(def: Node): Map<string, number> {
  const out = new Map<string, number>();
  for (const assignment of descendants(def, 'assignment')) {
    const left = field(assignment, 'left');
    const right = field(assignment, 'right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const fn = field(right, 'function');
    if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'split') continue;
    if (literal(namedChildren(field(right, 'arguments')!)[0] ?? null) !== '/') continue;
    let object = field(fn, 'object');
    let leading = 1;
    // …path.strip('/').split('/'): the leading '/' is gone.
    if (object?.type === 'call') {
      const inner = field(object, 'function');
      const stripped = inner?.type === 'attribute' ? field(inner, 'attribute')?.text : null;
      if (stripped !== 'strip' && stripped !== 'lstrip') continue;
      object = field(inner!, 'object');
      leading = 0;
    }
    if (object && isPath(object)) out.set(left.text, leading);
  }
  return out;
}

/** `parts[1]` of a split path: the subscript node and which path segment (0-based) it is. */
function splitSegment(
  node: Node,
  splits: ReadonlyMap<string, number>,
): { index: Node; position: number } | null {
  if (node.type !== 'subscript') return null;
  const value = field(node, 'value');
  const index = field(node, 'subscript');
  const leading = value?.type === 'identifier' ? splits.get(value.text) : undefined;
  if (leading === undefined || index?.type !== 'integer') return null;
  const position = Number(index.text) - leading;
  return position >= 0 ? { index: node, position } : null;
}
