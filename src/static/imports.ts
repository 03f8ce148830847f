/**
 * What each imported name refers to, so rules match `memo` after `from functools import lru_cache as memo`
 * and `ft.cache` after `import functools as ft`.
 */
import { descendants, dottedName, field, namedChildren, type Node } from './pyast.js';

export class ImportTable {
  /** local name → fully qualified name (`memo` → `functools.lru_cache`). */
  readonly bindings = new Map<string, string>();

  static fromTree(root: Node): ImportTable {
    const table = new ImportTable();
    for (const stmt of descendants(root, ['import_statement', 'import_from_statement'])) {
      if (stmt.type === 'import_statement') {
        for (const child of namedChildren(stmt)) {
          if (child.type === 'aliased_import') {
            const name = field(child, 'name')?.text;
            const alias = field(child, 'alias')?.text;
            if (name && alias) table.bindings.set(alias, name);
          } else if (child.type === 'dotted_name') {
            const first = child.namedChild(0)?.text;
            if (first && !table.bindings.has(first)) table.bindings.set(first, first);
          }
        }
      } else {
        const moduleNode = field(stmt, 'module_name');
        const moduleName = moduleNode?.text ?? '';
        for (const child of namedChildren(stmt)) {
          if (child === moduleNode || child.equals(moduleNode!)) continue;
          if (child.type === 'aliased_import') {
            const name = field(child, 'name')?.text;
            const alias = field(child, 'alias')?.text;
            if (name && alias) table.bindings.set(alias, joinModule(moduleName, name));
          } else if (child.type === 'dotted_name') {
            table.bindings.set(child.text, joinModule(moduleName, child.text));
          }
        }
      }
    }
    return table;
  }

  /** Qualifies a dotted name through the imports: `ft.lru_cache` → `functools.lru_cache`. */
  qualify(dotted: string): string {
    const dot = dotted.indexOf('.');
    const head = dot === -1 ? dotted : dotted.slice(0, dot);
    const bound = this.bindings.get(head);
    if (!bound) return dotted;
    return dot === -1 ? bound : bound + dotted.slice(dot);
  }

  /** Qualified name of an identifier/attribute expression, or null for other expressions. */
  resolve(node: Node | null): string | null {
    const dotted = dottedName(node);
    return dotted === null ? null : this.qualify(dotted);
  }

  /** True when `local` was imported at all (as opposed to defined in this module or a builtin). */
  isImported(local: string): boolean {
    return this.bindings.has(local);
  }
}

function joinModule(moduleName: string, name: string): string {
  if (!moduleName) return name;
  return moduleName.endsWith('.') ? moduleName + name : `${moduleName}.${name}`;
}
