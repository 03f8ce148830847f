/**
 * The paths through one function after a resource is bound: which exits (return, raise, break,
 * continue) leave before it is closed, and whether every normal path closes it. Exception paths count
 * only through `finally`; an `if` testing the resource itself guards its close.
 */
import { descendants, field, namedChildren, type Node } from '../../pyast.js';
import type { Env } from './kind.js';
import { sinkOf } from './ownership.js';
import { references, same, SCOPES, typeOf } from './own-scope.js';

export interface Exit {
  node: Node;
  kind: 'return' | 'raise' | 'break' | 'continue';
  /** The loop a break/continue leaves. */
  loop?: Node;
}

export interface Outcome {
  /** Exits that leave before the resource is closed on their path. */
  exits: Exit[];
  /** Control can reach the end of the statement normally. */
  falls: boolean;
  /** Every normal path through the statement closed the resource. */
  closed: boolean;
}

const FALLS_OPEN: Outcome = { exits: [], falls: true, closed: false };

export interface PathContext extends Env {
  name: string;
  /** Names whose test in an `if` guards the close: the resource, `close_it = True` flags, the
   * names tested by the `if` that chose to open it. */
  guards: Set<string>;
  /**
   * The function returns the resource itself somewhere: `return name` hands it to the caller, which
   * counts as closing it on that path, so only the other paths (a `continue`, a `raise`, falling off
   * the end) can leak it.
   */
  returned?: boolean;
  /**
   * Other locals that hold it or an object owning it (`w = io.TextIOWrapper(f)`, `g = f`): closing
   * one of them (`w.close()`, `with w:`) closes the resource too.
   */
  aliases?: ReadonlySet<string>;
  /** Its closers are coroutines: only an awaited (or scheduled) close counts (Creation.asyncClose). */
  asyncClose?: boolean;
}

/** The resource's own name and the locals that hold it. */
export function holders(ctx: PathContext): readonly string[] {
  return ctx.aliases?.size ? [ctx.name, ...ctx.aliases] : [ctx.name];
}

export function finallyBlock(tryStatement: Node): Node | null {
  const clause = namedChildren(tryStatement).find((c) => c.type === 'finally_clause');
  return clause ? (namedChildren(clause).find((c) => c.type === 'block') ?? null) : null;
}

export function scanSequence(statements: Node[], ctx: PathContext): Outcome {
  const exits: Exit[] = [];
  for (const statement of statements) {
    const r = scanStatement(statement, ctx);
    exits.push(...r.exits);
    if (!r.falls) return { exits, falls: false, closed: false };
    if (r.closed) return { exits, falls: true, closed: true };
  }
  return { exits, falls: true, closed: false };
}

export function blockStatements(block: Node | null): Node[] {
  return block ? namedChildren(block).filter((c) => typeOf(c) !== 'comment') : [];
}

function scanStatement(statement: Node, ctx: PathContext): Outcome {
  switch (typeOf(statement)) {
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
    for (const name of holders(ctx)) {
      for (const ref of references(clause, name)) {
        if (sinkOf(ref, ctx)?.kind === 'with') return { exits: [], falls: true, closed: true };
      }
    }
  }
  const r = scanSequence(blockStatements(field(statement, 'body')), ctx);
  return r;
}

/** A close of the resource in a simple statement: `s.close()`, `await s.aclose()`, `os.close(fd)`. */
export function closesIn(statement: Node, ctx: PathContext): boolean {
  for (const name of holders(ctx)) {
    for (const ref of references(statement, name)) {
      const call = closerCall(ref, ctx);
      if (call && (!ctx.asyncClose || runsCoroutine(call))) return true;
      const sink = sinkOf(ref, ctx)?.kind;
      if (sink === 'close' || (ctx.returned && name === ctx.name && sink === 'return')) return true;
    }
  }
  return false;
}

/** `ref.close()` (any of the kind's closers) called on the reference: the call, or null. */
export function closerCall(ref: Node, ctx: PathContext): Node | null {
  const parent = ref.parent;
  if (parent?.type !== 'attribute' || !ctx.kind.closers.has(field(parent, 'attribute')?.text ?? ''))
    return null;
  const call = parent.parent;
  return call?.type === 'call' && same(field(call, 'function'), parent) ? call : null;
}

/** Calls that run a coroutine they are given: `asyncio.create_task(c.close())`, `gather(…)`, `run(…)`. */
const RUNS_COROUTINE =
  /(?:^|\.)(?:create_task|ensure_future|gather|wait_for|shield|run|run_until_complete|run_coroutine_threadsafe|spawn|start_soon)$/;

/** The coroutine a call builds is awaited, or handed to something that runs it. */
function runsCoroutine(call: Node): boolean {
  let node = call;
  while (node.parent?.type === 'parenthesized_expression') node = node.parent;
  const parent = node.parent;
  if (parent?.type === 'await') return true;
  const outer = parent?.type === 'argument_list' ? parent.parent : null;
  return outer?.type === 'call' && RUNS_COROUTINE.test(field(outer, 'function')?.text ?? '');
}
