/**
 * What a `def` is, read from its syntax: its decorators, whether a memoizer wraps it (so its body runs
 * once per distinct argument), and the class it is a method of.
 */
import type { ImportTable } from '../imports.js';
import { field, namedChildren, type Node } from '../pyast.js';

/** The decorators of a def or class (empty when it has none). */
export function decoratorsOf(def: Node): Node[] {
  const parent = def.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return namedChildren(parent).filter((n) => n.type === 'decorator');
}

/** The expression of a decorator: `functools.cache`, `lru_cache(maxsize=None)`. */
export function decoratorExpression(decorator: Node): Node | null {
  return namedChildren(decorator).find((n) => n.type !== 'comment') ?? null;
}

/** `@functools.cache` / `@lru_cache…` / `@cached_property`-free memoizers: the body runs once per key. */
export function isMemoized(def: Node, imports: ImportTable): boolean {
  return decoratorsOf(def).some((decorator) => {
    let expr = decoratorExpression(decorator);
    if (expr?.type === 'call') expr = field(expr, 'function');
    const name = imports.resolve(expr);
    return name === 'functools.cache' || name === 'functools.lru_cache';
  });
}

/** The class a def is a method of (its body holds the def directly), or null. */
export function methodClass(def: Node): Node | null {
  let holder = def.parent;
  if (holder?.type === 'decorated_definition') holder = holder.parent;
  return holder?.type === 'block' && holder.parent?.type === 'class_definition' ? holder.parent : null;
}
