/**
 * M5 mutable-default: a list, dict, set (display, comprehension or constructor call) used as a parameter
 * default of a def or lambda.
 */
import { descendants, field, namedChildren, type Node } from '../pyast.js';
import { closingBracket, stringEnd } from '../lexical.js';
import type { Rule, RuleMeta } from '../rule.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'MEMORY_MUTABLE_DEFAULT',
  shortId: 'M5',
  name: 'mutable-default',
  severity: 'MEDIUM',
  confidence: 'high',
  summary: 'A mutable object is used as a parameter default and shared by every call.',
  fix: 'Default to None and create the object inside the function.',
  docs: {
    what:
      'Parameters whose default is a list, dict or set display, a comprehension, or a call to ' +
      'list(), dict(), set(), bytearray(), defaultdict(), OrderedDict(), Counter() or deque(), in ' +
      '`def`s and lambdas.',
    why:
      'The default is evaluated once, when the function is defined, and the same object is handed to ' +
      'every call that omits the argument. Anything a call appends to it stays there for the life of ' +
      'the process: in a service the "empty" default grows by one entry per request and is never freed.',
    example: ['def record(event, seen=[]):', '    seen.append(event)', '    return len(seen)'].join('\n'),
    knownProblems:
      'A default that is only ever read is reported too. A default used on purpose as a per-process ' +
      'cache is reported (prefer `functools.lru_cache`), and defaults bound to a module-level name ' +
      '(`def f(x=DEFAULTS)`) are not followed.',
    fixedExample: [
      'def record(event, seen=None):',
      '    if seen is None:',
      '        seen = []',
      '    seen.append(event)',
      '    return len(seen)',
    ].join('\n'),
    fix:
      'Default to None and build a fresh object per call. Immutable defaults (None, numbers, strings, ' +
      'tuples, `frozenset()`) are safe as they are.',
    references: [
      {
        title: 'ruff B006 mutable-argument-default',
        url: 'https://docs.astral.sh/ruff/rules/mutable-argument-default/',
      },
      {
        title: 'pylint W0102 dangerous-default-value',
        url: 'https://pylint.pycqa.org/en/latest/messages/warning/dangerous-default-value.html',
      },
      {
        title: 'Python tutorial: Default Argument Values',
        url: 'https://docs.python.org/3/tutorial/controlflow.html#default-argument-values',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'unique-keys' },
};

const MUTABLE_CALLS = new Set([
  'list',
  'dict',
  'set',
  'bytearray',
  'defaultdict',
  'OrderedDict',
  'Counter',
  'deque',
  'collections.defaultdict',
  'collections.OrderedDict',
  'collections.Counter',
  'collections.deque',
]);
const MUTABLE_LITERALS = new Set([
  'list',
  'dictionary',
  'set',
  'list_comprehension',
  'dictionary_comprehension',
  'set_comprehension',
]);

/** Parameter lists of `def`s and lambdas in a statement's text: what a mutable default can hide in. */
// Any call counts: `Counter` may be imported under another name.
const SIGNATURE_DEFAULT = /=\s*(?:\[|\{|[\w.]+\s*\()/;

export const mutableDefault: Rule = {
  meta,
  trigger: {
    test: (text) => signaturesOf(text).some((signature) => SIGNATURE_DEFAULT.test(signature)),
  },
  check(context) {
    for (const fn of descendants(context.root, ['function_definition', 'lambda'])) {
      const params = field(fn, 'parameters');
      if (!params) continue;
      for (const param of namedChildren(params)) {
        if (param.type !== 'default_parameter' && param.type !== 'typed_default_parameter') continue;
        const value = field(param, 'value');
        if (!value || !isMutable(value, (n) => context.imports.resolve(n))) continue;
        const name = field(param, 'name')?.text ?? 'parameter';
        context.report(value, {
          message: `Parameter '${name}' defaults to a mutable ${describe(value)} shared by every call.`,
        });
      }
    }
  },
};

function isMutable(value: Node, resolve: (n: Node | null) => string | null): boolean {
  if (MUTABLE_LITERALS.has(value.type)) return true;
  if (value.type === 'call') {
    const callee = resolve(field(value, 'function'));
    return callee !== null && MUTABLE_CALLS.has(callee);
  }
  return false;
}

function describe(value: Node): string {
  switch (value.type) {
    case 'list':
      return 'list';
    case 'dictionary':
      return 'dict';
    case 'set':
      return 'set';
    case 'call':
      return `${field(value, 'function')?.text ?? 'object'}()`;
    default:
      return value.type.replace('_', ' ');
  }
}

/**
 * The parameter lists in a chunk of source: from `def name(` (in code, not in a string or a comment) to
 * its closing parenthesis, and from `lambda` to the colon. The expression finds the next comment, string
 * or def; strings and comments are skipped whole (lexical.ts), so a `def` inside one never counts.
 */
export function signaturesOf(text: string): string[] {
  const out: string[] = [];
  const next = /[#'"]|\bdef\s+\w+\s*(?:\[[^\]]*\]\s*)?\(/g;
  let match: RegExpExecArray | null;
  while ((match = next.exec(text))) {
    const found = match[0];
    if (found === '#') {
      const newline = text.indexOf('\n', match.index);
      if (newline === -1) break;
      next.lastIndex = newline;
    } else if (found === '"' || found === "'") {
      next.lastIndex = stringEnd(text, match.index);
    } else {
      const close = closingBracket(text, next.lastIndex - 1);
      const end = close === -1 ? text.length : close + 1;
      out.push(text.slice(next.lastIndex, end));
      next.lastIndex = end;
    }
  }
  const lambda = /\blambda\b([^:]*):/g;
  while ((match = lambda.exec(text))) out.push(match[1]);
  return out;
}
