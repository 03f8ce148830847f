/**
 * The nodes of one function's own scope (not those of nested defs, lambdas or classes), and the
 * identifiers in it that read a name: what the resource-lifecycle analysis walks.
 */
import { descendants, field, namedChildren, type Node } from '../../pyast.js';
import { partitionPoint } from '../../sorted.js';

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
  // Offsets, not parent chains: `node.parent` searches down from the root on every call. Only the
  // outermost nested scopes matter; they come in document order and do not overlap.
  const starts: number[] = [];
  const ends: number[] = [];
  for (const scope of descendants(root, [...SCOPES])) {
    if (same(scope, root) || (ends.length && scope.startIndex < ends[ends.length - 1])) continue;
    starts.push(scope.startIndex);
    ends.push(scope.endIndex);
  }
  const found = descendants(root, types);
  if (!starts.length) return found;
  // A node strictly inside a nested scope belongs to it; the scope node itself (same start) is ours.
  return found.filter((node) => {
    const start = node.startIndex;
    const lo = partitionPoint(starts.length, (i) => starts[i] < start);
    // The last nested scope starting before the node is the only one that can hold it.
    return lo === 0 || !(start > starts[lo - 1] && start < ends[lo - 1]);
  });
}

const nameIndexes = new WeakMap<object, Map<number, Map<string, Node[]>>>();

/** The identifiers of one scope grouped by name, once per subtree: bindings ask for one name each. */
function identifiersByName(root: Node): Map<string, Node[]> {
  let perTree = nameIndexes.get(root.tree);
  if (!perTree) nameIndexes.set(root.tree, (perTree = new Map()));
  let byName = perTree.get(root.id);
  if (!byName) {
    byName = new Map();
    for (const id of ownDescendants(root, 'identifier')) {
      const list = byName.get(id.text);
      if (list) list.push(id);
      else byName.set(id.text, [id]);
    }
    perTree.set(root.id, byName);
  }
  return byName;
}

/** Identifiers in a subtree that read the name (not attribute names, keyword names or binding targets). */
export function references(root: Node, name: string): Node[] {
  return (identifiersByName(root).get(name) ?? []).filter(isRead);
}

const siblingLists = new WeakMap<object, Map<number, Node[]>>();

/** The named siblings after a node, in order. (`nextNamedSibling` walks from the parent each time.) */
export function siblingsAfter(node: Node): Node[] {
  const parent = node.parent;
  if (!parent) return [];
  let perTree = siblingLists.get(node.tree);
  if (!perTree) siblingLists.set(node.tree, (perTree = new Map()));
  let siblings = perTree.get(parent.id);
  if (!siblings) perTree.set(parent.id, (siblings = namedChildren(parent)));
  const lo = partitionPoint(siblings.length, (i) => siblings[i].startIndex < node.startIndex);
  for (let i = lo; i < siblings.length && siblings[i].startIndex === node.startIndex; i++) {
    if (same(siblings[i], node)) return siblings.slice(i + 1);
  }
  // Not a named child of its parent (an anonymous node): walk as tree-sitter does.
  const out: Node[] = [];
  for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) out.push(s);
  return out;
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

const typeCache = new WeakMap<object, Map<number, string>>();

/**
 * A node's type, remembered per tree: the path analysis asks every statement after each binding for
 * its type, and each answer is a call into the parser's wasm module.
 */
export function typeOf(node: Node): string {
  let perTree = typeCache.get(node.tree);
  if (!perTree) typeCache.set(node.tree, (perTree = new Map()));
  let type = perTree.get(node.id);
  if (type === undefined) perTree.set(node.id, (type = node.type));
  return type;
}

/** Whether some own identifier of `body` called `name` starts inside `node` (which is in `body`). */
export function mentions(body: Node, node: Node, name: string): boolean {
  const ids = identifiersByName(body).get(name);
  if (!ids) return false;
  const start = node.startIndex;
  const lo = partitionPoint(ids.length, (i) => ids[i].startIndex < start);
  return lo < ids.length && ids[lo].startIndex < node.endIndex;
}
