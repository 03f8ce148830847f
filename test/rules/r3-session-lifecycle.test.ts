import { sessionLifecycle } from '../../src/static/rules/r3-session-lifecycle.js';
import { ruleTable } from './rule-table.js';
import { R3_VALID } from './r3-session-lifecycle.valid.js';

ruleTable(sessionLifecycle, {
  valid: R3_VALID,
  invalid: [
    {
      // pg-performance-tests' standard_connection_handler: a connection left open per request.
      name: 'an async close that is never awaited closes nothing (asyncpg, aiohttp)',
      code: `
        import aiohttp, asyncpg
        async def standard_connection_handler():
            con = await asyncpg.connect(host="db")
            records = await con.fetch("SELECT * from test")
            con.close()
            return {"n": len(records)}
        async def fetch(url):
            session = aiohttp.ClientSession()
            r = await session.get(url)
            session.close()
            return await r.text()
      `,
      lines: [3, 8],
      message: [
        "asyncpg.connect() bound to 'con' is never closed: its close() at line 5 is a coroutine that is never awaited.",
        "aiohttp.ClientSession() bound to 'session' is never closed: its close() at line 10 is a coroutine that is never awaited.",
      ],
    },
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
      message: "requests.Session() bound to 'session' is never closed.",
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
      message: "requests.Session() bound to 's' is not closed on the path that returns at line 6.",
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
      message: "requests.Session() bound to 's' is not closed on the path that raises at line 6.",
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
      message:
        "sqlite3.connect() bound to 'conn' is closed only on some paths (the close at line 6 is inside an if branch).",
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
      message:
        "psycopg2.connect() bound to 'conn' is closed only on some paths (the close at line 8 is inside an except handler).",
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
      message: "aiohttp.ClientSession() bound to 'session' is never closed.",
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
      message: "create_engine() bound to 'engine' is never closed.",
    },
    {
      name: 'engine.connect() result never closed',
      code: `
        def total(engine):
            conn = engine.connect()
            return conn.execute("select sum(x) from t").scalar()
      `,
      message: "engine.connect() bound to 'conn' is never closed.",
    },
    {
      name: 'SessionLocal() without close',
      code: `
        from .db import SessionLocal
        def list_users():
            db = SessionLocal()
            return db.query(User).all()
      `,
      message: "SessionLocal() bound to 'db' is never closed.",
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
      message: [
        "urlopen() bound to 'resp' is never closed.",
        "socket.socket() bound to 's' is never closed.",
        "http.client.HTTPSConnection() bound to 'conn' is never closed.",
      ],
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
      message: [
        "db.connect() bound to 'conn' is never closed.",
        "HttpSession() bound to 's' is never closed.",
      ],
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
      message:
        "sqlite3.connect() bound to 'conn' is not closed on the path that continues the loop at line 6.",
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
      message: [
        "MongoClient() bound to 'client' is never closed.",
        "httpx.Client() bound to 'c' is never closed.",
      ],
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
      message: "sqlite3.connect() bound to 'conn' is never closed.",
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
      message: "Session() bound to 'session' is never closed.",
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
      message: [
        "get_db_connection() (which returns a new sqlite3.connect()) bound to 'conn' is never closed.",
        "_connect() (which returns a new psycopg2.connect()) bound to 'conn' is never closed.",
      ],
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
      message: "requests.Session() bound to 's' is never closed.",
    },
    {
      // The seed report's monitoring backend (issue 12): a socket per metrics call, about once a second,
      // after `import socket` inside the function, left for the garbage collector.
      name: 'socket.create_connection() as a statement after a function-local import',
      code: `
        from aiohttp import web

        async def metrics(request):
            import socket
            try:
                socket.create_connection(("localhost", 9100), timeout=1)
                up = 1
            except OSError:
                up = 0
            return web.json_response({"exporter_up": up})
      `,
      lines: [6],
      function: 'metrics',
      message:
        'socket.create_connection() is called and its result dropped: nothing closes it, only the garbage collector.',
    },
    {
      name: 'an unbound urlopen() handed to a call whose result is dropped',
      code: `
        import json
        from urllib.request import urlopen
        def refresh(url, cache):
            cache.update_from(urlopen(url))
      `,
      lines: [4],
      message:
        'urlopen() is passed straight into a call and never bound: nothing here closes it, only the garbage collector.',
    },
    {
      name: 'a socket bound after a function-local import and never closed',
      code: `
        def probe(host):
            import socket
            s = socket.socket()
            s.connect((host, 80))
            return True
      `,
      lines: [3],
      message: "socket.socket() bound to 's' is never closed.",
    },
    {
      name: 'an asyncpg pool created per request (issue 12: per-call pools)',
      code: `
        import asyncpg
        async def handler(request):
            pool = await asyncpg.create_pool(dsn=request.app["dsn"])
            rows = await pool.fetch("select 1")
            return rows
      `,
      lines: [3],
      message: "asyncpg.create_pool() bound to 'pool' is never closed.",
    },
    {
      name: 'a redis pool from a URL per call (the client borrowing it owns nothing)',
      code: `
        import redis
        def handler(request):
            pool = redis.ConnectionPool.from_url("redis://cache")
            r = redis.Redis(connection_pool=pool)
            return r.get(request.args["k"])
      `,
      lines: [3],
      message: "redis.ConnectionPool.from_url() bound to 'pool' is never closed.",
    },
    {
      name: 'redis.asyncio.from_url per call under an alias',
      code: `
        import redis.asyncio as aioredis
        async def handler(request):
            r = aioredis.from_url("redis://cache")
            return await r.get("k")
      `,
      lines: [3],
      message: "aioredis.from_url() bound to 'r' is never closed.",
    },
    {
      name: 'a ThreadPoolExecutor per call, never shut down',
      code: `
        from concurrent.futures import ThreadPoolExecutor
        def handler(items):
            pool = ThreadPoolExecutor(max_workers=4)
            return list(pool.map(str, items))
      `,
      lines: [3],
      message: "ThreadPoolExecutor() bound to 'pool' is never closed.",
    },
    {
      name: 'a multiprocessing pool per call, never terminated',
      code: `
        import multiprocessing
        def handler(items):
            pool = multiprocessing.Pool(4)
            return pool.map(str, items)
      `,
      lines: [3],
      message: "multiprocessing.Pool() bound to 'pool' is never closed.",
    },
    {
      name: 'an httpx.AsyncClient made after a function-local import',
      code: `
        async def handler(request):
            import httpx
            client = httpx.AsyncClient()
            r = await client.get("http://upstream/")
            return r.text
      `,
      lines: [3],
      message: "httpx.AsyncClient() bound to 'client' is never closed.",
    },
    {
      name: 'a connection returned when it answers, left open on the retry that continues',
      code: `
        import socket
        def connect_any(hosts):
            for host in hosts:
                s = socket.create_connection((host, 80))
                if not s.recv(1):
                    continue
                return s
            raise OSError("no host answered")
      `,
      lines: [4],
      message:
        "socket.create_connection() bound to 's' is returned at line 7 but not closed on the path that continues the loop at line 6.",
    },
    {
      name: 'a connect() of an object that is not a signal is still a connection',
      code: `
        from blinker import signal
        started = signal("started")
        def fetch(pool, q):
            conn = pool.connect()
            return conn.execute(q).fetchall()
      `,
      lines: [4],
      message: "pool.connect() bound to 'conn' is never closed.",
    },
  ],
});
