/**
 * The vocabulary of the resource-lifecycle analysis shared by R3 (sessions, connections, sockets) and M2
 * (files): what a rule says a resource is (a creating call, the methods that release it), a binding of
 * one to a local name, and a leak.
 */
import type { ImportTable } from '../../imports.js';
import { field, type Node } from '../../pyast.js';
import { wordFinder } from '../source-index.js';
import { ownDescendants } from './own-scope.js';

export interface Creation {
  /** How the message names the call: `requests.Session()`. */
  callee: string;
  /**
   * Its closers are coroutines (asyncpg's `close()`, aiohttp's `ClientSession.close()`): a close that is
   * not awaited builds a coroutine and drops it, and closes nothing.
   */
  asyncClose?: boolean;
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

export interface Binding {
  name: string;
  target: Node;
  statement: Node;
  call: Node;
  creation: Creation;
}

/** What the analysis of one function knows. */
export interface Env {
  kind: ResourceKind;
  fn: Node;
  /** The whole file's text, to look into helpers defined in it (parsed or not). */
  source: string;
}

/** `name = <creation>` statements of one function body. */
export function bindingsIn(body: Node, imports: ImportTable, kind: ResourceKind): Binding[] {
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
export function creationCall(right: Node | null): Node | null {
  let node = right;
  while (node && (node.type === 'parenthesized_expression' || node.type === 'await')) {
    node = node.namedChild(0);
  }
  return node?.type === 'call' ? node : null;
}

/**
 * Nodes of the given types in one scope, in source order, not those in the bodies of nested defs,
/** A test for any of the words (as whole words) or the pattern in a text; linear in the text. */
export function wordTest(words: Set<string>, pattern?: RegExp): (text: string) => boolean {
  const find = wordFinder(words);
  return (text) => {
    let found = false;
    find(text, () => (found = true));
    return found || (pattern?.test(text) ?? false);
  };
}
