/**
 * R2 unbounded-cache: a function memoized without a size limit (`@functools.cache`, `@lru_cache(maxsize=None)`,
 * the call form and module-level memoizer variables), judged by what the cache can be keyed by.
 */
import type { ImportTable } from '../imports.js';
import {
  descendants,
  field,
  keywordArgument,
  namedChildren,
  parameterNames,
  positionalArguments,
  qualifiedName,
  unparenthesize,
  walkOwnScope,
  type Node,
  enclosingFunction,
} from '../pyast.js';
import type { Confidence } from '../../model/static.js';
import type { Rule, RuleContext, RuleMeta, ScanFacts } from '../rule.js';
import { decoratorExpression, decoratorsOf, methodClass } from '../semantics/definitions.js';
import { importAliases } from '../semantics/import-aliases.js';
import { firstDefParameters } from '../semantics/lexical-defs.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_UNBOUNDED_CACHE',
  shortId: 'R2',
  name: 'unbounded-cache',
  severity: 'HIGH',
  confidence: 'high',
  summary: 'A function is memoized without a size limit, so every distinct argument stays in memory.',
  fix: 'Give the cache a bound: @lru_cache(maxsize=N), or a TTL cache for data that changes.',
  docs: {
    what:
      '`@functools.cache`, `@lru_cache(maxsize=None)` and `@lru_cache(None)` (through any import alias, ' +
      '`import functools as ft`, or a module-level variable such as `memo = lru_cache(maxsize=None)` ' +
      'used as `@memo`), the call form `f = lru_cache(maxsize=None)(g)`, cachetools `@cached({})` and ' +
      'the cachetools/async-lru `lru_cache(maxsize=None)` variants. Not flagged: bounded caches ' +
      '(`lru_cache(maxsize=N)`, bare `@lru_cache`, which holds 128), `cached_property`, other ' +
      "libraries' `cache` objects (flask-caching, Django), functions without parameters (one entry), " +
      'classmethods whose only parameter is `cls`, and memoized helpers nested in a function that do ' +
      'not leave it. Methods whose only parameter is `self` are flagged with medium confidence: the ' +
      'cache keeps one entry per instance and every instance alive.',
    why:
      'An unbounded memoizer keeps every argument tuple and every result it has ever seen, for the life ' +
      'of the process. Called with request data (ids, URLs, user input) it grows by one entry per ' +
      'distinct request, and nothing evicts it. On a method the cache also holds `self`, so objects that ' +
      'should die with the request stay reachable.',
    example: [
      'from functools import lru_cache',
      '',
      '@lru_cache(maxsize=None)',
      'def render_profile(user_id: int) -> str:',
      '    return template.render(user=load_user(user_id))',
    ].join('\n'),
    knownProblems:
      'A memoized function only ever called with a few distinct arguments (an enum, a handful of ' +
      'configuration keys) is reported although its cache stays small. A `maxsize` given through a name ' +
      '(`lru_cache(maxsize=SIZE)`) counts as a bound even when the name holds None, and caches that are ' +
      "not decorators or `lru_cache(...)(f)` calls (a dict kept by hand, flask-caching, Django's cache) " +
      'are left to R1 or not looked at.',
    fixedExample: [
      'from functools import lru_cache',
      '',
      '@lru_cache(maxsize=1024)',
      'def render_profile(user_id: int) -> str:',
      '    return template.render(user=load_user(user_id))',
    ].join('\n'),
    fix:
      'Bound the cache (`@lru_cache(maxsize=N)`) or give entries a lifetime ' +
      '(`cachetools.TTLCache(maxsize=..., ttl=...)` for data that changes). On methods, cache in a ' +
      'module-level function keyed by the values you need rather than by `self`.',
    references: [
      {
        title: 'ruff B019 cached-instance-method',
        url: 'https://docs.astral.sh/ruff/rules/cached-instance-method',
      },
      {
        title: 'pylint W1518 method-cache-max-size-none',
        url: 'https://pylint.pycqa.org/en/latest/user_guide/messages/warning/method-cache-max-size-none.html',
      },
      {
        title: 'Python FAQ: How do I cache method calls?',
        url: 'https://docs.python.org/3/faq/programming.html#how-do-i-cache-method-calls',
      },
      {
        title: 'pytensor #1660: lru_cache on methods causes a leak',
        url: 'https://github.com/pymc-devs/pytensor/pull/1660',
      },
      {
        title: 'inmanta-core #3076: memory leak introduced by lru_cache',
        url: 'https://github.com/inmanta/inmanta-core/issues/3076',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'unique-keys' },
};

/** Memoizers whose size is their `maxsize` argument (first positional or keyword); None = unbounded. */
const SIZED = new Set([
  'functools.lru_cache',
  'cachetools.func.lru_cache',
  'cachetools.func.lfu_cache',
  'cachetools.func.fifo_cache',
  'cachetools.func.rr_cache',
  'async_lru.alru_cache',
]);
/** Memoizers that never evict. */
const UNBOUNDED = new Set(['functools.cache']);
/** `cachetools.cached(cache)`: unbounded when the cache is a plain dict. */
const CACHED_WITH_STORE = new Set(['cachetools.cached', 'cachetools.cachedmethod']);

// `cache` and `cached` are everyday words (`self._cache`, `cache = {}`): they trigger only as a decorator or
// a call (CACHE_USE), and their import aliases come through fileWords.
const TRIGGER_WORDS = ['lru_cache', 'alru_cache', 'lfu_cache', 'fifo_cache', 'rr_cache'];
const COMMON_NAMES = ['cache', 'cached'];
const CACHE_USE = /@[ \t]*(?:[\w.]+\.)?(?:cache|cached)\b|\b(?:cache|cached)[ \t]*\(/;

/**
 * How an expression used as a decorator memoizes without bound, as people wrote it
 * (`@lru_cache(maxsize=None)`), or null when it is bounded or not a memoizer at all.
 */
function unboundedMemoizer(
  expr: Node | null,
  imports: ImportTable,
  variables: ReadonlyMap<string, string>,
): string | null {
  const node = unparenthesize(expr);
  if (!node) return null;
  if (node.type === 'identifier' || node.type === 'attribute') {
    const name = imports.resolve(node);
    if (name && UNBOUNDED.has(name)) return node.text;
    if (node.type === 'identifier' && !imports.isImported(node.text)) {
      return variables.get(node.text) ?? null;
    }
    return null;
  }
  if (node.type !== 'call') return null;
  const callee = imports.resolve(field(node, 'function'));
  if (!callee) return null;
  const shown = `${field(node, 'function')?.text ?? callee}(${field(node, 'arguments')?.text.slice(1, -1) ?? ''})`;
  if (SIZED.has(callee)) {
    const size = keywordArgument(node, 'maxsize') ?? positionalArguments(node)[0] ?? null;
    return size?.type === 'none' ? shown : null;
  }
  if (CACHED_WITH_STORE.has(callee)) {
    const store = unparenthesize(keywordArgument(node, 'cache') ?? positionalArguments(node)[0] ?? null);
    const plainDict =
      store?.type === 'dictionary' ||
      (store?.type === 'call' && imports.resolve(field(store, 'function')) === 'dict');
    return plainDict ? shown : null;
  }
  return null;
}

/** Module-level names bound to an unbounded memoizer: `memo = functools.lru_cache(maxsize=None)`. */
function memoizerVariables(root: Node, imports: ImportTable): Map<string, string> {
  const variables = new Map<string, string>();
  const visit = (node: Node): void => {
    for (const child of namedChildren(node)) {
      if (child.type === 'expression_statement') {
        for (const assignment of namedChildren(child)) {
          if (assignment.type !== 'assignment') continue;
          const left = field(assignment, 'left');
          if (left?.type !== 'identifier') continue;
          const how = unboundedMemoizer(field(assignment, 'right'), imports, variables);
          if (how) variables.set(left.text, `${left.text} = ${how}`);
        }
      } else if (
        child.type === 'if_statement' ||
        child.type === 'try_statement' ||
        child.type === 'block' ||
        child.type === 'else_clause' ||
        child.type === 'except_clause' ||
        child.type === 'elif_clause'
      ) {
        visit(child);
      }
    }
  };
  visit(root);
  return variables;
}

/** Which decorator names (besides the memoizer) say how the method is bound. */
function binding(def: Node): 'static' | 'class' | 'instance' | 'function' {
  if (!methodClass(def)) return 'function';
  for (const decorator of decoratorsOf(def)) {
    const text = decoratorExpression(decorator)?.text;
    if (text === 'staticmethod') return 'static';
    if (text === 'classmethod') return 'class';
  }
  return 'instance';
}

interface Verdict {
  confidence?: Confidence;
  detail: string;
}

/**
 * Whether memoizing this def can grow without bound: a function with no parameters caches one
 * value; a method whose only parameter is `self` caches one value per instance and keeps every
 * instance it ever saw alive; a def nested in a function caches only as long as that function
 * object lives, which is one call unless the def escapes.
 */
function verdictFor(def: Node): Verdict | null {
  const params = parameterNames(def);
  const kind = binding(def);
  const own = kind === 'instance' || kind === 'class' ? params.slice(1) : params;
  if (own.length === 0) {
    if (kind !== 'instance' || params.length === 0) return null;
    return {
      confidence: 'medium',
      detail: 'it caches one entry per instance and keeps every instance it was called on alive',
    };
  }
  const outer = enclosingFunction(def);
  if (outer) {
    const name = field(def, 'name')?.text ?? '';
    if (!escapes(outer, name)) return null;
    return {
      confidence: 'medium',
      detail: 'every distinct argument stays cached while the returned function lives',
    };
  }
  return { detail: 'every distinct argument tuple stays cached for the life of the process' };
}

/** The nested def leaves its function: returned, or stored on something longer-lived. */
function escapes(outer: Node, name: string): boolean {
  let found = false;
  walkOwnScope(outer, (node) => {
    if (found) return;
    if (node.type === 'return_statement' || node.type === 'yield') {
      // `return helper(x)` only uses the helper; `return helper` hands it out.
      found = descendants(node, 'identifier').some(
        (id) =>
          id.text === name && !(id.parent?.type === 'call' && field(id.parent, 'function')?.id === id.id),
      );
    } else if (node.type === 'assignment') {
      const left = field(node, 'left');
      const right = unparenthesize(field(node, 'right'));
      found = left?.type !== 'identifier' && right?.type === 'identifier' && right.text === name;
    }
  });
  return found;
}

/** Parameter names of the def called `name` in the source, read from the text (null if none). */
function lexicalParameters(source: string, name: string): string[] | null {
  const list = firstDefParameters(source, name);
  if (list === null) return null;
  return list
    .split(',')
    .map(
      (p) =>
        p
          .trim()
          .replace(/^\*+/, '')
          .split(/[:=\s]/)[0],
    )
    .filter((p) => p.length > 0 && p !== '/' && p !== '*');
}

const ASSIGNED = /^[ \t]*([A-Za-z_]\w*)[ \t]*=(?!=)/gm;

/**
 * Module-scope names assigned in statements that mention a memoizer (or an alias of one): the
 * `memo = functools.lru_cache(maxsize=None)` variables whose `@memo` uses must be parsed too.
 */
function memoizerCandidates(facts: ScanFacts): string[] {
  const { source, blocks } = facts;
  const aliases = importAliases(facts, TRIGGER_WORDS);
  const words = new Set([...TRIGGER_WORDS, ...aliases]);
  const mentions = new RegExp(`\\b(?:${[...words].join('|')})\\b`);
  const names: string[] = [...aliases];
  for (const block of blocks) {
    if (!['stmt', 'if', 'try'].includes(block.head)) continue;
    const text = source.slice(block.start, block.end);
    if (!mentions.test(text)) continue;
    ASSIGNED.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = ASSIGNED.exec(text))) names.push(match[1]);
  }
  return names;
}

function check(context: RuleContext): void {
  const { root, imports, source } = context;
  const variables = memoizerVariables(root, imports);

  for (const def of descendants(root, 'function_definition')) {
    for (const decorator of decoratorsOf(def)) {
      const how = unboundedMemoizer(decoratorExpression(decorator), imports, variables);
      if (!how) continue;
      const verdict = verdictFor(def);
      if (!verdict) continue;
      const name = qualifiedName(def) ?? field(def, 'name')?.text ?? 'function';
      context.report(decorator, {
        message: `'${name}' is memoized by @${how} without a size limit: ${verdict.detail}.`,
        confidence: verdict.confidence,
        function: name,
      });
    }
  }

  // The call form: `fetch = lru_cache(maxsize=None)(_fetch)`, `self.get = functools.cache(self._get)`.
  for (const call of descendants(root, 'call')) {
    const callee = field(call, 'function');
    const args = positionalArguments(call);
    if (args.length !== 1 || call.parent?.type === 'decorator') continue;
    const how =
      callee?.type === 'call'
        ? unboundedMemoizer(callee, imports, variables)
        : callee?.type === 'identifier' || callee?.type === 'attribute'
          ? unboundedMemoizer(callee, imports, variables)
          : null;
    if (!how) continue;
    const target = unparenthesize(args[0]);
    let params: string[] | null = null;
    if (target?.type === 'lambda') params = parameterNames(target);
    else if (target?.type === 'identifier') params = lexicalParameters(source, target.text);
    else if (target?.type === 'attribute') {
      const method = field(target, 'attribute')?.text ?? '';
      params = lexicalParameters(source, method)?.slice(1) ?? null;
    }
    if (params !== null && params.length === 0) continue;
    const wrapped = target?.text ?? 'function';
    context.report(call, {
      message: `'${wrapped}' is wrapped in ${how} without a size limit: every distinct argument tuple stays cached for the life of the process.`,
    });
  }
}

export const unboundedCache: Rule = {
  meta,
  trigger: {
    words: TRIGGER_WORDS,
    fileWords: (facts) => [...memoizerCandidates(facts), ...importAliases(facts, COMMON_NAMES)],
    test: (text) => CACHE_USE.test(text),
  },
  check,
};
