/**
 * Issue 16, item 1: which service a project is, read from its Python files (every framework the issue
 * names, apps and factories), which interpreter runs it (the project's virtualenv, else the first python3
 * on PATH that imports the framework), and the sentences for none and several.
 */
import { chmodSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidateIn, findCandidates, moduleName } from '../../src/service/detect/candidates.js';
import { detectTarget } from '../../src/service/detect/index.js';
import { chooseInterpreter } from '../../src/service/detect/interpreter.js';
import { tempProject } from '../helpers/cli.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';

describe('a file as a service', () => {
  const cases: [string, string, string | null][] = [
    [
      'app.py',
      'from flask import Flask\napp = Flask(__name__)\n',
      '{python} -m flask --app app:app run --host 127.0.0.1 --port {port}',
    ],
    [
      'shop/__init__.py',
      'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n',
      "{python} -m flask --app 'shop:create_app()' run --host 127.0.0.1 --port {port}",
    ],
    [
      'svc/main.py',
      'import fastapi\napplication: fastapi.FastAPI = fastapi.FastAPI(title="x")\n',
      '{python} -m uvicorn --host 127.0.0.1 --port {port} svc.main:application',
    ],
    [
      'main.py',
      'from fastapi import FastAPI\n\ndef create_app():\n    return FastAPI()\n',
      '{python} -m uvicorn --host 127.0.0.1 --port {port} --factory main:create_app',
    ],
    [
      'asgi.py',
      'from starlette.applications import Starlette\napp = Starlette(routes=[])\n',
      '{python} -m uvicorn --host 127.0.0.1 --port {port} asgi:app',
    ],
    [
      'server.py',
      'from aiohttp import web\n\ndef make_app(argv):\n    app = web.Application()\n    return app\n',
      '{python} -m aiohttp.web -H 127.0.0.1 -P {port} server:make_app',
    ],
    [
      'run.py',
      'import os\nfrom aiohttp import web\napp = web.Application()\nif __name__ == "__main__":\n    web.run_app(app, port=int(os.environ["PORT"]))\n',
      '{python} run.py',
    ],
    [
      'own.py',
      'from aiohttp import web\napp = web.Application()\nif __name__ == "__main__":\n    web.run_app(app, port=8080)\n',
      '{python} own.py',
    ],
    [
      'manage.py',
      'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")\n',
      '{python} manage.py runserver 127.0.0.1:{port} --noreload',
    ],
    [
      'serve.py',
      'import argparse\nfrom http.server import HTTPServer\np = argparse.ArgumentParser()\np.add_argument("--port", type=int)\nif __name__ == "__main__":\n    HTTPServer(("", p.parse_args().port), None)\n',
      '{python} serve.py --port {port}',
    ],
    // Not services: an app built inside a function, a library that only imports flask, a script with no
    // server, an aiohttp factory aiohttp.web cannot call (no argv).
    [
      'helpers.py',
      'from flask import Flask\n\ndef build():\n    app = Flask(__name__)\n    return app\n',
      null,
    ],
    ['views.py', 'from flask import Blueprint\nbp = Blueprint("x", __name__)\n', null],
    ['tool.py', 'import sys\nif __name__ == "__main__":\n    print(sys.argv)\n', null],
    ['lib.py', 'from aiohttp import web\n\ndef build():\n    return web.Application()\n', null],
  ];
  for (const [file, source, command] of cases) {
    it(`${file}: ${command ?? 'none'}`, () => {
      expect(candidateIn(file, source)?.command ?? null).toBe(command);
    });
  }

  it('names modules the way -m and --app need them', () => {
    expect(moduleName('app.py')).toBe('app');
    expect(moduleName('pkg/sub/app.py')).toBe('pkg.sub.app');
    expect(moduleName('pkg/__init__.py')).toBe('pkg');
    expect(moduleName('my-app/app.py')).toBeNull();
  });

  it('does not walk tests, virtualenvs or hidden folders', () => {
    const flask = 'from flask import Flask\napp = Flask(__name__)\n';
    const dir = tempProject({
      'tests/app.py': flask,
      'test_app.py': flask,
      '.venv/lib/app.py': flask,
      'venv/app.py': flask,
      'node_modules/x/app.py': flask,
      'src/app.py': flask,
    });
    expect(findCandidates(dir).map((c) => c.file)).toEqual(['src/app.py']);
  });
});

describe('the interpreter', () => {
  it("is the project's virtualenv when it has one", () => {
    const dir = tempProject({ '.venv/bin/python': '#!/bin/sh\nexit 1\n' });
    chmodSync(path.join(dir, '.venv/bin/python'), 0o755);
    expect(chooseInterpreter(dir, ['flask'], { PATH: '' })).toEqual({
      python: path.join(dir, '.venv/bin/python'),
      why: "the project's virtualenv (.venv/)",
    });
  });

  it('else the first python3 on PATH that imports the framework, saying which did not', () => {
    const dir = tempProject({ 'bare/python3': '#!/bin/sh\nexit 1\n' });
    chmodSync(path.join(dir, 'bare/python3'), 0o755);
    const debian = tempProject({});
    symlinkSync(DEBIAN_PYTHON, path.join(debian, 'python3'));
    const env = { PATH: [path.join(dir, 'bare'), debian].join(path.delimiter) };
    expect(chooseInterpreter(dir, ['flask'], env)).toEqual({
      python: path.join(debian, 'python3'),
      why: `the first python3 on PATH that imports flask (${path.join(dir, 'bare/python3')} does not)`,
    });
  });

  it('or says none can, and what to do', () => {
    const dir = tempProject({ 'bare/python3': '#!/bin/sh\nexit 1\n' });
    chmodSync(path.join(dir, 'bare/python3'), 0o755);
    const chosen = chooseInterpreter(dir, ['flask'], { PATH: path.join(dir, 'bare') });
    expect(chosen).toEqual({
      problem: `no python3 on PATH imports flask (tried ${path.join(dir, 'bare/python3')}): make a virtualenv in .venv with the project installed`,
    });
  });
});

describe('detectTarget', () => {
  it('says which command and why', () => {
    const dir = tempProject({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n' });
    const found = detectTarget(dir, { PATH: path.dirname(DEBIAN_PYTHON) });
    expect(found).toMatchObject({
      target: {
        command: `${DEBIAN_PYTHON} -m flask --app app:app run --host 127.0.0.1 --port {port}`,
        reason: `no --target given: heapgate starts "${DEBIAN_PYTHON} -m flask --app app:app run --host 127.0.0.1 --port {port}" (a Flask app \`app\` in app.py; ${DEBIAN_PYTHON} is the first python3 on PATH that imports flask)`,
      },
    });
  });

  it('finds none, and says how to choose', () => {
    const dir = tempProject({ 'lib.py': 'X = 1\n' });
    expect(detectTarget(dir)).toEqual({
      problem:
        'heapgate found no service to start (no Flask, FastAPI, Starlette or aiohttp app, no Django manage.py, no http.server script): pass --target "CMD" (or set target in [tool.heapgate])',
    });
  });

  it('finds several, names them all, and says how to choose', () => {
    const dir = tempProject({
      'a.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'b.py': 'from fastapi import FastAPI\napi = FastAPI()\n',
    });
    const found = detectTarget(dir);
    expect('problem' in found && found.problem).toBe(
      'heapgate found 2 services it could start (a Flask app `app` in a.py; a FastAPI app `api` in b.py): pass --target "CMD" to choose (or set target in [tool.heapgate]), e.g. --target "python3 -m flask --app a:app run --host 127.0.0.1 --port {port}"',
    );
  });
});
