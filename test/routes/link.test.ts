/**
 * Cross-file prefix linking: multi-file projects written to a temp folder and run through the whole
 * static phase (analyzeProject), so module resolution, the pre-scan and the engine's call of linkRoutes
 * are all exercised. Each file's routing facts must also be the same with and without the pre-scan.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { analyzeProject, type StaticResult } from '../../src/static/engine.js';
import type { FileResult } from '../../src/model/static.js';
import { pythonParser } from '../../src/static/parse.js';
import { linkRoutes } from '../../src/static/routes/link.js';
import { brief, dedent, shapeText } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Writes the project, checks every file's pre-scan invariance, and runs the static phase. */
async function project(
  files: Record<string, string>,
  cacheDir: string | null = null,
): Promise<{ root: string; result: StaticResult }> {
  const root = tempDir('heapgate-link-');
  roots.push(root);
  const parser = await pythonParser();
  for (const [rel, code] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    const source = dedent(code);
    writeFileSync(abs, source);
    const full = analyzeSource(parser, source, { file: rel, rules: [], fullParse: true });
    const scoped = analyzeSource(parser, source, { file: rel, rules: [] });
    expect(full.problems, rel).toEqual([]);
    const facts = (r: FileResult) => [r.routes, r.mounts, r.holders, r.models, r.reexports];
    expect(facts(scoped), rel).toEqual(facts(full));
  }
  const result = await analyzeProject({ root, cacheDir, threads: 0 });
  expect(result.problems).toEqual([]);
  for (const route of result.routes) expect(route).not.toHaveProperty('owner');
  return { root, result };
}

/** The linked routes of a project, as `brief()` lines. */
async function linked(files: Record<string, string>): Promise<string[]> {
  return brief((await project(files)).result.routes);
}

const USUAL = {
  'app/main.py': `
    from fastapi import FastAPI
    from .routers import items

    app = FastAPI()
    app.include_router(items.router, prefix="/api/v1")

    @app.get("/")
    def root(): ...
  `,
  'app/routers/__init__.py': '',
  'app/routers/items.py': `
    from fastapi import APIRouter

    router = APIRouter(prefix="/items", tags=["items"])

    @router.get("/{item_id}")
    async def read_item(item_id: int): ...

    @router.post("")
    async def create_item(): ...
  `,
};
const USUAL_ROUTES = [
  'fastapi GET / -> root:8 @7',
  'fastapi GET /api/v1/items/{item_id} -> read_item:6 @5',
  'fastapi POST /api/v1/items -> create_item:9 @8',
];

describe('FastAPI routers across files', () => {
  it('the usual layout: a router with its own prefix included under another', async () => {
    expect(await linked(USUAL)).toEqual(USUAL_ROUTES);
  });

  it('per file: route owners, mounts and holders; per-file paths have their own prefix only', async () => {
    const { result } = await project(USUAL);
    const byFile = new Map(result.fileResults.map((r) => [r.file, r]));
    const main = byFile.get('app/main.py')!;
    expect(main.mounts).toEqual([
      {
        framework: 'fastapi',
        target: { module: '.routers.items', name: 'router' },
        prefix: '/api/v1',
        mode: 'prepend',
        path: '',
        owner: { name: 'app', path: '' },
        line: 5,
      },
    ]);
    expect(main.holders).toEqual([{ name: 'app', framework: 'fastapi', prefix: null }]);
    const items = byFile.get('app/routers/items.py')!;
    expect(items.mounts).toBeUndefined();
    expect(items.holders).toEqual([{ name: 'router', framework: 'fastapi', prefix: '/items' }]);
    expect(items.routes.map((r) => [r.path, r.owner])).toEqual([
      ['/items/{item_id}', { name: 'router', path: '/{item_id}' }],
      ['/items', { name: 'router', path: '' }],
    ]);
  });

  it('linking works the same on cached per-file results', async () => {
    const cache = tempDir('heapgate-link-cache-');
    roots.push(cache);
    const { root, result } = await project(USUAL, cache);
    expect(result.cache.misses).toBe(3);
    const again = await analyzeProject({ root, cacheDir: cache, threads: 0 });
    expect(again.cache.hits).toBe(3);
    expect(brief(again.routes)).toEqual(USUAL_ROUTES);
  });

  it('prefixes at every level, a router nested in its own file, absolute imports, two mounts', async () => {
    expect(
      await linked({
        'app/main.py': `
          from fastapi import FastAPI
          from app.api.api import api_router
          from app.routers import health

          app = FastAPI()
          app.include_router(api_router, prefix="/api/v1")
          app.include_router(api_router, prefix="/api/v2")
          app.include_router(health.router)
        `,
        'app/api/api.py': `
          from fastapi import APIRouter
          from app.api.endpoints import items, users

          api_router = APIRouter()
          api_router.include_router(items.router, prefix="/items", tags=["items"])
          api_router.include_router(users.router)
        `,
        'app/api/endpoints/items.py': `
          from fastapi import APIRouter

          router = APIRouter()

          @router.get("/")
          def list_items(): ...
        `,
        'app/api/endpoints/users.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/users")
          admin = APIRouter(prefix="/admin")

          @router.get("/me")
          def me(): ...

          @admin.delete("/{user_id}")
          def remove(user_id: int): ...

          router.include_router(admin)
        `,
        'app/routers/health.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/health")

          @router.get("")
          def health(): ...
        `,
      }),
    ).toEqual([
      'fastapi GET /api/v1/items/ -> list_items:6 @5',
      'fastapi GET /api/v2/items/ -> list_items:6 @5',
      'fastapi GET /api/v1/users/me -> me:7 @6',
      'fastapi GET /api/v2/users/me -> me:7 @6',
      'fastapi DELETE /api/v1/users/admin/{user_id} -> remove:10 @9',
      'fastapi DELETE /api/v2/users/admin/{user_id} -> remove:10 @9',
      'fastapi GET /health -> health:6 @5',
    ]);
  });

  it('routers included by an app built in a factory, through imports local to it', async () => {
    expect(
      await linked({
        'svc/app.py': `
          from fastapi import FastAPI

          def create_app() -> FastAPI:
              application = FastAPI()
              from svc.routes import orders
              application.include_router(orders.router, prefix="/shop")
              return application
        `,
        'svc/routes/orders.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/orders")

          @router.get("/{order_id}")
          def get_order(order_id: int): ...
        `,
      }),
    ).toEqual(['fastapi GET /shop/orders/{order_id} -> get_order:6 @5']);
  });

  it("an aiohttp websocket handler in another file is a WS route (aiohttp-demos' chat)", async () => {
    expect(
      await linked({
        'chat/main.py': `
          from aiohttp import web
          from .views import index, history, room

          def init_app():
              app = web.Application()
              app.router.add_get("/", index)
              app.router.add_get("/history", history)
              app.router.add_route("*", "/room", room)
              app.router.add_post("/post", index)
              return app
        `,
        'chat/__init__.py': '',
        'chat/views.py': `
          import aiohttp
          from aiohttp import web

          async def index(request):
              ws_current = web.WebSocketResponse()
              ws_ready = ws_current.can_prepare(request)
              if not ws_ready.ok:
                  return web.Response(text="use a websocket client")
              await ws_current.prepare(request)
              async for msg in ws_current:
                  await ws_current.send_str(msg.data)
              return ws_current

          async def history(request):
              return web.json_response([])

          @some.decorator
          async def room(request):
              ws = web.WebSocketResponse(heartbeat=30)
              await ws.prepare(request)
              return ws
        `,
      }),
    ).toEqual([
      'aiohttp WS / -> chat/views.py:index:0 @6',
      'aiohttp GET /history -> chat/views.py:history:0 @7',
      'aiohttp WS /room -> chat/views.py:room:0 @8',
      'aiohttp POST /post -> chat/views.py:index:0 @9',
    ]);
  });

  it('a sub-application of another file mounted with app.mount()', async () => {
    expect(
      await linked({
        'main.py': `
          from fastapi import FastAPI
          from fastapi.staticfiles import StaticFiles
          import legacy

          app = FastAPI()
          app.mount("/legacy/", legacy.app)
          app.mount("/static", StaticFiles(directory="static"))
        `,
        'legacy.py': `
          from fastapi import FastAPI

          app = FastAPI()

          @app.get("/ping")
          def ping(): ...
        `,
      }),
    ).toEqual(['fastapi GET /legacy/ping -> ping:6 @5']);
  });

  it('an unmounted router, and one registered from a module that is not in the project', async () => {
    expect(
      await linked({
        'service/main.py': `
          from fastapi import FastAPI
          from thirdparty import admin_router

          app = FastAPI()
          app.include_router(admin_router, prefix="/admin")
        `,
        'service/orphan.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/orphan")

          @router.get("/ping")
          def ping(): ...
        `,
      }),
    ).toEqual(['fastapi GET /orphan/ping -> ping:6 @5']);
  });
});

describe('registration cycles', () => {
  const a = `
    from fastapi import APIRouter
    from b import router as b_router

    router = APIRouter(prefix="/a")
    router.include_router(b_router)

    @router.get("/x")
    def x(): ...
  `;
  const b = `
    from fastapi import APIRouter
    from a import router as a_router

    router = APIRouter(prefix="/b")
    router.include_router(a_router)

    @router.get("/y")
    def y(): ...
  `;

  it('routers only reachable through a cycle keep their own paths', async () => {
    expect(await linked({ 'a.py': a, 'b.py': b })).toEqual([
      'fastapi GET /a/x -> x:8 @7',
      'fastapi GET /b/y -> y:8 @7',
    ]);
  });

  it('a cycle below a real root serves each router once along the way down', async () => {
    expect(
      await linked({
        'a.py': a,
        'b.py': b,
        'main.py': `
          from fastapi import FastAPI
          import a

          app = FastAPI()
          app.include_router(a.router, prefix="/api")
        `,
      }),
    ).toEqual(['fastapi GET /api/a/x -> x:8 @7', 'fastapi GET /api/a/b/y -> y:8 @7']);
  });

  it('a router including itself', async () => {
    expect(
      await linked({
        'loop.py': `
          from fastapi import APIRouter
          import loop

          router = APIRouter(prefix="/loop")
          router.include_router(loop.router, prefix="/again")

          @router.get("/z")
          def z(): ...
        `,
      }),
    ).toEqual(['fastapi GET /loop/z -> z:8 @7']);
  });
});

describe('Flask blueprints across files', () => {
  it("url_prefix= at registration replaces the blueprint's own; else the own prefix stays", async () => {
    expect(
      await linked({
        'app/__init__.py': `
          from flask import Flask

          def create_app():
              app = Flask(__name__)
              from app.api import bp as api_bp
              app.register_blueprint(api_bp, url_prefix="/api/v2")
              from app.main import bp as main_bp
              app.register_blueprint(main_bp)
              return app
        `,
        'app/api/__init__.py': `
          from flask import Blueprint

          bp = Blueprint("api", __name__, url_prefix="/api")

          @bp.route("/users/<int:user_id>")
          def get_user(user_id): ...
        `,
        'app/main/__init__.py': `
          from flask import Blueprint

          bp = Blueprint("main", __name__, url_prefix="/main/")

          from app.main import views
        `,
        'app/main/views.py': `
          from flask import render_template
          from . import bp

          @bp.route("/")
          def index():
              return render_template("index.html")

          @bp.route("/about", methods=["GET", "POST"])
          def about(): ...
        `,
      }),
    ).toEqual([
      'flask GET /api/v2/users/<int:user_id> -> get_user:6 @5',
      'flask GET /main/ -> index:5 @4',
      'flask GET /main/about -> about:9 @8',
      'flask POST /main/about -> about:9 @8',
    ]);
  });

  it('a module-level app registering a blueprint registered by a nested blueprint', async () => {
    expect(
      await linked({
        'wsgi.py': `
          from flask import Flask
          from shop.api import api

          app = Flask(__name__)
          app.register_blueprint(api, url_prefix="/v1")
        `,
        'shop/api.py': `
          from flask import Blueprint
          from .orders import orders

          api = Blueprint("api", __name__)
          api.register_blueprint(orders)
        `,
        'shop/orders.py': `
          from flask import Blueprint

          orders = Blueprint("orders", __name__, url_prefix="/orders")

          @orders.get("/<int:order_id>")
          def show(order_id): ...
        `,
      }),
    ).toEqual(['flask GET /v1/orders/<int:order_id> -> show:6 @5']);
  });
});

describe('aiohttp sub-applications and route tables across files', () => {
  it('add_subapp of another module, nested, and add_routes of an imported RouteTableDef', async () => {
    expect(
      await linked({
        'server/main.py': `
          from aiohttp import web
          from server import admin
          from server.api import routes as api_routes

          app = web.Application()
          app.add_subapp("/admin/", admin.app)
          app.add_routes(api_routes)
        `,
        'server/admin.py': `
          from aiohttp import web
          from server import reports

          async def items(request): ...

          app = web.Application()
          app.router.add_get("/items", items)
          app.add_subapp("/reports", reports.app)
        `,
        'server/reports.py': `
          from aiohttp import web

          async def daily(request): ...

          app = web.Application()
          app.router.add_get("/daily", daily)
        `,
        'server/api.py': `
          from aiohttp import web

          routes = web.RouteTableDef()

          @routes.get("/status")
          async def status(request): ...
        `,
      }),
    ).toEqual([
      'aiohttp GET /admin/items -> items:4 @7',
      'aiohttp GET /status -> status:6 @5',
      'aiohttp GET /admin/reports/daily -> daily:3 @6',
    ]);
  });
});

describe('Django include() of another URLconf', () => {
  it("a project's urls.py including apps' urls.py by module path and by imported module", async () => {
    expect(
      await linked({
        'mysite/manage.py': `
          import os
          import sys
        `,
        'mysite/mysite/urls.py': `
          from django.contrib import admin
          from django.urls import include, path
          from blog import urls as blog_urls

          urlpatterns = [
              path("polls/", include("polls.urls")),
              path("api/", include([path("v1/", include(("api.urls", "api"), namespace="v1"))])),
              path("blog/", include(blog_urls)),
              path("admin/", admin.site.urls),
          ]
        `,
        'mysite/polls/urls.py': `
          from django.urls import path
          from . import views

          app_name = "polls"
          urlpatterns = [
              path("", views.index, name="index"),
              path("<int:question_id>/", views.detail, name="detail"),
          ]
        `,
        'mysite/api/urls.py': `
          from django.urls import re_path
          from . import views

          urlpatterns = [re_path(r"^items/$", views.items)]
        `,
        'mysite/blog/urls.py': `
          from django.urls import path
          from .views import PostList

          urlpatterns = [path("", PostList.as_view())]
        `,
      }),
    ).toEqual([
      'django * /api/v1/items/$ -> mysite/api/views.py:items:0 @4',
      'django * /blog/ -> mysite/blog/views.py:PostList:0 @4',
      'django * /polls/ -> mysite/polls/views.py:index:0 @6',
      'django * /polls/<int:question_id>/ -> mysite/polls/views.py:detail:0 @7',
    ]);
  });
});

describe('Django URLconfs included transitively', () => {
  it('an included URLconf including another, and a list imported from another module', async () => {
    expect(
      await linked({
        'config/urls.py': `
          from django.urls import include, path

          urlpatterns = [path("shop/", include("shop.urls"))]
        `,
        'shop/urls.py': `
          from django.urls import include, path
          from . import views
          from .api import api_patterns

          urlpatterns = [
              path("", views.home),
              path("cart/", include("cart.urls")),
              path("api/", include(api_patterns)),
          ]
        `,
        'shop/api.py': `
          from django.urls import path
          from . import views

          api_patterns = [path("stock/<int:pk>/", views.stock)]
        `,
        'cart/urls.py': `
          from django.urls import path
          from .views import CartView

          urlpatterns = [path("<uuid:cart_id>/", CartView.as_view())]
        `,
      }),
    ).toEqual([
      'django * /shop/cart/<uuid:cart_id>/ -> cart/views.py:CartView:0 @4',
      'django * /shop/api/stock/<int:pk>/ -> shop/views.py:stock:0 @4',
      'django * /shop/ -> shop/views.py:home:0 @6',
    ]);
  });
});

describe("routers and blueprints re-exported by a package's __init__.py", () => {
  it('FastAPI: include_router of a router re-exported under another name, by a star import, and nested', async () => {
    expect(
      await linked({
        'app/main.py': `
          from fastapi import FastAPI
          from .api import users_router
          from .api import orders
          from . import api

          app = FastAPI()
          app.include_router(users_router, prefix="/api")
          app.include_router(orders.router, prefix="/shop")
          app.include_router(api.health_router)
        `,
        'app/api/__init__.py': `
          from .users import router as users_router
          from .health import *
        `,
        'app/api/users.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/users")

          @router.get("/{user_id}")
          async def get_user(user_id: int): ...
        `,
        'app/api/orders.py': `
          from fastapi import APIRouter

          router = APIRouter(prefix="/orders")

          @router.get("")
          async def list_orders(): ...
        `,
        'app/api/health.py': `
          from .checks import router as health_router
        `,
        'app/api/checks.py': `
          from fastapi import APIRouter

          router = APIRouter()

          @router.get("/health")
          async def health(): ...
        `,
      }),
    ).toEqual([
      'fastapi GET /health -> health:6 @5',
      'fastapi GET /shop/orders -> list_orders:6 @5',
      'fastapi GET /api/users/{user_id} -> get_user:6 @5',
    ]);
  });

  it('Flask: register_blueprint of a blueprint re-exported by a package', async () => {
    expect(
      await linked({
        'shop/app.py': `
          from flask import Flask
          from shop.views import admin_bp, public

          app = Flask(__name__)
          app.register_blueprint(admin_bp, url_prefix="/admin")
          app.register_blueprint(public)
        `,
        'shop/views/__init__.py': `
          from .admin import bp as admin_bp
          from .public import bp as public
        `,
        'shop/views/admin.py': `
          from flask import Blueprint

          bp = Blueprint("admin", __name__, url_prefix="/own")

          @bp.route("/users/<int:uid>")
          def user(uid): ...
        `,
        'shop/views/public.py': `
          from flask import Blueprint

          bp = Blueprint("public", __name__, url_prefix="/p")

          @bp.get("/")
          def home(): ...
        `,
      }),
    ).toEqual(['flask GET /admin/users/<int:uid> -> user:6 @5', 'flask GET /p/ -> home:6 @5']);
  });
});

describe('routers and blueprints returned by factory functions of another module', () => {
  it('FastAPI and Flask factories, imported directly and through a package re-export', async () => {
    const { result } = await project({
      'svc/main.py': `
        from fastapi import FastAPI
        from .routers import make_router
        from .routers.legacy import build as build_legacy

        app = FastAPI()
        app.include_router(make_router(), prefix="/v1")
        app.include_router(make_router(), prefix="/v2")
        app.include_router(build_legacy())
      `,
      'svc/routers/__init__.py': `
        from .items import make_router
      `,
      'svc/routers/items.py': `
        from fastapi import APIRouter

        def make_router() -> APIRouter:
            router = APIRouter(prefix="/items")

            @router.get("/{item_id}")
            async def read_item(item_id: int): ...

            return router
      `,
      'svc/routers/legacy.py': `
        from fastapi import APIRouter

        def build():
            r = APIRouter(prefix="/legacy")
            r.add_api_route("/ping", ping)
            return r

        async def ping(): ...
      `,
      'web/app.py': `
        from flask import Flask
        from web.blueprints import create_bp

        app = Flask(__name__)
        app.register_blueprint(create_bp(), url_prefix="/admin")
      `,
      'web/blueprints.py': `
        from flask import Blueprint

        def create_bp():
            bp = Blueprint("admin", __name__, url_prefix="/own")

            @bp.route("/stats")
            def stats(): ...

            return bp
      `,
    });
    expect(brief(result.routes)).toEqual([
      'fastapi GET /v1/items/{item_id} -> make_router.read_item:7 @6',
      'fastapi GET /v2/items/{item_id} -> make_router.read_item:7 @6',
      'fastapi GET /legacy/ping -> ping:8 @5',
      'flask GET /admin/stats -> create_bp.stats:7 @6',
    ]);
    const items = result.fileResults.find((r) => r.file === 'svc/routers/items.py')!;
    expect(items.holders).toEqual([{ name: 'make_router()', framework: 'fastapi', prefix: '/items' }]);
    const main = result.fileResults.find((r) => r.file === 'svc/main.py')!;
    expect(main.mounts?.map((m) => [m.target, m.prefix])).toEqual([
      [{ module: '.routers', name: 'make_router()' }, '/v1'],
      [{ module: '.routers', name: 'make_router()' }, '/v2'],
      [{ module: '.routers.legacy', name: 'build()' }, null],
    ]);
  });
});

describe('request bodies from models of other modules', () => {
  it('a model imported through a package re-export, inheriting from a base in a third module', async () => {
    const { result } = await project({
      'app/routers/items.py': `
        from fastapi import APIRouter

        from ..schemas import ItemCreate, Unknown
        from ..schemas.common import Page

        router = APIRouter()

        @router.post("/items")
        async def create(item: ItemCreate, page: Page):
            return item

        @router.put("/items/{item_id}")
        async def replace(item_id: int, item: ItemCreate):
            return item

        @router.post("/other")
        async def other(thing: Unknown):
            return thing
      `,
      'app/schemas/__init__.py': `
        from .item import ItemCreate
      `,
      'app/schemas/item.py': `
        from typing import Optional

        from .common import Base, Owner

        class ItemCreate(Base):
            title: str
            owner: Owner
            parent: Optional["ItemCreate"] = None
      `,
      'app/schemas/common.py': `
        from pydantic import BaseModel

        class Base(BaseModel):
            id: int

        class Owner(BaseModel):
            email: str

        class Page(BaseModel):
            size: int = 10

        class Plain:
            value: int
      `,
    });
    expect(result.routes.map((r) => `${r.method} ${r.path}: ${shapeText(r.request)}`)).toEqual([
      'POST /items: json {item: {id: int, title: str, owner: {email: str}, parent?: dict}, page: {size?: int}}',
      'PUT /items/{item_id}: json {id: int, title: str, owner: {email: str}, parent?: dict}',
      'POST /other: -',
    ]);
    const common = result.fileResults.find((r) => r.file === 'app/schemas/common.py')!;
    expect(common.models?.map((m) => m.name)).toEqual(['Base', 'Owner', 'Page']);
  });
});

describe('linkRoutes on per-file results', () => {
  it('leaves routes without an owner, or whose owner nobody registers, as they are', () => {
    const handler = { file: 'x.py', function: 'h', line: 3 };
    const results: FileResult[] = [
      {
        file: 'x.py',
        findings: [],
        suppressed: 0,
        problems: [],
        routes: [
          {
            framework: 'fastapi',
            method: 'GET',
            path: '/p/q',
            handler,
            file: 'x.py',
            line: 2,
            owner: { name: 'r', path: '/q' },
          },
          { framework: 'http.server', method: 'GET', path: '*', handler, file: 'x.py', line: 1 },
        ],
        holders: [{ name: 'r', framework: 'fastapi', prefix: '/p' }],
      },
    ];
    expect(linkRoutes(results)).toEqual([
      { framework: 'http.server', method: 'GET', path: '*', handler, file: 'x.py', line: 1 },
      { framework: 'fastapi', method: 'GET', path: '/p/q', handler, file: 'x.py', line: 2 },
    ]);
  });
});
