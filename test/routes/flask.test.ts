import { routeTable } from './helpers.js';

routeTable('Flask routes', [
  {
    name: '@app.route defaults to GET; methods= gives one route per method, upper-cased',
    code: `
      from flask import Flask, request

      app = Flask(__name__)

      @app.route('/')
      def index():
          return 'ok'

      @app.route('/items/<int:item_id>', methods=['GET', 'post'])
      def item(item_id):
          return str(item_id)
    `,
    routes: [
      'flask GET / -> index:6 @5',
      'flask GET /items/<int:item_id> -> item:10 @9',
      'flask POST /items/<int:item_id> -> item:10 @9',
    ],
  },
  {
    name: 'Flask 2 shortcuts @app.get/post/put/patch/delete',
    code: `
      import flask

      app = flask.Flask("svc")

      @app.get("/users")
      def list_users(): ...
      @app.post("/users")
      def create_user(): ...
      @app.put("/users/<uuid:uid>")
      def replace_user(uid): ...
      @app.patch("/users/<uuid:uid>")
      def update_user(uid): ...
      @app.delete("/users/<uuid:uid>")
      def delete_user(uid): ...
    `,
    routes: [
      'flask GET /users -> list_users:6 @5',
      'flask POST /users -> create_user:8 @7',
      'flask PUT /users/<uuid:uid> -> replace_user:10 @9',
      'flask PATCH /users/<uuid:uid> -> update_user:12 @11',
      'flask DELETE /users/<uuid:uid> -> delete_user:14 @13',
    ],
  },
  {
    name: 'stacked route decorators and an auth decorator between them',
    code: `
      from flask import Flask
      from .auth import login_required
      app = Flask(__name__)

      @app.route("/report", methods=("GET",))
      @app.route("/report/<path:name>")
      @login_required
      def report(name=None):
          return name or ""
    `,
    routes: ['flask GET /report -> report:8 @5', 'flask GET /report/<path:name> -> report:8 @6'],
  },
  {
    name: 'blueprint url_prefix, overridden by register_blueprint(url_prefix=)',
    code: `
      from flask import Blueprint, Flask

      api = Blueprint("api", __name__, url_prefix="/api")

      @api.route("/health")
      def health():
          return "ok"

      @api.get("")
      def root():
          return "root"

      app = Flask(__name__)
      app.register_blueprint(api, url_prefix="/v1/")
    `,
    routes: ['flask GET /v1/health -> health:6 @5', 'flask GET /v1/ -> root:10 @9'],
  },
  {
    name: 'blueprint registered without url_prefix keeps its own; unregistered blueprint too',
    code: `
      from flask import Blueprint, Flask

      admin = Blueprint("admin", __name__, url_prefix="/admin")
      public = Blueprint("public", __name__)
      orphan = Blueprint("orphan", __name__, "static", url_prefix="/orphan")

      @admin.post("/users/<int:uid>/ban")
      def ban(uid): ...

      @public.route("/")
      def home(): ...

      @orphan.route("/x")
      def x(): ...

      app = Flask(__name__)
      app.register_blueprint(admin)
      app.register_blueprint(public)
    `,
    routes: [
      'flask POST /admin/users/<int:uid>/ban -> ban:8 @7',
      'flask GET / -> home:11 @10',
      'flask GET /orphan/x -> x:14 @13',
    ],
  },
  {
    name: 'a blueprint registered twice serves both prefixes; nested blueprints join prefixes',
    code: `
      from flask import Blueprint, Flask

      v = Blueprint("v", __name__)
      parent = Blueprint("parent", __name__, url_prefix="/parent")
      child = Blueprint("child", __name__, url_prefix="/child")

      @v.route("/ping")
      def ping(): ...

      @child.route("/leaf")
      def leaf(): ...

      app = Flask(__name__)
      app.register_blueprint(v, url_prefix="/v1")
      app.register_blueprint(v, url_prefix="/v2", name="v2")
      parent.register_blueprint(child)
      app.register_blueprint(parent)
    `,
    routes: [
      'flask GET /v1/ping -> ping:8 @7',
      'flask GET /v2/ping -> ping:8 @7',
      'flask GET /parent/child/leaf -> leaf:11 @10',
    ],
  },
  {
    name: 'add_url_rule with view_func (keyword or positional), defined before or after, imported, lambda',
    code: `
      from flask import Flask
      from .views import about
      from . import pages

      app = Flask(__name__)

      def status():
          return "up"

      app.add_url_rule("/status", view_func=status)
      app.add_url_rule("/late", "late", late_view, methods=["GET", "POST"])
      app.add_url_rule("/about", view_func=about)
      app.add_url_rule("/faq", view_func=pages.faq)
      app.add_url_rule("/ping", "ping", lambda: "pong")
      app.add_url_rule("/endpoint-only", endpoint="x")

      def late_view():
          return ""
    `,
    file: 'svc/app.py',
    routes: [
      'flask GET /status -> status:7 @10',
      'flask GET /late -> late_view:17 @11',
      'flask POST /late -> late_view:17 @11',
      'flask GET /about -> svc/views.py:about:0 @12',
      'flask GET /faq -> svc/pages.py:faq:0 @13',
      'flask GET /ping -> <lambda>:14 @14',
    ],
  },
  {
    name: 'MethodView registered with as_view: one route per HTTP method it defines, bases of the file included',
    code: `
      from flask import Flask
      from flask.views import MethodView

      class Base(MethodView):
          def delete(self, item_id):
              return ""

      class ItemAPI(Base):
          decorators = []

          def get(self, item_id):
              return ""

          def post(self):
              return ""

          def _load(self):
              return None

      app = Flask(__name__)
      app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))
    `,
    routes: [
      'flask DELETE /items/<int:item_id> -> Base.delete:5 @21',
      'flask GET /items/<int:item_id> -> ItemAPI.get:11 @21',
      'flask POST /items/<int:item_id> -> ItemAPI.post:14 @21',
    ],
  },
  {
    name: 'plain View with a methods attribute runs dispatch_request; methods= on add_url_rule wins',
    code: `
      from flask import Flask
      from flask.views import View, MethodView

      class Report(View):
          methods = ["GET", "POST"]

          def dispatch_request(self):
              methods = ["DELETE"]
              return ""

      class Users(MethodView):
          def get(self):
              return ""
          def post(self):
              return ""

      app = Flask(__name__)
      app.add_url_rule("/report", view_func=Report.as_view("report"))
      app.add_url_rule("/users", view_func=Users.as_view("users"), methods=["GET"])
    `,
    routes: [
      'flask GET /report -> Report.dispatch_request:7 @18',
      'flask POST /report -> Report.dispatch_request:7 @18',
      'flask GET /users -> Users.get:12 @19',
    ],
  },
  {
    name: 'a class-based view from another module cannot be looked into: one * route naming the class',
    code: `
      from flask import Flask
      from myapp.api.views import UserAPI

      app = Flask(__name__)
      app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
    `,
    file: 'myapp/main.py',
    routes: ['flask * /users/<int:id> -> myapp/api/views.py:UserAPI:0 @5'],
  },
  {
    name: 'application factory: routes and blueprints inside create_app',
    code: `
      from flask import Flask, Blueprint

      bp = Blueprint("auth", __name__, url_prefix="/auth")

      @bp.route("/login", methods=["POST"])
      def login(): ...

      def create_app(config=None):
          app = Flask(__name__)
          app.register_blueprint(bp)

          @app.route("/")
          def index():
              return "ok"

          def healthz():
              return "ok"

          app.add_url_rule("/healthz", view_func=healthz)
          return app
    `,
    routes: [
      'flask POST /auth/login -> login:6 @5',
      'flask GET / -> create_app.index:13 @12',
      'flask GET /healthz -> create_app.healthz:16 @19',
    ],
  },
  {
    name: 'an app imported from elsewhere, in a file importing flask, is Flask',
    code: `
      from flask import render_template
      from myapp import app

      @app.get("/")
      def home():
          return render_template("home.html")
    `,
    routes: ['flask GET / -> home:5 @4'],
  },
  {
    name: 'app = create_app() in a file without imports: @app.route is Flask, <converters> are Flask',
    code: `
      from .factory import create_app
      app = create_app()

      @app.route("/a")
      def a(): ...

      @app.get("/b/<int:x>")
      def b(x): ...
    `,
    routes: ['flask GET /a -> a:5 @4', 'flask GET /b/<int:x> -> b:8 @7'],
  },
  {
    name: 'Quart shares the Flask API',
    code: `
      from quart import Quart
      app = Quart(__name__)

      @app.route("/q", methods=["GET", "POST"])
      async def q():
          return "q"
    `,
    routes: ['flask GET /q -> q:5 @4', 'flask POST /q -> q:5 @4'],
  },
  {
    name: 'non-literal methods= gives *',
    code: `
      from flask import Flask
      app = Flask(__name__)
      ALL = ["GET", "POST"]

      @app.route("/any", methods=ALL)
      def any_(): ...
    `,
    routes: ['flask * /any -> any_:6 @5'],
  },
  {
    name: 'route in a class body (handler qualified by the class)',
    code: `
      from flask import Flask
      app = Flask(__name__)

      class Routes:
          @app.route("/c")
          def c():
              return ""
    `,
    routes: ['flask GET /c -> Routes.c:6 @5'],
  },
  {
    name: 'url_prefix given positionally (sixth argument), from a constant, or from config',
    code: `
      from flask import Blueprint, Flask
      from config import Config

      V1 = "/v1"
      a = Blueprint("a", __name__, None, None, "templates", "/a")
      b = Blueprint("b", __name__, url_prefix=V1 + "/b")
      c = Blueprint("c", __name__)

      @a.route("/x")
      def ax(): ...
      @b.route("/y")
      def by(): ...
      @c.route("/z")
      def cz(): ...

      app = Flask(__name__)
      app.register_blueprint(c, url_prefix=Config.C_PREFIX)
    `,
    routes: [
      'flask GET /a/x -> ax:10 @9',
      'flask GET /v1/b/y -> by:12 @11',
      'flask GET <Config.C_PREFIX>/z -> cz:14 @13',
    ],
  },
  {
    name: 'Flask-RESTful resources: one route per URL and per method the Resource defines, Api prefix',
    code: `
      from flask import Flask, Blueprint
      from flask_restful import Api, Resource
      from .resources import Health

      app = Flask(__name__)
      bp = Blueprint("api", __name__, url_prefix="/api")
      api = Api(bp, prefix="/v1")

      class TodoList(Resource):
          def get(self):
              return []
          def post(self):
              return {}, 201

      api.add_resource(TodoList, "/todos", "/tasks")
      api.add_resource(Health, "/health")
      app.register_blueprint(bp)
    `,
    routes: [
      'flask GET /api/v1/tasks -> TodoList.get:10 @15',
      'flask GET /api/v1/todos -> TodoList.get:10 @15',
      'flask POST /api/v1/tasks -> TodoList.post:12 @15',
      'flask POST /api/v1/todos -> TodoList.post:12 @15',
      'flask * /api/v1/health -> resources.py:Health:0 @16',
    ],
  },
  {
    name: 'Flask-RESTX @api.route / @ns.route on Resource classes',
    code: `
      from flask_restx import Api, Resource, Namespace

      api = Api(version="1.0")
      ns = api.namespace("todos")

      @api.route("/hello")
      class Hello(Resource):
          def get(self):
              return {"hello": "world"}

      @ns.route("/<int:id>")
      @ns.param("id", "The task identifier")
      class Todo(Resource):
          def get(self, id): ...
          def delete(self, id): ...
    `,
    routes: [
      'flask GET /hello -> Hello.get:8 @6',
      'flask DELETE /<int:id> -> Todo.delete:15 @11',
      'flask GET /<int:id> -> Todo.get:14 @11',
    ],
  },
  {
    name: 'imports inside a module-level try/if count; imports inside defs do not make a framework',
    code: `
      try:
          from flask import Flask
      except ImportError:  # pragma: no cover
          Flask = None
      from .shared import app as shared_app

      app = Flask(__name__)

      @app.route("/t")
      def t(): ...

      def helper():
          from fastapi import FastAPI
          return FastAPI

      @shared_app.get("/s")
      def s(): ...
    `,
    routes: ['flask GET /t -> t:10 @9', 'flask GET /s -> s:17 @16'],
  },
  // --- not routes ---
  {
    name: 'dict.get, requests.get and client calls are not routes',
    code: `
      import requests
      from flask import Flask
      app = Flask(__name__)
      config = {}
      value = config.get("/x")
      r = requests.get("/api/items")

      def f(client):
          return client.get("/items")
    `,
    routes: [],
  },
  {
    name: 'rules built from module constants are resolved; other computed rules are skipped',
    code: `
      from flask import Flask
      from .settings import BASE
      app = Flask(__name__)
      PREFIX = "/api"

      @app.route(PREFIX + "/x")
      def x(): ...

      @app.route(f"{PREFIX}/y/<int:n>")
      def y(n): ...

      @app.route(BASE + "/z")
      def z(): ...

      @app.route(make_rule("w"))
      def w(): ...

      def local(prefix):
          @app.route(prefix + "/v")
          def v(): ...
    `,
    routes: ['flask GET /api/x -> x:7 @6', 'flask GET /api/y/<int:n> -> y:10 @9'],
  },
  {
    name: 'decorators that are not route declarations',
    code: `
      import click
      from flask import Flask
      app = Flask(__name__)

      @app.before_request
      def before(): ...

      @app.errorhandler(404)
      def not_found(e): ...

      @app.cli.command("seed")
      def seed(): ...

      @app.template_filter("upper")
      def upper(s): ...

      @cache.get("key")
      def cached(): ...
    `,
    routes: [],
  },
  {
    name: 'another framework bound in the file (Sanic, Bottle) is not reported as Flask',
    code: `
      from sanic import Sanic
      from bottle import Bottle
      app = Sanic("svc")
      b = Bottle()

      @app.get("/x")
      async def x(request): ...

      @b.route("/y")
      def y(): ...
    `,
    routes: [],
  },
  {
    name: 'route-shaped text in strings and comments is not a route',
    code: `
      from flask import Flask
      app = Flask(__name__)
      DOC = """
      @app.route("/docstring")
      def fake(): ...
      """
      # @app.route("/comment")
      # def commented(): ...
    `,
    routes: [],
  },
  {
    name: 'decorators applied by call: app.route(rule)(view), app.get(rule)(wrapped(view)), bp.route(...)(imported view)',
    code: `
      from flask import Blueprint, Flask
      from . import pages

      app = Flask(__name__)
      bp = Blueprint("bp", __name__, url_prefix="/bp")

      def index(): ...

      app.route("/")(index)
      app.get("/wrapped")(login_required(index))
      bp.route("/faq", methods=["GET", "POST"])(pages.faq)
      app.register_blueprint(bp)
    `,
    routes: [
      'flask GET / -> index:7 @9',
      'flask GET /wrapped -> index:7 @10',
      'flask GET /bp/faq -> pages.py:faq:0 @11',
      'flask POST /bp/faq -> pages.py:faq:0 @11',
    ],
  },
  {
    name: 'a blueprint returned by a factory def, registered with and without url_prefix',
    code: `
      from flask import Blueprint, Flask

      def create_bp(name):
          bp = Blueprint(name, __name__, url_prefix="/own")

          @bp.route("/x")
          def x(): ...

          def y(): ...

          bp.route("/y", methods=["POST"])(y)
          bp.add_url_rule("/z", view_func=y)
          return bp

      app = Flask(__name__)
      app.register_blueprint(create_bp("a"), url_prefix="/a")
      app.register_blueprint(create_bp("b"))
    `,
    routes: [
      'flask GET /a/x -> create_bp.x:7 @6',
      'flask GET /own/x -> create_bp.x:7 @6',
      'flask POST /a/y -> create_bp.y:9 @11',
      'flask POST /own/y -> create_bp.y:9 @11',
      'flask GET /a/z -> create_bp.y:9 @12',
      'flask GET /own/z -> create_bp.y:9 @12',
    ],
  },
]);
