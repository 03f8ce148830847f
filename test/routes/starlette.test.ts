/**
 * Starlette's route lists (`Starlette(routes=[Route(...), WebSocketRoute(...), Mount(...)])`): each route
 * with its methods, websocket routes as WS, Mount prefixes written around them. Every snippet runs with
 * and without the pre-scan (routeTable).
 */
import { routeTable } from './helpers.js';

routeTable('Starlette route lists', [
  {
    name: 'Route, WebSocketRoute and Mount in Starlette(routes=[...]); an HTTPEndpoint class by its verbs',
    code: `
      from starlette.applications import Starlette
      from starlette.endpoints import HTTPEndpoint
      from starlette.routing import Mount, Route, WebSocketRoute

      async def homepage(request):
          return PlainTextResponse("hi")

      async def feed(websocket):
          await websocket.accept()

      class Users(HTTPEndpoint):
          async def get(self, request):
              return JSONResponse([])

          async def post(self, request):
              return JSONResponse({})

      app = Starlette(routes=[
          Route("/", homepage),
          Route("/submit", homepage, methods=["post", "PUT"]),
          WebSocketRoute("/ws/{room}", feed),
          Mount("/api", routes=[
              Route("/users", Users),
              Mount("/v2/", routes=[Route("/ping", endpoint=homepage)]),
          ]),
      ])
    `,
    routes: [
      'starlette GET / -> homepage:5 @19',
      'starlette POST /submit -> homepage:5 @20',
      'starlette PUT /submit -> homepage:5 @20',
      'starlette WS /ws/{room} -> feed:8 @21',
      'starlette GET /api/users -> Users.get:12 @23',
      'starlette POST /api/users -> Users.post:15 @23',
      'starlette GET /api/v2/ping -> homepage:5 @24',
    ],
  },
  {
    name: 'a module-level list given to Starlette by name; fastapi.routing re-exports the same classes',
    code: `
      from starlette.applications import Starlette
      from fastapi.routing import APIRouter
      import starlette.routing as routing

      async def health(request):
          return PlainTextResponse("ok")

      routes = [routing.Route("/health", health), routing.WebSocketRoute("/live", health)]
      app = Starlette(routes=routes)
    `,
    routes: ['starlette GET /health -> health:5 @8', 'starlette WS /live -> health:5 @8'],
  },
  {
    name: 'not Starlette: a Route class of another library, and one the file defines',
    code: `
      from werkzeug.routing import Rule as Route
      from myapp.routing import WebSocketRoute

      def index():
          return "x"

      class Route:
          def __init__(self, path, endpoint):
              pass

      RULES = [Route("/a", index), WebSocketRoute("/b", index)]
    `,
    routes: [],
  },
]);
