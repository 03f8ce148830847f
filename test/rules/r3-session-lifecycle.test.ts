import { sessionLifecycle } from '../../src/static/rules/r3-session-lifecycle.js';
import { ruleTable } from './rule-table.js';

ruleTable(sessionLifecycle, {
  valid: [
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
  ],
  invalid: [
    {
      name: 'requests.Session never closed in a Flask view',
      code: `
        import requests
        from flask import Flask, jsonify
        app = Flask(__name__)
        @app.route("/users/<int:uid>")
        def user(uid):
            session = requests.Session()
            r = session.get(f"https://api.example.com/users/{uid}")
            return jsonify(r.json())
      `,
      lines: [6],
      message: "requests.Session() bound to 'session' is never closed",
      function: 'user',
    },
    {
      name: 'early return skips the close',
      code: `
        import requests
        def fetch(url):
            s = requests.Session()
            r = s.get(url)
            if r.status_code != 200:
                return None
            s.close()
            return r.json()
      `,
      lines: [3],
      message: 'returns at line 6',
    },
    {
      name: 'raise skips the close',
      code: `
        import requests
        def fetch(url):
            s = requests.Session()
            r = s.get(url)
            if not r.ok:
                raise RuntimeError(r.text)
            s.close()
            return r
      `,
      message: 'raises at line 6',
    },
    {
      name: 'closed only inside one branch of an if',
      code: `
        import sqlite3
        def rows(q):
            conn = sqlite3.connect("app.db")
            result = conn.execute(q).fetchall()
            if result:
                conn.close()
            return result
      `,
      message: 'closed only on some paths',
    },
    {
      name: 'closed only in an except handler',
      code: `
        import psycopg2
        def save(dsn, row):
            conn = psycopg2.connect(dsn)
            try:
                conn.cursor().execute("INSERT INTO t VALUES (%s)", row)
                conn.commit()
            except Exception:
                conn.close()
                raise
      `,
      message: 'except handler',
    },
    {
      name: 'aiohttp ClientSession in an aiohttp handler',
      code: `
        import aiohttp
        from aiohttp import web
        async def proxy(request):
            session = aiohttp.ClientSession()
            async with session.get("http://backend/items") as resp:
                data = await resp.json()
            return web.json_response(data)
      `,
      message: "aiohttp.ClientSession() bound to 'session'",
    },
    {
      name: 'create_engine per request, never disposed',
      code: `
        from fastapi import FastAPI
        from sqlalchemy import create_engine, text
        app = FastAPI()
        @app.get("/count")
        def count():
            engine = create_engine("postgresql://db/app")
            with engine.connect() as conn:
                return {"n": conn.execute(text("select count(*) from t")).scalar()}
      `,
      message: "create_engine() bound to 'engine'",
    },
    {
      name: 'engine.connect() result never closed',
      code: `
        def total(engine):
            conn = engine.connect()
            return conn.execute("select sum(x) from t").scalar()
      `,
      message: "engine.connect() bound to 'conn'",
    },
    {
      name: 'SessionLocal() without close',
      code: `
        from .db import SessionLocal
        def list_users():
            db = SessionLocal()
            return db.query(User).all()
      `,
      message: "'db'",
    },
    {
      name: 'urlopen, socket, HTTPConnection',
      code: `
        import socket
        import http.client
        from urllib.request import urlopen
        def a(url):
            resp = urlopen(url)
            return resp.read()
        def b(host):
            s = socket.socket()
            s.connect((host, 80))
            s.sendall(b"PING")
            return s.recv(4)
        def c(host):
            conn = http.client.HTTPSConnection(host)
            conn.request("GET", "/")
            return conn.getresponse().read()
      `,
      lines: [5, 8, 13],
    },
    {
      name: 'through import aliases',
      code: `
        import sqlite3 as db
        from requests import Session as HttpSession
        def a():
            conn = db.connect("x.db")
            return conn.execute("select 1").fetchone()
        def b(url):
            s = HttpSession()
            return s.get(url).text
      `,
      lines: [4, 7],
    },
    {
      name: 'continue skips the close inside a loop',
      code: `
        import sqlite3
        def scan(paths):
            for p in paths:
                conn = sqlite3.connect(p)
                if not conn.execute("select 1").fetchone():
                    continue
                conn.close()
      `,
      message: 'continues the loop at line 6',
    },
    {
      name: 'MongoClient / httpx.Client per call',
      code: `
        import httpx
        from pymongo import MongoClient
        def find(uid):
            client = MongoClient("mongodb://db")
            return client.app.users.find_one({"_id": uid})
        def call(url):
            c = httpx.Client()
            return c.get(url).json()
      `,
      lines: [4, 7],
    },
    {
      name: 'passed to a reader that does not take ownership',
      code: `
        import sqlite3
        import pandas as pd
        def frame(q):
            conn = sqlite3.connect("warehouse.db")
            df = pd.read_sql(q, conn)
            return df
      `,
      message: "'conn'",
    },
    {
      name: 'sessionmaker factory defined in the same file',
      code: `
        from sqlalchemy import create_engine
        from sqlalchemy.orm import sessionmaker
        engine = create_engine("sqlite:///app.db")
        Session = sessionmaker(bind=engine)
        def add_user(name):
            session = Session()
            session.add(User(name=name))
            session.commit()
      `,
      lines: [6],
      message: "Session() bound to 'session'",
    },
    {
      name: "the file's own factory (Flask tutorial get_db_connection) and a factory method",
      code: `
        import sqlite3, psycopg2
        from flask import Flask, jsonify
        app = Flask(__name__)

        def get_db_connection():
            conn = sqlite3.connect("database.db")
            conn.row_factory = sqlite3.Row
            return conn

        @app.route("/posts")
        def posts():
            conn = get_db_connection()
            rows = conn.execute("SELECT * FROM posts").fetchall()
            return jsonify([dict(r) for r in rows])

        @app.route("/ok")
        def ok():
            conn = get_db_connection()
            rows = conn.execute("SELECT 1").fetchall()
            conn.close()
            return jsonify(rows)

        class Repo:
            def _connect(self):
                return psycopg2.connect(self.dsn)
            def count(self):
                conn = self._connect()
                return conn.cursor().execute("select count(*) from t")
      `,
      lines: [12, 27],
      message: 'which returns a new',
    },
    {
      name: 'type-annotated binding in a method',
      code: `
        import requests
        class Api:
            def get(self, url):
                s: requests.Session = requests.Session()
                return s.get(url).json()
      `,
      function: 'Api.get',
    },
  ],
});
