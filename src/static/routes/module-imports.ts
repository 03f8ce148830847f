/**
 * Where a name a file imports lives: the import bindings its statements make (module level, or inside
 * one def), a reference through them split into module and name, and the file a module is probably
 * defined in. Module names stay as written (relative ones with their dots); link.ts resolves them
 * against the analysed files.
 */
import { ImportTable } from '../imports.js';
import { descendants, field, namedChildren, type Node } from '../pyast.js';

function dirParts(file: string): string[] {
  const parts = file.split('/');
  parts.pop();
  return parts.filter((p) => p && p !== '.');
}

/**
 * Best-guess path (relative to the analysed root) of the file defining a module. Relative imports are
 * exact; an absolute module is anchored at the directory of the current file's path that carries its
 * top package name, else placed beside the current file (`sibling`) or beside its package (`parent`, the
 * Django project layout where apps sit next to the project package). Packages (`__init__.py`) are not
 * told apart from modules: consumers should check the file exists and otherwise match by suffix.
 */
export function moduleFile(
  currentFile: string,
  module: string,
  fallback: 'sibling' | 'parent' = 'sibling',
): string {
  const dirs = dirParts(currentFile);
  const dots = /^\.*/.exec(module)![0].length;
  const rest = module.slice(dots).split('.').filter(Boolean);
  let base: string[];
  if (dots > 0) {
    base = dirs.slice(0, Math.max(0, dirs.length - (dots - 1)));
  } else {
    const anchor = dirs.lastIndexOf(rest[0]);
    if (anchor >= 0) base = dirs.slice(0, anchor);
    else base = fallback === 'parent' ? dirs.slice(0, -1) : dirs;
  }
  if (!rest.length) return [...base, '__init__.py'].join('/');
  return [...base, ...rest].join('/') + '.py';
}

/**
 * Splits a reference through an import into its module and the qualified name inside that module.
 * `bound` is what the reference's first name was imported as; `rest` the attributes after it.
 */
export function splitImported(
  bound: string,
  rest: string[],
  fromImport: boolean,
): { module: string; name: string } | null {
  const dot = bound.lastIndexOf('.');
  const last = bound.slice(dot + 1);
  if (fromImport && dot >= 0 && (rest.length === 0 || /^[A-Z]/.test(last))) {
    // `from .views import index` / `from .views import DetailView` (+ `.as_view`, `.get`).
    // `from . import index`: the package itself.
    const module = bound.slice(0, dot) || /^\.*/.exec(bound)![0];
    return { module, name: [last, ...rest].join('.') };
  }
  if (!rest.length) return null;
  // `from . import views` / `import app.views`: the binding is a module; a capitalised segment past
  // it starts a class (`views.DetailView`).
  const upper = rest.findIndex((p) => /^[A-Z]/.test(p));
  const cut = upper >= 0 ? upper : rest.length - 1;
  const module = [bound, ...rest.slice(0, cut)].join('.');
  return { module, name: rest.slice(cut).join('.') };
}

export interface Imports {
  table: ImportTable;
  /** Local names bound by `from M import name` (as opposed to `import M`). */
  fromNames: Set<string>;
}

const IMPORTS = new Set(['import_statement', 'import_from_statement']);
const COMPOUND = new Set([
  'if_statement',
  'try_statement',
  'with_statement',
  'block',
  'else_clause',
  'elif_clause',
  'except_clause',
  'finally_clause',
]);

/** Import statements at module level, also inside top-level `if`/`try`/`with`, never inside defs. */
export function moduleImports(root: Node): Node[] {
  const out: Node[] = [];
  const stack = namedChildren(root).reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (IMPORTS.has(node.type)) out.push(node);
    else if (COMPOUND.has(node.type)) stack.push(...namedChildren(node).reverse());
  }
  return out;
}

/** The import bindings made by (or inside) the given statements. */
export function importsOf(nodes: Node[]): Imports {
  const table = new ImportTable();
  const fromNames = new Set<string>();
  for (const node of nodes) {
    for (const [local, target] of ImportTable.fromTree(node).bindings) table.bindings.set(local, target);
    for (const stmt of descendants(node, 'import_from_statement')) {
      const moduleNode = field(stmt, 'module_name');
      for (const child of namedChildren(stmt)) {
        if (moduleNode && child.equals(moduleNode)) continue;
        if (child.type === 'aliased_import') {
          const alias = field(child, 'alias')?.text;
          if (alias) fromNames.add(alias);
        } else if (child.type === 'dotted_name') fromNames.add(child.text);
      }
    }
  }
  return { table, fromNames };
}
