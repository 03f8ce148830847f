/**
 * What R3 (session-lifecycle) must not flag: resources scoped by `with`, closed on every path, handed
 * off, or not resources at all. The table itself is r3-session-lifecycle.test.ts.
 */
import type { RuleTable } from './rule-table.js';

export const R3_VALID: RuleTable['valid'] = [
  {
    name: 'an async close awaited, or handed to something that runs it',
    code: `
        import asyncio, asyncpg, aiohttp, sqlite3
        async def handler():
            con = await asyncpg.connect(host="db")
            rows = await con.fetch("SELECT 1")
            await con.close()
            return rows
        async def fetch(url):
            session = aiohttp.ClientSession()
            r = await session.get(url)
            asyncio.create_task(session.close())
            return r
        async def sync_driver():
            db = sqlite3.connect("x.db")
            db.close()
      `,
  },
  {
    name: 'unbound creations that something keeps, scopes or runs once (issue 12)',
    code: `
        import contextlib, socket
        from blinker import signal
        CONNS = []
        socket.create_connection(("localhost", 1))  # module level: once, at import
        def pool(addr, stack):
            CONNS.append(socket.create_connection(addr))
            stack.enter_context(socket.create_connection(addr))
            with contextlib.closing(socket.create_connection(addr)) as s:
                s.sendall(b"x")
            return wrap(socket.create_connection(addr))
        def hook(handler):
            signal("done").connect(handler)
      `,
  },
  {
    name: 'with / async with',
    code: `
        import aiohttp, requests
        def fetch(url):
            with requests.Session() as s:
                return s.get(url).json()
        async def afetch(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as r:
                    return await r.json()
      `,
  },
  {
    name: 'bound first, then used as a context manager',
    code: `
        import socket
        def ping(host):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            with sock:
                sock.connect((host, 80))
                return sock.recv(16)
      `,
  },
  {
    name: 'close in finally',
    code: `
        import requests
        def fetch(url):
            s = requests.Session()
            try:
                r = s.get(url)
                if r.status_code != 200:
                    return None
                return r.json()
            finally:
                s.close()
      `,
  },
  {
    name: 'conn = None; try: conn = connect(); finally: if conn: conn.close()',
    code: `
        import psycopg2
        def load(dsn, q):
            conn = None
            try:
                conn = psycopg2.connect(dsn)
                with conn.cursor() as cur:
                    cur.execute(q)
                    return cur.fetchall()
            finally:
                if conn is not None:
                    conn.close()
      `,
  },
  {
    name: 'aclose / dispose in finally',
    code: `
        import httpx
        from sqlalchemy import create_engine
        async def call(url):
            client = httpx.AsyncClient()
            try:
                return (await client.get(url)).json()
            finally:
                await client.aclose()
        def count(url):
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    return conn.execute("select count(*) from t").scalar()
            finally:
                engine.dispose()
      `,
  },
  {
    name: 'closed at the end of the function with no early exit (exception paths ignored)',
    code: `
        import sqlite3
        def users(db_path):
            conn = sqlite3.connect(db_path)
            rows = conn.execute("SELECT id, name FROM users").fetchall()
            conn.close()
            return [dict(id=r[0], name=r[1]) for r in rows]
      `,
  },
  {
    name: 'returned: ownership passes to the caller',
    code: `
        import requests
        from requests.adapters import HTTPAdapter
        def make_session(retries):
            s = requests.Session()
            s.mount("https://", HTTPAdapter(max_retries=retries))
            return s
      `,
  },
  {
    name: 'returned inside a wrapper',
    code: `
        import socket
        def open_channel(host, port):
            sock = socket.create_connection((host, port))
            sock.settimeout(5)
            return Channel(sock, host=host)
      `,
  },
  {
    name: 'yielded by a FastAPI dependency / fixture',
    code: `
        from .database import SessionLocal
        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        def conn_fixture():
            conn = sqlite3.connect(":memory:")
            yield conn
            conn.close()
      `,
  },
  {
    name: 'owned by an object',
    code: `
        import aiohttp, requests
        class Client:
            def __init__(self):
                self.session = requests.Session()
            async def start(self):
                session = aiohttp.ClientSession()
                self._session = session
      `,
  },
  {
    name: 'stored in a mapping, a list, flask.g or an aiohttp app',
    code: `
        import sqlite3
        from flask import g
        POOL = []
        def get_db():
            db = sqlite3.connect("app.db")
            g.db = db
            return g.db
        def remember(key):
            conn = sqlite3.connect("x.db")
            CONNECTIONS[key] = conn
        def pool_one():
            conn = sqlite3.connect("x.db")
            POOL.append(conn)
        async def on_startup(app):
            session = aiohttp.ClientSession()
            app["session"] = session
      `,
  },
  {
    name: 'ExitStack.enter_context and closing()',
    code: `
        import contextlib, requests
        from urllib.request import urlopen
        def fetch_all(urls):
            with contextlib.ExitStack() as stack:
                s = requests.Session()
                stack.enter_context(s)
                return [s.get(u).text for u in urls]
        def read(url):
            resp = urlopen(url)
            with contextlib.closing(resp):
                return resp.read()
      `,
  },
  {
    name: 'close method handed to atexit / weakref.finalize',
    code: `
        import atexit, weakref, requests
        def install():
            s = requests.Session()
            atexit.register(s.close)
            s.get("https://example.com/warmup")
        def attach(owner):
            conn = sqlite3.connect("x.db")
            weakref.finalize(owner, conn.close)
      `,
  },
  {
    name: 'declared global',
    code: `
        import requests
        _session = None
        def session():
            global _session
            _session = requests.Session()
            _session.headers["User-Agent"] = "svc"
      `,
  },
  {
    name: 'closed in every branch',
    code: `
        import requests
        def fetch(url, fast):
            s = requests.Session()
            if fast:
                r = s.get(url, timeout=1)
                s.close()
            else:
                s.close()
                r = None
            return r
      `,
  },
  {
    name: 'retry loop that breaks out with the connection, closed after',
    code: `
        import socket, time
        def send(payload):
            sock = None
            for attempt in range(3):
                try:
                    sock = socket.create_connection(("broker", 9000), timeout=2)
                    break
                except OSError:
                    time.sleep(2 ** attempt)
            sock.sendall(payload)
            sock.close()
      `,
  },
  {
    name: 'server socket owned by a loop that never ends',
    code: `
        import socket
        def serve(port):
            server = socket.socket()
            server.bind(("", port))
            server.listen()
            while True:
                conn, _ = server.accept()
                handle(conn)
      `,
  },
  {
    name: 'handed to a thread or to a same-file helper that closes it',
    code: `
        import socket, threading
        def start(host):
            sock = socket.create_connection((host, 80))
            threading.Thread(target=pump, args=(sock,), daemon=True).start()
        def query(q):
            conn = sqlite3.connect("x.db")
            rows = conn.execute(q).fetchall()
            _release(conn)
            return rows
        def run(q):
            conn = sqlite3.connect("x.db")
            return _fetch_and_close(conn, q)
        def _fetch_and_close(connection, q):
            try:
                return connection.execute(q).fetchall()
            finally:
                connection.close()
      `,
  },
  {
    name: 'not a connection: boto3 sessions, signal hookups, status codes, Starlette HTTPConnection',
    code: `
        import boto3
        import paho.mqtt.client as mqtt
        from django.db.models.signals import post_save
        from starlette.requests import HTTPConnection
        def buckets():
            s = boto3.Session(profile_name="ops")
            return s.client("s3").list_buckets()
        def wire():
            receiver = post_save.connect(on_save)
        def mqtt_up(client):
            rc = client.connect("broker", 1883)
            return rc == 0
        async def app(scope, receive, send):
            connection = HTTPConnection(scope)
            user = connection.headers.get("x-user")
      `,
  },
  {
    name: 'a model or dataclass called Session is not an ORM session',
    code: `
        from .models import Session
        from dataclasses import dataclass
        def start(user):
            s = Session(user_id=user.id)
            s.save()
        @dataclass
        class ChatSession:
            id: str
        def chat(uid):
            cs = ChatSession(id=uid)
            cs.touch()
      `,
  },
  {
    name: 'GObject-style connect returns a handler id',
    code: `
        def wire(button):
            hid = button.connect("clicked", self.on_clicked)
            return None
      `,
  },
  {
    name: 'Flask g pattern: get_db() stores the connection in g, so it is no factory',
    code: `
        import sqlite3
        from flask import g
        def get_db():
            db = getattr(g, "_database", None)
            if db is None:
                db = g._database = sqlite3.connect("app.db")
            return db
        def get_db2():
            if "db" not in g:
                g.db = sqlite3.connect("app.db")
            return g.db
        def index():
            db = get_db()
            other = get_db2()
            return db.execute("select 1").fetchall(), other
      `,
  },
  {
    name: 'suppressed',
    code: `
        import requests
        def fetch(url):
            s = requests.Session()  # heapgate: ignore[R3]
            return s.get(url).json()
      `,
  },
  {
    name: 'pools scoped by with, shut down in finally, terminated, or kept on the app',
    code: `
        import asyncpg, multiprocessing, redis
        from concurrent.futures import ThreadPoolExecutor
        def a(items):
            with ThreadPoolExecutor(max_workers=4) as pool:
                return list(pool.map(str, items))
        def b(items):
            pool = ThreadPoolExecutor(max_workers=4)
            try:
                return list(pool.map(str, items))
            finally:
                pool.shutdown()
        def c(items):
            pool = multiprocessing.Pool(4)
            out = pool.map(str, items)
            pool.terminate()
            return out
        async def d(app):
            pool = await asyncpg.create_pool(dsn=app["dsn"])
            app["pool"] = pool
        def e():
            r = redis.Redis()
            return r
        async def f(app):
            async with asyncpg.create_pool(dsn=app["dsn"]) as pool:
                return await pool.fetch("select 1")
        def g():
            pool = redis.ConnectionPool.from_url("redis://x")
            r = redis.Redis(connection_pool=pool)
            try:
                return r.get("k")
            finally:
                pool.disconnect()
      `,
  },
  {
    name: "a signal's connect() is not a connection (blinker, Django, a signals module, sender=)",
    code: `
        from blinker import Namespace, signal
        from myapp import signals
        started = signal("started")
        ns = Namespace()
        finished = ns.signal("finished")
        def wire(app):
            a = started.connect(on_started)
            b = finished.connect(on_finished)
            c = signals.user_created.connect(on_user)
            d = app.hooks.connect(on_save, sender=app.Model, dispatch_uid="save")
            print(a, b, c, d)
      `,
  },
  {
    name: 'a getter that hands out the one module-level pool is not a factory (a real FastAPI service)',
    code: `
        import asyncpg
        pool = None
        async def get_pool():
            global pool
            if not pool:
                pool = await asyncpg.create_pool(host="db")
            return pool
        async def connection_pool_handler():
            pool = await get_pool()
            async with pool.acquire() as con:
                return await con.fetch("select 1")
      `,
  },
  {
    name: "pyhive's Presto connection holds nothing to close (redash's presto runner)",
    code: `
        from pyhive import presto
        def run_query(query, host):
            connection = presto.connect(host=host, port=8080)
            cursor = connection.cursor()
            cursor.execute(query)
            return cursor.fetchall()
      `,
  },
  {
    name: 'an ORM session bound to the connection of the session being flushed (mealie event hooks)',
    code: `
        from sqlalchemy import event, orm
        from sqlalchemy.orm import Session
        @event.listens_for(orm.Session, "after_flush")
        def update_lists(session, _):
            local_session = orm.Session(bind=session.connection())
            local_session.begin()
            touch(local_session)
            local_session.commit()
        @event.listens_for(Rating, "after_insert")
        def update_rating(_, connection, target):
            session = Session(bind=connection)
            update(session, target)
            session.commit()
      `,
  },
];
