/**
 * What a route's handler expects from a request, read from its source, so a generated scenario sends a
 * body and query the handler accepts instead of a fixed shape (a FastAPI handler taking a pydantic model
 * answers anything else with 422 and never runs):
 *
 * - FastAPI parameters: a class annotation that is a pydantic model (or a list/dict annotation, or a
 *   `Body()` default) is the JSON body (one such parameter is the body itself, several are embedded by
 *   name, as FastAPI does); `Form()` parameters a urlencoded form; other parameters that are not path
 *   parameters are query parameters. `Depends()`, `Header()`, `Cookie()`, `Path()` and framework types
 *   (`Request`, `BackgroundTasks`) are not the client's to fill; a `File()`/`UploadFile` makes the body
 *   unknown (multipart is not generated).
 * - What the handler reads: `request.get_json()` / `request.json` (Flask, Quart), `await request.json()`
 *   (aiohttp, a FastAPI `Request`) followed by `["key"]` / `.get("key")`, directly or through variables
 *   (`data = request.get_json() or {}` then `data["user"]["name"]`); `request.form` / `await
 *   request.post()` / `await request.form()` for forms; `request.args` / `request.query` /
 *   `request.query_params` for the query string. A key read with `[...]` is required, one read with
 *   `.get(...)` or tested with `in` is not. Types come from `int(...)`/`float(...)`/`bool(...)` around
 *   the read, the default of `.get("k", 0)`, or `type=int`; anything else is a string.
 *
 * Pydantic model fields are read lexically (LexClass.fields), so a model class need not be parsed. A
 * model of another module stays a `model` reference in the per-file result; linkRoutes resolves it
 * (resolveModelReferences) against the models the other files export.
 *
 * Everything here is pure: syntax nodes and a ShapeContext in, plain data out.
 */
import type { FieldShape, RequestShape, ValueShape } from '../../model/static.js';
import {
  descendants,
  dottedName,
  field,
  keywordArgument,
  namedChildren,
  positionalArguments,
  stringValue,
  unparenthesize,
  type Node,
} from '../pyast.js';

/** What shape extraction needs from the file around a handler. */
export interface ShapeContext {
  /** A dotted name qualified through the module's imports (`Body` → `fastapi.Body`). */
  qualify(dotted: string): string;
  /**
   * The request value of a class an annotation names at `line`: a same-file model's object, a
   * reference to another module's class, or null when it is nothing a client sends.
   */
  classValue(name: string, line: number): ValueShape | null;
}

// --- annotations ---------------------------------------------------------------------------------

const SCALARS = new Map<string, ValueShape['kind']>([
  ...[
    'str',
    'bytes',
    'constr',
    'conbytes',
    'SecretStr',
    'StrictStr',
    'StrictBytes',
    'AnyStr',
    'Any',
    'object',
  ].map((n): [string, ValueShape['kind']] => [n, 'str']),
  ...['int', 'conint', 'PositiveInt', 'NonNegativeInt', 'StrictInt'].map(
    (n): [string, ValueShape['kind']] => [n, 'int'],
  ),
  ...['float', 'confloat', 'Decimal', 'condecimal', 'PositiveFloat', 'NonNegativeFloat', 'StrictFloat'].map(
    (n): [string, ValueShape['kind']] => [n, 'float'],
  ),
  ['bool', 'bool'],
  ['StrictBool', 'bool'],
  ['EmailStr', 'email'],
  ['NameEmail', 'email'],
  ...['HttpUrl', 'AnyUrl', 'AnyHttpUrl', 'Url'].map((n): [string, ValueShape['kind']] => [n, 'url']),
  ...['UUID', 'UUID1', 'UUID3', 'UUID4', 'UUID5'].map((n): [string, ValueShape['kind']] => [n, 'uuid']),
  ['date', 'date'],
  ['datetime', 'datetime'],
]);
const LISTS = new Set([
  'list',
  'List',
  'set',
  'Set',
  'frozenset',
  'FrozenSet',
  'tuple',
  'Tuple',
  'Sequence',
  'Iterable',
  'conlist',
  'conset',
]);
const DICTS = new Set(['dict', 'Dict', 'Mapping', 'MutableMapping', 'Json']);
/** Modules whose names are never a client-sent class (typing constructs, the standard library). */
const NOT_A_MODEL = /^(?:typing|typing_extensions|collections|datetime|decimal|uuid|pydantic)(?:\.|$)/;

/** Top-level comma-separated parts of a subscript's argument text (`str, Query(max_length=3)`). */
export function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) parts.push(last);
  return parts;
}

/** Splits `A | B | None` at its top-level bars. */
function splitUnion(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === '|' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** A Python literal's value (`"a"`, `3`, `1.5`, `True`), or undefined for anything else. */
function literalValue(text: string): string | number | boolean | undefined {
  const t = text.trim();
  const quoted = /^[rRuUbB]?(['"])(.*)\1$/s.exec(t);
  if (quoted) return quoted[2];
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d*\.\d+(?:[eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'True' || t === 'False') return t === 'True';
  return undefined;
}

/**
 * The request value of a type annotation as written (`Optional[list[str]]`, `Item | None`, `"Item"`);
 * null when it names nothing a client sends (an unknown class, `None`).
 */
export function valueOfAnnotation(
  annotation: string,
  context: ShapeContext,
  line: number,
  depth = 0,
): ValueShape | null {
  let text = annotation.trim();
  if (depth > 8 || !text) return null;
  // A forward reference: `"Item"`.
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) text = quoted[2].trim();
  const union = splitUnion(text).filter((p) => p !== 'None');
  if (union.length !== 1 || union[0] !== text) {
    return union.length ? valueOfAnnotation(union[0], context, line, depth + 1) : null;
  }
  // `list[str]`, `conint(gt=0)` (a constrained type: what it constrains is all that matters here).
  const match = /^([A-Za-z_][\w.]*)\s*(?:\[(.*)\]|\((.*)\))?$/s.exec(text);
  if (!match) return null;
  const written = match[1];
  const args = match[2] !== undefined ? splitArguments(match[2]) : [];
  const qualified = context.qualify(written);
  const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
  const library = NOT_A_MODEL.test(qualified) || !qualified.includes('.');
  if (library || written === tail) {
    if (tail === 'Annotated' || tail === 'Optional' || tail === 'Required' || tail === 'NotRequired') {
      return args.length ? valueOfAnnotation(args[0], context, line, depth + 1) : null;
    }
    if (tail === 'Union') {
      const first = args.find((a) => a !== 'None');
      return first ? valueOfAnnotation(first, context, line, depth + 1) : null;
    }
    if (tail === 'Literal') {
      const value = args.length ? literalValue(args[0]) : undefined;
      return value === undefined ? null : { kind: 'literal', value };
    }
    if (LISTS.has(tail)) return { kind: 'list' };
    if (DICTS.has(tail)) return { kind: 'dict' };
    const scalar = SCALARS.get(tail);
    if (scalar) return { kind: scalar } as ValueShape;
  }
  if (NOT_A_MODEL.test(qualified) || tail === 'None') return null;
  return context.classValue(written, line);
}

/** The value of a literal default (`0`, `""`, `[]`, `{}`, `False`), or null for anything else. */
function valueOfDefault(node: Node | null): ValueShape | null {
  const n = unparenthesize(node);
  if (!n) return null;
  switch (n.type) {
    case 'integer':
      return { kind: 'int' };
    case 'float':
      return { kind: 'float' };
    case 'true':
    case 'false':
      return { kind: 'bool' };
    case 'string':
    case 'concatenated_string':
      return { kind: 'str' };
    case 'list':
    case 'tuple':
    case 'set':
      return { kind: 'list' };
    case 'dictionary':
      return { kind: 'dict' };
    case 'unary_operator':
      return valueOfDefault(field(n, 'argument'));
    default:
      return null;
  }
}

// --- models --------------------------------------------------------------------------------------

/** A model field as written in the class body: `name: annotation [= default]`. */
export interface WrittenField {
  name: string;
  annotation: string;
  /** The default's text, or null when there is none. */
  default: string | null;
  line: number;
}

/** Whether a field with this default must be sent: none, `...`, or `Field(...)` / `Field()` without one. */
export function fieldRequired(defaultText: string | null): boolean {
  if (defaultText === null) return true;
  const text = defaultText.trim();
  if (text === '...' || text === 'Ellipsis') return true;
  const call = /^(?:[\w.]*\.)?Field\s*\((.*)\)\s*$/s.exec(text);
  if (!call) return false;
  const args = splitArguments(call[1]);
  if (args.some((a) => /^default(?:_factory)?\s*=/.test(a) && !/^default\s*=\s*\.\.\.$/.test(a)))
    return false;
  const first = args[0];
  return first === undefined || first === '...' || /^\w+\s*=/.test(first);
}

/** The fields of a model class as request fields (ClassVars, private names and `model_config` left out). */
export function modelFields(fields: readonly WrittenField[], context: ShapeContext): FieldShape[] {
  const out: FieldShape[] = [];
  for (const f of fields) {
    if (f.name.startsWith('_') || f.name === 'model_config') continue;
    if (/^(?:typing\.)?ClassVar\b/.test(f.annotation)) continue;
    const value = valueOfAnnotation(f.annotation, context, f.line) ?? { kind: 'dict' };
    out.push({ name: f.name, value, required: fieldRequired(f.default) });
  }
  return out;
}

// --- FastAPI parameters --------------------------------------------------------------------------

const FASTAPI_MARKERS = new Set([
  'Depends',
  'Security',
  'Query',
  'Body',
  'Form',
  'File',
  'Header',
  'Cookie',
  'Path',
]);
/** Parameter annotations the framework fills itself; UploadFile means a multipart body. */
const FRAMEWORK_MODULES = /^(?:fastapi|starlette)\./;

interface Parameter {
  name: string;
  annotation: string | null;
  defaultNode: Node | null;
  line: number;
}

function parametersOf(def: Node): Parameter[] {
  const params = field(def, 'parameters');
  const out: Parameter[] = [];
  for (const p of params ? namedChildren(params) : []) {
    const line = p.startPosition.row + 1;
    if (p.type === 'identifier') out.push({ name: p.text, annotation: null, defaultNode: null, line });
    else if (p.type === 'typed_parameter') {
      const name = p.namedChild(0);
      if (name?.type !== 'identifier') continue; // *args: T, **kw: T
      out.push({ name: name.text, annotation: field(p, 'type')?.text ?? null, defaultNode: null, line });
    } else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const name = field(p, 'name');
      if (name?.type !== 'identifier') continue;
      out.push({
        name: name.text,
        annotation: field(p, 'type')?.text ?? null,
        defaultNode: field(p, 'value'),
        line,
      });
    }
  }
  return out;
}

/** `Query(...)`, `Body(embed=True)`, `Depends(get_db)` as a default or inside `Annotated[...]`. */
interface Marker {
  kind: string;
  /** The marker's own default says the value is optional. */
  optional: boolean;
  embed: boolean;
}

function markerOfCall(text: string, context: ShapeContext): Marker | null {
  const m = /^([A-Za-z_][\w.]*)\s*\((.*)\)$/s.exec(text.trim());
  if (!m) return null;
  const qualified = context.qualify(m[1]);
  const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
  if (!FASTAPI_MARKERS.has(tail) || !/^fastapi(?:\.|$)/.test(qualified)) return null;
  const args = splitArguments(m[2]);
  const first = args[0];
  const positionalDefault = first !== undefined && !/^\w+\s*=/.test(first) ? first : null;
  const keywordDefault = args.find((a) => /^default(?:_factory)?\s*=/.test(a)) ?? null;
  const given = positionalDefault ?? (keywordDefault ? keywordDefault.replace(/^\w+\s*=\s*/, '') : null);
  return {
    kind: tail,
    optional: given !== null && given !== '...',
    embed: args.some((a) => /^embed\s*=\s*True$/.test(a)),
  };
}

interface AnnotationParts {
  type: string | null;
  marker: Marker | null;
}

function annotationParts(annotation: string | null, context: ShapeContext): AnnotationParts {
  if (annotation === null) return { type: null, marker: null };
  const m = /^([A-Za-z_][\w.]*)\s*\[(.*)\]$/s.exec(annotation.trim());
  if (!m || !/(?:^|\.)Annotated$/.test(context.qualify(m[1]))) return { type: annotation, marker: null };
  const [type, ...metadata] = splitArguments(m[2]);
  const marker = metadata.map((t) => markerOfCall(t, context)).find((x) => x !== null) ?? null;
  return { type: type ?? null, marker };
}

/** What a FastAPI handler's parameters say; path parameters (named in the route path) are left out. */
export function fastapiParameterShape(
  def: Node,
  pathParameters: ReadonlySet<string>,
  context: ShapeContext,
): RequestShape | null {
  const query: FieldShape[] = [];
  const form: FieldShape[] = [];
  const body: { field: FieldShape; embed: boolean }[] = [];
  let multipart = false;
  for (const p of parametersOf(def)) {
    if (pathParameters.has(p.name) || p.name === 'self' || p.name === 'cls') continue;
    const parts = annotationParts(p.annotation, context);
    const defaultMarker = p.defaultNode ? markerOfCall(p.defaultNode.text, context) : null;
    const marker = parts.marker ?? defaultMarker;
    // `q: Annotated[str, Query()] = "x"` has its default after `=`; `q: str = Query("x")` inside the marker.
    const required = defaultMarker ? !defaultMarker.optional : !marker?.optional && p.defaultNode === null;
    const qualifiedType = parts.type ? context.qualify(parts.type.replace(/\[.*$/s, '').trim()) : '';
    if (FRAMEWORK_MODULES.test(qualifiedType)) {
      if (/(?:^|\.)UploadFile$/.test(qualifiedType)) multipart = true;
      continue;
    }
    if (marker && ['Depends', 'Security', 'Header', 'Cookie', 'Path'].includes(marker.kind)) continue;
    if (marker?.kind === 'File') {
      multipart = true;
      continue;
    }
    const typed = parts.type !== null ? valueOfAnnotation(parts.type, context, p.line) : null;
    if (parts.type !== null && typed === null) continue; // a class nobody sends (a dependency's type)
    const value = typed ?? valueOfDefault(p.defaultNode) ?? { kind: 'str' };
    const shaped: FieldShape = { name: p.name, value, required };
    if (marker?.kind === 'Form') form.push(shaped);
    else if (marker?.kind === 'Query') query.push(shaped);
    else if (marker?.kind === 'Body' || !isQueryValue(value))
      body.push({ field: shaped, embed: !!marker?.embed });
    else query.push(shaped);
  }
  let shapeBody: RequestShape['body'] = null;
  if (multipart) shapeBody = null;
  else if (body.length === 1 && !body[0].embed) shapeBody = { encoding: 'json', value: body[0].field.value };
  else if (body.length)
    shapeBody = { encoding: 'json', value: { kind: 'object', fields: body.map((b) => b.field) } };
  else if (form.length) shapeBody = { encoding: 'form', value: { kind: 'object', fields: form } };
  if (!shapeBody && !query.length) return null;
  return { body: shapeBody, query };
}

/** FastAPI reads scalars (and literals) from the query string; models, lists and dicts from the body. */
function isQueryValue(value: ValueShape): boolean {
  return value.kind !== 'object' && value.kind !== 'model' && value.kind !== 'list' && value.kind !== 'dict';
}

// --- what the handler reads ----------------------------------------------------------------------

export type Channel = 'json' | 'form' | 'query';

/** How a framework's handler reaches the request, and which expressions of it are body or query. */
export interface RequestAccess {
  /** Whether an expression (a name or dotted name, as written) is the request object. */
  isRequest(dotted: string): boolean;
  /** The channel an attribute of the request names (`json`), and whether it is read by calling it. */
  channels: ReadonlyMap<string, { channel: Channel; call: boolean | null }>;
}

/** Flask / Quart: the `request` global. */
export const FLASK_CHANNELS = new Map<string, { channel: Channel; call: boolean | null }>([
  ['get_json', { channel: 'json', call: true }],
  ['json', { channel: 'json', call: false }],
  ['form', { channel: 'form', call: false }],
  ['args', { channel: 'query', call: false }],
  ['values', { channel: 'query', call: false }],
]);
/** aiohttp: the handler's `request` parameter (`self.request` in a web.View). */
export const AIOHTTP_CHANNELS = new Map<string, { channel: Channel; call: boolean | null }>([
  ['json', { channel: 'json', call: true }],
  ['post', { channel: 'form', call: true }],
  ['query', { channel: 'query', call: false }],
]);
/** FastAPI / Starlette: a parameter annotated `Request`. */
export const STARLETTE_CHANNELS = new Map<string, { channel: Channel; call: boolean | null }>([
  ['json', { channel: 'json', call: true }],
  ['form', { channel: 'form', call: true }],
  ['query_params', { channel: 'query', call: false }],
]);

interface Read {
  channel: Channel;
  path: string[];
}

interface KeyTree {
  required: boolean;
  value: ValueShape | null;
  children: Map<string, KeyTree>;
}

const CASTS = new Map<string, ValueShape>([
  ['int', { kind: 'int' }],
  ['float', { kind: 'float' }],
  ['bool', { kind: 'bool' }],
  ['list', { kind: 'list' }],
  ['dict', { kind: 'dict' }],
  ['str', { kind: 'str' }],
]);

/** The request keys a handler body reads, per channel: `data["k"]`, `args.get("q")`, `"k" in form`. */
export function readShape(def: Node, access: RequestAccess): RequestShape | null {
  const body = field(def, 'body');
  if (!body) return null;
  const variables = new Map<string, Read>();
  const roots: Record<Channel, KeyTree> = {
    json: { required: true, value: null, children: new Map() },
    form: { required: true, value: null, children: new Map() },
    query: { required: true, value: null, children: new Map() },
  };
  const used = new Set<Channel>();

  /** The channel and key path an expression denotes, or null. */
  const readOf = (expr: Node | null, depth = 0): Read | null => {
    let n = unparenthesize(expr);
    if (!n || depth > 8) return null;
    if (n.type === 'await') n = unparenthesize(n.namedChild(0));
    if (n?.type === 'boolean_operator' && field(n, 'operator')?.type === 'or') {
      return readOf(field(n, 'left'), depth + 1);
    }
    if (!n) return null;
    if (n.type === 'identifier') return variables.get(n.text) ?? null;
    const source = sourceOf(n, access);
    if (source) return { channel: source, path: [] };
    const key = keyAccess(n);
    if (key) {
      const inner = readOf(key.object, depth + 1);
      return inner ? { channel: inner.channel, path: [...inner.path, key.key] } : null;
    }
    return null;
  };

  const record = (read: Read, required: boolean, value: ValueShape | null) => {
    used.add(read.channel);
    let node = roots[read.channel];
    read.path.forEach((key, i) => {
      let child = node.children.get(key);
      if (!child) {
        child = { required: false, value: null, children: new Map() };
        node.children.set(key, child);
      }
      const last = i === read.path.length - 1;
      // A key on the way (`data["user"]` of `data["user"]["name"]`) is recorded by its own read.
      if (last) child.required ||= required;
      if (last && value && (!child.value || child.value.kind === 'str')) child.value = value;
      node = child;
    });
  };

  // Source order: an assignment binds before the reads below it.
  const nodes = descendants(body, ['assignment', 'subscript', 'call', 'comparison_operator']);
  for (const n of nodes) {
    if (n.type === 'assignment') {
      const left = field(n, 'left');
      const read = readOf(field(n, 'right'));
      if (left?.type === 'identifier') {
        if (read) {
          variables.set(left.text, read);
          used.add(read.channel);
        } else variables.delete(left.text);
      }
      continue;
    }
    if (n.type === 'comparison_operator') {
      // `"k" in data`
      const [key, container] = namedChildren(n);
      if (n.children.some((c) => c?.type === 'in') && key && container) {
        const name = stringValue(unparenthesize(key));
        const read = name !== null ? readOf(container) : null;
        if (read && name !== null) record({ ...read, path: [...read.path, name] }, false, { kind: 'str' });
      }
      continue;
    }
    if (n.type === 'call' && sourceOf(n, access)) {
      used.add(sourceOf(n, access)!);
      continue;
    }
    const key = keyAccess(n);
    if (!key) continue;
    const object = readOf(key.object);
    if (!object) continue;
    const read = { channel: object.channel, path: [...object.path, key.key] };
    record(read, key.required, castAround(n) ?? key.value);
  }
  for (const n of descendants(body, 'attribute')) {
    const source = sourceOf(n, access);
    if (source) used.add(source);
  }

  const fieldsOf = (tree: KeyTree): FieldShape[] =>
    [...tree.children].map(([name, child]) => ({
      name,
      required: child.required,
      value: child.children.size
        ? { kind: 'object', fields: fieldsOf(child) }
        : (child.value ?? { kind: 'str' }),
    }));
  let shapeBody: RequestShape['body'] = null;
  if (used.has('json'))
    shapeBody = { encoding: 'json', value: { kind: 'object', fields: fieldsOf(roots.json) } };
  else if (used.has('form')) {
    shapeBody = { encoding: 'form', value: { kind: 'object', fields: fieldsOf(roots.form) } };
  }
  const query = fieldsOf(roots.query).map((f) =>
    f.value.kind === 'object' ? { ...f, value: { kind: 'str' as const } } : f,
  );
  if (!shapeBody && !query.length) return null;
  return { body: shapeBody, query };
}

/** `request.json`, `request.get_json(...)`, `request.args`: the channel this expression reads whole. */
function sourceOf(n: Node, access: RequestAccess): Channel | null {
  const attribute = n.type === 'call' ? unparenthesize(field(n, 'function')) : n;
  if (attribute?.type !== 'attribute') return null;
  const name = field(attribute, 'attribute')?.text ?? '';
  const spec = access.channels.get(name);
  if (!spec) return null;
  const called = n.type === 'call';
  if (spec.call !== null && spec.call !== called) return null;
  // `request.rel_url.query` (aiohttp) is the query too.
  let object = field(attribute, 'object');
  if (object?.type === 'attribute' && field(object, 'attribute')?.text === 'rel_url')
    object = field(object, 'object');
  const dotted = dottedName(object);
  return dotted !== null && access.isRequest(dotted) ? spec.channel : null;
}

/** `x["k"]` (required) or `x.get("k", default)` / `x.getlist("k")` / `x.get("k", type=int)` (optional). */
function keyAccess(
  n: Node,
): { object: Node | null; key: string; required: boolean; value: ValueShape | null } | null {
  if (n.type === 'subscript') {
    const index = field(n, 'subscript');
    const key = stringValue(unparenthesize(index));
    return key === null ? null : { object: field(n, 'value'), key, required: true, value: null };
  }
  if (n.type !== 'call') return null;
  const fn = field(n, 'function');
  const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : null;
  if (method !== 'get' && method !== 'getlist' && method !== 'getall' && method !== 'getone') return null;
  const [keyNode, defaultNode] = positionalArguments(n);
  const key = stringValue(unparenthesize(keyNode ?? null));
  if (key === null) return null;
  const type = keywordArgument(n, 'type');
  const value =
    method === 'getlist' || method === 'getall'
      ? { kind: 'list' as const }
      : ((type ? (CASTS.get(type.text) ?? null) : null) ??
        valueOfDefault(defaultNode ?? keywordArgument(n, 'default')));
  return { object: field(fn!, 'object'), key, required: method === 'getone', value };
}

/** `int(data["n"])`: the type the read is converted to right away. */
function castAround(n: Node): ValueShape | null {
  const args = n.parent;
  const call = args?.type === 'argument_list' ? args.parent : null;
  if (call?.type !== 'call' || positionalArguments(call)[0]?.id !== n.id) return null;
  const fn = field(call, 'function');
  return fn?.type === 'identifier' ? (CASTS.get(fn.text) ?? null) : null;
}

/** Both views of one handler: its parameters (FastAPI) and what its body reads; parameters win. */
export function mergeShapes(
  primary: RequestShape | null,
  secondary: RequestShape | null,
): RequestShape | null {
  if (!primary) return secondary;
  if (!secondary) return primary;
  const names = new Set(primary.query.map((q) => q.name));
  return {
    body: primary.body ?? secondary.body,
    query: [...primary.query, ...secondary.query.filter((q) => !names.has(q.name))],
  };
}
