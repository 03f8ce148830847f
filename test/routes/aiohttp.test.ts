import { routeTable } from './helpers.js';

routeTable('aiohttp routes', [
  {
    name: 'app.router.add_get/add_post/…, handlers defined before and after',
    code: `
      from aiohttp import web

      async def index(request):
          return web.Response(text="ok")

      def make_app():
          app = web.Application()
          app.router.add_get("/", index)
          app.router.add_post("/items/{id}", create)
          app.router.add_put("/items/{id:\\d+}", create)
          app.router.add_delete("/items/{id}", create)
          app.router.add_patch("/items/{id}", create)
          app.router.add_head("/items", index)
          return app

      async def create(request):
          return web.json_response({})
    `,
    routes: [
      'aiohttp GET / -> index:3 @8',
      'aiohttp POST /items/{id} -> create:16 @9',
      'aiohttp PUT /items/{id:\\d+} -> create:16 @10',
      'aiohttp DELETE /items/{id} -> create:16 @11',
      'aiohttp PATCH /items/{id} -> create:16 @12',
      'aiohttp HEAD /items -> index:3 @13',
    ],
  },
  {
    name: "add_route('*'/'GET', path, handler)",
    code: `
      from aiohttp import web

      async def anything(request): ...

      app = web.Application()
      app.router.add_route("*", "/any", anything)
      app.router.add_route("get", "/lower", anything)
    `,
    routes: ['aiohttp * /any -> anything:3 @6', 'aiohttp GET /lower -> anything:3 @7'],
  },
  {
    name: 'app.add_routes([web.get(...), web.post(...), web.route(...)])',
    code: `
      from aiohttp import web

      async def hello(request): ...
      async def store(request): ...

      app = web.Application()
      app.add_routes([
          web.get("/", hello),
          web.post("/store", store),
          web.route("*", "/wild", hello),
      ])
    `,
    routes: [
      'aiohttp GET / -> hello:3 @8',
      'aiohttp POST /store -> store:4 @9',
      'aiohttp * /wild -> hello:3 @10',
    ],
  },
  {
    name: 'RouteTableDef decorators and add_routes(routes)',
    code: `
      from aiohttp import web

      routes = web.RouteTableDef()

      @routes.get("/users/{name}")
      async def get_user(request):
          return web.json_response({})

      @routes.post("/users")
      async def add_user(request): ...

      @routes.route("DELETE", "/users/{name}")
      async def del_user(request): ...

      app = web.Application()
      app.add_routes(routes)
    `,
    routes: [
      'aiohttp GET /users/{name} -> get_user:6 @5',
      'aiohttp POST /users -> add_user:10 @9',
      'aiohttp DELETE /users/{name} -> del_user:13 @12',
    ],
  },
  {
    name: 'class-based web.View with @routes.view: one route per method it defines',
    code: `
      from aiohttp import web

      routes = web.RouteTableDef()

      class Base(web.View):
          async def delete(self): ...

      @routes.view("/things/{id}")
      class ThingView(Base):
          async def get(self):
              return web.json_response({})

          async def post(self):
              return web.json_response({})

          async def _helper(self): ...
    `,
    routes: [
      'aiohttp DELETE /things/{id} -> Base.delete:6 @8',
      'aiohttp GET /things/{id} -> ThingView.get:10 @8',
      'aiohttp POST /things/{id} -> ThingView.post:13 @8',
    ],
  },
  {
    name: 'web.view / add_view with a class of the file or from another module',
    code: `
      from aiohttp import web
      from .views import ExternalView

      class LocalView(web.View):
          async def get(self): ...

      app = web.Application()
      app.add_routes([web.view("/local", LocalView)])
      app.router.add_view("/external", ExternalView)
    `,
    file: 'svc/server.py',
    routes: [
      'aiohttp GET /local -> LocalView.get:5 @8',
      'aiohttp * /external -> svc/views.py:ExternalView:0 @9',
    ],
  },
  {
    name: 'a web.View class passed to add_get/add_route runs its method for that verb',
    code: `
      from aiohttp import web

      class MyView(web.View):
          async def get(self): ...
          async def post(self): ...

      def init():
          app = web.Application()
          app.router.add_get("/get", MyView)
          app.router.add_post("/post", MyView)
          app.router.add_route("*", "/any", MyView)
          return app
    `,
    routes: [
      'aiohttp GET /get -> MyView.get:4 @9',
      'aiohttp POST /post -> MyView.post:5 @10',
      'aiohttp GET /any -> MyView.get:4 @11',
      'aiohttp POST /any -> MyView.post:5 @11',
    ],
  },
  {
    name: 'sub-applications prefix their routes',
    code: `
      from aiohttp import web

      async def list_items(request): ...

      admin = web.Application()
      admin.router.add_get("/items", list_items)
      api_routes = web.RouteTableDef()

      @api_routes.get("/status")
      async def status(request): ...

      api = web.Application()
      api.add_routes(api_routes)

      app = web.Application()
      app.add_subapp("/admin/", admin)
      app.add_subapp("/api", api)
    `,
    routes: ['aiohttp GET /admin/items -> list_items:3 @6', 'aiohttp GET /api/status -> status:10 @9'],
  },
  {
    name: 'setup_routes module: handlers imported from views (names, module attributes)',
    code: `
      from .views import index, poll
      from . import admin_views, health
      from ..shared.handlers import Metrics

      def setup_routes(app):
          app.router.add_get("/", index)
          app.router.add_get("/poll/{question_id}", poll, name="poll")
          app.router.add_post("/admin/reset", admin_views.reset)
          app.router.add_get("/health", health)
          app.router.add_get("/metrics", Metrics.handle)
    `,
    file: 'src/polls/routes.py',
    routes: [
      'aiohttp GET / -> src/polls/views.py:index:0 @6',
      'aiohttp GET /poll/{question_id} -> src/polls/views.py:poll:0 @7',
      'aiohttp POST /admin/reset -> src/polls/admin_views.py:reset:0 @8',
      'aiohttp GET /health -> src/polls/__init__.py:health:0 @9',
      'aiohttp GET /metrics -> src/shared/handlers.py:Metrics.handle:0 @10',
    ],
  },
  {
    name: 'methods of a handler instance resolve to Class.method',
    code: `
      from aiohttp import web

      class Handler:
          def __init__(self):
              self.count = 0

          async def handle_intro(self, request):
              return web.Response(text="intro")

          async def handle_greeting(self, request):
              return web.Response(text="hi")

      handler = Handler()

      def init():
          app = web.Application()
          local = Handler()
          app.add_routes([web.get("/intro", handler.handle_intro),
                          web.get("/greet/{name}", local.handle_greeting)])
          return app
    `,
    routes: [
      'aiohttp GET /intro -> Handler.handle_intro:7 @18',
      'aiohttp GET /greet/{name} -> Handler.handle_greeting:10 @19',
    ],
  },
  {
    name: 'a class owning its routes: self.method handlers',
    code: `
      from aiohttp import web

      class Server:
          def __init__(self):
              self.app = web.Application()
              self.app.router.add_get("/health", self.health)

          async def health(self, request):
              return web.Response(text="ok")
    `,
    routes: ['aiohttp GET /health -> Server.health:8 @6'],
  },
  {
    name: 'a named list of route definitions, extended and appended to',
    code: `
      from aiohttp import web

      async def a(request): ...
      async def b(request): ...

      routes = [web.get("/a", a)]
      routes += [web.post("/b", b)]
      routes.append(web.delete("/a", a))

      sub = web.Application()
      sub.add_routes(routes)
      app = web.Application()
      app.add_subapp("/v1", sub)
    `,
    routes: ['aiohttp GET /v1/a -> a:3 @6', 'aiohttp POST /v1/b -> b:4 @7', 'aiohttp DELETE /v1/a -> a:3 @8'],
  },
  {
    name: 'aliased import of web, and a RouteTableDef imported from a module',
    code: `
      from aiohttp import web as aioweb
      from .tables import routes

      async def h(request): ...

      app = aioweb.Application()
      app.router.add_get("/h", h)

      @routes.get("/t")
      async def t(request): ...
    `,
    routes: ['aiohttp GET /h -> h:4 @7', 'aiohttp GET /t -> t:10 @9'],
  },
  // --- not routes ---
  {
    name: 'client session calls and responses are not routes',
    code: `
      import aiohttp
      from aiohttp import web

      async def fetch(url):
          async with aiohttp.ClientSession() as session:
              async with session.get("/upstream") as resp:
                  return await resp.text()

      async def handler(request):
          data = await request.post()
          return web.Response(text=data.get("/x", ""))
    `,
    routes: [],
  },
  {
    name: 'static routes, signals and middlewares are not routes',
    code: `
      from aiohttp import web
      app = web.Application(middlewares=[])
      app.router.add_static("/static", "static")
      app.on_startup.append(start)
      app.on_cleanup.append(stop)
    `,
    routes: [],
  },
  {
    name: 'route definitions with paths not spelled out in the file are skipped',
    code: `
      from aiohttp import web
      from .config import PREFIX
      app = web.Application()
      app.router.add_get(PREFIX + "/x", handler)
      app.add_routes([web.get(f"{PREFIX}/y", handler), web.get(str(PREFIX), handler)])
    `,
    routes: [],
  },
  {
    name: "a RouteTableDef's decorator applied by call",
    code: `
      from aiohttp import web

      routes = web.RouteTableDef()

      async def create(request): ...

      routes.post("/create")(create)
      routes.route("PUT", "/put")(create)
    `,
    routes: ['aiohttp POST /create -> create:5 @7', 'aiohttp PUT /put -> create:5 @8'],
  },
]);
