/**
 * Which function a route runs: a view expression (`index`, `views.index`, `login_required(f)`,
 * `Item.as_view("item")`, `self.get`, a lambda) resolved to a def of this file (nested or top-level,
 * with its line) or to a name in another module (its guessed file, line 0), and the methods of a
 * class-based view with those of its same-file bases.
 */
import type { Route } from '../../model/static.js';
import {
  descendants,
  dottedName,
  field,
  namedChildren,
  positionalArguments,
  qualifiedName,
  unparenthesize,
  type Node,
} from '../pyast.js';
import { FileScope, leftmost } from './file-scope.js';
import { pickLast, type LexClass } from './lex-index.js';
import { HTTP_METHODS } from './route-paths.js';
import { importsOf, moduleFile, splitImported, type Imports } from './module-imports.js';

export type Handler = Route['handler'];

/** A class a route refers to: its own methods and those of same-file bases, in MRO-ish order. */
/** A class a route refers to: its own methods and those of same-file bases, in MRO-ish order. */
export interface ClassRef {
  name: string;
  /** Null when the class lives in another file. */
  local: LexClass | null;
  handler: Handler;
}

export class HandlerResolver extends FileScope {
  /** The handler of a decorated `def` (or class). */
  definitionHandler(definition: Node): Handler {
    return {
      file: this.file,
      function: qualifiedName(definition) ?? field(definition, 'name')?.text ?? '<unknown>',
      line: definition.startPosition.row + 1,
    };
  }

  /** Peels call wrappers around a view: `login_required(f)`, `cache_page(60)(f)`, `partial(f, x)`. */
  unwrapView(expr: Node | null): Node | null {
    let node = unparenthesize(expr);
    for (let depth = 0; node?.type === 'call' && depth < 8; depth++) {
      const fn = field(node, 'function');
      if (fn?.type === 'attribute' && field(fn, 'attribute')?.text === 'as_view') return node;
      const args = positionalArguments(node).filter(
        (a) => a.type === 'identifier' || a.type === 'attribute' || a.type === 'call' || a.type === 'lambda',
      );
      if (!args.length) return node;
      node = unparenthesize(args[0]);
    }
    return node;
  }

  /** The class named by `X.as_view(...)` (or by a bare class reference), or null. */
  classOfView(expr: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): ClassRef | null {
    let node = this.unwrapView(expr);
    if (node?.type === 'call') {
      const fn = field(node, 'function');
      if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'as_view') return null;
      node = field(fn, 'object');
    }
    return this.classRef(node, fallback);
  }

  /** A reference to a class: same-file (lexical index) or imported. */
  classRef(node: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): ClassRef | null {
    const text = dottedName(node);
    if (!node || !text) return null;
    const line = node.startPosition.row + 1;
    if (node.type === 'identifier' && !this.bindingScope(node, text)) {
      const local = pickLast(this.lex.classes.get(text), line);
      if (local) {
        return {
          name: text,
          local,
          handler: { file: this.file, function: text, line: local.line },
        };
      }
    }
    const handler = this.resolveHandler(node, fallback);
    if (!handler) return null;
    return { name: handler.function, local: null, handler };
  }

  /**
   * The HTTP verbs a same-file class view defines (its own or its same-file bases'), each with the method
   * that serves it: a Flask-RESTful Resource, an aiohttp `web.View`, a Starlette `HTTPEndpoint`.
   */
  classVerbs(cls: LexClass): [string, Handler][] {
    const methods = this.classMethods(cls);
    const out: [string, Handler][] = [];
    for (const verb of HTTP_METHODS) {
      const found = methods.get(verb);
      if (found)
        out.push([
          verb.toUpperCase(),
          { file: this.file, function: `${found.owner}.${verb}`, line: found.line },
        ]);
    }
    return out;
  }

  /** Methods of a same-file class and of its same-file bases: method → owning class and line. */
  classMethods(cls: LexClass): Map<string, { owner: string; line: number }> {
    const out = new Map<string, { owner: string; line: number }>();
    const seen = new Set<LexClass>();
    const visit = (c: LexClass) => {
      if (seen.has(c)) return;
      seen.add(c);
      for (const [name, line] of c.methods) if (!out.has(name)) out.set(name, { owner: c.name, line });
      for (const base of c.bases) {
        const parent = pickLast(this.lex.classes.get(base), c.line - 1);
        if (parent && parent.line < c.line) visit(parent);
      }
    };
    visit(cls);
    return out;
  }

  /** Qualified names of a same-file class's bases, following same-file bases transitively. */
  baseNames(cls: LexClass): string[] {
    const out: string[] = [];
    const seen = new Set<LexClass>();
    const visit = (c: LexClass) => {
      if (seen.has(c)) return;
      seen.add(c);
      for (const base of c.bases) {
        const parent = pickLast(this.lex.classes.get(base), c.line - 1);
        if (parent && parent.line < c.line && !this.imports.isImported(base)) visit(parent);
        else out.push(this.imports.qualify(base));
      }
    };
    visit(cls);
    return out;
  }

  /**
   * The function a view expression runs. Local defs (nested in an enclosing def, or top-level via the
   * lexical index) get their line; imported ones get the module's guessed file and line 0; anything
   * else that is still a dotted name is kept as written with line 0.
   */
  resolveHandler(expr: Node | null, fallback: 'sibling' | 'parent' = 'sibling'): Handler | null {
    const node = this.unwrapView(expr);
    if (!node) return null;
    if (node.type === 'lambda') {
      const enclosing = qualifiedName(node);
      return {
        file: this.file,
        function: enclosing ? `${enclosing}.<lambda>` : '<lambda>',
        line: node.startPosition.row + 1,
      };
    }
    if (node.type === 'call') {
      // `X.as_view(...)`: the class stands for its methods.
      const cls = this.classOfView(node, fallback);
      return cls ? cls.handler : null;
    }
    const text = dottedName(node);
    if (!text) return null;
    const parts = text.split('.');
    const head = parts[0];
    const line = node.startPosition.row + 1;
    const headNode = node.type === 'identifier' ? node : leftmost(node);

    // Bound in an enclosing def/class: the def is in the same (parsed) top-level statement.
    const scope = this.bindingScope(headNode, head);
    if (scope) {
      if (head === 'self' || head === 'cls') {
        const cls = enclosingClassOf(node);
        if (cls && parts.length === 2) {
          const qualified = qualifiedName(cls);
          const method = findMethod(cls, parts[1]);
          return {
            file: this.file,
            function: `${qualified}.${parts[1]}`,
            line: method ? method.startPosition.row + 1 : 0,
          };
        }
      }
      const local = findLocalDefinition(scope, head);
      if (local && parts.length === 1) {
        return { file: this.file, function: qualifiedName(local) ?? head, line: local.startPosition.row + 1 };
      }
      const instanceOf = findLocalInstance(scope, head);
      if (instanceOf && parts.length === 2) {
        return this.methodOf(instanceOf, parts[1], line, fallback);
      }
      const imported = this.throughImports(importsOf([scope]), parts, fallback);
      return imported ?? { file: this.file, function: text, line: 0 };
    }

    // Module level.
    if (parts.length === 1) {
      const def = pickLast(this.lex.defs.get(head), line);
      if (def) return { file: this.file, function: head, line: def.line };
      const cls = pickLast(this.lex.classes.get(head), line);
      if (cls) return { file: this.file, function: head, line: cls.line };
    } else {
      const cls = pickLast(this.lex.classes.get(head), line);
      if (cls && !this.imports.isImported(head)) {
        const rest = parts.slice(1).join('.');
        const method = parts.length === 2 ? this.classMethods(cls).get(parts[1]) : undefined;
        return method
          ? { file: this.file, function: `${method.owner}.${parts[1]}`, line: method.line }
          : { file: this.file, function: `${head}.${rest}`, line: 0 };
      }
      const instance = pickLast(this.lex.instances.get(head), line);
      if (instance && parts.length === 2 && !this.imports.isImported(head)) {
        return this.methodOf(instance.callee, parts[1], line, fallback);
      }
    }
    const imported = this.throughImports({ table: this.imports, fromNames: this.fromNames }, parts, fallback);
    return imported ?? { file: this.file, function: text, line: 0 };
  }

  private throughImports(imports: Imports, parts: string[], fallback: 'sibling' | 'parent'): Handler | null {
    const bound = imports.table.bindings.get(parts[0]);
    if (bound === undefined) return null;
    const split = splitImported(bound, parts.slice(1), imports.fromNames.has(parts[0]));
    if (!split) return null;
    return { file: moduleFile(this.file, split.module, fallback), function: split.name, line: 0 };
  }

  /** `obj.method` where `obj = Cls(...)`: the class's method, same-file or imported. */
  private methodOf(callee: string, method: string, line: number, fallback: 'sibling' | 'parent'): Handler {
    const cls = !this.imports.isImported(callee.split('.')[0])
      ? pickLast(this.lex.classes.get(callee), line)
      : undefined;
    if (cls) {
      const found = this.classMethods(cls).get(method);
      return found
        ? { file: this.file, function: `${found.owner}.${method}`, line: found.line }
        : { file: this.file, function: `${callee}.${method}`, line: 0 };
    }
    const bound = this.imports.bindings.get(callee.split('.')[0]);
    if (bound !== undefined) {
      const full = bound + callee.slice(callee.split('.')[0].length);
      const dot = full.lastIndexOf('.');
      if (dot > 0) {
        return {
          file: moduleFile(this.file, full.slice(0, dot), fallback),
          function: `${full.slice(dot + 1)}.${method}`,
          line: 0,
        };
      }
    }
    return { file: this.file, function: `${callee}.${method}`, line: 0 };
  }
}

function enclosingClassOf(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'class_definition') return p;
  return null;
}

function findMethod(cls: Node, name: string): Node | null {
  const body = field(cls, 'body');
  if (!body) return null;
  let found: Node | null = null;
  for (const stmt of namedChildren(body)) {
    const def = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
    if (def?.type === 'function_definition' && field(def, 'name')?.text === name) found = def;
  }
  return found;
}

/** A `def name` among the statements of a def's (or class's) own body, nested blocks included. */
function findLocalDefinition(scope: Node, name: string): Node | null {
  const body = field(scope, 'body');
  if (!body) return null;
  let found: Node | null = null;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of namedChildren(node)) {
      const def = child.type === 'decorated_definition' ? field(child, 'definition') : child;
      if (def?.type === 'function_definition' || def?.type === 'class_definition') {
        if (field(def, 'name')?.text === name && (!found || def.startIndex > found.startIndex)) found = def;
        continue;
      }
      if (child.type === 'lambda') continue;
      stack.push(child);
    }
  }
  return found;
}

/** `name = Callee(...)` in a def's own body: the callee's dotted text. */
function findLocalInstance(scope: Node, name: string): string | null {
  for (const assign of descendants(scope, 'assignment')) {
    const left = field(assign, 'left');
    const right = unparenthesize(field(assign, 'right'));
    if (left?.type === 'identifier' && left.text === name && right?.type === 'call') {
      const callee = dottedName(field(right, 'function'));
      if (callee) return callee;
    }
  }
  return null;
}
