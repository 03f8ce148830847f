/**
 * What a use of a module-level container does to it: grows it (`x[k] = v`, `x.append(…)`,
 * `heapq.heappush(x, …)`, `x += …` under `global x`), shrinks it (pop, discard, `del x[k]`, slice
 * truncation, a rebinding), inserts implicitly (a defaultdict lookup), or nothing. And whether a name
 * used in a function is the module's binding at all (Python's scoping rules).
 */
import type { ImportTable } from '../imports.js';
import {
  descendants,
  field,
  functionScope,
  namedChildren,
  nearestFunction,
  positionalArguments,
  stringValue,
  unparenthesize,
  walkOwnScope,
  type Node,
} from '../pyast.js';

/** Methods that add entries. */
export const GROW_METHODS = new Set([
  'append',
  'extend',
  'insert',
  'add',
  'update',
  'setdefault',
  'appendleft',
  'extendleft',
]);

/**
 * Methods that remove entries. Their presence anywhere in the module's functions means somebody
 * thought about eviction (LRU-by-hand, register/unregister pairs, periodic flushes): static analysis
 * cannot tell whether the bound holds, and flagging those is what makes people turn a rule off.
 */
const SHRINK_METHODS = new Set([
  'pop',
  'popitem',
  'popleft',
  'remove',
  'discard',
  'clear',
  'difference_update',
  'intersection_update',
]);

const HEAP_GROW = new Set(['heapq.heappush', 'bisect.insort', 'bisect.insort_left', 'bisect.insort_right']);
const HEAP_SHRINK = new Set(['heapq.heappop']);

// --- scopes ---------------------------------------------------------------------------------------

export interface ScopeInfo {
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

export function scopeInfo(fn: Node, cache: Map<number, ScopeInfo>): ScopeInfo {
  let info = cache.get(fn.id);
  if (info) return info;
  const { locals } = functionScope(fn);
  const globals = new Set<string>();
  const nonlocals = new Set<string>();
  if (fn.type === 'function_definition') {
    walkOwnScope(fn, (node) => {
      if (node.type !== 'global_statement' && node.type !== 'nonlocal_statement') return;
      const into = node.type === 'global_statement' ? globals : nonlocals;
      for (const id of namedChildren(node)) if (id.type === 'identifier') into.add(id.text);
    });
  }
  info = { locals, globals, nonlocals };
  cache.set(fn.id, info);
  return info;
}

/** True when `name` used in `scope` is the module-level binding (Python's LEGB, classes skipped). */
export function refersToModule(name: string, scope: Node, cache: Map<number, ScopeInfo>): boolean {
  for (let s: Node | null = scope; s; s = nearestFunction(s)) {
    const info = scopeInfo(s, cache);
    if (info.globals.has(name)) return true;
    if (info.nonlocals.has(name)) continue;
    if (info.locals.has(name)) return false;
  }
  return true;
}

// --- what a use of the name does --------------------------------------------------------------------

/**
 * `grow` adds entries; `implicit` is a defaultdict lookup (`with _locks[key]:`), which inserts the
 * key when it is missing and so grows the dict as surely as an assignment.
 */
export type Effect = { kind: 'grow' | 'implicit'; site: Node; what: string } | { kind: 'shrink' } | null;

function same(a: Node | null, b: Node | null): boolean {
  return a !== null && b !== null && a.id === b.id;
}

const CONSTANT_NAME = /^(?:[A-Z][A-Z0-9_]*|__\w+__)$/;

/** A key that can only ever occupy one slot: a literal, a tuple of them, an ALL_CAPS constant. */
export function isFixedKey(node: Node | null): boolean {
  const n = unparenthesize(node);
  if (!n) return false;
  switch (n.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
    case 'concatenated_string':
      return stringValue(n) !== null;
    case 'unary_operator':
      return isFixedKey(field(n, 'argument'));
    case 'tuple':
      return namedChildren(n).every(isFixedKey);
    case 'identifier':
      return CONSTANT_NAME.test(n.text);
    case 'attribute':
      return CONSTANT_NAME.test(field(n, 'attribute')?.text ?? '');
    default:
      return false;
  }
}

/** Whether a growing call can only add a fixed set of entries: `s.add("x")`, `d.update(a=1)`. */
function fixedEntries(method: string, call: Node): boolean {
  const args = positionalArguments(call);
  switch (method) {
    case 'add':
    case 'setdefault':
      return args.length > 0 && isFixedKey(args[0]);
    case 'update': {
      if (args.length === 0) return true; // keyword arguments only
      if (args.length !== 1) return false;
      const arg = unparenthesize(args[0]);
      if (!arg) return false;
      if (arg.type === 'dictionary') {
        return namedChildren(arg).every((pair) => pair.type === 'pair' && isFixedKey(field(pair, 'key')));
      }
      if (arg.type === 'list' || arg.type === 'tuple' || arg.type === 'set') {
        return namedChildren(arg).every(isFixedKey);
      }
      return false;
    }
    default:
      return false;
  }
}

export function subscriptKeys(subscript: Node): Node[] {
  return subscript.childrenForFieldName('subscript').filter((n): n is Node => n !== null);
}

/** The assignment whose target list holds `node` (`x[k] = v`, `a, x[k] = …`), if any. */
function assignedBy(node: Node): Node | null {
  let current = node;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'assignment') return same(field(p, 'left'), current) ? p : null;
    if (p.type !== 'pattern_list' && p.type !== 'tuple_pattern' && p.type !== 'list_pattern') {
      return null;
    }
    current = p;
  }
  return null;
}

function callOf(attribute: Node): Node | null {
  const call = attribute.parent;
  return call?.type === 'call' && same(field(call, 'function'), attribute) ? call : null;
}

/**
 * What a subscript of the container (`x[k]`, or `x[a][b]` nested) does to it. `kind` is the
 * container's own kind for `x[k]` and null for the elements of `x[a][b]`.
 */
function subscriptEffect(sub: Node, name: string, fixed: boolean, kind: string | null): Effect {
  const keys = subscriptKeys(sub);
  if (keys.some((k) => k.type === 'slice')) {
    // `x[:] = x[-100:]` / `del x[:-100]`: replacing or truncating a slice is how lists get bounded.
    return assignedBy(sub) || sub.parent?.type === 'delete_statement' ? { kind: 'shrink' } : null;
  }
  const allFixed = fixed && keys.every(isFixedKey);
  const parent = sub.parent;
  if (!parent) return null;
  // Item assignment replaces a slot of a list or deque (or raises IndexError): it never grows it.
  const sequence = kind === 'list' || kind === 'deque';
  if (assignedBy(sub)) {
    if (sequence) return null;
    return allFixed ? null : { kind: 'grow', site: sub, what: `${name}[…] = …` };
  }
  if (parent.type === 'augmented_assignment' && same(field(parent, 'left'), sub)) {
    if (sequence) return null;
    return allFixed ? null : { kind: 'grow', site: parent, what: `${name}[…] ${opText(parent)} …` };
  }
  if (
    parent.type === 'delete_statement' ||
    (parent.type === 'expression_list' && parent.parent?.type === 'delete_statement')
  ) {
    return { kind: 'shrink' };
  }
  if (parent.type === 'attribute' && same(field(parent, 'object'), sub)) {
    const call = callOf(parent);
    const method = field(parent, 'attribute')?.text ?? '';
    if (call && SHRINK_METHODS.has(method)) return { kind: 'shrink' };
    // The element is a list or set that keeps growing even under a fixed key.
    if (call && GROW_METHODS.has(method) && !fixedEntries(method, call)) {
      return { kind: 'grow', site: call, what: `${name}[…].${method}(…)` };
    }
    return lookupEffect(sub, name, allFixed, kind);
  }
  if (parent.type === 'subscript' && same(field(parent, 'value'), sub)) {
    // `x[k]["status"] = v` sets a fixed key of an entry that is already there: only the element's own
    // keys say whether it grows (a defaultdict's lookup still inserts, below).
    return subscriptEffect(parent, name, true, null) ?? lookupEffect(sub, name, allFixed, kind);
  }
  return lookupEffect(sub, name, allFixed, kind);
}

function lookupEffect(sub: Node, name: string, fixed: boolean, kind: string | null): Effect {
  if (kind !== 'defaultdict' || fixed) return null;
  return { kind: 'implicit', site: sub, what: `${name}[…] (a defaultdict lookup inserts missing keys)` };
}

function opText(augmented: Node): string {
  return field(augmented, 'operator')?.type ?? '+=';
}

export function effectOf(id: Node, kind: string, imports: ImportTable): Effect {
  const name = id.text;
  const parent = id.parent;
  if (!parent) return null;
  switch (parent.type) {
    case 'attribute': {
      if (!same(field(parent, 'object'), id)) return null;
      const method = field(parent, 'attribute')?.text ?? '';
      // Also uncalled: `task.add_done_callback(_tasks.discard)` removes every entry it added.
      if (SHRINK_METHODS.has(method)) return { kind: 'shrink' };
      const call = callOf(parent);
      if (!call) return null;
      if (GROW_METHODS.has(method) && !fixedEntries(method, call)) {
        return { kind: 'grow', site: call, what: `${name}.${method}(…)` };
      }
      return null;
    }
    case 'subscript':
      return same(field(parent, 'value'), id) ? subscriptEffect(parent, name, true, kind) : null;
    case 'augmented_assignment': {
      if (!same(field(parent, 'left'), id)) return null;
      const op = opText(parent);
      if (op === '+=' || op === '|=' || op === '*=') {
        return { kind: 'grow', site: parent, what: `${name} ${op} …` };
      }
      return op === '-=' || op === '&=' ? { kind: 'shrink' } : null;
    }
    case 'assignment': {
      // Only reached with `global name`: a rebinding either grows (`x = x + [item]`) or replaces.
      if (!same(field(parent, 'left'), id)) return null;
      const right = unparenthesize(field(parent, 'right'));
      return right && rebindGrows(right, name)
        ? { kind: 'grow', site: parent, what: `${name} = ${name} …` }
        : { kind: 'shrink' };
    }
    case 'delete_statement':
      return { kind: 'shrink' };
    case 'argument_list': {
      const call = parent.parent;
      if (call?.type !== 'call' || !same(positionalArguments(call)[0] ?? null, id)) return null;
      const callee = imports.resolve(field(call, 'function'));
      if (callee && HEAP_GROW.has(callee)) {
        return { kind: 'grow', site: call, what: `${callee.split('.').pop()}(${name}, …)` };
      }
      return callee && HEAP_SHRINK.has(callee) ? { kind: 'shrink' } : null;
    }
    default:
      return null;
  }
}

function rebindGrows(right: Node, name: string): boolean {
  if (right.type === 'binary_operator') {
    const op = field(right, 'operator')?.type;
    if (op !== '+' && op !== '|') return false;
    const operands = [field(right, 'left'), field(right, 'right')].map(unparenthesize);
    return operands.some(
      (o) => (o?.type === 'identifier' && o.text === name) || (o !== null && rebindGrows(o, name)),
    );
  }
  if (right.type === 'list' || right.type === 'set' || right.type === 'dictionary') {
    const items = namedChildren(right);
    const splat = items.some(
      (item) =>
        (item.type === 'list_splat' || item.type === 'dictionary_splat') && item.namedChild(0)?.text === name,
    );
    return splat && items.length > 1;
  }
  return false;
}

/** The local a function copies the container into (`handlers = _handler_list`), if any. */
function aliasName(id: Node): string | null {
  const parent = id.parent;
  if (parent?.type === 'assignment' && same(field(parent, 'right'), id)) {
    const left = field(parent, 'left');
    return left?.type === 'identifier' ? left.text : null;
  }
  const assignment = parent?.parent;
  if (
    parent?.type === 'expression_list' &&
    assignment?.type === 'assignment' &&
    same(field(assignment, 'right'), parent)
  ) {
    const index = namedChildren(parent).findIndex((n) => same(n, id));
    const left = field(assignment, 'left');
    const target = left?.type === 'pattern_list' ? namedChildren(left)[index] : undefined;
    return target?.type === 'identifier' ? target.text : null;
  }
  return null;
}

/** Shrinking through a local alias counts as shrinking the container (growth through one is not tracked). */
export function aliasEffect(id: Node, scope: Node, kind: string, imports: ImportTable): Effect {
  const alias = aliasName(id);
  const body = field(scope, 'body');
  if (!alias || !body) return null;
  const shrinks = identifiersNamed(body, alias).some(
    (use) => effectOf(use, kind, imports)?.kind === 'shrink',
  );
  return shrinks ? { kind: 'shrink' } : null;
}

const identifierIndexes = new WeakMap<object, Map<number, Map<string, Node[]>>>();

/** The identifiers of a body called `name`, grouped once per body (a body can alias many names). */
function identifiersNamed(body: Node, name: string): Node[] {
  let perTree = identifierIndexes.get(body.tree);
  if (!perTree) identifierIndexes.set(body.tree, (perTree = new Map()));
  let byName = perTree.get(body.id);
  if (!byName) {
    byName = new Map();
    for (const id of descendants(body, 'identifier')) {
      const list = byName.get(id.text);
      if (list) list.push(id);
      else byName.set(id.text, [id]);
    }
    perTree.set(body.id, byName);
  }
  return byName.get(name) ?? [];
}
