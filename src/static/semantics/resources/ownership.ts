/**
 * Ownership of a resource: where each read of it ends up — handed off to someone else (returned,
 * yielded, stored, registered, captured by a nested scope), closed by a helper, used by `with`, or kept
 * in another local — and so whether closing it is still the creating function's job.
 */
import { calleeTail, descendants, field, functionScope, type Node } from '../../pyast.js';
import { helperEffect } from './helpers.js';
import type { Env } from './kind.js';
import { isRead, references, same } from './own-scope.js';

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

export type Sink =
  | { kind: 'escape' }
  | { kind: 'return' }
  | { kind: 'close' }
  | { kind: 'with' }
  | { kind: 'alias'; name: string };

/** How the resource leaves the function: returned as itself, or handed off any other way. */
export function handoff(
  env: Env,
  body: Node,
  name: string,
): { returned: boolean; escaped: boolean; aliases: ReadonlySet<string> } {
  const fn = env.fn;
  const aliases = new Set<string>();
  const result = { returned: false, escaped: false, aliases };
  const escaped = { returned: false, escaped: true, aliases };
  if (capturedByNestedScope(fn, body, name)) return escaped;
  const seen = new Set<string>([name]);
  const queue = [name];
  while (queue.length) {
    const current = queue.pop()!;
    if (current !== name && capturedByNestedScope(fn, body, current)) return escaped;
    for (const ref of references(body, current)) {
      const sink = sinkOf(ref, env);
      if (!sink) continue;
      if (sink.kind === 'escape') return escaped;
      if (sink.kind === 'return') {
        if (current !== name) return escaped;
        result.returned = true;
      }
      if (sink.kind === 'alias' && !seen.has(sink.name)) {
        seen.add(sink.name);
        aliases.add(sink.name);
        queue.push(sink.name);
      }
    }
  }
  return result;
}

/** A nested def, lambda or class that reads the name: it may close it, return it or outlive the call. */
function capturedByNestedScope(fn: Node, body: Node, name: string): boolean {
  for (const nested of nestedScopes(fn, body)) {
    if (!nested.reads.has(name)) continue;
    if (nested.node.type !== 'class_definition') {
      nested.locals ??= functionScope(nested.node).locals;
      if (nested.locals.has(name)) continue;
    }
    return true;
  }
  return false;
}

interface NestedScope {
  node: Node;
  /** Names its identifiers read (its own nested scopes' included). */
  reads: Set<string>;
  locals?: ReadonlySet<string>;
}

const nestedCache = new WeakMap<object, Map<number, NestedScope[]>>();

/** The defs, lambdas and classes inside a function body and the names each reads, once per body. */
function nestedScopes(fn: Node, body: Node): NestedScope[] {
  let perTree = nestedCache.get(body.tree);
  if (!perTree) nestedCache.set(body.tree, (perTree = new Map()));
  let scopes = perTree.get(body.id);
  if (!scopes) {
    scopes = [];
    for (const nested of descendants(body, ['function_definition', 'lambda', 'class_definition'])) {
      if (same(nested, fn)) continue;
      const reads = new Set<string>();
      for (const id of descendants(nested, 'identifier')) if (isRead(id)) reads.add(id.text);
      scopes.push({ node: nested, reads });
    }
    perTree.set(body.id, scopes);
  }
  return scopes;
}

/**
 * Where the value read at `ref` ends up: handed off (escape), closed by a helper, used by `with`, or
 * kept in another local (alias). Null when it is only used (a method called on it, an argument to a
 * function that just reads from it…).
 */
export function sinkOf(ref: Node, env: Env): Sink | null {
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
