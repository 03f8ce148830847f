/**
 * Module-level containers: which names a module binds to a growable dict, list, set, defaultdict,
 * OrderedDict, Counter or unbounded deque (from the tree), and which names could be such a container
 * that the file also grows (from the text alone, for the pre-scan).
 */
import type { ImportTable } from '../imports.js';
import {
  field,
  keywordArgument,
  namedChildren,
  positionalArguments,
  unparenthesize,
  type Node,
} from '../pyast.js';
import type { ScanFacts } from '../rule.js';
import { GROW_METHODS } from './container-mutation.js';
import { importAliases } from './import-aliases.js';
import { keyedDefNames } from './literal-keys.js';
import { lineStartAt, wordOccurrences } from './source-index.js';
import { partitionPoint } from '../sorted.js';

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

export interface ContainerDefinition {
  name: string;
  kind: string;
  line: number;
}

/** The kind of container an expression builds (`dict`, `deque`…), or null (also for bounded deques). */
export function containerKind(value: Node | null, imports: ImportTable): string | null {
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
export function moduleContainers(root: Node, imports: ImportTable): Map<string, ContainerDefinition> {
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
  const containers = [...names]
    .filter(([name, lookupGrows]) => mayGrow(source, name, lookupGrows))
    .map(([n]) => n);
  // The defs that key a container by a parameter, so their callers are parsed too (literal-keys.ts).
  const keyed = new Set<string>();
  if (containers.length > 0) {
    for (const block of blocks) {
      for (const name of keyedDefNames(source.slice(block.start, block.end), containers)) keyed.add(name);
    }
  }
  return [...containers, ...keyed];
}

const GROW_CALL = `\\.\\s*(?:${[...GROW_METHODS].join('|')})\\s*\\(`;
/** After the name: a growing call, an augmented assignment, or an item assignment within 300 characters. */
const GROWS_AFTER = new RegExp(
  `\\s*(?:${GROW_CALL}|[-+|*&]=)|\\s*\\[[\\s\\S]{0,300}?\\]\\s*(?:[-+|*&]?=(?!=)|,[^\\n=]*=(?!=)|${GROW_CALL})`,
  'y',
);
const LOOKUP_AFTER = /\s*\[/y;
const COMMA_AFTER = /\s*,/y;
const SPACE = /\s/;

/**
 * Whether the text could hold a growth of `name` at all: an item assignment, a growing method, an
 * augmented assignment, the name passed first to a call (`heappush(name, …)`), a `global` declaration
 * (rebinding), or for a defaultdict any lookup. A loose superset of what the check recognises: it only
 * keeps containers that are read but never grown from making every function that reads them parsed.
 * Code, strings and comments alike; each occurrence of the name is looked at once (source-index.ts).
 */
function mayGrow(source: string, name: string, lookupGrows: boolean): boolean {
  for (const at of wordOccurrences(source, name)) {
    const end = at + name.length;
    GROWS_AFTER.lastIndex = end;
    if (GROWS_AFTER.test(source)) return true;
    LOOKUP_AFTER.lastIndex = end;
    if (lookupGrows && LOOKUP_AFTER.test(source)) return true;
    COMMA_AFTER.lastIndex = end;
    if (COMMA_AFTER.test(source)) {
      let i = at - 1;
      while (i >= 0 && SPACE.test(source[i])) i--;
      if (source[i] === '(') return true;
    }
    if (afterGlobal(source, at)) return true;
  }
  return false;
}

/** A `global` statement (or any `global` word) earlier on the same line. */
function afterGlobal(source: string, at: number): boolean {
  const globals = wordOccurrences(source, 'global');
  const lo = partitionPoint(globals.length, (i) => globals[i] < at);
  return lo > 0 && globals[lo - 1] >= lineStartAt(source, at);
}
