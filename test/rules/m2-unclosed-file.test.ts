import { unclosedFile } from '../../src/static/rules/m2-unclosed-file.js';
import { ruleTable } from './rule-table.js';

ruleTable(unclosedFile, {
  valid: [
    {
      name: 'with open',
      code: `
        import json
        def load(path):
            with open(path) as f:
                return json.load(f)
      `,
    },
    {
      name: 'close in finally',
      code: `
        def head(path):
            f = open(path, "rb")
            try:
                first = f.readline()
                if not first:
                    return None
                return first
            finally:
                f.close()
      `,
    },
    {
      name: 'closed at the end, no early exit',
      code: `
        def save(path, data):
            f = open(path, "w")
            f.write(data)
            f.close()
      `,
    },
    {
      name: 'returned handle',
      code: `
        import gzip
        def open_log(path):
            if path.endswith(".gz"):
                fh = gzip.open(path, "rt")
            else:
                fh = open(path)
            return fh
      `,
    },
    {
      name: 'handle owned by an object / a response',
      code: `
        from flask import send_file
        class Writer:
            def __init__(self, path):
                self.fh = open(path, "a")
        def download(path):
            f = open(path, "rb")
            return send_file(f, mimetype="application/octet-stream")
        def stream(path):
            f = open(path, "rb")
            return StreamingResponse(f)
      `,
    },
    {
      name: 'not files: os.open, webbrowser.open, Image.open, self.open',
      code: `
        import os, webbrowser
        from PIL import Image
        def a(path):
            fd = os.open(path, os.O_RDONLY)
            return os.fstat(fd).st_size
        def b(url):
            ok = webbrowser.open(url)
        def c(path):
            img = Image.open(path)
            return img.size
        class Browser:
            def go(self, url):
                page = self.open(url)
                return page.title
      `,
    },
    {
      name: 'close_it flag guarding the close in finally',
      code: `
        def copy_to(self, dst):
            close_dst = False
            if isinstance(dst, str):
                dst = open(dst, "wb")
                close_dst = True
            try:
                dst.write(self.data)
            finally:
                if close_dst:
                    dst.close()
      `,
    },
    {
      name: '"-" means stdin: the close is guarded by the same test',
      code: `
        import sys
        def main(name):
            if name == "-":
                fp = sys.stdin
            else:
                fp = open(name)
            data = fp.read()
            if name != "-":
                fp.close()
            return data
      `,
    },
    {
      name: 'archive over a file object someone else owns',
      code: `
        import io, zipfile
        def names(data):
            zf = zipfile.ZipFile(io.BytesIO(data))
            return zf.namelist()
      `,
    },
    {
      name: 'yielded by a context-manager generator',
      code: `
        import contextlib
        @contextlib.contextmanager
        def opened(path):
            f = open(path)
            try:
                yield f
            finally:
                f.close()
      `,
    },
    {
      name: 'returned inside a reader that keeps reading it',
      code: `
        import csv
        def rows(path):
            f = open(path, newline="")
            reader = csv.DictReader(f)
            return reader
        def lines(path):
            f = open(path)
            it = iter(f)
            return it
      `,
    },
    {
      name: 'returned inside what an unknown or wrapping helper builds',
      code: `
        def open_archive(fileobj):
            return Archive(fileobj, mode="r")
        def a(path):
            f = open(path, "rb")
            archive = open_archive(f)
            return archive
        def b(path):
            f = open(path, "rb")
            t = cls_taropen(path, f)
            return t
      `,
    },
    {
      name: 'a bound method of the file handed to a setter or kept on an object',
      code: `
        import os, sys
        def enable_tracing(tracer):
            err = open(os.dup(sys.stderr.fileno()), "w", buffering=1)
            tracer.setwriter(err.write)
        class Log:
            def start(self, path):
                out = open(path, "a")
                self.emit = out.write
      `,
    },
    {
      name: 'open() bound at module level (import time, not per request)',
      code: `
        LOG = open("/var/log/app.log", "a")
        def log(msg):
            LOG.write(msg)
      `,
    },
    {
      name: 'open shadowed by an import',
      code: `
        from os import open
        def f(path):
            fd = open(path, 0)
            return fd
      `,
    },
    {
      name: 'the new openers closed or scoped: os.popen in with, BZ2File over a file object, tokenize.open closed',
      code: `
        import bz2, io, os, tokenize
        def a():
            with os.popen("uptime") as p:
                return p.read()
        def b(data):
            f = bz2.BZ2File(io.BytesIO(data))
            return f.read()
        def c(path):
            f = tokenize.open(path)
            try:
                return f.readline()
            finally:
                f.close()
      `,
    },
    {
      name: 'returned on one path and closed before every other exit',
      code: `
        def first_readable(paths):
            for p in paths:
                f = open(p)
                if f.read(1) != "#":
                    f.close()
                    continue
                f.seek(0)
                return f
        def open_checked(path):
            f = open(path)
            if f.read(1) != "#":
                f.close()
                raise ValueError(path)
            return f
        def open_or_none(path):
            f = open(path)
            try:
                f.read(1)
            except OSError:
                f.close()
                return None
            return f
      `,
    },
    {
      name: 'a handle given to an object that owns it, which is closed (issue 12: handed off)',
      code: `
        import io, zipfile
        def a(path):
            raw = open(path, "rb")
            text = io.TextIOWrapper(raw, encoding="utf-8")
            try:
                return text.read()
            finally:
                text.close()
        def b(path):
            raw = open(path, "rb")
            with io.BufferedReader(raw) as buffered:
                return buffered.read()
        def c(path):
            raw = open(path, "rb")
            archive = zipfile.ZipFile(raw)
            names = archive.namelist()
            archive.close()
            return names
      `,
    },
  ],
  invalid: [
    {
      name: 'open bound and never closed in a Flask view',
      code: `
        import json
        from flask import Flask, jsonify
        app = Flask(__name__)
        @app.get("/config")
        def config():
            f = open("config.json")
            data = json.load(f)
            return jsonify(data)
      `,
      lines: [6],
      message: "File handle 'f' from open() is never closed.",
      function: 'config',
    },
    {
      name: 'early return skips the close',
      code: `
        def first_line(path):
            f = open(path)
            line = f.readline()
            if not line:
                return None
            f.close()
            return line.strip()
      `,
      message: "File handle 'f' from open() is not closed on the path that returns at line 5.",
    },
    {
      name: 'close only inside an if',
      code: `
        def read(path, keep):
            f = open(path)
            data = f.read()
            if not keep:
                f.close()
            return data
      `,
      message:
        "File handle 'f' from open() is closed only on some paths (the close at line 5 is inside an if branch).",
    },
    {
      name: 'close only in an except handler',
      code: `
        def parse(path):
            f = open(path)
            try:
                return int(f.read())
            except ValueError:
                f.close()
                raise
      `,
      message: "File handle 'f' from open() is not closed on the path that returns at line 4.",
    },
    {
      name: 'io.open / codecs.open / gzip.open through aliases',
      code: `
        import codecs, gzip as gz
        from io import open as io_open
        def a(p):
            f = codecs.open(p, "r", "utf-8")
            return f.read()
        def b(p):
            g = gz.open(p)
            return g.read()
        def c(p):
            h = io_open(p)
            return h.read()
      `,
      lines: [4, 7, 10],
      message: [
        "File handle 'f' from codecs.open() is never closed.",
        "File handle 'g' from gz.open() is never closed.",
        "File handle 'h' from io_open() is never closed.",
      ],
    },
    {
      name: 'pathlib open',
      code: `
        from pathlib import Path
        def lines(p):
            fh = Path(p).open()
            return [l.rstrip() for l in fh]
      `,
      message: "File handle 'fh' from Path(p).open() is never closed.",
    },
    {
      name: 'upload written to disk in a FastAPI handler',
      code: `
        from fastapi import FastAPI, UploadFile
        app = FastAPI()
        @app.post("/upload")
        async def upload(file: UploadFile):
            out = open(f"/tmp/{file.filename}", "wb")
            out.write(await file.read())
            return {"ok": True}
      `,
      message: "File handle 'out' from open() is never closed.",
    },
    {
      name: 'read in a loop body, continue skips the close',
      code: `
        def sizes(paths):
            total = 0
            for p in paths:
                f = open(p, "rb")
                head = f.read(4)
                if head != b"PK\\x03\\x04":
                    continue
                total += len(f.read())
                f.close()
            return total
      `,
      message: "File handle 'f' from open() is not closed on the path that continues the loop at line 7.",
    },
    {
      name: 'tempfile and zipfile by path',
      code: `
        import tempfile, zipfile
        def a(data):
            tmp = tempfile.NamedTemporaryFile(suffix=".csv")
            tmp.write(data)
            return tmp.name
        def b(path):
            zf = zipfile.ZipFile(path)
            return zf.namelist()
      `,
      lines: [3, 7],
      message: [
        "File handle 'tmp' from tempfile.NamedTemporaryFile() is never closed.",
        "File handle 'zf' from zipfile.ZipFile() is never closed.",
      ],
    },
    {
      name: 'passed to a reader that does not own it',
      code: `
        import csv
        def rows(path):
            f = open(path, newline="")
            data = list(csv.reader(f))
            return data
      `,
      message: "File handle 'f' from open() is never closed.",
    },
    {
      name: 'data parsed by a helper is returned, the handle is not',
      code: `
        from flask import jsonify
        def parse_rows(fh):
            return [line.split(",") for line in fh.readlines()]
        def report(path):
            f = open(path)
            rows = parse_rows(f)
            return jsonify(rows)
      `,
      lines: [5],
      message: "File handle 'f' from open() is never closed.",
    },
    {
      name: 'the openers users hit: os.popen, tokenize.open, io.open_code, BZ2File, LZMAFile (issue 12)',
      code: `
        import bz2, io, lzma, os, tokenize
        def a():
            p = os.popen("uptime")
            return p.read()
        def b(path):
            f = tokenize.open(path)
            return f.readline()
        def c(path):
            f = io.open_code(path)
            return f.read()
        def d(path):
            f = bz2.BZ2File(path)
            return f.read()
        def e(path):
            f = lzma.LZMAFile(path)
            return f.read()
      `,
      lines: [3, 6, 9, 12, 15],
      message: [
        "File handle 'p' from os.popen() is never closed.",
        "File handle 'f' from tokenize.open() is never closed.",
        "File handle 'f' from io.open_code() is never closed.",
        "File handle 'f' from bz2.BZ2File() is never closed.",
        "File handle 'f' from lzma.LZMAFile() is never closed.",
      ],
    },
    {
      name: 'archives and dbm files opened per call',
      code: `
        import dbm, gzip, tarfile, zipfile
        from pathlib import Path
        def a(path):
            t = tarfile.open(path)
            return t.getnames()
        def b(path):
            z = zipfile.ZipFile(path)
            return z.namelist()
        def c(path):
            g = gzip.open(path)
            return g.read()
        def d(path, key):
            db = dbm.open(path)
            return db[key]
        def e(path):
            f = Path(path).open()
            return f.read()
      `,
      lines: [4, 7, 10, 13, 16],
      message: [
        "File handle 't' from tarfile.open() is never closed.",
        "File handle 'z' from zipfile.ZipFile() is never closed.",
        "File handle 'g' from gzip.open() is never closed.",
        "File handle 'db' from dbm.open() is never closed.",
        "File handle 'f' from Path(path).open() is never closed.",
      ],
    },
    {
      name: 'returned on one path, left open on the path that continues to the next candidate',
      code: `
        def first_readable(paths):
            for p in paths:
                f = open(p)
                if f.read(1) != "#":
                    continue
                return f
      `,
      lines: [3],
      message:
        "File handle 'f' from open() is returned at line 6 but not closed on the path that continues the loop at line 5.",
    },
    {
      name: 'returned on one path, left open on the path that raises',
      code: `
        def open_checked(path):
            f = open(path)
            if f.read(1) != "#":
                raise ValueError(path)
            return f
      `,
      lines: [2],
      message:
        "File handle 'f' from open() is returned at line 5 but not closed on the path that raises at line 4.",
    },
    {
      name: 'returned under a condition, dropped when the function falls off its end',
      code: `
        def open_if_text(path):
            f = open(path)
            if f.read(1).isprintable():
                f.seek(0)
                return f
      `,
      lines: [2],
      message:
        "File handle 'f' from open() is returned at line 5 but not closed when the function ends without returning it.",
    },
    {
      name: 'a handle given to an object that is never closed either',
      code: `
        import io
        def a(path):
            raw = open(path, "rb")
            text = io.TextIOWrapper(raw, encoding="utf-8")
            return text.read()
      `,
      lines: [3],
      message: "File handle 'raw' from open() is never closed.",
    },
  ],
});
