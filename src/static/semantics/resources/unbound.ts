/**
 * Resources created inside a function and never bound to a name, so nothing can close them: a call
 * used as a statement (`socket.create_connection((host, port))` whose socket is dropped on the floor),
 * or passed straight into a call whose own result is dropped (`send(socket.create_connection(addr),
 * data)`). Only the garbage collector closes them, whenever it gets to them. Imports inside the function
 * (`import socket` in the body, as real code does to keep start-up fast) count as well as module ones.
 */
import { ImportTable } from '../../imports.js';
import { calleeTail, descendants, enclosingDef, type Node } from '../../pyast.js';
import type { Creation } from './kind.js';

export interface Unbound {
  call: Node;
  callee: string;
  /** `statement`: the call is the whole statement; `argument`: an argument of a call whose result is dropped. */
  how: 'statement' | 'argument';
}

/** Calls that keep what they are handed (a container, an exit stack, a wrapper that owns it). */
const KEEPERS =
  /^(?:append|appendleft|add|put|put_nowait|insert|extend|setdefault|enter_context|enter_async_context|push|push_async_exit|callback|closing|aclosing|register|submit|wrap_socket|set_result|setattr|Thread|Process|create_task|ensure_future)$/;

/**
 * The module's imports with those the def's own body makes (`import socket` inside the function) laid
 * over them, once per def; null when the def imports nothing itself.
 */
function localImports(
  fn: Node,
  module: ImportTable,
  cache: Map<number, ImportTable | null>,
): ImportTable | null {
  let table = cache.get(fn.id);
  if (table === undefined) {
    const own = ImportTable.fromTree(fn);
    if (own.bindings.size) {
      table = new ImportTable();
      for (const [local, qualified] of module.bindings) table.bindings.set(local, qualified);
      for (const [local, qualified] of own.bindings) table.bindings.set(local, qualified);
    } else table = null;
    cache.set(fn.id, table);
  }
  return table;
}

/** A statement-shaped test for the pre-scan: one of `words` called at the start of a line or as an argument. */
export function unboundCallOf(words: readonly string[]): (text: string) => boolean {
  const alternatives = words.join('|');
  const statement = new RegExp(`(?:^|\\n)[ \\t]*(?:await[ \\t]+)?(?:[\\w.]+\\.)?(?:${alternatives})\\s*\\(`);
  const argument = new RegExp(`[(,]\\s*(?:await\\s+)?(?:[\\w.]+\\.)?(?:${alternatives})\\s*\\(`);
  return (text) => statement.test(text) || argument.test(text);
}

/**
 * Every unbound creation of the tree inside a def. `creation` judges a call with the imports it is
 * given; it is asked again with the def's own imports when the module's do not make it one.
 */
export function findUnbound(
  root: Node,
  imports: ImportTable,
  words: ReadonlySet<string>,
  creation: (call: Node, imports: ImportTable) => Creation | null,
): Unbound[] {
  const out: Unbound[] = [];
  const locals = new Map<number, ImportTable | null>();
  for (const call of descendants(root, 'call')) {
    const tail = calleeTail(call);
    if (!tail || !words.has(tail)) continue;
    const fn = enclosingDef(call);
    if (!fn) continue; // module level: runs once, at import
    let parent = call.parent;
    if (parent?.type === 'await') parent = parent.parent;
    let how: Unbound['how'];
    if (parent?.type === 'expression_statement') how = 'statement';
    else if (parent?.type === 'argument_list') {
      const outer = parent.parent;
      if (outer?.type !== 'call' || KEEPERS.test(calleeTail(outer) ?? '')) continue;
      let up = outer.parent;
      if (up?.type === 'await') up = up.parent;
      if (up?.type !== 'expression_statement') continue;
      how = 'argument';
    } else continue;
    const local = localImports(fn, imports, locals);
    const made = creation(call, imports) ?? (local ? creation(call, local) : null);
    if (made) out.push({ call, callee: made.callee, how });
  }
  return out;
}

/** `creation`, asked again with the def's own imports when the module's do not make the call one. */
export function withLocalImports(
  creation: (call: Node, imports: ImportTable, name: string) => Creation | null,
): (call: Node, imports: ImportTable, name: string) => Creation | null {
  const locals = new Map<number, ImportTable | null>();
  return (call, imports, name) => {
    const made = creation(call, imports, name);
    if (made) return made;
    const fn = enclosingDef(call);
    const local = fn ? localImports(fn, imports, locals) : null;
    return local ? creation(call, local, name) : null;
  };
}
