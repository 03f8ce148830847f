import { routeTable } from './helpers.js';

routeTable('FastAPI routes', [
  {
    name: 'every verb decorator, async and sync handlers, paths kept as written',
    code: `
      from fastapi import FastAPI

      app = FastAPI(title="svc")

      @app.get("/items/{item_id}")
      async def read_item(item_id: int):
          return {"id": item_id}

      @app.post("/items", status_code=201)
      def create_item(item: dict):
          return item

      @app.put("/items/{item_id}")
      async def put_item(item_id: int): ...
      @app.patch("/items/{item_id}")
      async def patch_item(item_id: int): ...
      @app.delete("/items/{item_id}")
      async def delete_item(item_id: int): ...
      @app.options("/items")
      async def items_options(): ...
      @app.head("/items")
      async def items_head(): ...
      @app.get("/files/{file_path:path}")
      async def read_file(file_path: str): ...
    `,
    routes: [
      'fastapi GET /items/{item_id} -> read_item:6 @5',
      'fastapi POST /items -> create_item:10 @9',
      'fastapi PUT /items/{item_id} -> put_item:14 @13',
      'fastapi PATCH /items/{item_id} -> patch_item:16 @15',
      'fastapi DELETE /items/{item_id} -> delete_item:18 @17',
      'fastapi OPTIONS /items -> items_options:20 @19',
      'fastapi HEAD /items -> items_head:22 @21',
      'fastapi GET /files/{file_path:path} -> read_file:24 @23',
    ],
  },
  {
    name: 'api_route with methods, defaulting to GET',
    code: `
      from fastapi import FastAPI
      app = FastAPI()

      @app.api_route("/both", methods=["GET", "POST"])
      async def both(): ...

      @app.api_route("/default")
      async def default(): ...
    `,
    routes: [
      'fastapi GET /both -> both:5 @4',
      'fastapi POST /both -> both:5 @4',
      'fastapi GET /default -> default:8 @7',
    ],
  },
  {
    name: 'APIRouter prefix, include_router prefix on top of it',
    code: `
      from fastapi import APIRouter, Depends, FastAPI

      router = APIRouter(prefix="/users", tags=["users"])

      @router.get("/")
      async def list_users(): ...

      @router.get("/{user_id}")
      async def get_user(user_id: int, db=Depends(get_db)): ...

      app = FastAPI()
      app.include_router(router, prefix="/api/v1")
    `,
    routes: [
      'fastapi GET /api/v1/users/ -> list_users:6 @5',
      'fastapi GET /api/v1/users/{user_id} -> get_user:9 @8',
    ],
  },
  {
    name: 'router included without prefix, router never included, nested routers',
    code: `
      from fastapi import APIRouter, FastAPI

      items = APIRouter(prefix="/items")
      lonely = APIRouter(prefix="/lonely")
      api = APIRouter(prefix="/api")
      health = APIRouter()

      @items.get("")
      async def list_items(): ...

      @lonely.post("/x")
      async def x(): ...

      @health.get("/health")
      def healthcheck(): ...

      api.include_router(items, prefix="/v2")
      app = FastAPI()
      app.include_router(api)
      app.include_router(health)
    `,
    routes: [
      'fastapi GET /api/v2/items -> list_items:9 @8',
      'fastapi POST /lonely/x -> x:12 @11',
      'fastapi GET /health -> healthcheck:15 @14',
    ],
  },
  {
    name: 'websockets get the method WS',
    code: `
      from fastapi import FastAPI, WebSocket
      app = FastAPI()

      @app.websocket("/ws/{client_id}")
      async def ws(websocket: WebSocket, client_id: str):
          await websocket.accept()
    `,
    routes: ['fastapi WS /ws/{client_id} -> ws:5 @4'],
  },
  {
    name: 'add_api_route and add_api_websocket_route',
    code: `
      from fastapi import FastAPI
      from .handlers import upload

      async def ping():
          return "pong"

      app = FastAPI()
      app.add_api_route("/ping", ping)
      app.add_api_route("/upload", upload, methods=["POST", "PUT"])
      app.router.add_api_websocket_route("/stream", ping)
    `,
    file: 'api/main.py',
    routes: [
      'fastapi GET /ping -> ping:4 @8',
      'fastapi POST /upload -> api/handlers.py:upload:0 @9',
      'fastapi PUT /upload -> api/handlers.py:upload:0 @9',
      'fastapi WS /stream -> ping:4 @10',
    ],
  },
  {
    name: 'annotated binding, factory function, and an app imported by a FastAPI file',
    code: `
      from fastapi import FastAPI

      app: FastAPI = FastAPI()

      @app.get("/a")
      def a(): ...

      def create_app() -> FastAPI:
          application = FastAPI()

          @application.get("/b")
          async def b(): ...

          return application
    `,
    routes: ['fastapi GET /a -> a:6 @5', 'fastapi GET /b -> create_app.b:12 @11'],
  },
  {
    name: 'routers of a routers/ module, app defined elsewhere',
    code: `
      from fastapi import APIRouter, HTTPException
      from ..db import get_session

      router = APIRouter()

      @router.get("/orders/{order_id}", response_model=dict)
      async def get_order(order_id: int):
          raise HTTPException(404)
    `,
    file: 'app/routers/orders.py',
    routes: ['fastapi GET /orders/{order_id} -> get_order:7 @6'],
  },
  {
    name: 'an imported app with {params} in a file without framework imports is FastAPI',
    code: `
      from .main import app

      @app.get("/items/{item_id}")
      def read_item(item_id: int): ...

      @app.get("/", response_model=dict)
      def root(): ...
    `,
    routes: ['fastapi GET /items/{item_id} -> read_item:4 @3', 'fastapi GET / -> root:7 @6'],
  },
  {
    name: 'mounting a FastAPI sub-application of the same file prefixes its routes',
    code: `
      from fastapi import FastAPI
      from fastapi.staticfiles import StaticFiles

      app = FastAPI()
      subapi = FastAPI()

      @subapi.get("/sub")
      def sub(): ...

      app.mount("/subapi", subapi)
      app.mount("/static", StaticFiles(directory="static"), name="static")
    `,
    routes: ['fastapi GET /subapi/sub -> sub:8 @7'],
  },
  {
    name: 'include_router of an imported module router adds nothing here',
    code: `
      from fastapi import FastAPI
      from .routers import users, items

      app = FastAPI()
      app.include_router(users.router, prefix="/users")
      app.include_router(items.router)

      @app.get("/")
      async def root():
          return {}
    `,
    routes: ['fastapi GET / -> root:9 @8'],
  },
  {
    name: 'prefixes from module constants and f-strings are resolved; others become a {placeholder}',
    code: `
      from fastapi import APIRouter, FastAPI
      from app.core.config import settings

      API_PREFIX = "/api"
      VERSION = 'v2'  # bumped on breaking changes

      users = APIRouter(prefix=f"{API_PREFIX}/users")
      items = APIRouter()

      @users.get("/me")
      async def me(): ...

      @items.get("/items")
      async def list_items(): ...

      @items.get(API_PREFIX + "/count")
      async def count(): ...

      app = FastAPI()
      app.include_router(users, prefix="/" + VERSION)
      app.include_router(items, prefix=settings.API_V1_STR)
    `,
    routes: [
      'fastapi GET /v2/api/users/me -> me:11 @10',
      'fastapi GET {settings.API_V1_STR}/items -> list_items:14 @13',
      'fastapi GET {settings.API_V1_STR}/api/count -> count:17 @16',
    ],
  },
  // --- not routes ---
  {
    name: 'middleware, events, exception handlers and dependencies are not routes',
    code: `
      from fastapi import FastAPI, Request
      app = FastAPI()

      @app.middleware("http")
      async def timing(request: Request, call_next): ...

      @app.on_event("startup")
      async def startup(): ...

      @app.exception_handler(ValueError)
      async def on_value_error(request, exc): ...
    `,
    routes: [],
  },
  {
    name: 'paths not spelled out in the file, and relative paths, are skipped',
    code: `
      from fastapi import FastAPI
      from .conf import BASE
      app = FastAPI()

      @app.get(BASE + "/x")
      def x(): ...

      @app.get("items")
      def y(): ...
    `,
    routes: [],
  },
  {
    name: 'an httpx/requests client .get in a FastAPI file is not a route',
    code: `
      import httpx
      from fastapi import FastAPI
      app = FastAPI()
      client = httpx.AsyncClient()

      async def fetch():
          return await client.get("/upstream")

      result = {"a": 1}.get("/a")
    `,
    routes: [],
  },
  {
    name: 'Django Ninja and Sanic decorators on objects the file does not bind are not guessed',
    code: `
      from ninja import Router
      from django.shortcuts import get_object_or_404
      from .api import api

      router = Router()

      @router.get("/items/{item_id}")
      def get_item(request, item_id: int): ...

      @api.post("/orders")
      def create_order(request): ...
    `,
    routes: [],
  },
  {
    name: 'Starlette and Litestar apps are not reported as FastAPI',
    code: `
      from starlette.applications import Starlette
      app = Starlette()

      @app.route("/s")
      async def s(request): ...
    `,
    routes: [],
  },
  {
    name: 'decorators applied by call: app.get(path)(f), api_route(...)(f), router.post(path)(imported or wrapped f)',
    code: `
      from fastapi import APIRouter, FastAPI
      from .handlers import remote

      app = FastAPI()
      router = APIRouter(prefix="/r")

      async def plain(): ...

      app.get("/plain")(plain)
      app.api_route("/both", methods=["GET", "POST"])(plain)
      router.post("/remote")(remote)
      router.delete("/wrapped")(timed(plain))
      app.include_router(router)
      handlers.get("/not-a-route")(plain)
    `,
    routes: [
      'fastapi GET /plain -> plain:7 @9',
      'fastapi GET /both -> plain:7 @10',
      'fastapi POST /both -> plain:7 @10',
      'fastapi POST /r/remote -> handlers.py:remote:0 @11',
      'fastapi DELETE /r/wrapped -> plain:7 @12',
    ],
  },
  {
    name: 'a router returned by a factory def: served under each registration of the call, also via a module variable',
    code: `
      from fastapi import APIRouter, FastAPI

      def make_router():
          r = APIRouter(prefix="/items")

          @r.get("/{item_id}")
          async def read(item_id: int): ...

          return r

      def unrelated():
          return 1

      app = FastAPI()
      app.include_router(make_router(), prefix="/v1")
      app.include_router(make_router(), prefix="/v2")
      router = make_router()
      app.include_router(router, prefix="/v3")
      app.include_router(unrelated())
    `,
    routes: [
      'fastapi GET /v1/items/{item_id} -> make_router.read:7 @6',
      'fastapi GET /v2/items/{item_id} -> make_router.read:7 @6',
      'fastapi GET /v3/items/{item_id} -> make_router.read:7 @6',
    ],
  },
  {
    name: 'a factory nobody registers in the file keeps its own prefix',
    code: `
      from fastapi import APIRouter

      def build():
          router = APIRouter(prefix="/own")
          router.add_api_route("/x", handler, methods=["PUT"])
          return router
    `,
    routes: ['fastapi PUT /own/x -> handler:0 @5'],
  },
]);
