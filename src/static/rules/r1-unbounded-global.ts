/**
 * R1 unbounded-global: a module-level container that a function grows and nothing ever shrinks. The
 * analysis lives in ../semantics (module-containers, container-mutation, growth-guards, run-once);
 * this file says what the rule reports and when.
 */
import { descendants, field, nearestFunction, qualifiedName, type Node } from '../pyast.js';
import type { Rule, RuleContext, RuleMeta } from '../rule.js';
import {
  aliasEffect,
  effectOf,
  subscriptKeys,
  type ScopeInfo,
  refersToModule,
} from '../semantics/container-mutation.js';
import { decoratorsOf } from '../semantics/definitions.js';
import { GrowthGuards } from '../semantics/growth-guards.js';
import { containerCandidates, moduleContainers } from '../semantics/module-containers.js';
import { keyedByLiteralCallers } from '../semantics/literal-keys.js';
import { importTimeReason } from '../semantics/run-once.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_UNBOUNDED_GLOBAL',
  shortId: 'R1',
  name: 'unbounded-global',
  severity: 'HIGH',
  confidence: 'high',
  summary: 'A module-level container grows inside a function and nothing ever removes entries.',
  fix: 'Bound it (deque(maxlen=N), lru_cache(maxsize=N), an explicit eviction) or keep the state per request.',
  docs: {
    what:
      'A module-level dict, list, set, defaultdict, OrderedDict, Counter or deque without maxlen ' +
      '(display, comprehension or constructor, through any import alias, annotated or not) that a ' +
      'function, method or lambda adds to: `x[k] = v`, `x[k] += v`, `x.append/extend/insert/add/update/' +
      'setdefault/appendleft/extendleft(...)`, `x[k].append(...)`, `heapq.heappush(x, ...)`, with ' +
      '`global x`: `x += ...`, `x |= ...`, `x = x + [...]`, and lookups in a defaultdict nothing fills ' +
      'explicitly (`with _locks[key]:`, which inserts the key). One finding per function and container, ' +
      'on the first growing statement. Not flagged: containers that are only read; growth at import ' +
      'time (module-level code and class bodies, registering decorators such as `@register` or ' +
      '`@route(...)` that return what they register, functions the module only calls from module-level ' +
      'statements, start-up hooks, `__init_subclass__`); fixed keys (`x["hits"] += 1`, `x.add("ready")`); ' +
      'item assignment in lists and deques (it replaces a slot); containers some function of the module ' +
      'shrinks (pop, popitem, popleft, remove, discard, clear, `del x[k]`, slice truncation, a `global` ' +
      'rebinding, also through a local alias or as a callback such as `add_done_callback(x.discard)`); ' +
      'functions that compare `len(x)` or fill the container only while it is empty; assignments that ' +
      'can only replace an entry already there (under `if k in x:`, or after `if k not in x: raise`); a private function ' +
      'keyed by its own parameter that every caller in the module gives a literal (`_bump("hits")`; a ' +
      'public one is low confidence, other modules may call it with anything). Registration-style ' +
      'functions (`register_*`, `subscribe*`), class-keyed entries, entries keyed by a connection or client object, ' +
      'warn-once sets (`if k not in warned: log.warning(...); warned.add(k)`) and defaultdict lookups are reported ' +
      'with medium confidence.',
    why:
      'A module-level object lives as long as the process. A web worker serves millions of requests, ' +
      'and an entry added per request (per user, per URL, per id) is never freed: memory grows ' +
      'linearly until the container is the largest thing on the heap and the worker is OOM-killed or ' +
      'recycled. Gunicorn and uvicorn workers hide it for a while by restarting; it shows as a slow ' +
      'sawtooth in RSS.',
    example: [
      '_seen_users = {}',
      '',
      '@app.get("/users/{user_id}")',
      'def get_user(user_id: int):',
      '    _seen_users[user_id] = load_user(user_id)',
      '    return _seen_users[user_id]',
    ].join('\n'),
    knownProblems:
      'Static analysis cannot see a bound kept elsewhere: a container whose keys come from a small ' +
      'fixed set (enum members, configuration names, the routes of the app) or that another module ' +
      'clears is reported although it stays small; suppress those with `# heapgate: ignore[R1]`. The ' +
      'other way round, any removal anywhere in the module (a `pop` in an admin endpoint, a `clear()` ' +
      'in tests) counts as a bound, growth through a local alias (`d = _cache; d[k] = v`) is not ' +
      'followed, and containers held on classes or singletons rather than module-level names are not ' +
      'looked at.',
    fixedExample: [
      'from functools import lru_cache',
      '',
      '@lru_cache(maxsize=1024)',
      'def cached_user(user_id: int):',
      '    return load_user(user_id)',
      '',
      '@app.get("/users/{user_id}")',
      'def get_user(user_id: int):',
      '    return cached_user(user_id)',
    ].join('\n'),
    fix:
      'Give the structure a bound, or do not keep the data at all: a memoizer with a `maxsize` for a ' +
      'cache, `collections.deque(maxlen=N)` for logs and histories, cachetools `TTLCache(maxsize=..., ' +
      'ttl=...)` for entries that expire, a local variable for per-request state.',
    references: [
      {
        title: 'croniter #195: memory leak in the EXPRESSIONS global dict cache',
        url: 'https://github.com/pallets-eco/croniter/issues/195',
      },
      {
        title: 'CPython #116804: inspect module caches can grow without bound',
        url: 'https://github.com/python/cpython/issues/116804',
      },
      {
        title:
          'Python docs, collections.Counter: a tally of fixed names (`stats["hits"] += 1`) stays as small ' +
          'as its set of names, which is why fixed and literal-fed keys are not growth',
        url: 'https://docs.python.org/3/library/collections.html#collections.Counter',
      },
      {
        title: 'osprey #348: bound the global parsed-AST cache',
        url: 'https://github.com/roostorg/osprey/pull/348',
      },
    ],
  },
  dynamic: { metrics: ['heap'], reproduce: 'unique-keys' },
};

// --- the rule -----------------------------------------------------------------------------------------

function scopeLabel(scope: Node): string {
  if (scope.type === 'lambda') {
    const def = nearestFunction(scope);
    return def?.type === 'function_definition' ? `a lambda in ${qualifiedName(def)}()` : 'a lambda';
  }
  return `${qualifiedName(scope)}()`;
}

/**
 * Growth that is usually bounded in practice although nothing enforces it: entries keyed by a class
 * (one per type), and registration APIs that other modules call while they are imported.
 */
function probablyBounded(scope: Node, site: Node): boolean {
  const key =
    site.type === 'subscript'
      ? subscriptKeys(site)
          .map((k) => k.text)
          .join(',')
      : '';
  if (/^(?:cls|klass|type\(.*\)|\w+\.__class__)$/.test(key)) return true;
  // One entry per connection or client object (rq's Lua scripts per Redis connection): a process has few.
  if (/^(?:self\.)?(?:connection|conn|client|redis|engine|pool|loop)$/.test(key)) return true;
  // A decorated def is usually a route or a callback, whatever its name says.
  if (scope.type !== 'function_definition' || decoratorsOf(scope).length > 0) return false;
  const name = field(scope, 'name')?.text ?? '';
  return /^_?(?:register|subscribe|install|declare)/i.test(name);
}

function check(context: RuleContext): void {
  const { root, imports, source } = context;
  const containers = moduleContainers(root, imports);
  if (containers.size === 0) return;
  const cache = new Map<number, ScopeInfo>();
  const guards = new GrowthGuards();
  const shrunk = new Set<string>();
  type Growth = { scope: Node; name: string; site: Node; what: string; implicit?: boolean };
  const growth = new Map<string, Growth>();
  const lookups = new Map<string, Growth>();
  const grown = new Set<string>();

  for (const id of descendants(root, 'identifier')) {
    const name = id.text;
    if (!containers.has(name) || name.startsWith('__')) continue;
    const scope = nearestFunction(id);
    // Module-level code (and class bodies) runs once, at import time.
    if (!scope || !refersToModule(name, scope, cache)) continue;
    const kind = containers.get(name)!.kind;
    const effect = effectOf(id, kind, imports) ?? aliasEffect(id, scope, kind, imports);
    if (!effect) continue;
    if (effect.kind === 'shrink') {
      shrunk.add(name);
      continue;
    }
    if (effect.kind === 'implicit') {
      // A lookup guarded by `key in d` never inserts.
      if (guards.membershipTested(scope, name)) continue;
      const key = `${scope.id}:${name}`;
      if (!lookups.has(key)) {
        lookups.set(key, { scope, name, site: effect.site, what: effect.what, implicit: true });
      }
      continue;
    }
    grown.add(name);
    const key = `${scope.id}:${name}`;
    const existing = growth.get(key);
    if (!existing || effect.site.startIndex < existing.site.startIndex) {
      growth.set(key, { scope, name, site: effect.site, what: effect.what });
    }
  }
  // Lookups count only for dicts that nothing fills explicitly: otherwise the explicit growth is
  // the finding and the lookups would repeat it.
  for (const [key, lookup] of lookups) {
    if (!grown.has(lookup.name) && !growth.has(key)) growth.set(key, lookup);
  }

  const reported = [...growth.values()].sort((a, b) => a.site.startIndex - b.site.startIndex);
  for (const { scope, name, site, what, implicit } of reported) {
    if (shrunk.has(name)) continue;
    if (guards.sizeChecked(scope, name) || guards.filledOnce(site, scope, name)) continue;
    if (guards.replacesExisting(site, scope, name)) continue;
    if (importTimeReason(scope, site, source, imports)) continue;
    // `def bump(name): _counters[name] += 1` called only with literals holds one entry per literal.
    let bounded = false;
    if (scope.type === 'function_definition' && keyedByLiteralCallers(scope, site, name, root)) {
      // Other modules may still call a public function with anything.
      if ((field(scope, 'name')?.text ?? '').startsWith('_')) continue;
      bounded = true;
    }
    const definition = containers.get(name)!;
    const warnOnce = guards.warnsOnce(site, scope, name);
    context.report(site, {
      message:
        `Module-level ${definition.kind} '${name}' (line ${definition.line}) grows in ` +
        `${scopeLabel(scope)} via \`${what}\` and nothing in the module ever removes entries` +
        (warnOnce ? ' (a warn-once set: one entry per distinct key warned about).' : '.'),
      confidence: bounded
        ? 'low'
        : implicit || warnOnce || probablyBounded(scope, site)
          ? 'medium'
          : undefined,
    });
  }
}

export const unboundedGlobal: Rule = {
  meta,
  trigger: { fileWords: containerCandidates },
  check,
};
