/**
 * Which of the project's functions each function calls, across modules (imports followed), so the gate
 * can tell that a route's handler reaches flagged code through helpers. Built from a full parse of every
 * project file; unresolvable calls (the standard library, dynamic dispatch) are dropped, which errs toward
 * "not reached" rather than inventing edges.
 */
import { readFileSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { decodePython } from '../static/decode.js';
import { ImportTable } from '../static/imports.js';
import { discoverPythonFiles } from '../static/discover.js';
import { parsePython, pythonParser } from '../static/parse.js';
import { descendants, dottedName, field, namedChildren, qualifiedName, type Node } from '../static/pyast.js';

/** `file:qualified.name`, e.g. `app/views.py:OrderView.get`. */
export type FunctionId = string;

export interface FunctionInfo {
  id: FunctionId;
  file: string;
  name: string;
  line: number;
  endLine: number;
  calls: Set<FunctionId>;
}

export interface CallGraph {
  functions: Map<FunctionId, FunctionInfo>;
}

export function functionId(file: string, name: string): FunctionId {
  return `${file}:${name}`;
}

/** Dotted module name of a project file: `pkg/mod.py` → `pkg.mod`, `pkg/__init__.py` → `pkg`. */
export function moduleNameOf(file: string): string {
  const parts = file.replace(/\.py$/, '').split('/');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

interface ParsedModule {
  file: string;
  module: string;
  /** local name → dotted target (`helpers.compute`, `.store.save` resolved to absolute). */
  imports: Map<string, string>;
  /** qualified name → def node info. */
  defs: Map<string, { line: number; endLine: number; node: Node }>;
}

export async function buildCallGraph(root: string, exclude: readonly string[] = []): Promise<CallGraph> {
  const { files } = discoverPythonFiles(root, { exclude });
  const parser = await pythonParser();
  const sources = new Map<string, string>();
  for (const f of files) {
    try {
      const decoded = decodePython(readFileSync(f.abs));
      if (decoded.ok) sources.set(f.rel, decoded.text);
    } catch {
      // unreadable: already reported by the static phase
    }
  }
  return callGraphOf(parser, sources);
}

/** The call graph of sources given as relative path → text (pure but for the parser). */
export function callGraphOf(parser: Parser, sources: ReadonlyMap<string, string>): CallGraph {
  const graph: CallGraph = { functions: new Map() };
  const modules = new Map<string, { file: string; defs: Set<string> }>();
  const pending: {
    file: string;
    module: string;
    imports: Map<string, string>;
    fn: FunctionInfo;
    node: Node;
  }[] = [];
  const trees = [];
  for (const [file, source] of sources) {
    const tree = parsePython(parser, source);
    trees.push(tree);
    const parsed = parseModule(file, tree.rootNode);
    modules.set(parsed.module, { file, defs: new Set(parsed.defs.keys()) });
    for (const [name, def] of parsed.defs) {
      const fn: FunctionInfo = {
        id: functionId(file, name),
        file,
        name,
        line: def.line,
        endLine: def.endLine,
        calls: new Set(),
      };
      graph.functions.set(fn.id, fn);
      pending.push({ file, module: parsed.module, imports: parsed.imports, fn, node: def.node });
    }
  }
  try {
    for (const { file, module, imports, fn, node } of pending) {
      const own = modules.get(module)!;
      const className = fn.name.includes('.') ? fn.name.slice(0, fn.name.lastIndexOf('.')) : null;
      for (const call of ownCalls(node)) {
        const target = resolveCall(call, { file, module, imports, own, className, caller: fn.name }, modules);
        if (target && target !== fn.id && graph.functions.has(target)) fn.calls.add(target);
      }
    }
  } finally {
    for (const tree of trees) tree.delete();
  }
  return graph;
}

function parseModule(file: string, root: Node): ParsedModule {
  const module = moduleNameOf(file);
  const packageParts = file.endsWith('__init__.py') ? module.split('.') : module.split('.').slice(0, -1);
  // The same bindings the rules see, with relative imports made absolute from this file's package.
  const imports = new Map<string, string>();
  for (const [local, target] of ImportTable.fromTree(root).bindings) {
    imports.set(local, absoluteModule(target, packageParts));
  }
  const defs = new Map<string, { line: number; endLine: number; node: Node }>();
  for (const def of descendants(root, 'function_definition')) {
    const name = qualifiedName(def);
    if (!name || defs.has(name)) continue;
    defs.set(name, { line: def.startPosition.row + 1, endLine: def.endPosition.row + 1, node: def });
  }
  return { file, module, imports, defs };
}

/** `.helpers` from package `app.api` → `app.api.helpers`; `..models` → `app.models`. */
function absoluteModule(name: string, packageParts: string[]): string {
  if (!name.startsWith('.')) return name;
  const dots = /^\.+/.exec(name)![0].length;
  const base = packageParts.slice(0, packageParts.length - (dots - 1));
  const rest = name.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.');
}

/** Calls made by a def's own body (nested defs and classes are functions of their own). */
function ownCalls(def: Node): Node[] {
  const body = field(def, 'body');
  if (!body) return [];
  const out: Node[] = [];
  const stack: Node[] = [body];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'call') out.push(node);
    for (const child of namedChildren(node)) {
      if (child.type === 'function_definition' || child.type === 'class_definition') continue;
      stack.push(child);
    }
  }
  return out;
}

interface CallContext {
  file: string;
  module: string;
  imports: Map<string, string>;
  own: { file: string; defs: Set<string> };
  className: string | null;
  caller: string;
}

function resolveCall(
  call: Node,
  context: CallContext,
  modules: Map<string, { file: string; defs: Set<string> }>,
): FunctionId | null {
  const fn = field(call, 'function');
  const dotted = dottedName(fn);
  if (!dotted) return null;
  const parts = dotted.split('.');
  // self.method() / cls.method() inside a class.
  if ((parts[0] === 'self' || parts[0] === 'cls') && parts.length === 2 && context.className) {
    const name = `${context.className}.${parts[1]}`;
    return context.own.defs.has(name) ? functionId(context.own.file, name) : null;
  }
  // A nested function defined in the caller, then a module-level def or class (its __init__).
  const nested = `${context.caller}.${dotted}`;
  if (context.own.defs.has(nested)) return functionId(context.own.file, nested);
  if (context.own.defs.has(dotted)) return functionId(context.own.file, dotted);
  if (parts.length === 1 && context.own.defs.has(`${dotted}.__init__`)) {
    return functionId(context.own.file, `${dotted}.__init__`);
  }
  const bound = context.imports.get(parts[0]);
  if (!bound) return null;
  const target = [bound, ...parts.slice(1)].join('.');
  // Split `pkg.mod.func` / `pkg.mod.Class.method` into a known module and a name inside it.
  const pieces = target.split('.');
  for (let cut = pieces.length - 1; cut >= 1; cut--) {
    const module = modules.get(pieces.slice(0, cut).join('.'));
    if (!module) continue;
    const name = pieces.slice(cut).join('.');
    if (module.defs.has(name)) return functionId(module.file, name);
    if (module.defs.has(`${name}.__init__`)) return functionId(module.file, `${name}.__init__`);
    return null;
  }
  return null;
}

/** Every function reachable from `start` (itself included), following calls. */
export function reachableFrom(graph: CallGraph, start: FunctionId): Set<FunctionId> {
  const seen = new Set<FunctionId>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of graph.functions.get(id)?.calls ?? []) stack.push(next);
  }
  return seen;
}

/** The function whose lines hold `file:line`, innermost first (for attributing leak sites). */
export function functionAt(graph: CallGraph, file: string, line: number): FunctionInfo | null {
  let best: FunctionInfo | null = null;
  for (const fn of graph.functions.values()) {
    if (fn.file !== file || line < fn.line || line > fn.endLine) continue;
    if (!best || fn.endLine - fn.line < best.endLine - best.line) best = fn;
  }
  return best;
}
