/**
 * The nodes of one function's own scope (not those of nested defs, lambdas or classes), and the
 * identifiers in it that read a name: what the resource-lifecycle analysis walks.
 */
import { descendants, field, type Node } from '../../pyast.js';

export const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

export function same(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

export function within(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * Nodes of the given types in one scope, in source order, not those in the bodies of nested defs,
 * lambdas or classes. (descendantsOfType runs natively; walking children one by one from JavaScript
 * costs a call into the wasm module per node.)
 */
const ownCache = new WeakMap<object, Map<string, Node[]>>();

/** ownDescendants, remembered per tree: the analysis asks the same function body many times. */
export function ownDescendants(root: Node, types: string | string[]): Node[] {
  let cache = ownCache.get(root.tree);
  if (!cache) ownCache.set(root.tree, (cache = new Map()));
  const key = `${root.id}|${typeof types === 'string' ? types : types.join(',')}`;
  let found = cache.get(key);
  if (!found) cache.set(key, (found = computeOwnDescendants(root, types)));
  return found;
}

function computeOwnDescendants(root: Node, types: string | string[]): Node[] {
  // Offsets, not parent chains: `node.parent` searches down from the root on every call.
  const nested: [number, number][] = [];
  for (const scope of descendants(root, [...SCOPES])) {
    if (!same(scope, root)) nested.push([scope.startIndex, scope.endIndex]);
  }
  const found = descendants(root, types);
  if (!nested.length) return found;
  // A node strictly inside a nested scope belongs to it; the scope node itself (same start) is ours.
  return found.filter((node) => {
    const start = node.startIndex;
    return !nested.some(([from, to]) => start > from && start < to);
  });
}

/** Identifiers in a subtree that read the name (not attribute names, keyword names or binding targets). */
export function references(root: Node, name: string): Node[] {
  if (!root.text.includes(name)) return [];
  return ownDescendants(root, 'identifier').filter((id) => id.text === name && isRead(id));
}

export function isRead(id: Node): boolean {
  const parent = id.parent;
  if (!parent) return false;
  switch (parent.type) {
    case 'attribute':
      return same(field(parent, 'object'), id);
    case 'keyword_argument':
      return same(field(parent, 'value'), id);
    case 'assignment':
    case 'augmented_assignment':
      return !same(field(parent, 'left'), id) || parent.type === 'augmented_assignment';
    case 'global_statement':
    case 'nonlocal_statement':
    case 'dotted_name':
    case 'aliased_import':
    case 'parameters':
    case 'lambda_parameters':
      return false;
    default:
      return true;
  }
}

/**
 * True when the function hands the resource (or something wrapping it) to anyone else, so closing it
 * is no longer this function's job.
 */
