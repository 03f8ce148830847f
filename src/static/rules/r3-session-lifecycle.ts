/**
 * R3 session-lifecycle: which calls create a session, connection, engine or socket that must be closed;
 * the path analysis that finds the unclosed ones is semantics/resources (shared with M2).
 */
import type { ImportTable } from '../imports.js';
import { calleeTail, field, keywordArgument, positionalArguments, type Node } from '../pyast.js';
import { escapeRegExp } from '../lexical.js';
import type { Rule, RuleMeta } from '../rule.js';
import { calleeText, type Creation, type ResourceKind } from '../semantics/resources/kind.js';
import { definesClass } from '../semantics/lexical-defs.js';
import { findLeaks } from '../semantics/resources/leaks.js';
import { bindingOf, callOf, creationWords } from '../semantics/resources/triggers.js';
import { findUnbound, unboundCallOf, withLocalImports } from '../semantics/resources/unbound.js';

/** What the rule reports, why, and what confirms it when the service runs (docs/rules.md is built from it). */
const meta: RuleMeta = {
  id: 'RELIABILITY_SESSION_LIFECYCLE',
  shortId: 'R3',
  name: 'session-lifecycle',
  severity: 'HIGH',
  confidence: 'medium',
  summary: 'A session, connection, engine or socket created in a function is not closed on every path.',
  fix: 'Use it in a `with`/`async with` block, close it in `finally`, or create it once and reuse it.',
  docs: {
    what:
      'A `requests.Session()`, `aiohttp.ClientSession()`, `httpx.Client()`, SQLAlchemy `create_engine()` ' +
      'or `Session()`/`SessionLocal()`, a database `connect()` (sqlite3, psycopg, pymysql, asyncpg, ' +
      '`engine.connect()`…), `socket.socket()`, `socket.create_connection()`, ' +
      '`http.client.HTTPConnection()`, `urllib.request.urlopen()`, `pymongo.MongoClient()`, an ' +
      'smtplib/ftplib/imaplib client, a pool or client that owns connections or workers ' +
      '(`asyncpg.create_pool()`, `redis.Redis()`/`from_url()`, `ConnectionPool.from_url()`, ' +
      '`ThreadPoolExecutor()`, `multiprocessing.Pool()`) — or a function of the same file that returns ' +
      'one of these — ' +
      'bound to a local name inside a function, and neither used as a context manager nor closed ' +
      '(close/aclose/dispose/shutdown/quit/terminate/disconnect) on every path out of the function. Resources the function ' +
      'returns, yields, stores on an object or in a container, or hands to an ExitStack or a thread ' +
      'are not its to close and are not reported — but one returned on one path and left open on ' +
      'another (a `continue` to the next host, a `raise`, the end of the function) is (medium confidence). Exception paths are only considered through ' +
      '`finally`: a close at the end of the function counts, but an early `return`, a `raise` or a ' +
      '`continue` that skips it does not. A socket, HTTP response or client created and never bound — ' +
      'the call is the whole statement (`socket.create_connection((host, port))` to probe an exporter) ' +
      'or an argument of a call whose result is dropped — is reported too: only the garbage collector ' +
      'closes it. Imports inside the function (`import socket` in the body) count like module ones. ' +
      'Where the close is a coroutine (asyncpg, aiosqlite, aiohttp, `httpx.AsyncClient`, redis.asyncio), ' +
      'only an awaited close (or one handed to `create_task`/`gather`) counts: `con.close()` without ' +
      '`await` builds a coroutine and drops it. ' +
      "A signal's `connect()` (Django, blinker, a name the file bound to `signal(...)`, a `signals` " +
      'module, a call with `sender=`) hooks up a receiver and is left alone, and so are a session bound to a ' +
      'connection it borrows (`Session(bind=connection)` in an event hook) and a connection that ' +
      "holds nothing to close (pyhive's Presto and Trino).",
    why:
      'Each of these holds operating-system resources — sockets, a connection pool, sometimes threads — ' +
      'that are released only by close(). In a service the function runs once per request, so an ' +
      'unclosed session or engine leaks a pool per request: file descriptors climb until the process ' +
      'hits its limit ("Too many open files"), the database runs out of connections, and memory held by ' +
      'pools and buffers grows. Relying on the garbage collector is fragile: a traceback, a cycle or a ' +
      'PyPy runtime keeps the object alive, and aiohttp reports "Unclosed client session".',
    example: [
      'import requests',
      '',
      'def fetch_user(user_id):',
      '    session = requests.Session()',
      '    response = session.get(f"https://api.example.com/users/{user_id}")',
      '    if response.status_code != 200:',
      '        return None          # leaks the session',
      '    data = response.json()',
      '    session.close()',
      '    return data',
    ].join('\n'),
    knownProblems:
      'Only resources bound to a plain local name are followed: `requests.Session().get(url)` used ' +
      'inline, or a session kept on `self`, is not reported. Exception paths count only through ' +
      '`finally`, so a close at the end of the function is taken as enough even though an exception in ' +
      'between skips it. A resource handed to a function defined in another module is taken as handed ' +
      'off (the callee may keep it), which hides leaks through helpers that only read from it.',
    fixedExample: [
      'import requests',
      '',
      'def fetch_user(user_id):',
      '    with requests.Session() as session:',
      '        response = session.get(f"https://api.example.com/users/{user_id}")',
      '        if response.status_code != 200:',
      '            return None',
      '        return response.json()',
    ].join('\n'),
    fix:
      'Scope the resource with `with` (or `async with`), or close it in `finally`; better still, create ' +
      'one session at start-up and reuse it for every request. Beware sqlite3: `with ' +
      'sqlite3.connect(path) as conn:` only commits or rolls back, it does not close the connection; ' +
      'use `with contextlib.closing(sqlite3.connect(path)) as conn:`.',
    references: [
      {
        title: 'pylint R1732 consider-using-with',
        url: 'https://pylint.pycqa.org/en/latest/user_guide/messages/refactor/consider-using-with.html',
      },
      {
        title: 'aiohttp #4342: Unclosed client session',
        url: 'https://github.com/aio-libs/aiohttp/issues/4342',
      },
      {
        title: 'mcp-atlassian #1682: a file descriptor and a CLOSE_WAIT socket leaked per fetcher',
        url: 'https://github.com/sooperset/mcp-atlassian/issues/1682',
      },
      {
        title:
          'Python docs, socket.close(): sockets are closed when garbage-collected, close them explicitly ' +
          '(a monitoring backend probed an exporter with an unbound create_connection() once a second)',
        url: 'https://docs.python.org/3/library/socket.html#socket.socket.close',
      },
      {
        title:
          'asyncpg docs, connection pools: a pool is created once and closed at shutdown (services that ' +
          'call create_pool() or redis.Redis() inside a handler leave a pool per request)',
        url: 'https://magicstack.github.io/asyncpg/current/api/index.html#connection-pools',
      },
      {
        title:
          'Python docs, Executor.shutdown(): an executor made per call keeps its worker threads until ' +
          'shut down or collected',
        url: 'https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown',
      },
      {
        title: 'requests #5002: socket leakage in CLOSE_WAIT',
        url: 'https://github.com/psf/requests/issues/5002',
      },
    ],
  },
  dynamic: { metrics: ['fds', 'rss'], reproduce: 'repeated-calls' },
};

/** Last segments of constructors of HTTP/ORM sessions that hold a connection pool until closed. */
const SESSION_TAILS = new Set([
  'Session',
  'ClientSession',
  'AsyncSession',
  'CachedSession',
  'FuturesSession',
]);
/** `SessionLocal = sessionmaker(...)`, the FastAPI/SQLAlchemy idiom, and its test/async variants. */
const SESSION_FACTORY = /^\w*SessionLocal$/;
/** A `bind=` that is an existing connection rather than an engine. */
const BORROWED_BIND = /(?:^|\.|_)conn(?:ection)?(?:\(\))?$/i;
/** Where a bare `Session` that needs closing comes from: HTTP clients, ORMs, TF, a project's db module. */
const POOLED_SESSION_MODULES =
  /^(?:(?:requests|niquests|requests_futures|requests_cache|aiohttp|sqlalchemy|sqlmodel|tensorflow|tf)\.|[\w.]*(?:db|database|databases|session|sessions|orm)(?:\.\w+)*\.Session$)/;

/** Session classes that own no connection (boto3 has no close) or are not sessions of that kind. */
const NOT_POOLED_ROOTS = new Set(['boto3', 'botocore', 'aiobotocore', 'aioboto3', 'onnxruntime']);

const TAILS = new Set(['create_engine', 'create_async_engine']);

/**
 * `create_connection` of a socket library or an event loop; an SDK's `backend.create_connection()`
 * (moto, AWS clients) makes a record, not a socket.
 */
const CONNECTION_MODULES = new Set([
  'socket',
  'websocket',
  'websockets',
  'gevent',
  'eventlet',
  'trio',
  'asyncio',
]);

/** `HTTPConnection` of http.client (or its py2/six/urllib3 names), not Starlette's request wrapper. */
const HTTP_CONNECTION_MODULES =
  /^(?:http\.client|httplib|six\.moves\.http_client|urllib3(?:\.\w+)*)\.HTTPS?Connection$/;

/**
 * Pools and clients that own connections or worker threads until closed: made per call (a route that
 * builds its own `redis.Redis()` or `ThreadPoolExecutor()`), each call leaves one more behind.
 */
const POOLS = [
  'asyncpg.create_pool',
  'asyncpg.pool.create_pool',
  'aiopg.create_pool',
  'aiomysql.create_pool',
  'redis.Redis',
  'redis.StrictRedis',
  'redis.client.Redis',
  'redis.from_url',
  'redis.Redis.from_url',
  'redis.StrictRedis.from_url',
  'redis.ConnectionPool',
  'redis.BlockingConnectionPool',
  'redis.ConnectionPool.from_url',
  'redis.BlockingConnectionPool.from_url',
  'redis.asyncio.Redis',
  'redis.asyncio.from_url',
  'redis.asyncio.Redis.from_url',
  'redis.asyncio.ConnectionPool',
  'redis.asyncio.ConnectionPool.from_url',
  'aioredis.Redis',
  'aioredis.from_url',
  'aioredis.create_redis_pool',
  'aioredis.create_pool',
  'aioredis.ConnectionPool.from_url',
  'concurrent.futures.ThreadPoolExecutor',
  'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.thread.ThreadPoolExecutor',
  'concurrent.futures.process.ProcessPoolExecutor',
  'multiprocessing.Pool',
  'multiprocessing.pool.Pool',
  'multiprocessing.pool.ThreadPool',
  'multiprocessing.dummy.Pool',
];

/** Fully qualified constructors beyond the spec's list that hold sockets/threads until closed. */
const QUALIFIED = new Set([
  'socket.socket',
  'requests.session',
  'requests.sessions.session',
  'urllib.request.urlopen',
  'urllib2.urlopen',
  'urllib.urlopen',
  'six.moves.urllib.request.urlopen',
  'httpx.Client',
  'httpx.AsyncClient',
  'smtplib.SMTP',
  'smtplib.SMTP_SSL',
  'ftplib.FTP',
  'ftplib.FTP_TLS',
  'imaplib.IMAP4',
  'imaplib.IMAP4_SSL',
  'pymongo.MongoClient',
  'motor.motor_asyncio.AsyncIOMotorClient',
  ...POOLS,
]);

/**
 * Resources whose close is a coroutine: `con.close()` without `await` on an asyncpg connection closes
 * nothing (pg-performance-tests' `standard_connection_handler`, a connection left per request).
 */
const ASYNC_CLOSE = new Set([
  'asyncpg.connect',
  'asyncpg.create_pool',
  'asyncpg.pool.create_pool',
  'aiosqlite.connect',
  'psycopg.AsyncConnection.connect',
  'aiohttp.ClientSession',
  'aiohttp.client.ClientSession',
  'httpx.AsyncClient',
  'redis.asyncio.Redis',
  'redis.asyncio.from_url',
  'redis.asyncio.Redis.from_url',
  'redis.asyncio.ConnectionPool',
  'redis.asyncio.ConnectionPool.from_url',
]);

/** `x.connect()` of these packages is a signal/slot hookup, not a connection. */
const SIGNAL_ROOTS = new Set([
  'django',
  'blinker',
  'flask',
  'PyQt5',
  'PyQt6',
  'PySide2',
  'PySide6',
  'signal',
  'gi',
]);
/**
 * Drivers whose connection holds nothing to close: pyhive's Presto and Trino connections are a bag of
 * settings (their close() does nothing; each query opens and ends its own HTTP exchange).
 */
const HOLDS_NOTHING = /^pyhive\.(?:presto|trino)\.connect$/;

/** Arguments only a signal's connect() takes (Django, blinker). */
const SIGNAL_KEYWORDS = ['sender', 'weak', 'dispatch_uid'];

/**
 * `started.connect(on_started)` where the file made `started = signal("started")` (blinker, Django's
 * `Signal()`, a Namespace's `.signal(...)`), where the receiver comes from a `signals` module, or where
 * connect() is given `sender=`/`weak=`/`dispatch_uid=`: a receiver hooked to a signal, not a connection.
 */
function isSignal(call: Node, fn: Node, qualified: string | null, source: string): boolean {
  if (SIGNAL_KEYWORDS.some((k) => keywordArgument(call, k))) return true;
  if (qualified && /(?:^|\.)signals?\.\w+\.connect$/.test(qualified)) return true;
  const receiver = field(fn, 'object');
  if (receiver?.type !== 'identifier') return false;
  const name = escapeRegExp(receiver.text);
  return new RegExp(
    `^[ \\t]*${name}[ \\t]*(?::[^=\\n]*)?=[ \\t]*(?:[\\w.]+\\.)?(?:signal|Signal|NamedSignal)\\s*\\(`,
    'm',
  ).test(source);
}

/** Names people give a status code or flag that `.connect()` returned (paho-mqtt, peewee, ftplib). */
const STATUS_NAMES = /^(?:rc|ok|ret|res|result|status|success|connected|err|error|code|welcome|resp)$/;

const QUALIFIED_WORDS = [
  'socket',
  'session',
  'urlopen',
  'Client',
  'AsyncClient',
  'SMTP',
  'SMTP_SSL',
  'FTP',
  'FTP_TLS',
  'IMAP4',
  'IMAP4_SSL',
  'MongoClient',
  'AsyncIOMotorClient',
  'create_pool',
  'create_redis_pool',
  'Redis',
  'StrictRedis',
  'from_url',
  'ConnectionPool',
  'BlockingConnectionPool',
  'ThreadPoolExecutor',
  'ProcessPoolExecutor',
  'Pool',
  'ThreadPool',
];

const WORDS = [
  ...SESSION_TAILS,
  ...TAILS,
  'create_connection',
  ...QUALIFIED_WORDS,
  'connect',
  'HTTPConnection',
  'HTTPSConnection',
];

const callsWord = callOf(WORDS);
const bindsWord = bindingOf([...WORDS, 'SessionLocal']);

/**
 * Creations worth reporting when their result is never bound (a statement, or an argument of a call
 * whose result is dropped): sockets, HTTP responses and clients. A bare `x.connect()` statement is left
 * out: it is how clients that own their connection (and signals) are started.
 */
const UNBOUND_WORDS = [
  'create_connection',
  'socket',
  'urlopen',
  'HTTPConnection',
  'HTTPSConnection',
  'MongoClient',
  'ClientSession',
  'Client',
  'AsyncClient',
  'create_engine',
];
const callsUnbound = unboundCallOf(UNBOUND_WORDS);

function callsCreation(text: string): boolean {
  return callsWord(text) || /SessionLocal\s*\(/.test(text);
}

function creation(call: Node, imports: ImportTable, name: string, source: string): Creation | null {
  const made = creationOf(call, imports, name, source);
  const fn = field(call, 'function');
  const qualified = made && fn ? imports.resolve(fn) : null;
  return made && qualified && ASYNC_CLOSE.has(qualified) ? { ...made, asyncClose: true } : made;
}

function creationOf(call: Node, imports: ImportTable, name: string, source: string): Creation | null {
  const fn = field(call, 'function');
  const written = calleeTail(call);
  if (!fn || !written) return null;
  const qualified = imports.resolve(fn);
  // `from requests import Session as HttpSession`: judge the imported name, not the alias.
  const tail = qualified ? qualified.slice(qualified.lastIndexOf('.') + 1) : written;
  const root = qualified?.split('.')[0] ?? null;
  const made = { callee: `${calleeText(fn)}()` };
  if (qualified && QUALIFIED.has(qualified)) {
    // `Redis(connection_pool=pool)` borrows the pool it is given: closing the pool is what counts.
    if (/Redis$/.test(qualified) && keywordArgument(call, 'connection_pool')) return null;
    return made;
  }
  if (SESSION_TAILS.has(tail) || SESSION_FACTORY.test(tail)) {
    // `Session(bind=connection)` in an event listener borrows the flushing session's connection: it
    // owns no pool or connection of its own (mealie's after_flush/after_insert hooks).
    if (BORROWED_BIND.test(keywordArgument(call, 'bind')?.text ?? '')) return null;
    const head = fn.text.split('.')[0];
    if (imports.isImported(head)) {
      if (root && NOT_POOLED_ROOTS.has(root)) return null;
      if (qualified?.startsWith('httpx.') || qualified?.startsWith('flask.')) return null;
      // `from .models import Session` is an ORM model or a dataclass; a session factory comes from
      // a known library or from the project's db/database module.
      if (tail === 'Session' && !POOLED_SESSION_MODULES.test(qualified ?? '')) return null;
      return made;
    }
    // Defined in this file: `Session = sessionmaker(...)` is a factory, `class Session:` is not.
    if (definesClass(source, head)) return null;
    return made;
  }
  if (TAILS.has(tail)) return made;
  if (tail === 'create_connection') {
    const receiver = fn.type === 'attribute' ? field(fn, 'object') : null;
    if (!receiver) return imports.isImported(fn.text) && CONNECTION_MODULES.has(root ?? '') ? made : null;
    if (root && imports.isImported(fn.text.split('.')[0]) && CONNECTION_MODULES.has(root)) return made;
    return /(?:^|\.|_)loop$/.test(receiver.text) || /get_(?:running|event)_loop\(\)$/.test(receiver.text)
      ? made
      : null;
  }
  if (tail === 'HTTPConnection' || tail === 'HTTPSConnection') {
    return qualified && HTTP_CONNECTION_MODULES.test(qualified) ? made : null;
  }
  if (tail === 'connect') {
    if (STATUS_NAMES.test(name)) return null;
    if (qualified && HOLDS_NOTHING.test(qualified)) return null;
    if (fn.type === 'identifier') {
      // A bare connect() must come from a driver (`from sqlite3 import connect`), not a local helper.
      return imports.isImported(fn.text) && !SIGNAL_ROOTS.has(root ?? '') ? made : null;
    }
    const head = fn.text.split('.')[0];
    if (imports.isImported(head) && SIGNAL_ROOTS.has(root ?? '')) return null;
    if (isSignal(call, fn, qualified, source)) return null;
    // GObject/Qt style `obj.connect("clicked", self.on_click)` returns a handler id.
    const second = positionalArguments(call)[1];
    if (
      second &&
      (second.type === 'lambda' ||
        /(?:^|\.)(?:_?on_\w+|\w*(?:_cb|callback|handler|Handler))$/.test(second.text))
    ) {
      return null;
    }
    return made;
  }
  return null;
}

export const sessionLifecycle: Rule = {
  meta,
  trigger: {
    // A call of one of the creation words; aliases and the file's own factories come as fileWords
    // (`conn = get_db_connection()` after `def get_db_connection(): return sqlite3.connect(...)`).
    test: (text) => bindsWord(text) || callsUnbound(text),
    fileWords: (facts) => creationWords(facts, WORDS, callsCreation),
  },
  check(context) {
    // detach() hands the descriptor over to someone else (`socket.fromfd`), which is a release too.
    const closers = new Set([
      'close',
      'aclose',
      'dispose',
      'shutdown',
      'quit',
      'logout',
      // pools: multiprocessing's terminate(), redis's disconnect(), asyncpg's terminate()
      'terminate',
      'disconnect',
      'detach',
      '__exit__',
      '__aexit__',
    ]);
    // `import socket` inside the function counts as much as one at the top of the module.
    const made = withLocalImports((call, imports, name) => creation(call, imports, name, context.source));
    const kind: ResourceKind = {
      creation: made,
      closers,
      words: WORDS,
      pattern: /SessionLocal\b/,
    };
    for (const leak of findLeaks(context.root, context.imports, kind, context.source)) {
      context.report(leak.binding, {
        message: `${leak.callee} bound to '${leak.name}' ${leak.reason}.`,
        confidence: leak.partial ? 'medium' : 'high',
      });
    }
    const unboundWords = new Set(UNBOUND_WORDS);
    for (const [local, qualified] of context.imports.bindings) {
      if (unboundWords.has(qualified.slice(qualified.lastIndexOf('.') + 1))) unboundWords.add(local);
    }
    for (const leak of findUnbound(context.root, context.imports, unboundWords, (call, imports) =>
      made(call, imports, ''),
    )) {
      context.report(leak.call, {
        message:
          leak.how === 'statement'
            ? `${leak.callee} is called and its result dropped: nothing closes it, only the garbage collector.`
            : `${leak.callee} is passed straight into a call and never bound: nothing here closes it, only the garbage collector.`,
        confidence: leak.how === 'statement' ? 'high' : 'medium',
      });
    }
  },
};
