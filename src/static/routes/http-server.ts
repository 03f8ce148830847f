/**
 * http.server: every class deriving from BaseHTTPRequestHandler / SimpleHTTPRequestHandler /
 * CGIHTTPRequestHandler (directly, or through bases defined in the same file) serves its own `do_GET`,
 * `do_POST`, … methods. Method from the name, route and handler at the `def`.
 *
 * Path: the literals the method compares the request path with (`self.path == '/health'`,
 * `parsed.path in ('/a', '/b')`), one route each, and always `*` as well: any path reaches the method.
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

/** Literal paths the method compares a `…path` expression with (`==`, `in (...)`). */
function comparedPaths(def: Node): string[] {
  const out = new Set<string>();
  for (const cmp of descendants(def, 'comparison_operator')) {
    const operands = namedChildren(cmp);
    const operators = cmp.children.filter((n): n is Node => n !== null && !n.isNamed).map((n) => n.type);
    if (operands.length !== 2 || operators.length !== 1) continue;
    const [left, right] = operands;
    const op = operators[0];
    const isPath = (n: Node) => /(?:^|\.)path$/.test(dottedName(n) ?? '');
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
