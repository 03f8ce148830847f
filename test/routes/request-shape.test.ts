/**
 * What a handler expects from a request (Route.request), read from its source: FastAPI parameters and
 * pydantic models, and the keys Flask/aiohttp/Starlette handlers read out of the JSON body, the form
 * and the query string. Every snippet runs through routesFor, so the pre-scan must give the same
 * shapes as a full parse (a view registered by call is a def the pre-scan does not parse).
 */
import { describe, expect, it } from 'vitest';
import { fieldRequired, splitArguments } from '../../src/static/routes/request-shape.js';
import { routesFor, shapeText } from './helpers.js';

interface ShapeCase {
  name: string;
  code: string;
  /** `METHOD path: shape` per route, in the extractor's order. */
  shapes: string[];
}

function shapeTable(title: string, cases: ShapeCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const routes = await routesFor(c.code);
        expect(routes.map((r) => `${r.method} ${r.path}: ${shapeText(r.request)}`)).toEqual(c.shapes);
      });
    }
  });
}

shapeTable('FastAPI: parameters and pydantic models', [
  {
    name: 'a model parameter is the body: one key per field, by type, nested models as objects',
    code: `
      from datetime import date, datetime
      from enum import Enum
      from typing import Dict, List, Literal, Optional, Union
      from uuid import UUID

      from fastapi import FastAPI
      from pydantic import BaseModel, EmailStr, Field, HttpUrl, conint

      app = FastAPI()

      class Size(str, Enum):
          small = "s"
          large = "l"

      class Tag(BaseModel):
          label: str

      class Item(BaseModel):
          """An item.

          name: what the docstring says is no field
          """

          model_config = {"extra": "forbid"}
          _secret: str = "x"
          name: str
          count: int
          price: float = 0.0
          active: bool
          tags: list[str] = []
          ids: List[int]
          extra: dict
          scores: Dict[str, int] = {}
          note: Optional[str] = None
          alias: str | None = None
          either: Union[int, str]
          email: EmailStr
          site: HttpUrl
          ref: UUID
          born: date
          seen: datetime
          kind: Literal["a", "b"]
          size: Size
          main: Tag
          others: list[Tag] = Field(default_factory=list)
          level: conint(gt=0) = Field(..., description="required")
          limit: int = Field(10, ge=1)
          spread: Dict[
              str,
              int,
          ] = {}  # a declaration over several lines

          class Config:
              orm_mode = True

          def total(self) -> float:
              label: str = "a local, not a field"
              return self.price

      @app.post("/items")
      async def create(item: Item):
          return item
    `,
    shapes: [
      'POST /items: json {name: str, count: int, price?: float, active: bool, tags?: list, ids: list, ' +
        'extra: dict, scores?: dict, note?: str, alias?: str, either: int, email: email, site: url, ' +
        'ref: uuid, born: date, seen: datetime, kind: "a", size: "s", main: {label: str}, others?: list, ' +
        'level: int, limit?: int, spread?: dict}',
    ],
  },
  {
    name: 'path parameters are left out; other scalars are the query; dependencies and framework types are not sent',
    code: `
      from typing import Annotated

      from fastapi import BackgroundTasks, Depends, FastAPI, Header, Query, Request

      app = FastAPI()

      @app.get("/shops/{shop}/items/{item_id:int}")
      async def read(
          shop: str,
          item_id: int,
          request: Request,
          tasks: BackgroundTasks,
          q: str,
          page: int = 1,
          flag: bool = False,
          tag=None,
          sort: str = Query("name"),
          needed: str = Query(...),
          size: Annotated[int, Query(ge=1)] = 10,
          token: Annotated[str, Header()] = "",
          user=Depends(current_user),
          db: Annotated[object, Depends(get_db)] = None,
      ):
          return {}
    `,
    shapes: [
      'GET /shops/{shop}/items/{item_id:int}: query q: str, page?: int, flag?: bool, tag?: str, ' +
        'sort?: str, needed: str, size?: int',
    ],
  },
  {
    name: 'several body parameters are embedded by name; Body(embed=True) embeds one; a list is a body',
    code: `
      from fastapi import Body, FastAPI
      from pydantic import BaseModel

      app = FastAPI()

      class User(BaseModel):
          name: str

      class Item(BaseModel):
          title: str

      @app.put("/both")
      def both(user: User, item: Item, importance: int = Body(...)):
          return {}

      @app.post("/one")
      def one(item: Item = Body(..., embed=True)):
          return {}

      @app.post("/many")
      def many(items: list[Item]):
          return {}
    `,
    shapes: [
      'PUT /both: json {user: {name: str}, item: {title: str}, importance: int}',
      'POST /one: json {item: {title: str}}',
      'POST /many: json list',
    ],
  },
  {
    name: 'Form() parameters make a form body; an upload makes the body unknown',
    code: `
      from fastapi import FastAPI, File, Form, UploadFile

      app = FastAPI()

      @app.post("/login")
      async def login(username: str = Form(...), remember: bool = Form(False)):
          return {}

      @app.post("/upload")
      async def upload(file: UploadFile, note: str = Form("")):
          return {}

      @app.post("/raw")
      async def raw(data: bytes = File(...)):
          return {}
    `,
    shapes: ['POST /login: form {username: str, remember?: bool}', 'POST /upload: -', 'POST /raw: -'],
  },
  {
    name: 'a model from another module stays a reference; a base class of this file is inherited; a model refers to itself',
    code: `
      from typing import Optional

      from fastapi import APIRouter
      from pydantic import BaseModel

      from . import schemas
      from .schemas import Address

      router = APIRouter()

      class Base(BaseModel):
          id: int

      class Node(Base):
          name: str
          parent: Optional["Node"] = None
          home: Address

      @router.post("/nodes")
      async def add(node: Node, other: schemas.Other):
          return node
    `,
    shapes: [
      'POST /nodes: json {node: {id: int, name: str, parent?: dict, home: <.schemas:Address>}, other: <.schemas:Other>}',
    ],
  },
  {
    name: 'a handler reading a Starlette Request: the JSON keys it takes, its query_params',
    code: `
      from fastapi import FastAPI
      from starlette.requests import Request

      app = FastAPI()

      @app.post("/hook")
      async def hook(req: Request, source: str):
          payload = await req.json()
          event = payload["event"]
          if "retry" in payload:
              pass
          return {"event": event, "page": req.query_params.get("page")}
    `,
    shapes: ['POST /hook: json {event: str, retry?: str} | query source: str, page?: str'],
  },
  {
    name: 'registered by call: add_api_route and app.post(path)(f) of a def the pre-scan does not parse',
    code: `
      from fastapi import FastAPI
      from pydantic import BaseModel

      app = FastAPI()

      class Note(BaseModel):
          text: str

      async def save(note: Note, draft: bool = False):
          return note

      async def ping():
          return {}

      app.add_api_route("/notes", save, methods=["POST"])
      app.post("/notes/again")(save)
      app.get("/ping")(ping)
    `,
    shapes: [
      'POST /notes: json {text: str} | query draft?: bool',
      'POST /notes/again: json {text: str} | query draft?: bool',
      'GET /ping: -',
    ],
  },
]);

shapeTable('Flask: what the view reads from request', [
  {
    name: 'get_json() keys: subscripts are required, .get() is not, casts and defaults give the type, nesting follows variables',
    code: `
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/orders")
      def create():
          data = request.get_json(force=True) or {}
          customer = data["customer"]
          quantity = int(data["quantity"])
          price = data.get("price", 0.0)
          gift = data.get("gift", False)
          tags = data.get("tags", [])
          city = data["address"]["city"]
          address = data["address"]
          zip_code = address.get("zip")
          if "coupon" in data:
              pass
          return {"customer": customer, "q": quantity, "p": price, "g": gift, "t": tags, "c": city, "z": zip_code}
    `,
    shapes: [
      'POST /orders: json {customer: str, quantity: int, price?: float, gift?: bool, tags?: list, ' +
        'address: {city: str, zip?: str}, coupon?: str}',
    ],
  },
  {
    name: 'request.json subscripted directly, query arguments with type=, form fields, an aliased request',
    code: `
      from flask import Flask
      from flask import request as req

      app = Flask(__name__)

      @app.route("/search", methods=["GET", "POST"])
      def search():
          term = req.json["term"]
          page = req.args.get("page", type=int)
          sort = req.args.get("sort", "name")
          ids = req.args.getlist("id")
          return {"term": term, "page": page, "sort": sort, "ids": ids}

      @app.post("/login")
      def login():
          user = req.form["username"]
          remember = req.form.get("remember")
          return {"user": user, "remember": remember}

      @app.get("/plain")
      def plain():
          return {}
    `,
    shapes: [
      'GET /search: json {term: str} | query page?: int, sort?: str, id?: list',
      'POST /search: json {term: str} | query page?: int, sort?: str, id?: list',
      'POST /login: form {username: str, remember?: str}',
      'GET /plain: -',
    ],
  },
  {
    name: 'a JSON body read whole (no key known) is still a JSON body; add_url_rule of a def the pre-scan does not parse',
    code: `
      from flask import Flask, request

      app = Flask(__name__)
      EVENTS = []

      def ingest():
          EVENTS.append(request.get_json())
          return {"ok": True}

      def lookup():
          return {"q": request.args["q"]}

      app.add_url_rule("/events", view_func=ingest, methods=["POST"])
      app.route("/lookup")(lookup)
    `,
    shapes: ['POST /events: json {}', 'GET /lookup: query q: str'],
  },
  {
    name: 'a MethodView method',
    code: `
      from flask import Flask, request
      from flask.views import MethodView

      app = Flask(__name__)

      class ItemAPI(MethodView):
          def get(self):
              return {}

          def post(self):
              return {"name": request.get_json()["name"]}

      app.add_url_rule("/items", view_func=ItemAPI.as_view("items"))
    `,
    shapes: ['GET /items: -', 'POST /items: json {name: str}'],
  },
]);

shapeTable('aiohttp: what the handler reads from its request', [
  {
    name: 'await request.json() keys, request.query and rel_url.query, await request.post() forms, self.request in a View',
    code: `
      from aiohttp import web

      routes = web.RouteTableDef()

      @routes.post("/events")
      async def events(request):
          body = await request.json()
          kind = body["kind"]
          limit = int(request.query.get("limit", "10"))
          return web.json_response({"kind": kind, "limit": limit, "x": request.rel_url.query["x"]})

      @routes.post("/form")
      async def form(req):
          data = await req.post()
          return web.json_response({"name": data["name"]})

      @routes.view("/things")
      class Things(web.View):
          async def post(self):
              data = await self.request.json()
              return web.json_response({"id": data["id"]})
    `,
    shapes: [
      'POST /events: json {kind: str} | query limit?: int, x: str',
      'POST /form: form {name: str}',
      'POST /things: json {id: str}',
    ],
  },
  {
    name: 'a handler registered by call, its def parsed on its own',
    code: `
      from aiohttp import web

      async def create(request):
          data = await request.json()
          return web.json_response({"name": data["name"]})

      app = web.Application()
      app.router.add_post("/create", create)
    `,
    shapes: ['POST /create: json {name: str}'],
  },
]);

describe('request-shape helpers', () => {
  it('splits subscript arguments at top-level commas only', () => {
    expect(splitArguments('str, Query(max_length=3, regex="a,b"), Dict[str, int]')).toEqual([
      'str',
      'Query(max_length=3, regex="a,b")',
      'Dict[str, int]',
    ]);
  });

  it.each([
    [null, true],
    ['...', true],
    ['Field(...)', true],
    ['Field(description="x")', true],
    ['Field(default=...)', true],
    ['Field(None)', false],
    ['Field(default=3)', false],
    ['Field(default_factory=list)', false],
    ['pydantic.Field(1, ge=0)', false],
    ['"x"', false],
  ])('a field with default %s is required: %s', (text, required) => {
    expect(fieldRequired(text)).toBe(required);
  });
});

shapeTable('raw bodies: XML, JSON by hand, plain text', [
  {
    name: 'Flask: the raw body to an XML parser is XML, with the elements the view looks for',
    code: `
      import xml.etree.ElementTree as ET
      from flask import Flask, request

      app = Flask(__name__)

      @app.route("/import", methods=["POST"])
      def import_items():
          root = ET.fromstring(request.get_data())
          for item in root.iter("item"):
              pass
          return {"n": len(root.findall(".//order"))}
    `,
    shapes: ['POST /import: xml {item: str, order: str}'],
  },
  {
    name: 'aiohttp: json.loads of the text is JSON, the text alone is text',
    code: `
      import json
      from aiohttp import web

      async def load(request):
          data = json.loads(await request.text())
          return web.json_response(data)

      async def echo(request):
          body = await request.read()
          return web.Response(body=body)

      app = web.Application()
      app.router.add_post("/load", load)
      app.router.add_post("/echo", echo)
    `,
    shapes: ['POST /load: json {}', 'POST /echo: text str'],
  },
  {
    name: 'Flask: request.data through a variable to lxml',
    code: `
      from flask import Flask, request
      from lxml import etree

      app = Flask(__name__)

      @app.post("/feed")
      def feed():
          raw = request.data
          doc = etree.fromstring(raw)
          return doc.findtext("title")
    `,
    shapes: ['POST /feed: xml {title: str}'],
  },
]);
