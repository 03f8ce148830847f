/**
 * Resource-lifecycle analysis shared by R3 (sessions, connections, sockets) and M2 (files): a resource
 * created by a call and bound to a plain local name inside a function must be closed — by `with`, by a
 * close in `finally`, or by a close that every normal path from the binding reaches — unless the function
 * hands it to someone else (returns, yields or stores it, registers its close method).
 *
 * Deliberate simplifications, chosen for precision:
 * - Exception paths are ignored unless the close is in `finally`: a close at the end of the function
 *   counts, even though an exception raised in between would skip it. An explicit `return`, a `raise`
 *   outside an `except` handler, or a `break`/`continue` that skips the close is a leaking path.
 * - Any sign that ownership moves elsewhere ends the analysis of that name: returned or yielded (also
 *   inside a wrapper: `return Wrapper(s)`), stored in an attribute, subscript, global or container,
 *   handed to an ExitStack, a thread or an executor, captured by a nested function or lambda, or its
 *   bound close method passed along (`atexit.register(s.close)`).
 * - An `if` whose condition mentions the resource (`if s is not None:`) is a guard: a close in its
 *   body counts as unconditional.
 */
import type { ImportTable } from '../imports.js';
import type { ScanFacts } from '../rule.js';
import { calleeTail, descendants, field, functionScope, namedChildren, type Node } from '../pyast.js';

export interface Creation {
  /** How the message names the call: `requests.Session()`. */
  callee: string;
}

export interface ResourceKind {
  /** The creation the call is, or null when the call does not create a tracked resource. */
  creation(call: Node, imports: ImportTable, name: string): Creation | null;
  /** Method names that release the resource (`close`, `dispose`…). */
  closers: ReadonlySet<string>;
  /**
   * Words one of which any creating call's text contains (import aliases of them are added), so
   * functions without any can be skipped without walking their tree; `pattern` covers the rest.
   */
  words: readonly string[];
  pattern?: RegExp;
}

export interface Leak {
  /** The bound name's identifier at the binding. */
  binding: Node;
  name: string;
  call: Node;
  callee: string;
  /** Which path leaks, for the message: `is never closed`, `is not closed when … returns at line 12`. */
  reason: string;
  /** True when the resource is closed somewhere, just not on every path. */
  partial: boolean;
}

/** The callee as written, whitespace collapsed: `requests.Session`, `self.engine.connect`. */
export function calleeText(fn: Node): string {
  const text = fn.text.replace(/\s+/g, '');
  return text.length > 60 ? `…${text.slice(-59)}` : text;
}

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** Calls that take the resource over: containers, exit stacks, threads, executors, registries. */
const HANDOFF = new Set([
  'append',
  'appendleft',
  'add',
  'extend',
  'insert',
  'put',
  'put_nowait',
  'setdefault',
  'push',
  'register',
  'enter_context',
  'enter_async_context',
  'callback',
  'push_async_callback',
  'push_async_exit',
  'setattr',
  'set',
  'Thread',
  'Process',
  'Timer',
  'submit',
  'create_task',
  'ensure_future',
  'start_new_thread',
  'run_in_executor',
  'run_coroutine_threadsafe',
  'apply_async',
  'call_soon',
  'call_soon_threadsafe',
  'call_later',
  'spawn',
  'finalize',
  'addfinalizer',
  'addCleanup',
  'add_done_callback',
  'add_signal_handler',
]);

/** Setters and registries by name: `self.set_socket(sock)`, `source.setByteStream(f)`, `add_reader(s)`. */
const HANDOFF_NAME = /^(?:set|add|register|attach|adopt|track|store|keep|enqueue)(?:_|[A-Z])/;

/** Helpers that close what they are handed: `os.close(fd)`, `pool.putconn(conn)`, `_safe_close(s)`. */
const CLOSE_HELPER = /close|dispose|release|shutdown|cleanup|teardown|putconn|terminate/i;

/**
 * Calls that read from the resource and return plain data without keeping it, so their result is not
 * an alias of the resource (`data = json.load(f); return data` still leaks `f`).
 */
const CONSUMERS = new Set([
  'load',
  'loads',
  'safe_load',
  'full_load',
  'unsafe_load',
  'dump',
  'dumps',
  'safe_dump',
  'parse',
  'fromstring',
  'copyfileobj',
  'list',
  'tuple',
  'sorted',
  'len',
  'sum',
  'min',
  'max',
  'any',
  'all',
  'set',
  'frozenset',
  'dict',
  'str',
  'bytes',
  'bool',
  'int',
  'float',
  'repr',
  'print',
  'isinstance',
  'hasattr',
  'getattr',
  'id',
  'hash',
  'type',
  'callable',
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'log',
]);

type Sink =
  | { kind: 'escape' }
  | { kind: 'return' }
  | { kind: 'close' }
  | { kind: 'with' }
  | { kind: 'alias'; name: string };

interface Exit {
  node: Node;
  kind: 'return' | 'raise' | 'break' | 'continue';
  /** The loop a break/continue leaves. */
  loop?: Node;
}

interface Outcome {
  /** Exits that leave before the resource is closed on their path. */
  exits: Exit[];
  /** Control can reach the end of the statement normally. */
  falls: boolean;
  /** Every normal path through the statement closed the resource. */
  closed: boolean;
}

const FALLS_OPEN: Outcome = { exits: [], falls: true, closed: false };

function same(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

/** Every leaking binding of a tracked resource in every function of the tree. */
export function findLeaks(root: Node, imports: ImportTable, kind: ResourceKind, source: string): Leak[] {
  const words = new Set(kind.words);
  for (const [local, qualified] of imports.bindings) {
    if (words.has(qualified.slice(qualified.lastIndexOf('.') + 1))) words.add(local);
  }
  const functions = descendants(root, 'function_definition');
  const { kind: withFactories, names } = factoryAware(functions, imports, kind, source, words);
  for (const name of names) words.add(name);
  const mentions = wordTest(words, kind.pattern);
  const leaks: Leak[] = [];
  for (const fn of functions) {
    if (!mentions(field(fn, 'body')?.text ?? '')) continue;
    leaks.push(...leaksInFunction(fn, imports, withFactories, source));
  }
  return leaks;
}

function wordTest(words: Set<string>, pattern?: RegExp): (text: string) => boolean {
  const escaped = [...words].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const regex = escaped.length ? new RegExp(`\\b(?:${escaped.join('|')})\\b`) : null;
  return (text) => (regex?.test(text) ?? false) || (pattern?.test(text) ?? false);
}

/**
 * The resource kind extended with the file's own factories: `def get_db_connection(): conn =
 * sqlite3.connect(...); conn.row_factory = ...; return conn` makes `conn = get_db_connection()` a
 * creation too. A module-level factory is matched by bare calls, a method by `self.name()`.
 * Functions that store the resource elsewhere (Flask's `g._database = ...`) or yield it are not
 * factories: someone else owns what they hand out.
 */
function factoryAware(
  functions: Node[],
  imports: ImportTable,
  kind: ResourceKind,
  source: string,
  words: Set<string>,
): { kind: ResourceKind; names: string[] } {
  const moduleFactories = new Map<string, Creation>();
  const methodFactories = new Map<string, Creation>();
  const extended: ResourceKind = {
    ...kind,
    creation(call, table, name) {
      const direct = kind.creation(call, table, name);
      if (direct) return direct;
      const fn = field(call, 'function');
      if (fn?.type === 'identifier' && !table.isImported(fn.text))
        return moduleFactories.get(fn.text) ?? null;
      if (fn?.type === 'attribute') {
        const object = field(fn, 'object');
        const attribute = field(fn, 'attribute')?.text ?? '';
        if (object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls')) {
          return methodFactories.get(attribute) ?? null;
        }
      }
      return null;
    },
  };
  // Two rounds, so a factory that returns another factory's result is one too.
  for (let round = 0; round < 2; round++) {
    const mentions = wordTest(
      new Set([...words, ...moduleFactories.keys(), ...methodFactories.keys()]),
      kind.pattern,
    );
    for (const fn of functions) {
      const name = field(fn, 'name')?.text;
      if (!name) continue;
      if (!mentions(field(fn, 'body')?.text ?? '')) continue;
      const inClass = fn.parent?.type === 'block' && fn.parent.parent?.type === 'class_definition';
      const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
      const methodOfClass =
        inClass ||
        (decorated?.parent?.type === 'block' && decorated.parent.parent?.type === 'class_definition');
      const atModule = fn.parent?.type === 'module' || decorated?.parent?.type === 'module';
      if (!methodOfClass && !atModule) continue;
      const table = methodOfClass ? methodFactories : moduleFactories;
      if (table.has(name)) continue;
      const made = factoryCreation(fn, imports, extended, source);
      if (made) table.set(name, { callee: `${name}() (which returns a new ${made.callee})` });
    }
  }
  return { kind: extended, names: [...moduleFactories.keys(), ...methodFactories.keys()] };
}

function factoryCreation(
  fn: Node,
  imports: ImportTable,
  kind: ResourceKind,
  source: string,
): Creation | null {
  const body = field(fn, 'body');
  if (!body) return null;
  const exits = ownDescendants(body, ['yield', 'return_statement']);
  if (exits.some((n) => n.type === 'yield')) return null;
  const returned = exits.map((n) => n.namedChild(0)).filter((v): v is Node => v !== null);
  if (!returned.length) return null;
  const env: Env = { kind, fn, source };
  for (const value of returned) {
    const call = creationCall(value);
    if (call) {
      const made = kind.creation(call, imports, '');
      if (made) return made;
    }
    if (value.type !== 'identifier') continue;
    for (const binding of bindingsIn(body, imports, kind)) {
      if (binding.name !== value.text) continue;
      const h = handoff(env, body, binding.name);
      if (h.returned && !h.escaped) return binding.creation;
    }
  }
  return null;
}

interface Binding {
  name: string;
  target: Node;
  statement: Node;
  call: Node;
  creation: Creation;
}

function leaksInFunction(fn: Node, imports: ImportTable, kind: ResourceKind, source: string): Leak[] {
  const env: Env = { kind, fn, source };
  const body = field(fn, 'body');
  if (!body) return [];
  const bindings = bindingsIn(body, imports, kind);
  if (!bindings.length) return [];

  const scope = functionScope(fn);
  const leaks: Leak[] = [];
  const verdicts = new Map<string, boolean>();
  for (const binding of bindings) {
    if (scope.declared.has(binding.name)) continue;
    let handedOff = verdicts.get(binding.name);
    if (handedOff === undefined) {
      handedOff = escapes(env, body, binding.name);
      verdicts.set(binding.name, handedOff);
    }
    if (handedOff) continue;
    const leak = analyseBinding(env, binding);
    if (leak) leaks.push(leak);
  }
  return leaks;
}

/** `name = <creation>` statements of one function body. */
function bindingsIn(body: Node, imports: ImportTable, kind: ResourceKind): Binding[] {
  const bindings: Binding[] = [];
  for (const node of ownDescendants(body, 'assignment')) {
    if (node.parent?.type !== 'expression_statement') continue;
    const call = creationCall(field(node, 'right'));
    if (!call) continue;
    const target = field(node, 'left');
    if (target?.type !== 'identifier') continue;
    const creation = kind.creation(call, imports, target.text);
    if (!creation) continue;
    bindings.push({ name: target.text, target, statement: node.parent, call, creation });
  }
  return bindings;
}

/** The creating call on the right of `name = …`: `Session()`, `await connect()`, `(open(p))`. */
function creationCall(right: Node | null): Node | null {
  let node = right;
  while (node && (node.type === 'parenthesized_expression' || node.type === 'await')) {
    node = node.namedChild(0);
  }
  return node?.type === 'call' ? node : null;
}

/**
 * Nodes of the given types in one scope, in source order, not those in the bodies of nested defs,
 * lambdas or classes. (descendantsOfType runs natively; walking children one by one from JavaScript
 * costs a call into the wasm module per node.)
 */
const ownCache = new WeakMap<object, Map<string, Node[]>>();

/** ownDescendants, remembered per tree: the analysis asks the same function body many times. */
function ownDescendants(root: Node, types: string | string[]): Node[] {
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
function references(root: Node, name: string): Node[] {
  if (!root.text.includes(name)) return [];
  return ownDescendants(root, 'identifier').filter((id) => id.text === name && isRead(id));
}

function isRead(id: Node): boolean {
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
function escapes(env: Env, body: Node, name: string): boolean {
  const h = handoff(env, body, name);
  return h.returned || h.escaped;
}

/** How the resource leaves the function: returned as itself, or handed off any other way. */
function handoff(env: Env, body: Node, name: string): { returned: boolean; escaped: boolean } {
  const fn = env.fn;
  const result = { returned: false, escaped: false };
  if (capturedByNestedScope(fn, body, name)) return { returned: false, escaped: true };
  const seen = new Set<string>([name]);
  const queue = [name];
  while (queue.length) {
    const current = queue.pop()!;
    if (current !== name && capturedByNestedScope(fn, body, current))
      return { returned: false, escaped: true };
    for (const ref of references(body, current)) {
      const sink = sinkOf(ref, env);
      if (!sink) continue;
      if (sink.kind === 'escape') return { returned: false, escaped: true };
      if (sink.kind === 'return') {
        if (current !== name) return { returned: false, escaped: true };
        result.returned = true;
      }
      if (sink.kind === 'alias' && !seen.has(sink.name)) {
        seen.add(sink.name);
        queue.push(sink.name);
      }
    }
  }
  return result;
}

/** A nested def, lambda or class that reads the name: it may close it, return it or outlive the call. */
function capturedByNestedScope(fn: Node, body: Node, name: string): boolean {
  for (const nested of descendants(body, ['function_definition', 'lambda', 'class_definition'])) {
    if (same(nested, fn)) continue;
    let hit = false;
    for (const id of descendants(nested, 'identifier')) {
      if (id.text === name && isRead(id)) {
        hit = true;
        break;
      }
    }
    if (!hit) continue;
    if (nested.type !== 'class_definition' && functionScope(nested).locals.has(name)) continue;
    return true;
  }
  return false;
}

/**
 * Where the value read at `ref` ends up: handed off (escape), closed by a helper, used by `with`, or
 * kept in another local (alias). Null when it is only used (a method called on it, an argument to a
 * function that just reads from it…).
 */
function sinkOf(ref: Node, env: Env): Sink | null {
  const { kind, fn } = env;
  let node = ref;
  let boundCloser = false;
  const first = ref.parent;
  if (first?.type === 'attribute') {
    const attr = field(first, 'attribute')?.text ?? '';
    const called = first.parent?.type === 'call' && same(field(first.parent, 'function'), first);
    if (called) return null;
    // `atexit.register(s.close)`: the close method itself is handed to someone who will call it.
    if (kind.closers.has(attr)) {
      node = first;
      boundCloser = true;
    } else {
      return boundMemberSink(first);
    }
  }
  for (;;) {
    const parent: Node | null = node.parent;
    if (!parent) return null;
    switch (parent.type) {
      case 'parenthesized_expression':
      case 'tuple':
      case 'list':
      case 'set':
      case 'expression_list':
      case 'pair':
      case 'dictionary':
      case 'list_splat':
      case 'dictionary_splat':
      case 'await':
      case 'boolean_operator':
        node = parent;
        continue;
      case 'keyword_argument':
        if (!same(field(parent, 'value'), node)) return null;
        node = parent;
        continue;
      case 'conditional_expression':
        // The condition (`x if s else y`) only tests the resource.
        if (same(parent.namedChild(1), node)) return null;
        node = parent;
        continue;
      case 'argument_list': {
        const call = parent.parent;
        if (call?.type !== 'call') return boundCloser ? { kind: 'escape' } : null;
        if (boundCloser) return { kind: 'escape' };
        const tail = calleeTail(call) ?? '';
        if (CLOSE_HELPER.test(tail)) return { kind: 'close' };
        const helper = helperEffect(env.source, call, node);
        if (helper === 'close' || helper === 'escape') return { kind: helper };
        // A helper of this file that only calls methods on it returns data, not the resource.
        if (helper === 'data') return null;
        // `var.set(s)` (a ContextVar) keeps it; the builtin `set(f)` only reads it.
        const method = field(call, 'function')?.type === 'attribute';
        if ((HANDOFF.has(tail) && (method || tail !== 'set')) || HANDOFF_NAME.test(tail)) {
          return { kind: 'escape' };
        }
        if (CONSUMERS.has(tail) || /^read_/.test(tail)) return null;
        // Anything else may keep it (`Wrapper(s)`, `csv.reader(f)`, `cls.taropen(f)`): follow the result.
        node = call;
        continue;
      }
      case 'return_statement':
        // `return s` hands over the resource itself; `return Wrapper(s)` something that keeps it.
        return same(node, ref) && !boundCloser ? { kind: 'return' } : { kind: 'escape' };
      case 'yield':
        return { kind: 'escape' };
      case 'assignment':
      case 'augmented_assignment': {
        if (!same(field(parent, 'right'), node)) return null;
        const left = field(parent, 'left');
        if (left?.type === 'identifier') {
          if (functionScope(fn).declared.has(left.text)) return { kind: 'escape' };
          return { kind: 'alias', name: left.text };
        }
        return { kind: 'escape' };
      }
      case 'as_pattern':
        if (!same(field(parent, 'value') ?? parent.namedChild(0), node)) return null;
        node = parent;
        continue;
      case 'with_item':
        return { kind: 'with' };
      case 'lambda':
        return { kind: 'escape' };
      default:
        return null;
    }
  }
}

/** Calls that keep a callback they are given: `setwriter`, `add_handler`, `on_message`, `connect`. */
const CALLBACK_SINK = /^(?:set|add|register|attach|on|bind|connect|subscribe|hook|install)/i;

/**
 * `tracer.setwriter(f.write)`, `self.emit = sock.sendall`: a bound method handed to a registry or kept
 * on an object keeps the resource alive there. (Other uses of an attribute — `f.name` — are data.)
 */
function boundMemberSink(member: Node): Sink | null {
  const parent = member.parent;
  if (parent?.type === 'argument_list' && parent.parent?.type === 'call') {
    const tail = calleeTail(parent.parent) ?? '';
    return HANDOFF.has(tail) || HANDOFF_NAME.test(tail) || CALLBACK_SINK.test(tail)
      ? { kind: 'escape' }
      : null;
  }
  if (parent?.type === 'assignment' && same(field(parent, 'right'), member)) {
    const left = field(parent, 'left');
    return left && left.type !== 'identifier' ? { kind: 'escape' } : null;
  }
  return null;
}

// --- paths -----------------------------------------------------------------------------------

interface Env {
  kind: ResourceKind;
  fn: Node;
  /** The whole file's text, to look into helpers defined in it (parsed or not). */
  source: string;
}

interface PathContext extends Env {
  name: string;
  /** Names whose test in an `if` guards the close: the resource, `close_it = True` flags, the
   * names tested by the `if` that chose to open it. */
  guards: Set<string>;
}

function analyseBinding(env: Env, binding: Binding): Leak | null {
  const fn = env.fn;
  const ctx: PathContext = {
    name: binding.name,
    kind: env.kind,
    fn: env.fn,
    source: env.source,
    guards: guardNames(binding),
  };
  const leak = (reason: string, partial: boolean): Leak => ({
    binding: binding.target,
    name: binding.name,
    call: binding.call,
    callee: binding.creation.callee,
    reason,
    partial,
  });

  // A `finally` around the binding that closes it covers every exit.
  for (let p = binding.statement.parent; p && !same(p, fn); p = p.parent) {
    if (p.type !== 'try_statement') continue;
    const fin = finallyBlock(p);
    if (fin && !within(fin, binding.statement) && scanSequence(blockStatements(fin), ctx).closed) return null;
  }

  const path = leakingPath(fn, binding, ctx);
  if (!path) return null;
  const closeAt = everClosedNode(fn, ctx);
  if (!closeAt) return leak('is never closed', false);
  const partly = `is closed only on some paths (${describeClose(fn, closeAt)})`;
  if (!path.exit) return leak(partly, true);
  // The function's own last `return` is the main path: what matters is where the close hides.
  const last =
    path.exit.kind === 'return' &&
    same(path.exit.node.parent, field(fn, 'body')) &&
    !path.exit.node.nextNamedSibling;
  return leak(last ? partly : describeExit(path.exit), true);
}

/**
 * Follows the paths from the binding to the end of the function. Null when every path closes the
 * resource (or never finishes); otherwise the exit that leaves unclosed, or `{}` for falling off the end.
 */
function leakingPath(fn: Node, binding: Binding, ctx: PathContext): { exit?: Exit } | null {
  let node = binding.statement;
  // Whether some path from the binding is still running with the resource unclosed.
  let open = true;
  // break/continue exits that left before the close and land after their loop, still unclosed.
  let jumps: Exit[] = [];
  // The jump that reopened a path already closed on the straight line, for the message.
  let reopenedBy: Exit | null = null;
  for (;;) {
    if (open) {
      const outcome = scanSequence(followingStatements(node), ctx);
      const hard = firstHardExit(outcome.exits);
      if (hard) return { exit: reopenedBy ?? hard };
      jumps.push(...outcome.exits);
      open = outcome.falls && !outcome.closed;
    }
    if (!open && !jumps.length) return null;
    const next = enclosingStatement(node, fn);
    if (!next) break;
    if (next.type === 'for_statement' || next.type === 'while_statement') {
      // break and continue both end up after the loop here: continue's next iteration rebinds the name.
      const landed = jumps.filter((j) => same(j.loop, next));
      if (landed.length) {
        jumps = jumps.filter((j) => !same(j.loop, next));
        if (!open) reopenedBy = landed[0];
        open = true;
      }
    }
    if (next.type === 'try_statement' && open) {
      // The `else` of a try runs after its body, before the statements that follow the try.
      const body = field(next, 'body');
      const elseClause = namedChildren(next).find((c) => c.type === 'else_clause');
      if (body && elseClause && within(body, node)) {
        const outcome = scanSequence(blockStatements(field(elseClause, 'body')), ctx);
        const hard = firstHardExit(outcome.exits);
        if (hard) return { exit: reopenedBy ?? hard };
        jumps.push(...outcome.exits);
        open = outcome.falls && !outcome.closed;
      }
    }
    node = next;
  }
  if (reopenedBy) return { exit: reopenedBy };
  if (!open && jumps.length) return { exit: jumps[0] };
  return {};
}

function firstHardExit(exits: Exit[]): Exit | undefined {
  return exits.find((e) => e.kind === 'return' || e.kind === 'raise');
}

/** The compound statement whose block holds `node` (if, for, with, try…), or null at the function body. */
function enclosingStatement(node: Node, fn: Node): Node | null {
  for (let p = node.parent; p && !same(p, fn); p = p.parent) {
    if (
      p.type === 'if_statement' ||
      p.type === 'for_statement' ||
      p.type === 'while_statement' ||
      p.type === 'with_statement' ||
      p.type === 'try_statement' ||
      p.type === 'match_statement'
    ) {
      return p;
    }
    if (SCOPES.has(p.type)) return null;
  }
  return null;
}

function describeExit(exit: Exit): string {
  const line = exit.node.startPosition.row + 1;
  switch (exit.kind) {
    case 'return':
      return `is not closed on the path that returns at line ${line}`;
    case 'raise':
      return `is not closed on the path that raises at line ${line}`;
    case 'break':
      return `is not closed on the path that breaks out of the loop at line ${line}`;
    case 'continue':
      return `is not closed on the path that continues the loop at line ${line}`;
  }
}

function within(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

function followingStatements(node: Node): Node[] {
  const out: Node[] = [];
  for (let s = node.nextNamedSibling; s; s = s.nextNamedSibling) out.push(s);
  return out;
}

function finallyBlock(tryStatement: Node): Node | null {
  const clause = namedChildren(tryStatement).find((c) => c.type === 'finally_clause');
  return clause ? (namedChildren(clause).find((c) => c.type === 'block') ?? null) : null;
}

function scanSequence(statements: Node[], ctx: PathContext): Outcome {
  const exits: Exit[] = [];
  for (const statement of statements) {
    const r = scanStatement(statement, ctx);
    exits.push(...r.exits);
    if (!r.falls) return { exits, falls: false, closed: false };
    if (r.closed) return { exits, falls: true, closed: true };
  }
  return { exits, falls: true, closed: false };
}

function blockStatements(block: Node | null): Node[] {
  return block ? namedChildren(block).filter((c) => c.type !== 'comment') : [];
}

function scanStatement(statement: Node, ctx: PathContext): Outcome {
  switch (statement.type) {
    case 'return_statement':
      // `return _fetch_and_close(conn)` closes on its way out.
      if (closesIn(statement, ctx)) return { exits: [], falls: false, closed: true };
      return { exits: [{ node: statement, kind: 'return' }], falls: false, closed: false };
    case 'raise_statement':
      return { exits: [{ node: statement, kind: 'raise' }], falls: false, closed: false };
    case 'break_statement':
    case 'continue_statement': {
      const loop = enclosingLoop(statement);
      return {
        exits: [
          {
            node: statement,
            kind: statement.type === 'break_statement' ? 'break' : 'continue',
            loop: loop ?? undefined,
          },
        ],
        falls: false,
        closed: false,
      };
    }
    case 'if_statement':
      return scanIf(statement, ctx);
    case 'try_statement':
      return scanTry(statement, ctx);
    case 'with_statement':
      return scanWith(statement, ctx);
    case 'for_statement':
    case 'while_statement': {
      // `for m in _iter_open_tar(tarobj):` — the iterable itself may hand the resource to a closer.
      const header = field(statement, statement.type === 'for_statement' ? 'right' : 'condition');
      if (header && closesIn(header, ctx)) return { exits: [], falls: true, closed: true };
      const r = scanSequence(blockStatements(field(statement, 'body')), ctx);
      // The body may run zero times, so it never closes for sure; its returns still leak.
      const exits = r.exits.filter((e) => !same(e.loop, statement));
      const alternative = field(statement, 'alternative');
      if (alternative) exits.push(...scanSequence(blockStatements(field(alternative, 'body')), ctx).exits);
      // `while True:` with no break never finishes: a server loop owns its socket for the process's life.
      const forever =
        statement.type === 'while_statement' &&
        /^(?:True|1)$/.test(header?.text ?? '') &&
        !r.exits.some((e) => e.kind === 'break' && same(e.loop, statement)) &&
        !descendants(statement, 'break_statement').some((b) => same(enclosingLoop(b), statement));
      return { exits, falls: !forever, closed: false };
    }
    case 'match_statement': {
      const cases = descendants(statement, 'case_clause').filter((c) => same(c.parent?.parent, statement));
      const outcomes = cases.map((c) => scanSequence(blockStatements(field(c, 'consequence')), ctx));
      outcomes.push(FALLS_OPEN);
      return combineBranches(outcomes, false);
    }
    case 'function_definition':
    case 'class_definition':
    case 'decorated_definition':
      return FALLS_OPEN;
    default:
      return { exits: [], falls: true, closed: closesIn(statement, ctx) };
  }
}

function enclosingLoop(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement') return p;
    if (SCOPES.has(p.type)) return null;
  }
  return null;
}

function combineBranches(outcomes: Outcome[], guard: boolean): Outcome {
  const exits = outcomes.flatMap((o) => o.exits);
  const falling = outcomes.filter((o) => o.falls);
  const falls = falling.length > 0;
  const closed = guard ? falling.some((o) => o.closed) : falls && falling.every((o) => o.closed);
  return { exits, falls, closed };
}

function scanIf(statement: Node, ctx: PathContext): Outcome {
  const condition = field(statement, 'condition');
  if (condition && closesIn(condition, ctx)) return { exits: [], falls: true, closed: true };
  // `if s:` / `if s is not None:` / `if not s.closed:` — a guard around the close, not a real branch.
  const guard =
    !!condition &&
    ([...ctx.guards].some((g) => references(condition, g).length > 0) ||
      // `if "conn" in locals():`
      new RegExp(`["']${ctx.name}["']`).test(condition.text));
  const consequence = scanSequence(blockStatements(field(statement, 'consequence')), ctx);
  // `if s is None: return …` runs only when there is nothing to close.
  if (guard && condition && isAbsentTest(condition, ctx.name)) consequence.exits = [];
  const outcomes: Outcome[] = [consequence];
  let hasElse = false;
  for (const alt of statement.childrenForFieldName('alternative')) {
    if (!alt) continue;
    if (alt.type === 'else_clause') {
      hasElse = true;
      outcomes.push(scanSequence(blockStatements(field(alt, 'body')), ctx));
    } else {
      outcomes.push(scanSequence(blockStatements(field(alt, 'consequence')), ctx));
    }
  }
  if (!hasElse) outcomes.push(FALLS_OPEN);
  return combineBranches(outcomes, guard);
}

function isAbsentTest(condition: Node, name: string): boolean {
  const text = condition.text.replace(/\s+/g, ' ').trim();
  return text === `not ${name}` || text === `${name} is None` || text === `${name} == None`;
}

function scanTry(statement: Node, ctx: PathContext): Outcome {
  const fin = finallyBlock(statement);
  if (fin) {
    const r = scanSequence(blockStatements(fin), ctx);
    if (r.closed) return { exits: [], falls: true, closed: true };
  }
  const handlers = namedChildren(statement).filter((c) => c.type === 'except_clause');
  const elseClause = namedChildren(statement).find((c) => c.type === 'else_clause');
  let body = scanSequence(blockStatements(field(statement, 'body')), ctx);
  // A raise inside a try with handlers is caught here, not an exit.
  if (handlers.length) body = { ...body, exits: body.exits.filter((e) => e.kind !== 'raise') };
  if (body.falls && !body.closed && elseClause) {
    const r = scanSequence(blockStatements(field(elseClause, 'body')), ctx);
    body = { exits: [...body.exits, ...r.exits], falls: r.falls, closed: r.closed };
  }
  const exits = [...body.exits];
  const handlerOutcomes: Outcome[] = [];
  for (const handler of handlers) {
    const block = namedChildren(handler).find((c) => c.type === 'block') ?? null;
    const r = scanSequence(blockStatements(block), ctx);
    // A re-raise from a handler is an exception path, which this analysis leaves aside.
    exits.push(...r.exits.filter((e) => e.kind !== 'raise'));
    handlerOutcomes.push(r);
  }
  if (body.falls) return { exits, falls: true, closed: body.closed };
  const falling = handlerOutcomes.filter((o) => o.falls);
  return {
    exits,
    falls: falling.length > 0,
    closed: falling.length > 0 && falling.every((o) => o.closed),
  };
}

function scanWith(statement: Node, ctx: PathContext): Outcome {
  const clause = namedChildren(statement).find((c) => c.type === 'with_clause');
  if (clause) {
    for (const ref of references(clause, ctx.name)) {
      if (sinkOf(ref, ctx)?.kind === 'with') return { exits: [], falls: true, closed: true };
    }
  }
  const r = scanSequence(blockStatements(field(statement, 'body')), ctx);
  return r;
}

/** A close of the resource in a simple statement: `s.close()`, `await s.aclose()`, `os.close(fd)`. */
function closesIn(statement: Node, ctx: PathContext): boolean {
  if (!statement.text.includes(ctx.name)) return false;
  for (const ref of references(statement, ctx.name)) {
    const parent = ref.parent;
    if (parent?.type === 'attribute' && ctx.kind.closers.has(field(parent, 'attribute')?.text ?? '')) {
      const call = parent.parent;
      if (call?.type === 'call' && same(field(call, 'function'), parent)) return true;
    }
    if (sinkOf(ref, ctx)?.kind === 'close') return true;
  }
  return false;
}

function everClosedNode(fn: Node, ctx: PathContext): Node | null {
  const body = field(fn, 'body');
  if (!body) return null;
  const candidates = ownDescendants(body, [
    'expression_statement',
    'return_statement',
    'for_statement',
    'while_statement',
    'if_statement',
    'with_statement',
  ]).sort((a, b) => a.startIndex - b.startIndex);
  for (const node of candidates) {
    if (node.type === 'expression_statement' || node.type === 'return_statement') {
      if (closesIn(node, ctx)) return node;
    } else if (node.type === 'with_statement') {
      const clause = namedChildren(node).find((c) => c.type === 'with_clause');
      if (clause && references(clause, ctx.name).some((r) => sinkOf(r, ctx)?.kind === 'with')) return node;
    } else {
      const header = field(node, node.type === 'for_statement' ? 'right' : 'condition');
      if (header && closesIn(header, ctx)) return node;
    }
  }
  return null;
}

function describeClose(fn: Node, node: Node): string {
  let where = 'a branch';
  for (let p = node.parent; p && !same(p, fn); p = p.parent) {
    if (p.type === 'except_clause') {
      where = 'an except handler';
      break;
    }
    if (p.type === 'if_statement' || p.type === 'elif_clause' || p.type === 'else_clause') {
      where = 'an if branch';
      break;
    }
    if (p.type === 'for_statement' || p.type === 'while_statement') {
      where = 'a loop';
      break;
    }
  }
  return `the close at line ${node.startPosition.row + 1} is inside ${where}`;
}

/**
 * The names that guard a close: `if f:`, `if close_f:` after `close_f = True` (or `if not closed:`
 * after `closed = False`), and `if path != "-":`
 * when the file was opened under `if path == "-": … else: f = open(path)`.
 */
function guardNames(binding: Binding): Set<string> {
  const names = new Set([binding.name]);
  for (let s = binding.statement.nextNamedSibling; s; s = s.nextNamedSibling) {
    const assignment = s.type === 'expression_statement' ? s.namedChild(0) : null;
    if (assignment?.type !== 'assignment') continue;
    const left = field(assignment, 'left');
    const value = field(assignment, 'right')?.type;
    if (left?.type === 'identifier' && (value === 'true' || value === 'false')) names.add(left.text);
  }
  for (let p = binding.statement.parent; p; p = p.parent) {
    if (p.type === 'function_definition') break;
    if (p.type !== 'if_statement') continue;
    const conditions = [field(p, 'condition')];
    for (const alt of p.childrenForFieldName('alternative')) {
      if (alt?.type === 'elif_clause') conditions.push(field(alt, 'condition'));
    }
    for (const condition of conditions) {
      if (!condition) continue;
      for (const id of descendants(condition, 'identifier')) {
        const parent = id.parent;
        if (parent?.type === 'call' && same(field(parent, 'function'), id)) continue;
        if (parent?.type === 'attribute' && !same(field(parent, 'object'), id)) continue;
        names.add(id.text);
      }
    }
  }
  return names;
}

/**
 * What a function defined in the same file does with the parameter the resource is passed as: closes
 * it (`_iter_open_tar(tarobj)` doing `with closing(tar_obj):`) or keeps it on its object (`escape`).
 * Read from the text, so it works whether or not the pre-scan chose to parse the helper.
 */
function helperEffect(source: string, call: Node, arg: Node): 'close' | 'escape' | 'data' | null {
  const tail = calleeTail(call);
  const args = field(call, 'arguments');
  if (!tail || !args) return null;
  let key: string | number;
  if (arg.type === 'keyword_argument') {
    key = field(arg, 'name')?.text ?? '';
  } else {
    let index = 0;
    for (const a of namedChildren(args)) {
      if (same(a, arg)) break;
      if (a.type === 'keyword_argument' || a.type === 'comment') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return null;
      index++;
    }
    key = index;
  }
  const method = field(call, 'function')?.type === 'attribute';
  const effects = new Set<string>();
  for (const def of helperDefinitions(source, tail)) {
    let params = def.params;
    if (method && (params[0] === 'self' || params[0] === 'cls')) params = params.slice(1);
    const param = typeof key === 'number' ? params[key] : params.find((p) => p === key);
    if (!param || !/^[A-Za-z_]\w*$/.test(param)) return null;
    const p = param;
    const closes = new RegExp(
      `\\b${p}\\.(?:close|aclose|dispose|shutdown|__exit__)\\s*\\(|\\b(?:a?closing|enter_context|enter_async_context)\\(\\s*${p}\\b|\\bwith\\s+${p}\\b`,
    );
    if (closes.test(def.body)) effects.add('close');
    // `def _prepare_conn(self, conn): self.sock = conn` keeps it on the object.
    else if (new RegExp(`\\bself\\.\\w+\\s*=\\s*${p}\\b`).test(def.body)) effects.add('escape');
    // Only methods called on it (`conn.execute(q)`): the helper returns what it read, not the resource.
    else if (
      new RegExp(`\\b${p}\\s*\\.`).test(stripComments(def.body)) &&
      !new RegExp(`\\b${p}\\b(?!\\s*\\.)`).test(stripComments(def.body))
    ) {
      effects.add('data');
    } else return null;
  }
  return effects.size === 1 ? ([...effects][0] as 'close' | 'escape' | 'data') : null;
}

function stripComments(text: string): string {
  return text.replace(/#[^\n]*/g, '');
}

interface HelperDefinition {
  params: string[];
  body: string;
}

const definitionCache = new WeakMap<object, Map<string, HelperDefinition[]>>();
const sourceKeys = new Map<string, object>();

function helperDefinitions(source: string, name: string): HelperDefinition[] {
  // One cache per source text; the map from text to key is reset when a new file comes along.
  let key = sourceKeys.get(source);
  if (!key) {
    sourceKeys.clear();
    key = {};
    sourceKeys.set(source, key);
  }
  let byName = definitionCache.get(key);
  if (!byName) {
    byName = new Map();
    definitionCache.set(key, byName);
  }
  const cached = byName.get(name);
  if (cached) return cached;
  const found: HelperDefinition[] = [];
  const def = new RegExp(`^([ \\t]*)(?:async[ \\t]+)?def[ \\t]+${name}[ \\t]*\\(`, 'gm');
  let match: RegExpExecArray | null;
  while ((match = def.exec(source))) {
    const indent = match[1].length;
    let depth = 1;
    let i = def.lastIndex;
    for (; i < source.length && depth > 0; i++) {
      const c = source[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
    }
    const params = splitTopLevelCommas(source.slice(def.lastIndex, i - 1)).map((p) =>
      p
        .replace(/^\s*\**/, '')
        .split(/[:=]/)[0]
        .trim(),
    );
    const lineEnd = source.indexOf('\n', i);
    const lines: string[] = [];
    for (const line of source.slice(lineEnd === -1 ? source.length : lineEnd + 1).split('\n')) {
      if (line.trim() && /^[ \t]*/.exec(line)![0].length <= indent) break;
      lines.push(line);
      if (lines.length > 400) break;
    }
    found.push({ params, body: lines.join('\n') });
  }
  byName.set(name, found);
  return found;
}

function splitTopLevelCommas(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (text.slice(start).trim()) out.push(text.slice(start));
  return out;
}

/**
 * For a rule's `fileWords`: the names of the functions defined in statements that mention one of the
 * creation words, so the statements calling those (possible) factories get parsed too.
 */
export function factoryWords(
  facts: ScanFacts,
  words: readonly string[],
  test?: (text: string) => boolean,
): string[] {
  const mention = new RegExp(`\\b(?:${words.join('|')})\\b`);
  const names = new Set<string>();
  for (const block of facts.blocks) {
    const text = facts.source.slice(block.start, block.end);
    if (!mention.test(text) && !(test && test(text))) continue;
    if (!/\breturn\b/.test(text)) continue;
    // Only the defs whose own lines both create and return: a class of fifty methods with one
    // factory must not make all fifty names trigger words.
    for (const def of defSegments(text)) {
      if (/\breturn\b/.test(def.body) && (mention.test(def.body) || (test?.(def.body) ?? false))) {
        names.add(def.name);
      }
    }
  }
  return [...names];
}

/**
 * A test for one of the words called and bound by an assignment: `f = open(`, `conn = await db.connect(`.
 * The rules only flag resources bound to a name, so this is the necessary condition for a statement to
 * hold a finding (resources from the file's own factories come as fileWords instead).
 */
export function bindingOf(words: readonly string[]): (text: string) => boolean {
  const pattern = new RegExp(`(?:^|[^=!<>])=\\s*(?:await\\s+)?(?:[\\w.]+\\.)?(?:${words.join('|')})\\s*\\(`);
  return (text) => pattern.test(text);
}

/** Each `def` in a chunk of source with the lines of its body (up to the next line indented as little). */
function defSegments(text: string): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  const def = /^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/gm;
  let match: RegExpExecArray | null;
  while ((match = def.exec(text))) {
    const indent = match[1].length;
    const lineEnd = text.indexOf('\n', match.index);
    let end = text.length;
    const line = /^([ \t]*)(\S)/gm;
    line.lastIndex = lineEnd === -1 ? text.length : lineEnd + 1;
    let next: RegExpExecArray | null;
    while ((next = line.exec(text))) {
      if (next[2] !== '#' && next[1].length <= indent) {
        end = next.index;
        break;
      }
    }
    out.push({ name: match[2], body: text.slice(match.index, end) });
  }
  return out;
}

/** A test for a call of one of the words: `open(`, `.connect(`, `Session (`. */
export function callOf(words: readonly string[]): (text: string) => boolean {
  const pattern = new RegExp(`\\b(?:${words.join('|')})\\s*\\(`);
  return (text) => pattern.test(text);
}

/**
 * For a rule's `fileWords`, since its trigger is a `test` rather than `words`: local names the
 * creation words are imported as (`from io import open as io_open`) and the file's own factories.
 */
export function creationWords(
  facts: ScanFacts,
  words: readonly string[],
  test: (text: string) => boolean,
): string[] {
  const known = new Set(words);
  const out = new Set<string>();
  for (const block of facts.blocks) {
    const text = facts.source.slice(block.start, block.end);
    if (!/\bimport\b/.test(text)) continue;
    for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s+as\s+([A-Za-z_]\w*)/g))
      if (known.has(m[1])) out.add(m[2]);
  }
  const aliases = [...out];
  const mentions = aliases.length ? callOf(aliases) : null;
  for (const name of factoryWords(facts, words, (text) => test(text) || (mentions?.(text) ?? false))) {
    out.add(name);
  }
  return [...out];
}
