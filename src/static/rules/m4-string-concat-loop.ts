/**
 * M4 string-concat-loop: a str or bytes value that starts as a literal and grows with += inside a loop.
 */
import { descendants, dottedName, field, namedChildren, type Node } from '../pyast.js';
import type { Rule, RuleMeta, ScanFacts } from '../rule.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'MEMORY_STRING_CONCAT_LOOP',
  shortId: 'M4',
  name: 'string-concat-loop',
  severity: 'LOW',
  confidence: 'high',
  summary: 'A string or bytes value is grown with += inside a loop.',
  fix: 'Collect the pieces in a list and "".join() them once (bytearray or io.BytesIO for bytes).',
  docs: {
    what:
      '`s += …` (or `s = s + …`) inside a for/while loop, where `s` was last set to a str, f-string ' +
      'or bytes literal before the loop in the same function (or at module level). Numeric ' +
      'accumulators, lists, concatenation outside loops and a string that is reset inside the loop ' +
      'body before it grows (a fresh value each iteration) are not reported.',
    why:
      'str and bytes are immutable: each += builds a new object and copies everything accumulated ' +
      'so far, so building an n-byte result costs O(n²) time and allocates O(n²) bytes in total. ' +
      "CPython's in-place shortcut for str only applies while nothing else references the string, " +
      'never for bytes, attributes or PyPy. In a request handler that assembles a report, a CSV or a ' +
      'socket buffer, the churn fragments the heap and pushes the peak RSS — which the allocator ' +
      'rarely returns to the OS — far above the size of the result.',
    example: [
      'def render_rows(rows):',
      '    html = ""',
      '    for row in rows:',
      '        html += f"<tr><td>{row.name}</td></tr>"',
      '    return html',
      '',
      'def read_all(sock):',
      '    data = b""',
      '    while chunk := sock.recv(4096):',
      '        data += chunk',
      '    return data',
    ].join('\n'),
    knownProblems:
      'Short, bounded loops (a handful of iterations) are reported although their cost is negligible, ' +
      "and CPython's in-place shortcut makes many `str` cases fast in practice. Concatenation in a " +
      'helper called from the loop, and strings that start as something other than a literal, are not ' +
      'seen.',
    fixedExample: [
      'def render_rows(rows):',
      '    parts = []',
      '    for row in rows:',
      '        parts.append(f"<tr><td>{row.name}</td></tr>")',
      '    return "".join(parts)',
      '',
      'def read_all(sock):',
      '    data = bytearray()',
      '    while chunk := sock.recv(4096):',
      '        data += chunk',
      '    return bytes(data)',
    ].join('\n'),
    fix:
      'Append the pieces to a list and `"".join()` them once; grow bytes in a `bytearray` (or an ' +
      '`io.BytesIO`).',
    references: [
      {
        title: 'pylint R1713 consider-using-join',
        url: 'https://pylint.pycqa.org/en/v2.13.9/messages/refactor/consider-using-join.html',
      },
      {
        title: 'Sourcery use-join',
        url: 'https://docs.sourcery.ai/Coding-Assistant/Reference/Rules-and-In-Line-Suggestions/Python/Default-Rules/use-join/',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'repeated-calls' },
};

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
const LOOPS = new Set(['for_statement', 'while_statement']);

/** Statement starts: a line's indentation, or after `;` / a one-line `if x:`. */
const START = '(?:^|[;:])[ \\t]*';
/** `x = ""`, `x: str = b""`, `x = f"…"`, `a = x = ""`: names that start as a str/bytes literal. */
const STRING_INIT = new RegExp(
  `(?:^|[;:=])[ \\t]*([A-Za-z_][\\w.]*)[ \\t]*(?::[^=\\n]*)?=[ \\t]*(?:[rRbBuUfF]{1,2})?["']`,
  'gm',
);
/** `x += …`, `x = x + …`, `x = … + x`: names grown by concatenation. */
const GROWN = new RegExp(
  `${START}([A-Za-z_][\\w.]*)[ \\t]*(?:\\+=|=[ \\t]*\\1[ \\t]*\\+|=[^=\\n][^\\n]*\\+[ \\t]*\\1[ \\t]*(?:#[^\\n]*)?$)`,
  'gm',
);

/** Some name in the text both starts as a string literal and grows by concatenation. */
function grownStrings(text: string): boolean {
  const inits = new Set<string>();
  for (const m of text.matchAll(STRING_INIT)) inits.add(m[1]);
  if (!inits.size) return false;
  for (const m of text.matchAll(GROWN)) if (inits.has(m[1])) return true;
  return false;
}

interface Growth {
  node: Node;
  target: string;
}

/** `s += …`, `s = s + …` or `s = … + s` on a plain or dotted name. */
function growthOf(node: Node): Growth | null {
  if (node.type === 'augmented_assignment') {
    if (field(node, 'operator')?.text !== '+=') return null;
    const target = dottedName(field(node, 'left'));
    return target ? { node, target } : null;
  }
  if (node.type === 'assignment') {
    const target = dottedName(field(node, 'left'));
    const right = field(node, 'right');
    if (!target || right?.type !== 'binary_operator' || field(right, 'operator')?.text !== '+') return null;
    let leftmost: Node | null = right;
    while (leftmost?.type === 'binary_operator') leftmost = field(leftmost, 'left');
    const rightmost = field(right, 'right');
    if (dottedName(leftmost) === target || dottedName(rightmost) === target) return { node, target };
  }
  return null;
}

function isStringLiteral(node: Node | null): boolean {
  return node?.type === 'string' || node?.type === 'concatenated_string';
}

/** The innermost loop around a node in the same scope. */
function innermostLoop(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (LOOPS.has(p.type)) {
      // The loop's own header (`for x in s + t:`) is evaluated once, not per iteration.
      const body = field(p, 'body');
      if (body && node.startIndex >= body.startIndex && node.endIndex <= body.endIndex) return p;
      continue;
    }
    if (SCOPES.has(p.type)) return null;
  }
  return null;
}

/**
 * Plain (re)bindings of each name in one scope, in source order: `s = …`, not `s += …`. One walk per
 * scope (`cache` lives for one check), however many growths it holds.
 */
function plainBindings(scope: Node, target: string, cache: Map<number, Map<string, Node[]>>): Node[] {
  let byName = cache.get(scope.id);
  if (!byName) {
    byName = new Map();
    const stack: Node[] = [scope];
    while (stack.length) {
      const node = stack.pop()!;
      const name = node.type === 'assignment' ? dottedName(field(node, 'left')) : null;
      if (name !== null && !growthOf(node)) {
        const list = byName.get(name);
        if (list) list.push(node);
        else byName.set(name, [node]);
      }
      // One call for all children (`namedChild(i)` walks from the first child each time).
      const children = namedChildren(node);
      for (let i = children.length - 1; i >= 0; i--)
        if (!SCOPES.has(children[i].type)) stack.push(children[i]);
    }
    for (const list of byName.values()) list.sort((a, b) => a.startIndex - b.startIndex);
    cache.set(scope.id, byName);
  }
  return byName.get(target) ?? [];
}

function within(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Names grown by `+=` in top-level (module-scope) loops, so the statement that initialises them is parsed too. */
function moduleGrowthNames(facts: ScanFacts): string[] {
  const names = new Set<string>();
  for (const block of facts.blocks) {
    if (block.head === 'def' || block.head === 'async def' || block.head === 'class' || block.head === '@') {
      continue;
    }
    const text = facts.source.slice(block.start, block.end);
    if (!/\b(?:for|while)\b/.test(text)) continue;
    for (const match of text.matchAll(GROWN)) names.add(match[1].split('.')[0]);
  }
  return [...names];
}

export const stringConcatLoop: Rule = {
  meta,
  trigger: {
    // A loop, a growth and (in the same function) a string literal assigned somewhere; module-level
    // inits live in other statements and are reached through fileWords.
    test: (text) => /\b(?:for|while)\b/.test(text) && grownStrings(text),
    fileWords: moduleGrowthNames,
  },
  check(context) {
    const reported = new Set<string>();
    const bindingsByScope = new Map<number, Map<string, Node[]>>();
    for (const node of descendants(context.root, ['augmented_assignment', 'assignment'])) {
      const growth = growthOf(node);
      if (!growth) continue;
      const loop = innermostLoop(node);
      if (!loop) continue;
      let scope: Node | null = loop;
      while (scope && scope.type !== 'module' && scope.type !== 'function_definition') scope = scope.parent;
      if (!scope || (scope.type === 'function_definition' && !field(scope, 'body'))) continue;
      const scopeRoot = scope.type === 'module' ? scope : field(scope, 'body')!;
      const bindings = plainBindings(scopeRoot, growth.target, bindingsByScope);
      // A reset inside the loop before the growth starts a fresh string every iteration.
      if (bindings.some((b) => within(loop, b) && b.startIndex < node.startIndex)) continue;
      const before = bindings.filter((b) => b.endIndex <= loop.startIndex);
      const init = before[before.length - 1];
      if (!init || !isStringLiteral(field(init, 'right'))) continue;
      const key = `${growth.target}@${loop.startIndex}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const kind = field(init, 'right')!
        .text.replace(/^[rRuUfF]*/, '')
        .match(/^[bB]/)
        ? 'bytes'
        : 'string';
      context.report(node, {
        message:
          `'${growth.target}' is a ${kind} grown with += inside a loop (started at line ` +
          `${init.startPosition.row + 1}): every iteration copies everything accumulated so far.`,
      });
    }
  },
};
