import { appRegistry } from '../../src/static/rules/r6-app-registry.js';
import { ruleTable } from './rule-table.js';

ruleTable(appRegistry, {
  valid: [
    {
      name: 'removed in finally around the message loop',
      code: `
        async def ws_handler(request):
            ws = await open_ws(request)
            request.app["websockets"].add(ws)
            try:
                async for msg in ws:
                    await handle(msg)
            finally:
                request.app["websockets"].discard(ws)
            return ws
      `,
    },
    {
      name: 'removed in another handler (disconnect)',
      code: `
        async def join(request, ws, user):
            request.app["users"][user] = ws
        async def leave(request, user):
            del request.app["users"][user]
      `,
    },
    {
      name: 'created at start-up, fixed keys and counters',
      code: `
        from aiohttp import web
        def init_app():
            app = web.Application()
            app["websockets"] = set()
            app["hits"] = 0
            return app
        async def index(request):
            request.app["hits"] += 1
            request.app["state"]["ready"] = True
            request.app["flags"].add("seen")
            return web.Response()
      `,
    },
    {
      name: 'removed right after the growth with nothing awaited in between',
      code: `
        def handle(request, item):
            request.app["pending"].append(item)
            process(item)
            request.app["pending"].remove(item)
      `,
    },
    {
      name: 'app.state registry with a removal in finally',
      code: `
        async def stream(websocket):
            websocket.app.state.clients.add(websocket)
            try:
                while True:
                    await websocket.receive_text()
            finally:
                websocket.app.state.clients.discard(websocket)
      `,
    },
    {
      name: 'a long-lived manager whose own method removes on disconnect',
      code: `
        class ConnectionManager:
            def __init__(self):
                self.active = []
            async def connect(self, ws):
                await ws.accept()
                self.active.append(ws)
            def disconnect(self, ws):
                self.active.remove(ws)
        manager = ConnectionManager()
      `,
    },
    {
      name: 'an instance made per request is not long-lived',
      code: `
        class Batch:
            def __init__(self):
                self.items = []
            def add(self, item):
                self.items.append(item)
        def handler(request):
            batch = Batch()
            batch.add(request.body)
            return len(batch.items)
      `,
    },
    {
      name: 'a module-level instance whose attribute is only set up in __init__',
      code: `
        class Registry:
            def __init__(self):
                self.routes = {}
                self.routes["/"] = "index"
            def lookup(self, path):
                return self.routes.get(path)
        registry = Registry()
      `,
    },
    {
      name: 'other objects called app that are not subscripted or given state',
      code: `
        def handler(request):
            request.app.router.add_get("/x", view)
            items.append(request.app)
      `,
    },
  ],
  invalid: [
    {
      // aiohttp-demos' chat: sockets under a web.AppKey, removed after the loop; a send to a peer that is
      // gone raises first and the entry stays.
      name: 'a registry under a module-level AppKey, removed after the loop outside finally',
      code: `
        from aiohttp import web
        ws_key = web.AppKey("ws_key", dict)
        async def index(request):
            ws_current = web.WebSocketResponse()
            await ws_current.prepare(request)
            name = get_random_name()
            for ws in request.app[ws_key].values():
                await ws.send_json({"action": "join", "name": name})
            request.app[ws_key][name] = ws_current
            while True:
                msg = await ws_current.receive()
                if msg.type != 1:
                    break
            del request.app[ws_key][name]
            return ws_current
      `,
      lines: [9],
      function: 'index',
      message:
        'app[ws_key] grows in index() via `request.app[ws_key][…] = …` and is shrunk at line 14 only when the function gets there: an exception or a cancellation while it waits skips it.',
    },
    {
      name: 'aiohttp websockets added to app state and never removed',
      code: `
        from aiohttp import web
        async def ws_handler(request):
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            request.app["websockets"].add(ws)
            async for msg in ws:
                pass
            return ws
      `,
      lines: [5],
      function: 'ws_handler',
      message:
        'app["websockets"] grows in ws_handler() via `request.app["websockets"].add(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'a nested registry keyed by room and user (a real chat app)',
      code: `
        async def websocket_handler(request):
            ws = await prepare(request)
            room = "test_room"
            user = await ws.receive_str()
            request.app["websockets"][room][user] = ws
            async for msg in ws:
                await broadcast(request.app, msg.json())
            return ws
      `,
      lines: [5],
      message:
        'app["websockets"] grows in websocket_handler() via `request.app["websockets"][…] = …` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'removed after the message loop, outside finally',
      code: `
        async def ws_handler(request):
            ws = await open_ws(request)
            request.app["websockets"].add(ws)
            async for msg in ws:
                await handle(msg)
            request.app["websockets"].discard(ws)
            return ws
      `,
      lines: [3],
      message:
        'app["websockets"] grows in ws_handler() via `request.app["websockets"].add(…)` and is shrunk at line 6 only when the function gets there: an exception or a cancellation while it waits skips it.',
    },
    {
      name: 'cleared only at shutdown',
      code: `
        async def on_shutdown(app):
            for ws in app["sockets"]:
                await ws.close()
            app["sockets"].clear()
        async def ws_handler(request):
            ws = await open_ws(request)
            request.app["sockets"].append(ws)
            return ws
      `,
      lines: [7],
      message:
        'app["sockets"] grows in ws_handler() via `request.app["sockets"].append(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'FastAPI app.state list grown per request',
      code: `
        from fastapi import FastAPI, Request
        app = FastAPI()
        @app.post("/events")
        async def events(request: Request, body: dict):
            request.app.state.events.append(body)
            return {}
      `,
      lines: [5],
      message:
        'app.state.events grows in events() via `request.app.state.events.append(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'a class-based view adding to the app through self.request',
      code: `
        from aiohttp import web
        class WebSocket(web.View):
            async def get(self):
                ws = await open_ws(self.request)
                self.request.app["websockets"].append(ws)
                async for msg in ws:
                    await handle(msg)
                self.request.app["websockets"].remove(ws)
                return ws
      `,
      lines: [5],
      message:
        'app["websockets"] grows in WebSocket.get() via `self.request.app["websockets"].append(…)` and is shrunk at line 8 only when the function gets there: an exception or a cancellation while it waits skips it.',
    },
    {
      name: 'request.config_dict registry',
      code: `
        async def subscribe(request):
            request.config_dict["subscribers"].add(request.query["id"])
            return ok()
      `,
      lines: [2],
      message:
        'app["subscribers"] grows in subscribe() via `request.config_dict["subscribers"].add(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'a module-level manager whose attribute grows and is deleted outside finally',
      code: `
        class Manager:
            def __init__(self):
                self.active = {}
            async def handle(self, ws, key):
                self.active[key] = ws
                await ws.serve()
                del self.active[key]
        manager = Manager()
      `,
      lines: [5],
      function: 'Manager.handle',
      message:
        'Manager.active grows in Manager.handle() via `self.active[…] = …` and is shrunk at line 7 only when the function gets there: an exception or a cancellation while it waits skips it.',
    },
    {
      name: 'a module-level tracker that never forgets',
      code: `
        class Tracker:
            def __init__(self):
                self.seen = set()
            def visit(self, user_id):
                self.seen.add(user_id)
        tracker = Tracker()
        def view(request):
            tracker.visit(request.user.id)
      `,
      lines: [5],
      message:
        'Tracker.seen grows in Tracker.visit() via `self.seen.add(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
    {
      name: 'an instance stored on the app, grown through the instance',
      code: `
        class Hub:
            def __init__(self):
                self.peers = []
            def count(self):
                return len(self.peers)
        def init(app):
            app["hub"] = Hub()
        async def join(request):
            request.app["hub"].peers.append(request)
      `,
      lines: [9],
      message:
        'Hub.peers grows in join() via `request.app["hub"].peers.append(…)` and nothing but shutdown code removes entries: it lives as long as the app.',
    },
  ],
});
