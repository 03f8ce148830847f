/**
 * Small, allocation-light helpers over tree-sitter-python syntax nodes, shared by the rules and the
 * route extractors. Every function here is pure: a node in, plain data out.
 */
import type { Node } from 'web-tree-sitter';
import { descendantsOfTypes } from './node-index.js';
import { partitionPoint } from './sorted.js';

export type { Node };

export const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);
const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);

/**
 * All named children in one call. (`node.namedChild(i)` walks the children from the first one each
 * time, so a loop over it is quadratic in a module's or class's statement count.)
 */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

interface IndexedNode {
  node: Node;
  start: number;
}

/** Per tree, the root's descendants of each type asked for so far (a full walk per type, once). */
const rootIndexes = new WeakMap<object, Map<string, IndexedNode[]>>();

function rootNodesOfType(root: Node, type: string): IndexedNode[] {
  let index = rootIndexes.get(root.tree);
  if (!index) rootIndexes.set(root.tree, (index = new Map()));
  let nodes = index.get(type);
  if (!nodes) {
    nodes = [];
    for (const node of root.descendantsOfType(type)) if (node) nodes.push({ node, start: node.startIndex });
    index.set(type, nodes);
  }
  return nodes;
}

/** A stretch of the source (character offsets, 0-based rows) a rule is allowed to look at. */
export interface ScopeRange {
  start: number;
  end: number;
  startRow: number;
  endRow: number;
}

let activeScope: readonly ScopeRange[] | null = null;

/**
 * Runs `fn` with `descendants(root, …)` limited to the given ranges (null: the whole tree). The engine
 * gives each rule the statements its own trigger chose, so a rule never pays for statements parsed
 * because of another rule.
 */
export function withRootScope<T>(scope: readonly ScopeRange[] | null, fn: () => T): T {
  const previous = activeScope;
  activeScope = scope;
  try {
    return fn();
  } finally {
    activeScope = previous;
  }
}

/** Descendants of the given types in document order (a node before the nodes inside it). */
export function descendants(node: Node, types: string | string[]): Node[] {
  if (node.type !== 'module') return descendantsOfTypes(node, types);
  const scope = activeScope;
  if (!scope) {
    // Rules ask the root for the same types again and again: walk once per type and tree.
    const wanted = typeof types === 'string' ? [types] : types;
    const found =
      wanted.length === 1
        ? rootNodesOfType(node, wanted[0])
        : wanted.flatMap((t) => rootNodesOfType(node, t));
    if (wanted.length > 1) found.sort((a, b) => a.start - b.start || b.node.endIndex - a.node.endIndex);
    return found.map((entry) => entry.node);
  }
  // Scoped: walk only the top-level statements inside the rule's ranges.
  const wanted = new Set(typeof types === 'string' ? [types] : types);
  const top = topLevelOf(node);
  const out: Node[] = [];
  for (const range of scope) {
    let i = firstAtOrAfter(top, range.start);
    for (; i < top.length && top[i].start < range.end; i++) {
      const statement = top[i].node;
      if (wanted.has(statement.type)) out.push(statement);
      for (const found of descendantsOfTypes(statement, types)) out.push(found);
    }
  }
  return out;
}

const topLevels = new WeakMap<object, IndexedNode[]>();

/** The root's children with their start offsets, once per tree. */
function topLevelOf(root: Node): IndexedNode[] {
  let top = topLevels.get(root.tree);
  if (!top) {
    top = [];
    for (const child of root.children) if (child) top.push({ node: child, start: child.startIndex });
    topLevels.set(root.tree, top);
  }
  return top;
}

function firstAtOrAfter(top: readonly IndexedNode[], offset: number): number {
  return partitionPoint(top.length, (i) => top[i].start < offset);
}

export function field(node: Node | null, name: string): Node | null {
  return node ? node.childForFieldName(name) : null;
}

/** `a`, `a.b.c` as a dotted string; null for anything else (calls, subscripts…). */
export function dottedName(node: Node | null): string | null {
  if (!node) return null;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = dottedName(field(node, 'object'));
    const attribute = field(node, 'attribute');
    return object && attribute ? `${object}.${attribute.text}` : null;
  }
  return null;
}

/** Last segment of a callee: `Session` for `requests.Session`, `connect` for `engine.connect`. */
export function calleeTail(call: Node): string | null {
  const fn = field(call, 'function');
  if (!fn) return null;
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') return field(fn, 'attribute')?.text ?? null;
  return null;
}

/** The nearest enclosing `def` or `lambda` (not the node itself), stopping at a class body. */
export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (FUNCTION_TYPES.has(p.type)) return p;
    if (p.type === 'class_definition') return null;
  }
  return null;
}

/** The nearest enclosing `def` or `lambda` (not the node itself), crossing class bodies. */
export function nearestFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return p;
  return null;
}

/** The nearest enclosing `def` (lambdas are transparent), crossing class bodies. */
export function enclosingDef(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p;
  }
  return null;
}

/** Qualified name of the innermost `def`/`class` around (or at) a node: `Class.method`, `outer.inner`. */
export function qualifiedName(node: Node): string | null {
  const parts: string[] = [];
  for (let p: Node | null = node; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'class_definition') {
      const name = field(p, 'name');
      if (name) parts.push(name.text);
    }
  }
  return parts.length ? parts.reverse().join('.') : null;
}

/** Qualified name of the function a finding belongs to (the innermost `def`, not a class). */
export function functionNameAt(node: Node): string | null {
  const def = node.type === 'function_definition' ? node : enclosingDef(node);
  return def ? qualifiedName(def) : null;
}

/** The function body (`block`) of a def, or the expression body of a lambda. */
export function functionBody(fn: Node): Node | null {
  return field(fn, 'body');
}

/** Parameter names of a def or lambda, including `*args` and `**kwargs`. */
export function parameterNames(fn: Node): string[] {
  const params = field(fn, 'parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') names.push(p.text);
    else if (
      p.type === 'default_parameter' ||
      p.type === 'typed_default_parameter' ||
      p.type === 'typed_parameter'
    ) {
      const name = field(p, 'name') ?? p.namedChild(0);
      if (name?.type === 'identifier') names.push(name.text);
      else if (name) {
        const inner = descendants(name, 'identifier')[0];
        if (inner) names.push(inner.text);
      }
    } else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
      const inner = p.namedChild(0);
      if (inner?.type === 'identifier') names.push(inner.text);
    }
  }
  return names;
}

/** Walks a function's own statements, skipping nested defs, lambdas and classes (their own scopes). */
export function walkOwnScope(fn: Node, visit: (node: Node) => void): void {
  const body = functionBody(fn);
  if (!body) return;
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    visit(node);
    const children = namedChildren(node);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (SCOPE_TYPES.has(child.type)) {
        // The nested def's name (and decorators) belong to this scope; its body does not.
        visit(child);
        continue;
      }
      stack.push(child);
    }
  }
}

function collectTargetNames(target: Node | null, into: Set<string>): void {
  if (!target) return;
  if (target.type === 'identifier') {
    into.add(target.text);
    return;
  }
  if (
    target.type === 'pattern_list' ||
    target.type === 'tuple_pattern' ||
    target.type === 'list_pattern' ||
    target.type === 'tuple' ||
    target.type === 'list' ||
    target.type === 'parenthesized_expression' ||
    target.type === 'list_splat_pattern'
  ) {
    for (const child of namedChildren(target)) collectTargetNames(child, into);
  }
}

export interface FunctionScope {
  /** Names bound locally (parameters, assignments, loop targets, imports, nested defs…). */
  locals: Set<string>;
  /** Names declared `global` or `nonlocal`. */
  declared: Set<string>;
}

/** Local and declared names of a def or lambda, following Python's scoping rules closely enough. */
export function functionScope(fn: Node): FunctionScope {
  const locals = new Set<string>(parameterNames(fn));
  const declared = new Set<string>();
  if (fn.type === 'lambda') return { locals, declared };
  walkOwnScope(fn, (node) => {
    switch (node.type) {
      case 'global_statement':
      case 'nonlocal_statement':
        for (const id of namedChildren(node)) if (id.type === 'identifier') declared.add(id.text);
        break;
      case 'assignment':
      case 'augmented_assignment':
        collectTargetNames(field(node, 'left'), locals);
        break;
      case 'for_statement':
        collectTargetNames(field(node, 'left'), locals);
        break;
      case 'named_expression':
        collectTargetNames(field(node, 'name'), locals);
        break;
      case 'as_pattern': {
        const alias = field(node, 'alias');
        if (alias) collectTargetNames(alias.namedChild(0) ?? alias, locals);
        break;
      }
      case 'function_definition':
      case 'class_definition': {
        const name = field(node, 'name');
        if (name) locals.add(name.text);
        break;
      }
      case 'import_statement':
      case 'import_from_statement':
        for (const name of importedLocalNames(node)) locals.add(name);
        break;
      case 'except_clause':
        collectTargetNames(field(node, 'alias'), locals);
        break;
    }
  });
  for (const name of declared) locals.delete(name);
  return { locals, declared };
}

function importedLocalNames(node: Node): string[] {
  const names: string[] = [];
  for (const child of namedChildren(node)) {
    if (node.type === 'import_from_statement' && child === field(node, 'module_name')) continue;
    if (child.type === 'aliased_import') {
      const alias = field(child, 'alias');
      if (alias) names.push(alias.text);
    } else if (child.type === 'dotted_name') {
      const first = child.namedChild(0);
      if (first) names.push(first.text);
    }
  }
  return names;
}

/** Strips parentheses around an expression. */
export function unparenthesize(node: Node | null): Node | null {
  let current = node;
  while (current?.type === 'parenthesized_expression') current = current.namedChild(0);
  return current;
}

/** Keyword argument value by name in a call's argument list, or null. */
export function keywordArgument(call: Node, name: string): Node | null {
  const args = field(call, 'arguments');
  if (!args) return null;
  for (const arg of namedChildren(args)) {
    if (arg.type === 'keyword_argument' && field(arg, 'name')?.text === name) {
      return field(arg, 'value');
    }
  }
  return null;
}

/** Positional arguments of a call (not keyword, not splats). */
export function positionalArguments(call: Node): Node[] {
  const args = field(call, 'arguments');
  if (!args || args.type !== 'argument_list') return [];
  return namedChildren(args).filter(
    (a) =>
      a.type !== 'keyword_argument' &&
      a.type !== 'list_splat' &&
      a.type !== 'dictionary_splat' &&
      a.type !== 'comment',
  );
}

/** The string value of a plain string literal (no interpolation), or null. */
export function stringValue(node: Node | null): string | null {
  if (!node) return null;
  if (node.type === 'concatenated_string') {
    const parts = namedChildren(node).map(stringValue);
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (node.type !== 'string') return null;
  let value = '';
  for (const child of namedChildren(node)) {
    if (child.type === 'string_content') value += child.text;
    else if (child.type === 'interpolation') return null;
  }
  return value;
}
