/**
 * What a handler's body reads from the request: `request.get_json()` / `request.json` (Flask, Quart),
 * `await request.json()` (aiohttp, a FastAPI `Request`) followed by `["key"]` / `.get("key")`, directly or
 * through variables (`data = request.get_json() or {}` then `data["user"]["name"]`); `request.form` /
 * `await request.post()` / `await request.form()` for forms; `request.args` / `request.query` /
 * `request.query_params` for the query string. A key read with `[...]` is required, one read with
 * `.get(...)` or tested with `in` is not. Types come from `int(...)`/`float(...)`/`bool(...)` around the
 * read, the default of `.get("k", 0)`, or `type=int`; anything else is a string.
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
import { valueOfDefault } from './annotations.js';

export type Channel = 'json' | 'form' | 'query' | 'raw';

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
  ['data', { channel: 'raw', call: false }],
  ['get_data', { channel: 'raw', call: true }],
]);
/** aiohttp: the handler's `request` parameter (`self.request` in a web.View). */
export const AIOHTTP_CHANNELS = new Map<string, { channel: Channel; call: boolean | null }>([
  ['json', { channel: 'json', call: true }],
  ['post', { channel: 'form', call: true }],
  ['query', { channel: 'query', call: false }],
  ['text', { channel: 'raw', call: true }],
  ['read', { channel: 'raw', call: true }],
]);
/** FastAPI / Starlette: a parameter annotated `Request`. */
export const STARLETTE_CHANNELS = new Map<string, { channel: Channel; call: boolean | null }>([
  ['json', { channel: 'json', call: true }],
  ['form', { channel: 'form', call: true }],
  ['query_params', { channel: 'query', call: false }],
  ['body', { channel: 'raw', call: true }],
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
    raw: { required: true, value: null, children: new Map() },
  };
  let rawAs: 'xml' | 'json' | null = null;
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
    if (n.type === 'call') {
      // The raw body handed to a parser: ET.fromstring(request.data), json.loads(await request.text()).
      const parser = RAW_PARSERS.get(tailName(field(n, 'function')));
      const argument = positionalArguments(n)[0] ?? null;
      if (parser && readOf(argument)?.channel === 'raw') rawAs ??= parser;
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
  if (used.has('raw') && rawAs === 'xml') {
    const tags = elementNames(body).map((name) => ({
      name,
      required: true,
      value: { kind: 'str' as const },
    }));
    shapeBody = { encoding: 'xml', value: { kind: 'object', fields: tags } };
  } else if (used.has('raw') && rawAs !== 'json' && !used.has('json') && !used.has('form')) {
    shapeBody = { encoding: 'text', value: { kind: 'str' } };
  } else if (used.has('json') || (used.has('raw') && rawAs === 'json'))
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

/** Callees that parse a raw body, by their last name, and what they parse. */
const RAW_PARSERS = new Map<string, 'xml' | 'json'>([
  ['fromstring', 'xml'],
  ['XML', 'xml'],
  ['parseString', 'xml'],
  ['fromstringlist', 'xml'],
  ['loads', 'json'],
]);

function tailName(fn: Node | null): string {
  const dotted = dottedName(fn) ?? '';
  return dotted.slice(dotted.lastIndexOf('.') + 1);
}

/** Element names a handler looks up in a parsed document: `.find("item")`, `.iter("item")`, `.findall(".//x")`. */
function elementNames(body: Node): string[] {
  const names = new Set<string>();
  for (const call of descendants(body, 'call')) {
    const fn = field(call, 'function');
    const method = fn?.type === 'attribute' ? field(fn, 'attribute')?.text : null;
    if (!method || !['find', 'findall', 'iter', 'findtext', 'iterfind'].includes(method)) continue;
    const path = stringValue(unparenthesize(positionalArguments(call)[0] ?? null));
    const name = path?.split('/').filter(Boolean).pop();
    if (name && /^[A-Za-z_][\w.-]*$/.test(name)) names.add(name);
  }
  return [...names];
}
