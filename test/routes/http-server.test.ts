import { routeTable } from './helpers.js';

routeTable('http.server routes', [
  {
    name: 'each do_METHOD of a BaseHTTPRequestHandler subclass, any path',
    code: `
      from http.server import BaseHTTPRequestHandler, HTTPServer

      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              self.send_response(200)
              self.end_headers()

          def do_POST(self):
              length = int(self.headers["Content-Length"])
              self.rfile.read(length)

          def log_message(self, fmt, *args):
              pass

      HTTPServer(("", 8000), Handler).serve_forever()
    `,
    routes: ['http.server GET * -> Handler.do_GET:4 @4', 'http.server POST * -> Handler.do_POST:8 @8'],
  },
  {
    name: 'module-qualified bases and SimpleHTTPRequestHandler',
    code: `
      import http.server
      import http.server as hs

      class Static(http.server.SimpleHTTPRequestHandler):
          def do_GET(self):
              return super().do_GET()

      class Api(hs.BaseHTTPRequestHandler):
          def do_DELETE(self):
              pass
    `,
    routes: ['http.server GET * -> Static.do_GET:5 @5', 'http.server DELETE * -> Api.do_DELETE:9 @9'],
  },
  {
    name: 'through a base class of the same file (even one without do_ methods)',
    code: `
      from http.server import BaseHTTPRequestHandler

      class JSONHandler(BaseHTTPRequestHandler):
          def send_json(self, data):
              self.wfile.write(data)

      class Mid(JSONHandler):
          pass

      class Metrics(Mid):
          def do_GET(self):
              self.send_json(b"{}")
    `,
    routes: ['http.server GET * -> Metrics.do_GET:11 @11'],
  },
  {
    name: 'paths compared with literals become the routes',
    code: `
      from http.server import BaseHTTPRequestHandler
      from urllib.parse import urlparse

      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              if self.path == "/health":
                  return self.ok()
              parsed = urlparse(self.path)
              if parsed.path in ("/items", "/items/"):
                  return self.items()
              if "/metrics" == self.path:
                  return self.metrics()
              self.send_error(404)

          def do_PUT(self):
              if self.path != "/x":
                  self.send_error(404)
    `,
    routes: [
      'http.server GET * -> Handler.do_GET:5 @5',
      'http.server GET /health -> Handler.do_GET:5 @5',
      'http.server GET /items -> Handler.do_GET:5 @5',
      'http.server GET /items/ -> Handler.do_GET:5 @5',
      'http.server GET /metrics -> Handler.do_GET:5 @5',
      'http.server PUT * -> Handler.do_PUT:15 @15',
    ],
  },
  {
    name: 'prefixes tested with startswith and segments of a split path become routes ending in *',
    code: `
      from http.server import BaseHTTPRequestHandler

      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              if self.path.startswith("/notes/"):
                  return self.note()
              if self.path.startswith(("/a/", "/b")):
                  return self.ab()
              parts = self.path.strip("/").split("/")
              if parts[0] == "users" and len(parts) == 2:
                  return self.user(parts[1])
              raw = self.path.split("/")
              if raw[2] == "edit":
                  return self.edit()
              if parts[0] == "x/y" or self.other.startswith("/z"):
                  pass

          def do_POST(self):
              segments = self.path.split("?")[0]
              if segments.startswith("nope"):
                  pass
    `,
    routes: [
      'http.server GET * -> Handler.do_GET:4 @4',
      'http.server GET /*/edit/* -> Handler.do_GET:4 @4',
      'http.server GET /a/* -> Handler.do_GET:4 @4',
      'http.server GET /b* -> Handler.do_GET:4 @4',
      'http.server GET /notes/* -> Handler.do_GET:4 @4',
      'http.server GET /users/* -> Handler.do_GET:4 @4',
      'http.server POST * -> Handler.do_POST:18 @18',
    ],
  },
  {
    name: 'a handler class built inside a function',
    code: `
      from http.server import BaseHTTPRequestHandler

      def make_handler(store):
          class Handler(BaseHTTPRequestHandler):
              def do_GET(self):
                  self.wfile.write(store.dump())
          return Handler
    `,
    routes: ['http.server GET * -> make_handler.Handler.do_GET:5 @5'],
  },
  // --- not routes ---
  {
    name: 'do_ methods of classes that are not request handlers',
    code: `
      import cmd
      import socketserver

      class Shell(cmd.Cmd):
          def do_GET(self, arg):
              pass

      class Echo(socketserver.BaseRequestHandler):
          def handle(self):
              pass

      class Plain:
          def do_POST(self):
              pass
    `,
    routes: [],
  },
  {
    name: 'helpers named like handlers but lower case are not methods',
    code: `
      from http.server import BaseHTTPRequestHandler

      class Handler(BaseHTTPRequestHandler):
          def do_get_stuff(self):
              pass
          def handle_one_request(self):
              super().handle_one_request()
    `,
    routes: [],
  },
]);
