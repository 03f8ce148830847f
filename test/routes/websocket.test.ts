/**
 * Websocket routes: aiohttp's websocket handlers (GET routes whose body creates and prepares a
 * WebSocketResponse) get the method WS like FastAPI's `@app.websocket`, and every WS route carries the
 * first message its handler reads (Route.request.body) and, for FastAPI, the handshake's query
 * parameters. Every snippet runs with and without the pre-scan (routesFor).
 */
import { describe, expect, it } from 'vitest';
import { routesFor, routeTable, shapeText } from './helpers.js';

routeTable('aiohttp websocket handlers are WS routes', [
  {
    name: 'app.router.add_get of a handler that prepares a web.WebSocketResponse; plain GETs stay GET',
    code: `
      from aiohttp import web

      async def chat(request):
          ws = web.WebSocketResponse()
          await ws.prepare(request)
          async for msg in ws:
              await ws.send_str(msg.data)
          return ws

      async def health(request):
          return web.json_response({})

      app = web.Application()
      app.router.add_get("/ws/{room}", chat)
      app.router.add_get("/health", health)
    `,
    routes: ['aiohttp WS /ws/{room} -> chat:3 @14', 'aiohttp GET /health -> health:10 @15'],
  },
  {
    name: 'web.get in add_routes, @routes.get, add_route("GET"/"*"), WebSocketResponse imported by name',
    code: `
      from aiohttp import web
      from aiohttp.web import WebSocketResponse

      routes = web.RouteTableDef()

      @routes.get("/feed")
      async def feed(request):
          socket = WebSocketResponse(heartbeat=30)
          await socket.prepare(request)
          return socket

      async def echo(request):
          ws = web.WebSocketResponse()
          await ws.prepare(request)
          return ws

      app = web.Application()
      app.add_routes([web.get("/echo", echo)])
      app.router.add_route("GET", "/echo2", echo)
      app.router.add_route("*", "/echo3", echo)
      app.add_routes(routes)
    `,
    routes: [
      'aiohttp WS /feed -> feed:7 @6',
      'aiohttp WS /echo -> echo:12 @18',
      'aiohttp WS /echo2 -> echo:12 @19',
      'aiohttp WS /echo3 -> echo:12 @20',
    ],
  },
  {
    name: 'a web.View whose get prepares a websocket; its post stays POST',
    code: `
      from aiohttp import web

      class Live(web.View):
          async def get(self):
              ws = web.WebSocketResponse()
              await ws.prepare(self.request)
              return ws

          async def post(self):
              return web.Response()

      app = web.Application()
      app.router.add_view("/live", Live)
    `,
    routes: ['aiohttp POST /live -> Live.post:9 @13', 'aiohttp WS /live -> Live.get:4 @13'],
  },
  {
    name: 'not websockets: a response never prepared, another library, a handler of another file, a POST',
    code: `
      from aiohttp import web
      from .views import remote
      from mylib import WebSocketResponse

      async def unprepared(request):
          ws = web.WebSocketResponse()
          return web.Response(text=str(ws))

      async def other(request):
          ws = WebSocketResponse()
          await ws.prepare(request)
          return ws

      async def posted(request):
          ws = web.WebSocketResponse()
          await ws.prepare(request)
          return ws

      app = web.Application()
      app.router.add_get("/a", unprepared)
      app.router.add_get("/b", other)
      app.router.add_get("/c", remote)
      app.router.add_post("/d", posted)
    `,
    routes: [
      'aiohttp GET /a -> unprepared:5 @20',
      'aiohttp GET /b -> other:9 @21',
      'aiohttp GET /c -> views.py:remote:0 @22',
      'aiohttp POST /d -> posted:14 @23',
    ],
  },
]);

interface ShapeCase {
  name: string;
  code: string;
  /** `METHOD path: shape` per route. */
  shapes: string[];
}

describe('the first message a websocket handler reads', () => {
  const cases: ShapeCase[] = [
    {
      name: 'aiohttp: receive_json and its keys; receive_str; msg.data of async for; msg.json()',
      code: `
        from aiohttp import web

        async def join(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            hello = await ws.receive_json()
            room = hello["room"]
            nick = hello.get("nick")
            return ws

        async def text(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            line = await ws.receive_str()
            return ws

        async def loop(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                await ws.send_str(msg.data.upper())
            return ws

        async def parsed(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            msg = await ws.receive()
            data = msg.json()
            kind = data["type"]
            return ws

        app = web.Application()
        app.router.add_get("/join", join)
        app.router.add_get("/text", text)
        app.router.add_get("/loop", loop)
        app.router.add_get("/parsed", parsed)
      `,
      shapes: [
        'WS /join: json {room: str, nick?: str}',
        'WS /text: text str',
        'WS /loop: text str',
        'WS /parsed: json {type: str}',
      ],
    },
    {
      name: 'FastAPI: receive_json keys, receive_text, iter_json, and query parameters of the handshake',
      code: `
        from fastapi import FastAPI, WebSocket
        from starlette.websockets import WebSocket as StarletteSocket

        app = FastAPI()

        @app.websocket("/ws/{room}")
        async def chat(websocket: WebSocket, room: str, token: str):
            await websocket.accept()
            first = await websocket.receive_json()
            user = first["user"]

        @app.websocket("/echo")
        async def echo(ws: StarletteSocket):
            await ws.accept()
            while True:
                await ws.send_text(await ws.receive_text())

        @app.websocket("/stream")
        async def stream(websocket: WebSocket):
            await websocket.accept()
            async for event in websocket.iter_json():
                pass

        @app.websocket("/silent")
        async def silent(websocket: WebSocket):
            await websocket.accept()
      `,
      shapes: [
        'WS /ws/{room}: json {user: str} | query token: str',
        'WS /echo: text str',
        'WS /stream: json {}',
        'WS /silent: -',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const routes = await routesFor(c.code);
      expect(routes.map((r) => `${r.method} ${r.path}: ${shapeText(r.request)}`)).toEqual(c.shapes);
    });
  }
});
