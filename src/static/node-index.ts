/**
 * `node.descendantsOfType(types)` answered from fewer walks of the tree (issue 15). Rules ask the same
 * tree for the same kinds of node many times over nested parts (every function body, then each nested
 * def's), and each native call walks its subtree again inside the wasm module and builds new node
 * objects: on the standard library those walks covered the parsed code about three times over.
 *
 * - The statement-level types rules ask for (`SHARED`: defs, classes, assignments, returns, imports…)
 *   are rare enough to collect in one walk of the whole tree on first use; every later question about
 *   any of them is a binary search over that walk's nodes.
 * - Other types (identifiers, calls, attributes: too many nodes to build objects for all of them) are
 *   walked natively until the walks asked for one type set add up to the whole tree; then the whole tree
 *   is walked once for that set and later questions answered the same way.
 *
 * Exactness: a node whose start lies strictly inside another's range is its descendant (tree-sitter's
 * siblings never overlap), so only nodes starting at either end of the asked node's range need a look.
 * Where the answer could differ from the native walk's (a node with the same range as the asked one, a
 * zero-width node at either end, a zero-width asked node) the native walk answers.
 * test/static/node-index.test.ts compares every node of many trees with the native answer.
 */
import type { Node, Tree } from 'web-tree-sitter';
import { partitionPoint } from './sorted.js';

/** Statement-level types the rules and route extractors ask for: few per file, collected in one walk. */
const SHARED = [
  'function_definition',
  'lambda',
  'class_definition',
  'decorated_definition',
  'assignment',
  'augmented_assignment',
  'return_statement',
  'yield',
  'import_statement',
  'import_from_statement',
  'comparison_operator',
  'case_clause',
  'break_statement',
];
const SHARED_SET = new Set(SHARED);

interface Walk {
  /** The whole tree's nodes of the walk's types, in document order, with their starts. */
  nodes: Node[];
  starts: Int32Array;
  /** Each node's type, for the shared walk (which holds several). */
  types: string[] | null;
}

interface TypeSetWalk {
  /** Characters of subtrees walked natively so far for this type set. */
  walked: number;
  walk: Walk | null;
}

interface TreeWalks {
  /** The length of the tree's root range: native walks of this much add up to one whole walk. */
  size: number;
  shared: Walk | null;
  byTypes: Map<string, TypeSetWalk>;
}

const walksByTree = new WeakMap<Tree, TreeWalks>();

function native(node: Node, types: string | string[]): Node[] {
  return node.descendantsOfType(types).filter((n): n is Node => n !== null);
}

function wholeWalk(tree: Tree, types: string[], keepTypes: boolean): Walk {
  const nodes = native(tree.rootNode, types);
  return {
    nodes,
    starts: Int32Array.from(nodes, (n) => n.startIndex),
    types: keepTypes ? nodes.map((n) => n.type) : null,
  };
}

/** The node and its descendants of the given types, in document order: `descendantsOfType`'s answer. */
export function descendantsOfTypes(node: Node, types: string | string[]): Node[] {
  const tree = node.tree;
  let walks = walksByTree.get(tree);
  if (!walks) {
    const root = tree.rootNode;
    walks = { size: root.endIndex - root.startIndex, shared: null, byTypes: new Map() };
    walksByTree.set(tree, walks);
  }
  const wanted = typeof types === 'string' ? [types] : types;
  let walk: Walk;
  let only: ReadonlySet<string> | null = null;
  if (wanted.every((t) => SHARED_SET.has(t))) {
    walks.shared ??= wholeWalk(tree, SHARED, true);
    walk = walks.shared;
    only = new Set(wanted);
  } else {
    const key = wanted.join('\0');
    let entry = walks.byTypes.get(key);
    if (!entry) walks.byTypes.set(key, (entry = { walked: 0, walk: null }));
    if (!entry.walk) {
      entry.walked += node.endIndex - node.startIndex;
      // Cheaper natively until the walks asked for add up to the whole tree.
      if (entry.walked <= walks.size) return native(node, types);
      entry.walk = wholeWalk(tree, wanted, false);
    }
    walk = entry.walk;
  }
  return fromWalk(walk, only, node) ?? native(node, types);
}

/** The asked node's part of a whole walk, or null when only the native walk can tell. */
function fromWalk(walk: Walk, only: ReadonlySet<string> | null, node: Node): Node[] | null {
  const start = node.startIndex;
  const end = node.endIndex;
  if (end <= start) return null;
  const { nodes, starts, types } = walk;
  const keep = (i: number) => only === null || only.has(types![i]);
  const out: Node[] = [];
  let i = partitionPoint(starts.length, (k) => starts[k] < start);
  // Nodes starting where the asked one starts: its ancestors (longer), itself, or its descendants.
  for (; i < nodes.length && starts[i] === start; i++) {
    if (!keep(i)) continue;
    const candidate = nodes[i];
    if (candidate.id === node.id) {
      out.push(candidate);
      continue;
    }
    const candidateEnd = candidate.endIndex;
    if (candidateEnd > end) continue; // an ancestor, before the node in document order
    if (candidateEnd === end || candidateEnd === start) return null; // same range, or zero-width
    out.push(candidate);
  }
  for (; i < nodes.length && starts[i] < end; i++) if (keep(i)) out.push(nodes[i]);
  // A zero-width node where the asked one ends may be its last descendant or the next node's.
  for (; i < nodes.length && starts[i] === end; i++) {
    if (keep(i) && nodes[i].endIndex === end) return null;
  }
  return out;
}
