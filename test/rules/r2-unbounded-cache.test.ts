import { unboundedCache } from '../../src/static/rules/r2-unbounded-cache.js';
import { ruleTable } from './rule-table.js';

ruleTable(unboundedCache, {
  valid: [
    {
      name: 'bounded lru_cache',
      code: 'from functools import lru_cache\n@lru_cache(maxsize=256)\ndef f(x):\n    return x\n',
    },
    {
      name: 'bounded positional',
      code: 'import functools\n@functools.lru_cache(1024)\ndef f(x):\n    return x\n',
    },
    {
      name: 'bare lru_cache holds 128',
      code: 'from functools import lru_cache\n@lru_cache\ndef f(x):\n    return x\n',
    },
    {
      name: 'lru_cache() holds 128',
      code: 'from functools import lru_cache\n@lru_cache()\ndef f(x):\n    return x\n',
    },
    {
      name: 'cached_property',
      code: 'from functools import cached_property\nclass A:\n    @cached_property\n    def total(self):\n        return 1\n',
    },
    {
      name: 'zero-argument function',
      code: 'from functools import cache\n@cache\ndef settings():\n    return load()\n',
    },
    {
      name: 'zero-argument with maxsize=None',
      code: 'import functools\n@functools.lru_cache(maxsize=None)\ndef get_settings():\n    return Settings()\n',
    },
    {
      name: 'flask-caching is not functools',
      code: 'from flask_caching import Cache\ncache = Cache(app)\n@cache.cached(timeout=50)\ndef index(page):\n    return page\n@cache.memoize()\ndef f(x):\n    return x\n',
    },
    {
      name: 'a local function named cache',
      code: 'def cache(fn):\n    return fn\n@cache\ndef f(x):\n    return x\n',
    },
    {
      name: 'django cache object',
      code: 'from django.core.cache import cache\ndef f(k):\n    return cache.get(k)\n',
    },
    {
      name: 'classmethod with only cls',
      code: 'from functools import cache\nclass Config:\n    @classmethod\n    @cache\n    def load(cls):\n        return cls()\n',
    },
    {
      name: 'staticmethod without parameters',
      code: 'from functools import cache\nclass Config:\n    @staticmethod\n    @cache\n    def load():\n        return 1\n',
    },
    {
      name: 'memoized helper local to one call',
      code: 'from functools import cache\ndef solve(items):\n    @cache\n    def best(i):\n        return best(i - 1) if i else 0\n    return best(len(items))\n',
    },
    {
      name: 'call form on a zero-argument function',
      code: 'import functools\ndef _load():\n    return 1\nload = functools.cache(_load)\n',
    },
    {
      name: 'cachetools with a bounded cache',
      code: 'from cachetools import cached, LRUCache\n@cached(cache=LRUCache(maxsize=100))\ndef f(x):\n    return x\n',
    },
  ],
  invalid: [
    {
      code: 'from functools import lru_cache\n@lru_cache(maxsize=None)\ndef fetch(url):\n    return get(url)\n',
      lines: [2],
      message:
        "'fetch' is memoized by @lru_cache(maxsize=None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
      function: 'fetch',
    },
    {
      code: 'from functools import lru_cache\n@lru_cache(None)\ndef fetch(url):\n    return get(url)\n',
      lines: [2],
      message:
        "'fetch' is memoized by @lru_cache(None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      code: 'from functools import cache\n@cache\ndef fetch(url):\n    return get(url)\n',
      lines: [2],
      message:
        "'fetch' is memoized by @cache without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      code: 'import functools\n@functools.cache\ndef fetch(url):\n    return get(url)\n',
      lines: [2],
      message:
        "'fetch' is memoized by @functools.cache without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'import alias of lru_cache',
      code: 'from functools import lru_cache as memo\n@memo(maxsize=None, typed=True)\ndef fetch(url):\n    return get(url)\n',
      lines: [2],
      message:
        "'fetch' is memoized by @memo(maxsize=None, typed=True) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'module alias',
      code: 'import functools as ft\n@ft.lru_cache(maxsize=None)\nasync def fetch(url):\n    return url\n',
      lines: [2],
      message:
        "'fetch' is memoized by @ft.lru_cache(maxsize=None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'import alias of cache',
      code: 'from functools import cache as memoize\n@memoize\ndef render(user_id):\n    return user_id\n',
      lines: [2],
      message:
        "'render' is memoized by @memoize without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'module-level decorator variable',
      code: 'import functools\nmemo = functools.lru_cache(maxsize=None)\n\n@memo\ndef fetch(url):\n    return url\n',
      lines: [4],
      message:
        "'fetch' is memoized by @memo = functools.lru_cache(maxsize=None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'call form',
      code: 'from functools import lru_cache\ndef _fetch(url):\n    return url\nfetch = lru_cache(maxsize=None)(_fetch)\n',
      lines: [4],
      message:
        "'_fetch' is wrapped in lru_cache(maxsize=None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'call form on a bound method in __init__',
      code: 'import functools\nclass Repo:\n    def __init__(self):\n        self.get = functools.cache(self._get)\n    def _get(self, key):\n        return key\n',
      lines: [4],
      function: 'Repo.__init__',
      message:
        "'self._get' is wrapped in functools.cache without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'method with parameters',
      code: 'from functools import lru_cache\nclass Repo:\n    @lru_cache(maxsize=None)\n    def get(self, key):\n        return key\n',
      lines: [3],
      function: 'Repo.get',
      message:
        "'Repo.get' is memoized by @lru_cache(maxsize=None) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'method with only self keeps every instance alive',
      code: 'from functools import cache\nclass Request:\n    @property\n    @cache\n    def body(self):\n        return self.read()\n',
      lines: [4],
      message:
        "'Request.body' is memoized by @cache without a size limit: it caches one entry per instance and keeps every instance it was called on alive.",
    },
    {
      name: 'cachetools with a plain dict',
      code: 'from cachetools import cached\n@cached(cache={})\ndef f(x):\n    return x\n',
      lines: [2],
      message:
        "'f' is memoized by @cached(cache={}) without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'kwargs-only function still caches per argument',
      code: 'from functools import cache\n@cache\ndef f(**options):\n    return options\n',
      lines: [2],
      message:
        "'f' is memoized by @cache without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'fallback definition in try/except',
      code: 'try:\n    from functools import cache\nexcept ImportError:\n    from functools import lru_cache\n    cache = lru_cache(maxsize=None)\n\n@cache\ndef f(x):\n    return x\n',
      lines: [7],
      message:
        "'f' is memoized by @cache without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'alias imported inside a try block',
      code: 'try:\n    from functools import cache as memo\nexcept ImportError:\n    memo = None\n\n@memo\ndef f(x):\n    return x\n',
      lines: [6],
      message:
        "'f' is memoized by @memo without a size limit: every distinct argument tuple stays cached for the life of the process.",
    },
    {
      name: 'a factory returns the memoized function',
      code: 'from functools import cache\ndef make():\n    @cache\n    def lookup(key):\n        return key\n    return lookup\n',
      lines: [3],
      function: 'make.lookup',
      message:
        "'make.lookup' is memoized by @cache without a size limit: every distinct argument stays cached while the returned function lives.",
    },
  ],
});
