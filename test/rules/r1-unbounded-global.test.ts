import { describe, expect, it } from 'vitest';
import { unboundedGlobal } from '../../src/static/rules/r1-unbounded-global.js';
import { dedent, findingsFor, ruleTable } from './rule-table.js';

ruleTable(unboundedGlobal, {
  valid: [
    { name: 'read-only global', code: 'CONFIG = {"a": 1}\ndef get(k):\n    return CONFIG[k]\n' },
    {
      // A job registry whose workers only update a fixed field of an entry already there (issue 12).
      name: 'a fixed key set on an existing entry is not growth of the registry',
      code: 'JOBS = {}\ndef set_status(job_id, status):\n    JOBS[job_id]["status"] = status\n    JOBS[job_id]["tries"] += 1\n',
    },
    {
      name: 'mutation at import time only',
      code: 'REG = {}\nfor n in NAMES:\n    REG[n] = n\nclass A:\n    REG["a"] = 1\n    ITEMS = []\n',
    },
    {
      name: 'deque with maxlen',
      code: 'from collections import deque\nEVENTS = deque(maxlen=100)\nLAST = deque([], 10)\ndef log(e):\n    EVENTS.append(e)\n    LAST.append(e)\n',
    },
    { name: 'int with global', code: 'counter = 0\ndef hit():\n    global counter\n    counter += 1\n' },
    { name: 'str with global', code: 'last = ""\ndef seen(p):\n    global last\n    last = p\n' },
    {
      name: 'shrinking calls only',
      code: 'PENDING = []\nUSERS = {}\ndef flush():\n    batch = list(PENDING)\n    PENDING.clear()\n    USERS.pop("x", None)\n    del USERS["y"]\n',
    },
    {
      name: 'registry filled by a decorator at import time',
      code: 'HANDLERS = {}\ndef register(f):\n    HANDLERS[f.__name__] = f\n    return f\n\n@register\ndef a():\n    pass\n',
    },
    {
      name: 'decorator factory',
      code: 'ROUTES = {}\ndef route(path):\n    def deco(fn):\n        ROUTES[path] = fn\n        return fn\n    return deco\n',
    },
    {
      name: 'registering a class by its __name__',
      code: 'PLUGINS = {}\ndef plugin(klass):\n    PLUGINS[klass.__name__] = klass\n    return klass\n',
    },
    {
      name: 'local shadows the global',
      code: 'cache = {}\ndef f(k):\n    cache = {}\n    cache[k] = 1\n    return cache\n',
    },
    { name: 'parameter shadows the global', code: 'items = []\ndef f(items):\n    items.append(1)\n' },
    {
      name: 'closure variable shadows the global',
      code: 'seen = []\ndef outer():\n    seen = []\n    def inner(x):\n        seen.append(x)\n    return inner\n',
    },
    {
      name: 'size cap in the same function',
      code: '_cache = {}\ndef get(k):\n    if len(_cache) >= 100:\n        return compute(k)\n    _cache[k] = compute(k)\n    return _cache[k]\n',
    },
    {
      name: 'evicts in the same function',
      code: 'from collections import OrderedDict\n_lru = OrderedDict()\ndef get(k):\n    _lru[k] = compute(k)\n    if len(_lru) > 512:\n        _lru.popitem(last=False)\n',
    },
    {
      name: 'add/discard pair for live connections',
      code: 'clients = set()\nasync def ws(c):\n    clients.add(c)\n    try:\n        await serve(c)\n    finally:\n        clients.discard(c)\n',
    },
    {
      name: 'reset through a global rebinding',
      code: '_buf = []\ndef add(x):\n    _buf.append(x)\ndef reset():\n    global _buf\n    _buf = []\n',
    },
    {
      name: 'fixed keys only',
      code: 'STATS = {}\nFLAGS = set()\ndef hit():\n    STATS["hits"] = STATS.get("hits", 0) + 1\n    STATS[KEY] += 1\n    FLAGS.add("ready")\n    STATS.update(last=now())\n',
    },
    {
      name: 'filled once while empty',
      code: '_table = {}\ndef table():\n    if not _table:\n        _table.update(load())\n    return _table\n',
    },
    {
      name: 'early return once filled',
      code: '_names = []\ndef names():\n    if _names:\n        return _names\n    _names.extend(load())\n    return _names\n',
    },
    {
      name: 'helper only called at import time',
      code: '_codecs = {}\ndef _add(name, c):\n    _codecs[name] = c\n_add("a", A)\nif __name__ == "__main__":\n    _add("b", B)\n',
    },
    {
      name: 'start-up hook',
      code: 'POOLS = {}\n@app.on_event("startup")\nasync def startup():\n    for name in DATABASES:\n        POOLS[name] = await create_pool(name)\n',
    },
    {
      name: '__init_subclass__ registry',
      code: 'REGISTRY = {}\nclass Base:\n    def __init_subclass__(cls, **kw):\n        REGISTRY[cls.__name__] = cls\n',
    },
    {
      name: 'aiohttp start-up hook registered inside the app factory',
      code: 'from aiohttp import web\n_EVENTS = {}\nasync def on_app_start(app):\n    for name in NAMES:\n        _EVENTS[name] = []\ndef make_app():\n    app = web.Application()\n    app.on_startup.append(on_app_start)\n    return app\n',
    },
    {
      name: 'shrinking through a local alias',
      code: '_refs = []\ndef add(r):\n    _refs.append(r)\ndef drop(r):\n    acquire, refs = _lock, _refs\n    refs.remove(r)\n',
    },
    {
      name: 'class attribute is not a module global',
      code: 'class A:\n    items = []\n    def add(self, x):\n        self.items.append(x)\n',
    },
    {
      name: 'background task set with add_done_callback(discard)',
      code: 'import asyncio\n_tasks = set()\ndef spawn(coro):\n    task = asyncio.create_task(coro)\n    _tasks.add(task)\n    task.add_done_callback(_tasks.discard)\n',
    },
    {
      name: 'weak containers',
      code: 'import weakref\n_live = weakref.WeakValueDictionary()\n_seen = weakref.WeakSet()\ndef track(key, obj):\n    _live[key] = obj\n    _seen.add(obj)\n',
    },
    {
      name: 'defaultdict lookup guarded by a membership test',
      code: 'from collections import defaultdict\nINDEX = defaultdict(list)\ndef find(word):\n    if word not in INDEX:\n        return []\n    return INDEX[word]\n',
    },
    {
      name: 'list item assignment replaces a slot',
      code: 'slots = [None] * 16\ndef put(i, v):\n    slots[i % 16] = v\n',
    },
    {
      name: 'queues are not containers of this rule',
      code: 'import queue\nQ = queue.Queue()\ndef put(x):\n    Q.put(x)\n',
    },
    {
      name: 'zero-argument memoized function runs once',
      code: 'import functools\n_all = []\n@functools.cache\ndef load_all():\n    _all.extend(read())\n    return _all\n',
    },
    {
      name: 'a private function whose every caller passes a literal key (issue 12)',
      code: `
        _counters = {}
        _flags = set()
        def _bump(name, by=1):
            _counters[name] = _counters.get(name, 0) + by
        def _mark(flag="ready"):
            _flags.add(flag)
        class Stats:
            def _hit(self, kind):
                _counters[kind] += 1
            def on_request(self, request):
                self._hit("requests")
                _bump("hits")
                _bump(name="misses", by=2)
                _mark()
                _mark("draining")
      `,
    },
    {
      name: 'an assignment that can only replace an entry already there (healthchecks TRANSPORTS)',
      code: `
        TRANSPORTS = {"email": ("Email", "hc.integrations.email.Email")}
        class Channel:
            @property
            def transport(self):
                if self.kind not in TRANSPORTS:
                    raise NotImplementedError(self.kind)
                label, cls = TRANSPORTS[self.kind]
                if isinstance(cls, str):
                    cls = load(cls)
                    TRANSPORTS[self.kind] = (label, cls)
                return cls(self)
        def refresh(kind, value):
            if kind in TRANSPORTS:
                TRANSPORTS[kind] = value
      `,
    },
  ],
  invalid: [
    {
      name: 'a new key under an existing entry grows the element',
      code: 'SEEN = {}\ndef visit(user, page):\n    SEEN[user][page] = 1\n',
      lines: [3],
      message:
        "Module-level dict 'SEEN' (line 1) grows in visit() via `SEEN[…] = …` and nothing in the module ever removes entries.",
    },
    {
      code: '_cache = {}\ndef get_user(uid):\n    _cache[uid] = load(uid)\n    return _cache[uid]\n',
      lines: [3],
      message:
        "Module-level dict '_cache' (line 1) grows in get_user() via `_cache[…] = …` and nothing in the module ever removes entries.",
      function: 'get_user',
    },
    {
      code: 'REQUEST_LOG = []\n@app.route("/")\ndef index():\n    REQUEST_LOG.append(request.path)\n    return "ok"\n',
      lines: [4],
      message:
        "Module-level list 'REQUEST_LOG' (line 1) grows in index() via `REQUEST_LOG.append(…)` and nothing in the module ever removes entries.",
    },
    {
      code: 'SEEN: set[str] = set()\ndef visit(u):\n    SEEN.add(u)\n',
      lines: [3],
      message:
        "Module-level set 'SEEN' (line 1) grows in visit() via `SEEN.add(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'defaultdict through an import alias',
      code: 'from collections import defaultdict as dd\nHITS = dd(int)\ndef hit(path):\n    HITS[path] += 1\n',
      lines: [4],
      message:
        "Module-level defaultdict 'HITS' (line 2) grows in hit() via `HITS[…] += …` and nothing in the module ever removes entries.",
    },
    {
      code: 'import collections\nWORDS = collections.Counter()\ndef count(text):\n    WORDS.update(text.split())\n',
      lines: [4],
      message:
        "Module-level Counter 'WORDS' (line 2) grows in count() via `WORDS.update(…)` and nothing in the module ever removes entries.",
    },
    {
      code: 'from collections import deque\nQ = deque()\ndef push(x):\n    Q.append(x)\n',
      lines: [4],
      message:
        "Module-level deque 'Q' (line 2) grows in push() via `Q.append(…)` and nothing in the module ever removes entries.",
    },
    {
      code: 'events = []\ndef record(e):\n    global events\n    events += [e]\n',
      lines: [4],
      message:
        "Module-level list 'events' (line 1) grows in record() via `events += …` and nothing in the module ever removes entries.",
    },
    {
      name: 'rebinding that grows',
      code: 'events = []\ndef record(e):\n    global events\n    events = events + [e]\n',
      lines: [4],
      message:
        "Module-level list 'events' (line 1) grows in record() via `events = events …` and nothing in the module ever removes entries.",
    },
    {
      code: 'TAGS = set()\ndef tag(t):\n    global TAGS\n    TAGS |= {t}\n',
      lines: [4],
      message:
        "Module-level set 'TAGS' (line 1) grows in tag() via `TAGS |= …` and nothing in the module ever removes entries.",
    },
    {
      name: 'instances registered in __init__',
      code: '_instances = []\nclass Conn:\n    def __init__(self):\n        _instances.append(self)\n',
      function: 'Conn.__init__',
      message:
        "Module-level list '_instances' (line 1) grows in Conn.__init__() via `_instances.append(…)` and nothing in the module ever removes entries.",
    },
    {
      code: 'EVENTS = []\nhandler = lambda e: EVENTS.append(e)\n',
      lines: [2],
      function: null,
      message:
        "Module-level list 'EVENTS' (line 1) grows in a lambda via `EVENTS.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'nested functions reported once each, at their own mutation',
      code: 'CACHE = {}\ndef outer(k):\n    CACHE[k] = 1\n    def inner(j):\n        CACHE[j] = 2\n    return inner\n',
      lines: [3, 5],
      message: [
        "Module-level dict 'CACHE' (line 1) grows in outer() via `CACHE[…] = …` and nothing in the module ever removes entries.",
        "Module-level dict 'CACHE' (line 1) grows in outer.inner() via `CACHE[…] = …` and nothing in the module ever removes entries.",
      ],
    },
    {
      name: 'one finding per function and global, on the first site',
      code: 'D = {}\ndef f(a, b):\n    D[a] = 1\n    D[b] = 2\n    D.update({b: a})\n',
      lines: [3],
      message:
        "Module-level dict 'D' (line 1) grows in f() via `D[…] = …` and nothing in the module ever removes entries.",
    },
    {
      code: 'from collections import OrderedDict\nGROUPS = OrderedDict()\ndef group(k, v):\n    GROUPS.setdefault(k, []).append(v)\n',
      lines: [4],
      message:
        "Module-level OrderedDict 'GROUPS' (line 2) grows in group() via `GROUPS.setdefault(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'dict of lists grows under a fixed key too',
      code: 'HISTORY = {"all": []}\ndef on_msg(user, msg):\n    HISTORY["all"].append(msg)\n',
      lines: [3],
      message:
        "Module-level dict 'HISTORY' (line 1) grows in on_msg() via `HISTORY[…].append(…)` and nothing in the module ever removes entries.",
    },
    {
      code: 'import heapq\nQUEUE = []\ndef schedule(t, job):\n    heapq.heappush(QUEUE, (t, job))\n',
      lines: [4],
      message:
        "Module-level list 'QUEUE' (line 2) grows in schedule() via `heappush(QUEUE, …)` and nothing in the module ever removes entries.",
    },
    {
      name: 'defined inside a module-level if',
      code: 'if True:\n    _memo = dict()\ndef parse(s):\n    _memo[s] = 1\n',
      lines: [4],
      message:
        "Module-level dict '_memo' (line 2) grows in parse() via `_memo[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'constructor imported inside a try block',
      code: 'try:\n    from collections import OrderedDict as OD\nexcept ImportError:\n    OD = dict\n_c = OD()\ndef put(k, v):\n    _c[k] = v\n',
      lines: [7],
      message:
        "Module-level OrderedDict '_c' (line 5) grows in put() via `_c[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'per-key locks in a defaultdict grow on lookup',
      code: 'import threading\nfrom collections import defaultdict\n_locks = defaultdict(threading.Lock)\ndef update(key, value):\n    with _locks[key]:\n        save(key, value)\n',
      lines: [5],
      message:
        "Module-level defaultdict '_locks' (line 3) grows in update() via `_locks[…] (a defaultdict lookup inserts missing keys)` and nothing in the module ever removes entries.",
    },
    {
      name: 'rate limiter prunes each list but never the keys',
      code: 'import time\nfrom collections import defaultdict\n_hits = defaultdict(list)\ndef allow(ip):\n    now = time.time()\n    _hits[ip] = [t for t in _hits[ip] if now - t < 60]\n    _hits[ip].append(now)\n    return len(_hits[ip]) <= 100\n',
      lines: [6],
      message:
        "Module-level defaultdict '_hits' (line 3) grows in allow() via `_hits[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'chained assignment',
      code: 'A = B = []\nasync def handle(req):\n    B.append(req)\n',
      lines: [3],
      message:
        "Module-level list 'B' (line 1) grows in handle() via `B.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'called at import time and from a function',
      code: '_reg = {}\ndef add(k, v):\n    _reg[k] = v\nadd("a", 1)\ndef handler(k):\n    add(k, 2)\n',
      lines: [3],
      message:
        "Module-level dict '_reg' (line 1) grows in add() via `_reg[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'passed as a callback',
      code: 'SEEN = []\ndef index():\n    SEEN.append(request.path)\napp.add_url_rule("/", view_func=index)\n',
      lines: [3],
      message:
        "Module-level list 'SEEN' (line 1) grows in index() via `SEEN.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'a wrapper that a decorator returns runs per call',
      code: 'CALLS = []\ndef track(f):\n    def wrapper(*a, **kw):\n        CALLS.append(f.__name__)\n        return f(*a, **kw)\n    return wrapper\n\n@track\ndef index():\n    pass\n',
      lines: [4],
      function: 'track.wrapper',
      message:
        "Module-level list 'CALLS' (line 1) grows in track.wrapper() via `CALLS.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'a serve loop in main',
      code: 'CONNS = []\ndef main():\n    while True:\n        CONNS.append(accept())\nif __name__ == "__main__":\n    main()\n',
      lines: [4],
      message:
        "Module-level list 'CONNS' (line 1) grows in main() via `CONNS.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'a route whose path mentions startup is not a start-up hook',
      code: 'STATUS = []\n@app.get("/startup-status")\ndef status(req):\n    STATUS.append(req)\n',
      lines: [4],
      message:
        "Module-level list 'STATUS' (line 1) grows in status() via `STATUS.append(…)` and nothing in the module ever removes entries.",
    },
    {
      name: 'global declared but mutated in place',
      code: 'sessions = {}\ndef login(user):\n    global sessions\n    sessions[user.id] = new_session(user)\n',
      lines: [4],
      message:
        "Module-level dict 'sessions' (line 1) grows in login() via `sessions[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'a key parameter one caller fills from request data',
      code: `
        _counters = {}
        def _bump(name):
            _counters[name] = _counters.get(name, 0) + 1
        def hit():
            _bump("hits")
        def visit(user):
            _bump(user)
      `,
      lines: [3],
      message:
        "Module-level dict '_counters' (line 1) grows in _bump() via `_counters[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'literal callers, but the key is rebuilt inside the function',
      code: `
        import time
        _seen = {}
        def _note(kind):
            kind = f"{kind}:{time.time()}"
            _seen[kind] = 1
        def a():
            _note("start")
      `,
      lines: [5],
      message:
        "Module-level dict '_seen' (line 2) grows in _note() via `_seen[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'literal callers, but the function is also handed out as a callback',
      code: `
        _events = []
        _by_name = {}
        def _record(name):
            _by_name[name] = True
        def wire(bus):
            _record("boot")
            bus.subscribe(_record)
      `,
      lines: [4],
      message:
        "Module-level dict '_by_name' (line 2) grows in _record() via `_by_name[…] = …` and nothing in the module ever removes entries.",
    },
    {
      name: 'a membership test that does not stop the insertion',
      code: `
        KNOWN = {}
        def note(kind, value):
            if kind not in KNOWN:
                log(kind)
            KNOWN[kind] = value
      `,
      lines: [5],
      message:
        "Module-level dict 'KNOWN' (line 1) grows in note() via `KNOWN[…] = …` and nothing in the module ever removes entries.",
    },
  ],
});

describe('R1 confidence', () => {
  const confidenceOf = async (code: string) =>
    (await findingsFor(unboundedGlobal, dedent(code))).map((f) => f.confidence);

  it('is high for growth keyed by request data', async () => {
    expect(await confidenceOf('SEEN = set()\ndef visit(u):\n    SEEN.add(u)\n')).toEqual(['high']);
  });
  it('is medium for registration APIs, class-keyed entries and defaultdict lookups', async () => {
    expect(
      await confidenceOf(
        'from collections import defaultdict\nREG = {}\nBY_TYPE = {}\nLOCKS = defaultdict(object)\ndef register_codec(n, c):\n    REG[n] = c\ndef adapt(obj):\n    BY_TYPE[type(obj)] = 1\ndef lock(k):\n    return LOCKS[k]\n',
      ),
    ).toEqual(['medium', 'medium', 'medium']);
  });
  it('is low for a public function every caller in the module gives a literal key (others may not)', async () => {
    expect(
      await confidenceOf('COUNTS = {}\ndef bump(name):\n    COUNTS[name] = 1\ndef a():\n    bump("hits")\n'),
    ).toEqual(['low']);
  });
  it('is medium for entries keyed by a connection or client object (rq: a Lua script per connection)', async () => {
    expect(
      await confidenceOf(
        '_scripts = {}\ndef get_script(connection):\n    if connection not in _scripts:\n        _scripts[connection] = connection.register_script(LUA)\n    return _scripts[connection]\n',
      ),
    ).toEqual(['medium']);
  });
  it('is medium for a warn-once set (python-discord: unknown setting names from its database)', async () => {
    expect(
      await confidenceOf(`
        import logging
        log = logging.getLogger(__name__)
        _already_warned = set()
        _noted = {}

        def create_settings(settings_data):
            for entry_name, entry_data in settings_data.items():
                if entry_name in KNOWN:
                    use(entry_data)
                elif entry_name not in _already_warned:
                    log.warning(f"A setting named {entry_name} has no matching class.")
                    _already_warned.add(entry_name)

        def note(name):
            if name not in _noted:
                warnings.warn(f"{name} is deprecated")
                _noted[name] = True
      `),
    ).toEqual(['medium', 'medium']);
  });
  it('stays high when the guarded branch does more than warn, or the set is not the one tested', async () => {
    expect(
      await confidenceOf(`
        SEEN = set()
        OTHER = set()

        def visit(u, page):
            if u not in SEEN:
                log.info("new visitor %s", u)
                record(u, page)
                SEEN.add(u)

        def touch(u):
            if u not in SEEN:
                log.info("new %s", u)
                OTHER.add(u)
      `),
    ).toEqual(['high', 'high']);
  });
  it('stays high for a decorated handler whatever its name', async () => {
    expect(
      await confidenceOf(
        'SUBS = []\n@routes.get("/sub")\nasync def subscribe(request):\n    SUBS.append(request)\n',
      ),
    ).toEqual(['high']);
  });
});
