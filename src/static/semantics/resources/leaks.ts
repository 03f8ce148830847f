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
 * - Returning the resource itself (`return s`) hands it to the caller on that path only: the other
 *   paths (a `continue` to the next candidate, a `raise`, the end of the function) must still close it.
 * - Any other sign that ownership moves elsewhere ends the analysis of that name: yielded, returned
 *   inside a wrapper (`return Wrapper(s)`), stored in an attribute, subscript, global or container,
 *   handed to an ExitStack, a thread or an executor, captured by a nested function or lambda, or its
 *   bound close method passed along (`atexit.register(s.close)`).
 * - An `if` whose condition mentions the resource (`if s is not None:`) is a guard: a close in its
 *   body counts as unconditional.
 *
 * Cost: what a body or a statement says (identifiers by name, nested scopes, siblings, flag
 * assignments) is indexed once per tree, so a file costs time linear in its size and its bindings. Within
 * one function each binding's paths are still walked over the statements after it: k resources bound in
 * one function of n statements cost k·n cheap steps (about 1 µs each).
 */
import type { ImportTable } from '../../imports.js';
import { descendants, field, functionScope, namedChildren, type Node } from '../../pyast.js';
import { factoryAware } from './factories.js';
import { wordTest, bindingsIn, type Binding, type Env, type Leak, type ResourceKind } from './kind.js';
import { handoff, sinkOf } from './ownership.js';
import {
  blockStatements,
  closerCall,
  closesIn,
  finallyBlock,
  holders,
  scanSequence,
  type Exit,
  type PathContext,
} from './paths.js';
import { mentions, ownDescendants, references, same, SCOPES, siblingsAfter, within } from './own-scope.js';

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

function leaksInFunction(fn: Node, imports: ImportTable, kind: ResourceKind, source: string): Leak[] {
  const env: Env = { kind, fn, source };
  const body = field(fn, 'body');
  if (!body) return [];
  const bindings = bindingsIn(body, imports, kind);
  if (!bindings.length) return [];

  const scope = functionScope(fn);
  const leaks: Leak[] = [];
  const verdicts = new Map<string, ReturnType<typeof handoff>>();
  for (const binding of bindings) {
    if (scope.declared.has(binding.name)) continue;
    let verdict = verdicts.get(binding.name);
    if (verdict === undefined) {
      verdict = handoff(env, body, binding.name);
      verdicts.set(binding.name, verdict);
    }
    if (verdict.escaped) continue;
    const leak = analyseBinding(env, binding, verdict);
    if (leak) leaks.push(leak);
  }
  return leaks;
}

function analyseBinding(env: Env, binding: Binding, verdict: ReturnType<typeof handoff>): Leak | null {
  const returned = verdict.returned;
  const fn = env.fn;
  const ctx: PathContext = {
    name: binding.name,
    kind: env.kind,
    fn: env.fn,
    source: env.source,
    guards: guardNames(binding),
    returned,
    aliases: verdict.aliases,
    asyncClose: binding.creation.asyncClose,
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
  if (returned) {
    // Handed to the caller on one path, left open on another: `continue` to the next candidate, a
    // `raise` after a failed check, or the end of the function reached without returning it.
    const returnAt = everClosedNode(fn, ctx);
    const given = returnAt ? `is returned at line ${returnAt.startPosition.row + 1} but ` : '';
    const how = path.exit
      ? describeExit(path.exit).replace(/^is /, '')
      : 'not closed when the function ends without returning it';
    return leak(`${given}${how}`, true);
  }
  const closeAt = everClosedNode(fn, ctx);
  if (!closeAt) {
    const dropped = ctx.asyncClose ? unawaitedClose(fn, ctx) : null;
    return leak(
      dropped
        ? `is never closed: its close() at line ${dropped.startPosition.row + 1} is a coroutine that is never awaited`
        : 'is never closed',
      false,
    );
  }
  const partly = `is closed only on some paths (${describeClose(fn, closeAt)})`;
  if (!path.exit) return leak(partly, true);
  // The function's own last `return` is the main path: what matters is where the close hides.
  const last =
    path.exit.kind === 'return' &&
    same(path.exit.node.parent, field(fn, 'body')) &&
    siblingsAfter(path.exit.node).length === 0;
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

function followingStatements(node: Node): Node[] {
  return siblingsAfter(node);
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
    // Only statements that mention the name can close it (most do not).
    if (!holders(ctx).some((name) => mentions(body, node, name))) continue;
    if (node.type === 'expression_statement' || node.type === 'return_statement') {
      if (closesIn(node, ctx)) return node;
    } else if (node.type === 'with_statement') {
      const clause = namedChildren(node).find((c) => c.type === 'with_clause');
      const used = (name: string): boolean =>
        !!clause && references(clause, name).some((r) => sinkOf(r, ctx)?.kind === 'with');
      if (holders(ctx).some(used)) return node;
    } else {
      const header = field(node, node.type === 'for_statement' ? 'right' : 'condition');
      if (header && closesIn(header, ctx)) return node;
    }
  }
  return null;
}

/** A closer called on the resource whose coroutine nobody awaits (`con.close()` on asyncpg). */
function unawaitedClose(fn: Node, ctx: PathContext): Node | null {
  const body = field(fn, 'body');
  if (!body) return null;
  for (const name of holders(ctx)) {
    for (const ref of references(body, name)) {
      const call = closerCall(ref, ctx);
      if (call) return call;
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
  for (const flag of flagAssignments(binding.statement)) {
    if (flag.start > binding.statement.startIndex) names.add(flag.name);
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

const flagCache = new WeakMap<object, Map<number, { start: number; name: string }[]>>();

/** `name = True` / `name = False` statements in the block holding `statement`, once per block. */
function flagAssignments(statement: Node): { start: number; name: string }[] {
  const parent = statement.parent;
  if (!parent) return [];
  let perTree = flagCache.get(statement.tree);
  if (!perTree) flagCache.set(statement.tree, (perTree = new Map()));
  let flags = perTree.get(parent.id);
  if (!flags) {
    flags = [];
    for (const s of namedChildren(parent)) {
      const assignment = s.type === 'expression_statement' ? s.namedChild(0) : null;
      if (assignment?.type !== 'assignment') continue;
      const left = field(assignment, 'left');
      const value = field(assignment, 'right')?.type;
      if (left?.type === 'identifier' && (value === 'true' || value === 'false')) {
        flags.push({ start: s.startIndex, name: left.text });
      }
    }
    perTree.set(parent.id, flags);
  }
  return flags;
}
