/**
 * Which of the project's functions each function calls, across modules (imports followed), so the gate
 * can tell that a route's handler reaches flagged code through helpers. Calls on objects are followed when
 * the source plainly says what class the object is (instance-types.ts: a client built in the same
 * function, `self.attr` set from a constructor, a module-level singleton, a factory's return value). Built
 * from a full parse of every project file; unresolvable calls (the standard library, dynamic dispatch) are
 * dropped, which errs toward "not reached" rather than inventing edges.
 */
import { readFileSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { decodePython } from '../static/decode.js';
import { ImportTable } from '../static/imports.js';
import { discoverPythonFiles } from '../static/discover.js';
import { parsePython, pythonParser } from '../static/parse.js';
import { dottedName, field, type Node } from '../static/pyast.js';
import {
  bodyIndex,
  definitionsOf,
  classOfMethod,
  InstanceTypes,
  type TypedModule,
} from './instance-types.js';

/** `file:qualified.name`, e.g. `app/views.py:OrderView.get`. */
export type FunctionId = string;

export interface FunctionInfo {
  id: FunctionId;
  file: string;
  name: string;
  /** The `def` line, and the first decorator's (where the function's code object says it starts). */
  line: number;
  firstLine: number;
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

interface ParsedModule extends TypedModule {
  /** local name → dotted target (`helpers.compute`, `.store.save` resolved to absolute). */
  imports: Map<string, string>;
  /** qualified name → def node. */
  defs: Map<string, Node>;
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
  const modules = new Map<string, ParsedModule>();
  const trees = [];
  try {
    for (const [file, source] of sources) {
      const tree = parsePython(parser, source);
      trees.push(tree);
      const parsed = parseModule(file, tree.rootNode);
      modules.set(parsed.module, parsed);
      for (const [name, node] of parsed.defs) {
        const id = functionId(file, name);
        graph.functions.set(id, {
          id,
          file,
          name,
          line: node.startPosition.row + 1,
          firstLine:
            (node.parent?.type === 'decorated_definition' ? node.parent : node).startPosition.row + 1,
          endLine: node.endPosition.row + 1,
          calls: new Set(),
        });
      }
    }
    const types = new InstanceTypes(modules);
    for (const module of modules.values()) {
      for (const [name, node] of module.defs) {
        const fn = graph.functions.get(functionId(module.file, name))!;
        const context: CallContext = { module, caller: name, node, className: classOfMethod(module, name) };
        for (const call of bodyIndex(node).calls) {
          const target = resolveCall(call, context, types);
          if (target && target !== fn.id && graph.functions.has(target)) fn.calls.add(target);
        }
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
  return { file, module, imports, ...definitionsOf(root) };
}

/** `.helpers` from package `app.api` → `app.api.helpers`; `..models` → `app.models`. */
function absoluteModule(name: string, packageParts: string[]): string {
  if (!name.startsWith('.')) return name;
  const dots = /^\.+/.exec(name)![0].length;
  const base = packageParts.slice(0, packageParts.length - (dots - 1));
  const rest = name.slice(dots);
  return [...base, ...(rest ? [rest] : [])].join('.');
}

interface CallContext {
  module: ParsedModule;
  /** The calling function's qualified name and def node. */
  caller: string;
  node: Node;
  /** The class the caller is a method of (what `self` is), or null. */
  className: string | null;
}

function resolveCall(call: Node, context: CallContext, types: InstanceTypes): FunctionId | null {
  const { module, caller, className } = context;
  const fn = field(call, 'function');
  const dotted = dottedName(fn);
  const fileOf = (name: string) => types.moduleFile(name);
  if (dotted) {
    const parts = dotted.split('.');
    // self.method() / cls.method() inside a class (its project bases too).
    if ((parts[0] === 'self' || parts[0] === 'cls') && parts.length === 2 && className) {
      const found = types.methodOf({ module: module.module, name: className }, parts[1]);
      if (found) return functionId(fileOf(found.module), found.name);
    }
    // A nested function defined in the caller, then the module's own defs and classes (their __init__).
    const nested = `${caller}.${dotted}`;
    if (module.defs.has(nested)) return functionId(module.file, nested);
    if (parts[0] !== 'self' && parts[0] !== 'cls') {
      const target = types.resolve(module.module, dotted);
      if (target?.kind === 'function') return functionId(fileOf(target.module), target.name);
      if (target?.kind === 'class') {
        const init = types.methodOf(target.ref, '__init__');
        return init ? functionId(fileOf(init.module), init.name) : null;
      }
    }
  }
  // obj.method() on an object whose class the source says: a local, self.attr, a singleton, a factory's result.
  if (fn?.type === 'attribute') {
    const method = field(fn, 'attribute')?.text;
    const owner = types.typeOf(field(fn, 'object'), module.module, context.node, className);
    if (owner && method) {
      const found = types.methodOf(owner, method);
      if (found) return functionId(fileOf(found.module), found.name);
    }
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

/** The shortest chain of calls from `from` to `to` (both included), or null when `to` is not reachable. */
export function callPath(graph: CallGraph, from: FunctionId, to: FunctionId): FunctionId[] | null {
  const previous = new Map<FunctionId, FunctionId | null>([[from, null]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    if (id === to) {
      const path: FunctionId[] = [];
      for (let at: FunctionId | null = to; at !== null; at = previous.get(at)!) path.push(at);
      return path.reverse();
    }
    for (const next of graph.functions.get(id)?.calls ?? []) {
      if (!previous.has(next)) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return null;
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
