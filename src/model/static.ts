/** Plain data shared by the static phase and everything downstream of it. */

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/**
 * What the dynamic phase proved about a finding, strongest first (the order `merge` keeps the strongest
 * of): `confirmed` (a covering scenario showed the leak), `not-reproduced` (its code ran in most
 * iterations, with success answers, and stayed within budget), `not-reached` (covering scenarios ran but
 * the code did not: every answer a 404, or the function never entered), `not-exercised` (nothing ran
 * that covers it). One table: every report format takes its labels from here.
 */
export const DYNAMIC_STATUSES = {
  confirmed: { label: 'confirmed', strength: 3, says: 'confirmed by the soak: the covering scenario leaked' },
  'not-reproduced': {
    label: 'not reproduced',
    strength: 2,
    says: 'not reproduced: the scenarios that ran its code, with success answers, did not leak',
  },
  'not-reached': {
    label: 'not reached',
    strength: 1,
    says: 'not reached: the scenarios that cover it ran, but no request got to its code',
  },
  'not-exercised': {
    label: 'not exercised',
    strength: 0,
    says: 'not exercised: no scenario covering it ran',
  },
} as const;

export type DynamicStatus = keyof typeof DYNAMIC_STATUSES;

/**
 * How often a finding's code runs in a long-running service (SPEC §2): `repeated` (reached from a route,
 * a websocket handler, a background loop, a task-queue consumer…), `once` (start-up, module level,
 * `__main__`, management commands, CLIs), `test` (tests, test helpers, scripts, benchmarks, examples:
 * not reported by default), or `unknown` (no entry point found).
 */
export const RUN_FREQUENCIES = ['repeated', 'once', 'test', 'unknown'] as const;
export type RunFrequency = (typeof RUN_FREQUENCIES)[number];

export interface Finding {
  /** Long rule id, e.g. RELIABILITY_UNBOUNDED_GLOBAL. */
  rule: string;
  /** Short rule id, e.g. R1. */
  shortId: string;
  severity: Severity;
  /** Path relative to the analyzed PATH, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** Enclosing qualified name (`Class.method`, `outer.inner`) or null at module level. */
  function: string | null;
  confidence: Confidence;
  fix: string;
  /** How often its code runs; set by the project-wide pass (static/frequency/), absent per file. */
  runFrequency?: RunFrequency;
  /** The entry points that reach it, each with the calls in between (`GET /x via collect()`). */
  reachedFrom?: string[];
  dynamic?: DynamicStatus;
}

export type ProblemKind =
  | 'syntax-error'
  | 'not-utf8'
  | 'binary'
  | 'too-large'
  | 'unreadable'
  | 'symlink-loop'
  /** A symbolic link leading out of the analysed folder: not followed. */
  | 'outside-tree'
  /** The file's analysis hit the per-file time or memory guard: its findings are missing. */
  | 'analysis-limit'
  | 'internal-error';

/** Something that kept (part of) a file from being analysed. Never changes the exit code. */
export interface Problem {
  kind: ProblemKind;
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type Framework = 'flask' | 'fastapi' | 'starlette' | 'aiohttp' | 'django' | 'http.server';

export interface Route {
  framework: Framework;
  /** Upper-case HTTP method, or `*` when any method reaches the handler (Django views). */
  method: string;
  /**
   * Path pattern in the framework's own syntax, prefixes applied (`/items/<int:id>`, `/items/{id}`). In
   * per-file results only the prefixes that file spells out; the engine's list (linkRoutes) also those
   * of the registrations other files make.
   */
  path: string;
  /** Handler: the function the route runs. */
  handler: { file: string; function: string; line: number };
  /** Where the route is declared. */
  file: string;
  line: number;
  /**
   * Per-file results only (linkRoutes drops it): the module-level router/blueprint/app the route hangs
   * on, so a registration in another file can apply its prefix. Absent when the route's receiver is
   * not a module-level variable (an app built inside `create_app()`, `self.app`).
   */
  owner?: RouteOwner;
  /**
   * What the handler reads from the request, when its source says (a pydantic model parameter, the
   * keys it subscripts out of `request.get_json()`, `request.args.get("q")`…); absent when nothing is
   * known. Per-file results may hold `model` references to another module's classes; linkRoutes
   * resolves them.
   */
  request?: RequestShape;
}

/**
 * The value a field or parameter takes, as far as a request needs to know: a scalar kind, a literal,
 * an empty list or dict, an object with fields, or (per file only) a class of another module.
 */
export type ValueShape =
  | { kind: 'str' | 'int' | 'float' | 'bool' | 'email' | 'url' | 'uuid' | 'date' | 'datetime' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'list' | 'dict' }
  | { kind: 'object'; fields: FieldShape[] }
  | { kind: 'model'; module: string; name: string };

export interface FieldShape {
  name: string;
  value: ValueShape;
  /** False when the handler has a default for it (`.get("k")`, `q: str = ""`, `Field(default=…)`). */
  required: boolean;
}

export interface RequestShape {
  /** The body: JSON (any value) or a urlencoded form (an object); null when the handler reads none. */
  /**
   * `xml`: the raw body goes to an XML parser (its fields: the element names the handler looks for);
   * `text`: the raw body is read and used as it is.
   */
  body: { encoding: 'json' | 'form' | 'xml' | 'text'; value: ValueShape } | null;
  /** Query parameters, in the order the handler declares or reads them. */
  query: FieldShape[];
}

/** A class of a file whose fields a request body can be built from (a pydantic model, or may be one). */
export interface ModelShape {
  name: string;
  /** Own annotated fields, in order (a same-file base's come first). */
  fields: FieldShape[];
  /**
   * Bases imported from another module (`class ItemCreate(ItemBase)` after `from .base import
   * ItemBase`): the class is a model when one of them is, and their fields come first.
   */
  importedBases: { module: string; name: string }[];
  /** True when a same-file base chain reaches pydantic's BaseModel (or SQLModel). */
  model: boolean;
}

/** `from .users import router as users_router` in a package `__init__.py` (`*` for a star import). */
export interface Reexport {
  name: string;
  module: string;
  target: string;
}

/** A module-level variable routes hang on, and a path relative to it. */
export interface RouteOwner {
  /** The variable (`router`, `bp`, `app`); for Django the URLconf list (`urlpatterns`). */
  name: string;
  /**
   * Set when the variable is imported into the file: the module as written in the import (`app.api`,
   * `.`, `..core.routers`), which holds the variable; absent when the file binds it itself.
   */
  module?: string;
  /**
   * The path below the owner's own prefix: as written, with registrations inside this file applied
   * (`APIRouter(prefix="/items")` + `@router.get("/{id}")` → `/{id}`). Django: without the leading `/`.
   */
  path: string;
}

/**
 * A registration of another module's router/blueprint/app/URLconf (`app.include_router(items.router,
 * prefix="/api")`, `app.register_blueprint(bp, url_prefix="/x")`, `app.add_subapp("/admin", admin.app)`,
 * `path("polls/", include("polls.urls"))`): linkRoutes applies it to that module's routes.
 */
export interface Mount {
  framework: Framework;
  /**
   * What is registered: a variable of a module, the module as imported (`.routers.items` + `router`).
   * Django: `include("polls.urls")` is `polls.urls` + `urlpatterns`; `include(urls)` after `from polls
   * import urls` is `polls` + `urls` (a module or a list: the linker tries both).
   */
  target: { module: string; name: string };
  /** Prefix given at the registration (Django: the including patterns, `polls/`); null when none. */
  prefix: string | null;
  /**
   * `replace`: the prefix stands instead of the child's own (Flask `register_blueprint(url_prefix=)`,
   * the child's own `url_prefix` when null); `prepend`: it goes before the child's own (FastAPI
   * `include_router`/`mount`, aiohttp `add_subapp`/`add_routes`, Django `include`).
   */
  mode: 'replace' | 'prepend';
  /** The registering holder's prefix as this file computes it, before the registration's own prefix. */
  path: string;
  /**
   * The registering holder's module-level owner, with `path` relative to it; absent when the holder is
   * not a module-level variable (an app built inside `create_app()`): `path` is then final.
   */
  owner?: RouteOwner;
  line: number;
}

/** A module-level app/blueprint/router/route table a file binds, with its own prefix. */
export interface RouteHolder {
  name: string;
  framework: Framework | null;
  /** `APIRouter(prefix=)`, `Blueprint(url_prefix=)`; null when none. */
  prefix: string | null;
}

/** Everything the static phase learns about one file; cached by content hash. */
export interface FileResult {
  file: string;
  findings: Finding[];
  /** Findings silenced by `# heapgate: ignore[…]` comments. */
  suppressed: number;
  routes: Route[];
  problems: Problem[];
  /** Registrations of other modules' routers/blueprints/apps/URLconfs; absent when none. */
  mounts?: Mount[];
  /** Module-level route holders the file binds (their own prefixes, for linking); absent when none. */
  holders?: RouteHolder[];
  /** Request-body classes the file defines (for routes of other files that use them); absent when none. */
  models?: ModelShape[];
  /** A package `__init__.py`'s `from … import …` names, for registrations that import through it. */
  reexports?: Reexport[];
  /**
   * Module-level functions that are aiohttp websocket handlers (they create and prepare a
   * `WebSocketResponse`), for routes of other files that name them; absent when none.
   */
  websocketHandlers?: string[];
  /** The identifiers the file mentions (static/frequency/words.ts), for service code only. */
  words?: string;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
