import type { ImportTable } from '../imports.js';
import { splitTopLevel, type SourceBlock } from '../prescan.js';
import {
  descendants,
  field,
  functionScope,
  keywordArgument,
  namedChildren,
  parameterNames,
  positionalArguments,
  qualifiedName,
  stringValue,
  unparenthesize,
  walkOwnScope,
  type Node,
  nearestFunction,
} from '../pyast.js';
import type { Rule, RuleContext, ScanFacts } from '../rule.js';

// --- what counts as a growable module-level container ------------------------------------------

const CONTAINER_LITERALS = new Map([
  ['dictionary', 'dict'],
  ['list', 'list'],
  ['set', 'set'],
  ['dictionary_comprehension', 'dict'],
  ['list_comprehension', 'list'],
  ['set_comprehension', 'set'],
]);

const CONTAINER_CALLS = new Map([
  ['dict', 'dict'],
  ['list', 'list'],
  ['set', 'set'],
  ['collections.defaultdict', 'defaultdict'],
  ['collections.OrderedDict', 'OrderedDict'],
  ['collections.Counter', 'Counter'],
  ['collections.deque', 'deque'],
]);

/** Callee names a container definition can use, for the lexical pre-pass (aliases are added). */
const CONTAINER_CALLEES = ['dict', 'list', 'set', 'defaultdict', 'OrderedDict', 'Counter', 'deque'];

/** Methods that add entries. */
const GROW_METHODS = new Set([
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

interface ContainerDefinition {
  name: string;
  kind: string;
  line: number;
}

/** The kind of container an expression builds (`dict`, `deque`…), or null (also for bounded deques). */
function containerKind(value: Node | null, imports: ImportTable): string | null {
  const node = unparenthesize(value);
  if (!node) return null;
  const literal = CONTAINER_LITERALS.get(node.type);
  if (literal) return literal;
  if (node.type !== 'call') return null;
  const callee = imports.resolve(field(node, 'function'));
  const kind = callee ? CONTAINER_CALLS.get(callee) : undefined;
  if (!kind) return null;
  if (kind === 'deque') {
    const maxlen = keywordArgument(node, 'maxlen') ?? positionalArguments(node)[1] ?? null;
    if (maxlen && maxlen.type !== 'none') return null;
  }
  return kind;
}

const MODULE_STATEMENT_CONTAINERS = new Set([
  'module',
  'block',
  'expression_statement',
  'if_statement',
  'elif_clause',
  'else_clause',
  'try_statement',
  'except_clause',
  'finally_clause',
  'with_statement',
  'for_statement',
  'while_statement',
]);

/**
 * Names bound to a container at module scope: top level and inside module-level `if`/`try`/`with`
 * (the `try: import x / except: _cache = {}` shapes), never inside a def or class.
 */
function moduleContainers(root: Node, imports: ImportTable): Map<string, ContainerDefinition> {
  const found = new Map<string, ContainerDefinition>();
  const visit = (node: Node): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'assignment') {
        recordAssignment(child, imports, found);
      } else if (MODULE_STATEMENT_CONTAINERS.has(child.type)) {
        visit(child);
      }
    }
  };
  visit(root);
  return found;
}

function recordAssignment(
  assignment: Node,
  imports: ImportTable,
  into: Map<string, ContainerDefinition>,
): void {
  // `a = b = {}` nests assignments in the right-hand side.
  const targets: Node[] = [];
  let current: Node | null = assignment;
  let value: Node | null = null;
  while (current?.type === 'assignment') {
    const left = field(current, 'left');
    if (left) targets.push(left);
    const right = field(current, 'right');
    if (right?.type === 'assignment') current = right;
    else {
      value = right;
      current = null;
    }
  }
  if (!value) return;
  for (const target of targets) {
    if (target.type === 'identifier') {
      const kind = containerKind(value, imports);
      if (kind && !into.has(target.text)) {
        into.set(target.text, { name: target.text, kind, line: target.startPosition.row + 1 });
      }
    } else if (
      (target.type === 'pattern_list' || target.type === 'tuple_pattern') &&
      (value.type === 'expression_list' || value.type === 'tuple')
    ) {
      const names = namedChildren(target);
      const values = namedChildren(value);
      if (names.length !== values.length) continue;
      names.forEach((name, i) => {
        if (name.type !== 'identifier' || into.has(name.text)) return;
        const kind = containerKind(values[i], imports);
        if (kind) into.set(name.text, { name: name.text, kind, line: name.startPosition.row + 1 });
      });
    }
  }
}

// --- the lexical pre-pass: which names could be module-level containers -------------------------

const NOT_MODULE_SCOPE = new Set(['def', 'async def', 'class', '@', 'import', 'from']);
const ASSIGNED_NAMES = /^[ \t]*((?:[A-Za-z_]\w*[ \t]*(?::[^=\n]+)?=(?!=)[ \t]*)+)/gm;
const ALIAS = /\b([A-Za-z_]\w*)\s+as\s+([A-Za-z_]\w*)/g;

/**
 * Names assigned in module-scope statements whose right-hand side starts like a container (a
 * display, a comprehension or a call to one of the container constructors, aliases included) and
 * that the file could grow somewhere. Every block that mentions such a name gets parsed, so the
 * definition, every function using the name and every shrinking call are in the tree.
 */
export function containerCandidates(facts: ScanFacts): string[] {
  const { source, blocks } = facts;
  const callees = new Set([...CONTAINER_CALLEES, ...importAliases(facts, CONTAINER_CALLEES)]);
  const defaultdicts = new Set(['defaultdict', ...importAliases(facts, ['defaultdict'])]);
  const startsContainer = new RegExp(`^(?:[\\[{(]|(?:[\\w.]+\\.)?(${[...callees].join('|')})\\s*\\()`);
  const names = new Map<string, boolean>();
  for (const block of blocks) {
    if (NOT_MODULE_SCOPE.has(block.head)) continue;
    const text = source.slice(block.start, block.end);
    ASSIGNED_NAMES.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ASSIGNED_NAMES.exec(text))) {
      const rest = startsContainer.exec(text.slice(match.index + match[0].length));
      if (!rest) continue;
      const lookupGrows = rest[1] !== undefined && defaultdicts.has(rest[1]);
      for (const target of match[1].split('=')) {
        const name = /^\s*([A-Za-z_]\w*)/.exec(target)?.[1];
        if (name) names.set(name, (names.get(name) ?? false) || lookupGrows);
      }
    }
  }
  return [...names].filter(([name, lookupGrows]) => mayGrow(source, name, lookupGrows)).map(([n]) => n);
}

const GROW_CALL = `\\.\\s*(?:${[...GROW_METHODS].join('|')})\\s*\\(`;

/**
 * Whether the text could hold a growth of `name` at all: an item assignment, a growing method, an
 * augmented assignment, the name passed first to a call (`heappush(name, …)`), a `global` declaration
 * (rebinding), or for a defaultdict any lookup. A loose superset of what the check recognises: it only
 * keeps containers that are read but never grown from making every function that reads them parsed.
 */
function mayGrow(source: string, name: string, lookupGrows: boolean): boolean {
  const n = name;
  const patterns = [
    `\\b${n}\\s*(?:${GROW_CALL}|[-+|*&]=)`,
    `\\b${n}\\s*\\[[\\s\\S]{0,300}?\\]\\s*(?:[-+|*&]?=(?!=)|,[^\\n=]*=(?!=)|${GROW_CALL})`,
    `\\(\\s*${n}\\s*,`,
    `\\bglobal\\b[^\\n]*\\b${n}\\b`,
  ];
  if (lookupGrows) patterns.push(`\\b${n}\\s*\\[`);
  return new RegExp(patterns.join('|')).test(source);
}

/**
 * Module-level compound statements holding imports (`try: import ujson as json / except ImportError:`).
 * The import table is built from the parsed statements only, so these must be parsed for names to
 * resolve the same way with and without the pre-scan. Defs and classes are left out: their local
 * imports do not affect module-level names.
 */
export function nestedImports(text: string): boolean {
  return !/^(?:async\s+def|def|class|@)/.test(text) && /^[ \t]+(?:import|from)[ \t]/m.test(text);
}

/**
 * Local names that imports give to any of `words` (`from threading import Thread as Worker`),
 * including imports nested in module-level `try`/`if` statements, which the engine's own alias
 * scan (import statements only) does not see.
 */
export function importAliases(facts: ScanFacts, words: readonly string[]): string[] {
  const { source, blocks } = facts;
  const known = new Set(words);
  const aliases: string[] = [];
  for (const block of blocks) {
    const text = source.slice(block.start, block.end);
    if (block.head !== 'import' && block.head !== 'from' && !nestedImports(text)) continue;
    ALIAS.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ALIAS.exec(text))) {
      if (known.has(match[1]) && !known.has(match[2])) {
        known.add(match[2]);
        aliases.push(match[2]);
      }
    }
  }
  return aliases;
}

// --- scopes ---------------------------------------------------------------------------------------

interface ScopeInfo {
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

function scopeInfo(fn: Node, cache: Map<number, ScopeInfo>): ScopeInfo {
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
function refersToModule(name: string, scope: Node, cache: Map<number, ScopeInfo>): boolean {
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
type Effect = { kind: 'grow' | 'implicit'; site: Node; what: string } | { kind: 'shrink' } | null;

function same(a: Node | null, b: Node | null): boolean {
  return a !== null && b !== null && a.id === b.id;
}

const CONSTANT_NAME = /^(?:[A-Z][A-Z0-9_]*|__\w+__)$/;

/** A key that can only ever occupy one slot: a literal, a tuple of them, an ALL_CAPS constant. */
function isFixedKey(node: Node | null): boolean {
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

function subscriptKeys(subscript: Node): Node[] {
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
    return subscriptEffect(parent, name, allFixed, null) ?? lookupEffect(sub, name, allFixed, kind);
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

function effectOf(id: Node, kind: string, imports: ImportTable): Effect {
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
function aliasEffect(id: Node, scope: Node, kind: string, imports: ImportTable): Effect {
  const alias = aliasName(id);
  const body = field(scope, 'body');
  if (!alias || !body) return null;
  const shrinks = descendants(body, 'identifier').some(
    (use) => use.text === alias && effectOf(use, kind, imports)?.kind === 'shrink',
  );
  return shrinks ? { kind: 'shrink' } : null;
}

// --- functions that only run at import or start-up time ----------------------------------------

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

/** Decorators (read up to their arguments) that register a start-up or shutdown hook. */
const STARTUP_DECORATOR =
  /^@\s*(?:[\w.]+\.)?(?:on_event|before_first_request|before_serving|after_serving|listener|on_startup|on_shutdown|startup|shutdown)\s*(?:\(|$)/;

const STARTUP_NAMES =
  /^(?:__init_subclass__|__set_name__|lifespan|_?on_startup|_?on_shutdown|_?startup|_?shutdown|init_app)$/;

/** Defs that frameworks run once, at start-up or class-creation time. */
export function isStartupHook(def: Node): boolean {
  const name = field(def, 'name')?.text ?? '';
  if (STARTUP_NAMES.test(name)) return true;
  if (decoratorsOf(def).some((d) => STARTUP_DECORATOR.test(d.text.trim()))) return true;
  const cls = methodClass(def);
  if (!cls) return false;
  const bases = field(cls, 'superclasses')?.text ?? '';
  // Django's AppConfig.ready() and a metaclass's __new__/__init__ run once per app / class.
  if (name === 'ready' && /\bAppConfig\b/.test(bases)) return true;
  return (
    (name === '__new__' || name === '__init__' || name === '__prepare__') &&
    /\b(?:type|ABCMeta|\w*Meta)\b/.test(bases)
  );
}

export type LexicalUsage = 'import-time' | 'runtime' | 'none';

/** Text just before a function's name that hands it to a framework's start-up or shutdown hooks. */
const STARTUP_REGISTRATION =
  /(?:\bon_startup|\bon_shutdown|\bon_cleanup|\bcleanup_ctx)\.append\(\s*$|add_event_handler\(\s*["']\w+["']\s*,\s*$|\bon_(?:startup|shutdown)\s*=\s*\[[^\]]*$|\blifespan\s*=\s*$/;

/**
 * How the module itself uses a module-level function, read from the text (so the answer does not
 * depend on which statements were parsed): `import-time` when every use is a call in a module-level
 * statement (`setup()`, `if __name__ == "__main__": main()`), a decorator line (`@register`) or a
 * start-up registration; `runtime` when some use is inside a def or class or passes the function
 * around as a value; `none` when the module never mentions it (it is called from elsewhere).
 */
export function lexicalUsage(source: string, def: Node): LexicalUsage {
  const name = field(def, 'name')?.text;
  if (!name) return 'none';
  const first = (def.parent?.type === 'decorated_definition' ? def.parent : def).startPosition.row;
  const last = def.endPosition.row;
  return usageOf(
    source,
    splitTopLevel(source),
    name,
    (_, row) => row >= first && row <= last,
    new Set([name]),
  );
}

const TOP_LEVEL_DEF = /^(?:async[ \t]+)?def[ \t]+(\w+)/m;

function usageOf(
  source: string,
  blocks: readonly SourceBlock[],
  name: string,
  isOwn: (at: number, row: number) => boolean,
  visiting: Set<string>,
): LexicalUsage {
  const pattern = new RegExp(`(?<![\\w.])${name}\\b`, 'g');
  let sawImportTime = false;
  let blockIndex = 0;
  let row = 0;
  let rowAt = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source))) {
    const at = match.index;
    for (let i = source.indexOf('\n', rowAt); i !== -1 && i < at; i = source.indexOf('\n', i + 1)) {
      row++;
      rowAt = i + 1;
    }
    if (isOwn(at, row)) continue;
    const lineStart = source.lastIndexOf('\n', at - 1) + 1;
    const prefix = source.slice(lineStart, at);
    if (prefix.includes('#') || quoteOpen(prefix)) continue;
    while (blockIndex < blocks.length && blocks[blockIndex].end <= at) blockIndex++;
    const block = blocks[blockIndex];
    if (!block || block.start > at) continue;
    const head = block.head;
    if (head === 'import' || head === 'from' || /^\s*del\b/.test(prefix)) continue;
    if (/^\s*@\s*$/.test(prefix) && (head === '@' || atClassLevel(source, block, lineStart))) {
      sawImportTime = true;
      continue;
    }
    const called = /^\s*\(/.test(source.slice(at + name.length, at + name.length + 40));
    // `app.on_startup.append(init_db)`, wherever the app is built: the framework calls it once.
    if (STARTUP_REGISTRATION.test(prefix)) {
      sawImportTime = true;
      continue;
    }
    if (head === 'def' || head === 'async def' || head === '@') {
      // Called from another module-level function: import time only when that one is.
      const caller = TOP_LEVEL_DEF.exec(source.slice(block.start, block.end))?.[1];
      if (!called || !caller || visiting.has(caller)) return 'runtime';
      visiting.add(caller);
      const callerIsOwn = (a: number) => a >= block.start && a < block.end;
      if (usageOf(source, blocks, caller, callerIsOwn, visiting) !== 'import-time') return 'runtime';
      sawImportTime = true;
      continue;
    }
    // A class body runs once, when the class is created; its methods' bodies do not.
    if (head === 'class' && !atClassLevel(source, block, lineStart)) return 'runtime';
    if (/^\s*(?:async\s+)?def\s+$/.test(prefix)) continue;
    if (called) {
      sawImportTime = true;
      continue;
    }
    return 'runtime';
  }
  return sawImportTime ? 'import-time' : 'none';
}

/**
 * Whether a line of a `class` block is a statement of the class body itself (indented exactly like
 * the body's first statement) rather than part of a method. Only the line's own indentation is read,
 * so a continuation line of a method's statement never looks like class level.
 */
function atClassLevel(source: string, block: SourceBlock, lineStart: number): boolean {
  if (block.head !== 'class') return false;
  const body = /\n([ \t]+)(?![ \t#\r\n])/.exec(source.slice(block.start, block.end));
  if (!body) return false;
  const indent = /^[ \t]*/.exec(source.slice(lineStart, lineStart + 200))![0];
  if (indent !== body[1]) return false;
  return !/^[ \t]*(?:async\s+)?def\b/.test(source.slice(lineStart, lineStart + 200));
}

function quoteOpen(prefix: string): boolean {
  const single = prefix.split("'").length - 1;
  const double = prefix.split('"').length - 1;
  return single % 2 === 1 || double % 2 === 1;
}

const DECORATED_PARAM =
  /^(?:f|fn|func|function|cls|klass|kls|handler|callback|cb|view|view_func|wrapped|method|meth|hook|plugin|command|cmd|task|job|decorated|target|coro|coroutine)$/;

/**
 * A def shaped like a registering decorator: it takes the decorated function or class and returns
 * it (or a wrapper defined inside), so what it stores it stores once, when the module is imported.
 */
function isRegisteringDecorator(def: Node, source: string): boolean {
  const params = parameterNames(def).filter((p) => p !== 'self');
  if (params.length === 0) return false;
  const name = field(def, 'name')?.text ?? '';
  const body = field(def, 'body');
  if (!body) return false;
  const nested = new Set<string>();
  const returned = new Set<string>();
  walkOwnScope(def, (node) => {
    if (node.type === 'function_definition' || node.type === 'class_definition') {
      const n = field(node, 'name')?.text;
      if (n) nested.add(n);
    } else if (node.type === 'return_statement') {
      const value = unparenthesize(node.namedChild(0));
      if (value?.type === 'identifier') returned.add(value.text);
    }
  });
  const usedAsDecorator = new RegExp(`^[ \\t]*@[ \\t]*(?:[\\w.]+\\.)?${name}\\b`, 'm').test(source);
  return params.some((p) => {
    const looksDecorated =
      usedAsDecorator ||
      DECORATED_PARAM.test(p) ||
      new RegExp(`\\b${p}\\.__(?:name|qualname)__\\b`).test(body.text);
    return looksDecorated && (returned.has(p) || [...returned].some((r) => nested.has(r)));
  });
}

/** Why the growth in a def only happens at import or start-up time, or null when it can recur. */
function importTimeReason(def: Node, site: Node, source: string, imports: ImportTable): string | null {
  if (def.type !== 'function_definition') return null;
  if (isStartupHook(def)) return 'start-up hook';
  if (isMemoized(def, imports) && parameterNames(def).length === 0) return 'runs once';
  if (isRegisteringDecorator(def, source)) return 'registering decorator';
  if (methodClass(def)) return null;
  const name = field(def, 'name')?.text ?? '';
  if (new RegExp(`^[ \\t]*@[ \\t]*${name}\\b`, 'm').test(source)) return 'used as a decorator';
  if (lexicalUsage(source, def) === 'import-time' && !insideWhile(site, def)) {
    return 'only called at import time';
  }
  return null;
}

function insideWhile(node: Node, stop: Node): boolean {
  for (let p = node.parent; p && p.id !== stop.id; p = p.parent) {
    if (p.type === 'while_statement') return true;
  }
  return false;
}

// --- bounded by construction ------------------------------------------------------------------------

/** `len(name)` compared with something in the def's own code: the function caps the size itself. */
function sizeChecked(scope: Node, name: string): boolean {
  const body = field(scope, 'body');
  if (!body) return false;
  return descendants(body, 'call').some((call) => {
    if (field(call, 'function')?.text !== 'len') return false;
    const arg = positionalArguments(call)[0];
    if (arg?.type !== 'identifier' || arg.text !== name) return false;
    for (let p = call.parent; p && p.id !== scope.id; p = p.parent) {
      if (p.type === 'comparison_operator') return true;
    }
    return false;
  });
}

/** `if not name: name.update(...)` or an earlier `if name: return`: filled once, then only read. */
function filledOnce(site: Node, scope: Node, name: string): boolean {
  for (let p = site.parent; p && p.id !== scope.id; p = p.parent) {
    if (p.type === 'if_statement') {
      const condition = unparenthesize(field(p, 'condition'));
      const consequence = field(p, 'consequence');
      if (
        condition?.type === 'not_operator' &&
        unparenthesize(field(condition, 'argument'))?.text === name &&
        consequence &&
        site.startIndex >= consequence.startIndex &&
        site.endIndex <= consequence.endIndex
      ) {
        return true;
      }
    }
  }
  const body = field(scope, 'body');
  if (!body || body.type !== 'block') return false;
  for (const statement of namedChildren(body)) {
    if (statement.startIndex >= site.startIndex) break;
    if (statement.type !== 'if_statement') continue;
    const condition = unparenthesize(field(statement, 'condition'));
    if (condition?.type !== 'identifier' || condition.text !== name) continue;
    const consequence = field(statement, 'consequence');
    if (consequence && descendants(consequence, 'return_statement').length > 0) return true;
  }
  return false;
}

/** `key in name` / `key not in name` anywhere in the scope's own body. */
function membershipTested(scope: Node, name: string): boolean {
  const body = field(scope, 'body');
  if (!body) return false;
  return descendants(body, 'comparison_operator').some((comparison) => {
    const operands = namedChildren(comparison);
    return /\bin\b/.test(comparison.text) && operands[operands.length - 1]?.text === name;
  });
}

// --- the rule -----------------------------------------------------------------------------------------

function scopeLabel(scope: Node): string {
  if (scope.type === 'lambda') {
    const def = nearestFunction(scope);
    return def?.type === 'function_definition' ? `a lambda in ${qualifiedName(def)}()` : 'a lambda';
  }
  return `${qualifiedName(scope)}()`;
}

/**
 * Growth that is usually bounded in practice although nothing enforces it: entries keyed by a class
 * (one per type), and registration APIs that other modules call while they are imported.
 */
function probablyBounded(scope: Node, site: Node): boolean {
  const key =
    site.type === 'subscript'
      ? subscriptKeys(site)
          .map((k) => k.text)
          .join(',')
      : '';
  if (/^(?:cls|klass|type\(.*\)|\w+\.__class__)$/.test(key)) return true;
  // A decorated def is usually a route or a callback, whatever its name says.
  if (scope.type !== 'function_definition' || decoratorsOf(scope).length > 0) return false;
  const name = field(scope, 'name')?.text ?? '';
  return /^_?(?:register|subscribe|install|declare)/i.test(name);
}

function check(context: RuleContext): void {
  const { root, imports, source } = context;
  const containers = moduleContainers(root, imports);
  if (containers.size === 0) return;
  const cache = new Map<number, ScopeInfo>();
  const shrunk = new Set<string>();
  type Growth = { scope: Node; name: string; site: Node; what: string; implicit?: boolean };
  const growth = new Map<string, Growth>();
  const lookups = new Map<string, Growth>();
  const grown = new Set<string>();

  for (const id of descendants(root, 'identifier')) {
    const name = id.text;
    if (!containers.has(name) || name.startsWith('__')) continue;
    const scope = nearestFunction(id);
    // Module-level code (and class bodies) runs once, at import time.
    if (!scope || !refersToModule(name, scope, cache)) continue;
    const kind = containers.get(name)!.kind;
    const effect = effectOf(id, kind, imports) ?? aliasEffect(id, scope, kind, imports);
    if (!effect) continue;
    if (effect.kind === 'shrink') {
      shrunk.add(name);
      continue;
    }
    if (effect.kind === 'implicit') {
      // A lookup guarded by `key in d` never inserts.
      if (membershipTested(scope, name)) continue;
      const key = `${scope.id}:${name}`;
      if (!lookups.has(key)) {
        lookups.set(key, { scope, name, site: effect.site, what: effect.what, implicit: true });
      }
      continue;
    }
    grown.add(name);
    const key = `${scope.id}:${name}`;
    const existing = growth.get(key);
    if (!existing || effect.site.startIndex < existing.site.startIndex) {
      growth.set(key, { scope, name, site: effect.site, what: effect.what });
    }
  }
  // Lookups count only for dicts that nothing fills explicitly: otherwise the explicit growth is
  // the finding and the lookups would repeat it.
  for (const [key, lookup] of lookups) {
    if (!grown.has(lookup.name) && !growth.has(key)) growth.set(key, lookup);
  }

  const reported = [...growth.values()].sort((a, b) => a.site.startIndex - b.site.startIndex);
  for (const { scope, name, site, what, implicit } of reported) {
    if (shrunk.has(name)) continue;
    if (sizeChecked(scope, name) || filledOnce(site, scope, name)) continue;
    if (importTimeReason(scope, site, source, imports)) continue;
    const definition = containers.get(name)!;
    context.report(site, {
      message:
        `Module-level ${definition.kind} '${name}' (line ${definition.line}) grows in ` +
        `${scopeLabel(scope)} via \`${what}\` and nothing in the module ever removes entries.`,
      confidence: implicit || probablyBounded(scope, site) ? 'medium' : undefined,
    });
  }
}

export const unboundedGlobal: Rule = {
  meta: {
    id: 'RELIABILITY_UNBOUNDED_GLOBAL',
    shortId: 'R1',
    name: 'unbounded-global',
    severity: 'HIGH',
    confidence: 'high',
    summary: 'A module-level container grows inside a function and nothing ever removes entries.',
    fix: 'Bound it (deque(maxlen=N), lru_cache(maxsize=N), an explicit eviction) or keep the state per request.',
    docs: {
      what:
        'A module-level dict, list, set, defaultdict, OrderedDict, Counter or deque without maxlen ' +
        '(display, comprehension or constructor, through any import alias, annotated or not) that a ' +
        'function, method or lambda adds to: `x[k] = v`, `x[k] += v`, `x.append/extend/insert/add/update/' +
        'setdefault/appendleft/extendleft(...)`, `x[k].append(...)`, `heapq.heappush(x, ...)`, with ' +
        '`global x`: `x += ...`, `x |= ...`, `x = x + [...]`, and lookups in a defaultdict nothing fills ' +
        'explicitly (`with _locks[key]:`, which inserts the key). One finding per function and container, ' +
        'on the first growing statement. Not flagged: containers that are only read; growth at import ' +
        'time (module-level code and class bodies, registering decorators such as `@register` or ' +
        '`@route(...)` that return what they register, functions the module only calls from module-level ' +
        'statements, start-up hooks, `__init_subclass__`); fixed keys (`x["hits"] += 1`, `x.add("ready")`); ' +
        'item assignment in lists and deques (it replaces a slot); containers some function of the module ' +
        'shrinks (pop, popitem, popleft, remove, discard, clear, `del x[k]`, slice truncation, a `global` ' +
        'rebinding, also through a local alias or as a callback such as `add_done_callback(x.discard)`); ' +
        'functions that compare `len(x)` or fill the container only while it is empty. Registration-style ' +
        'functions (`register_*`, `subscribe*`), class-keyed entries and defaultdict lookups are reported ' +
        'with medium confidence.',
      why:
        'A module-level object lives as long as the process. A web worker serves millions of requests, ' +
        'and an entry added per request (per user, per URL, per id) is never freed: memory grows ' +
        'linearly until the container is the largest thing on the heap and the worker is OOM-killed or ' +
        'recycled. Gunicorn and uvicorn workers hide it for a while by restarting; it shows as a slow ' +
        'sawtooth in RSS.',
      example: [
        '_seen_users = {}',
        '',
        '@app.get("/users/{user_id}")',
        'def get_user(user_id: int):',
        '    _seen_users[user_id] = load_user(user_id)',
        '    return _seen_users[user_id]',
      ].join('\n'),
      fix: [
        'Give the structure a bound, or do not keep the data at all:',
        '',
        'from functools import lru_cache',
        '',
        '@lru_cache(maxsize=1024)',
        'def cached_user(user_id: int):',
        '    return load_user(user_id)',
        '',
        '@app.get("/users/{user_id}")',
        'def get_user(user_id: int):',
        '    return cached_user(user_id)',
        '',
        'For logs and histories use `collections.deque(maxlen=N)`; for caches with expiry, cachetools',
        '`TTLCache(maxsize=..., ttl=...)`; for per-request state, a local variable.',
      ].join('\n'),
    },
  },
  trigger: { fileWords: containerCandidates },
  check,
};
