/**
 * Websocket routes: which handlers are websocket endpoints, and what their first message is.
 *
 * FastAPI and Starlette say so at the declaration (`@app.websocket`, `add_api_websocket_route`: fastapi.ts
 * gives them the method `WS`). aiohttp does not: a websocket handler is registered as a GET route (the
 * opening handshake is a GET) and only its body tells — it creates a `web.WebSocketResponse()` and calls
 * its `prepare(request)`. Such a route gets the method `WS` here, so the gate drives it with WebSocket
 * connections instead of plain GETs that its `prepare` would refuse.
 *
 * For a `WS` route, Route.request describes the first message the handler reads (`body`: `receive_json()`
 * and the keys taken out of it, or `receive_str()` / `receive_text()` text) and, for FastAPI, the query
 * parameters of the handshake URL (`query`), read with the same code as HTTP bodies (handler-reads.ts).
 */
import type { RequestShape, Route } from '../../model/static.js';
import { descendants, dottedName, field, namedChildren, type Node } from '../pyast.js';
import type { SourceBlock } from '../prescan.js';
import type { RouteCollector } from './collector.js';
import { readShape, type Channel } from './handler-reads.js';

type Channels = ReadonlyMap<string, { channel: Channel; call: boolean | null }>;

const AIOHTTP_WEBSOCKET = /^aiohttp\.(?:web|web_ws)\.WebSocketResponse$/;
const STARLETTE_WEBSOCKET = /^(?:fastapi|fastapi\.websockets|starlette\.websockets)\.WebSocket$/;

/**
 * What an aiohttp handler reads from its WebSocketResponse (`ws`), and from a message it got with
 * `msg = await ws.receive()` or `async for msg in ws` (`msg.json()`, `msg.data`).
 */
const AIOHTTP_MESSAGE_CHANNELS: Channels = new Map([
  ['receive_json', { channel: 'json', call: true }],
  ['receive_str', { channel: 'raw', call: true }],
  ['receive_bytes', { channel: 'raw', call: true }],
  ['json', { channel: 'json', call: true }],
  ['data', { channel: 'raw', call: false }],
]);
/** What a FastAPI / Starlette handler reads from its `WebSocket` parameter. */
const STARLETTE_MESSAGE_CHANNELS: Channels = new Map([
  ['receive_json', { channel: 'json', call: true }],
  ['receive_text', { channel: 'raw', call: true }],
  ['receive_bytes', { channel: 'raw', call: true }],
  ['iter_json', { channel: 'json', call: true }],
  ['iter_text', { channel: 'raw', call: true }],
  ['iter_bytes', { channel: 'raw', call: true }],
]);

/** The names an aiohttp handler binds to a `web.WebSocketResponse(...)` it creates; empty: none. */
function aiohttpSockets(c: RouteCollector, def: Node): Set<string> {
  const names = new Set<string>();
  for (const assign of descendants(def, 'assignment')) {
    const left = field(assign, 'left');
    const right = field(assign, 'right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const callee = dottedName(field(right, 'function'));
    if (callee && AIOHTTP_WEBSOCKET.test(c.imports.qualify(callee))) names.add(left.text);
  }
  return names;
}

/**
 * Whether a same-file aiohttp handler (a def, or a web.View method) is a websocket endpoint: it binds a
 * `web.WebSocketResponse()` and calls `prepare` on it.
 */
export function isAiohttpWebsocketHandler(c: RouteCollector, def: Node): boolean {
  const sockets = aiohttpSockets(c, def);
  if (!sockets.size) return false;
  return descendants(def, 'call').some((call) => {
    const fn = field(call, 'function');
    if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'prepare') return false;
    const object = field(fn, 'object');
    return object?.type === 'identifier' && sockets.has(object.text);
  });
}

/** The first message an aiohttp websocket handler reads, when its body says. */
export function aiohttpMessageShape(c: RouteCollector, def: Node): RequestShape | null {
  const names = aiohttpSockets(c, def);
  // `async for msg in ws` and `msg = await ws.receive()`: msg carries the message.
  for (const loop of descendants(def, 'for_statement')) {
    const left = field(loop, 'left');
    const right = field(loop, 'right');
    if (left?.type === 'identifier' && right?.type === 'identifier' && names.has(right.text)) {
      names.add(left.text);
    }
  }
  for (const assign of descendants(def, 'assignment')) {
    const left = field(assign, 'left');
    let right = field(assign, 'right');
    if (right?.type === 'await') right = right.namedChild(0);
    const fn = right?.type === 'call' ? field(right, 'function') : null;
    const object = fn?.type === 'attribute' ? field(fn, 'object') : null;
    if (
      left?.type === 'identifier' &&
      field(fn, 'attribute')?.text === 'receive' &&
      object?.type === 'identifier' &&
      names.has(object.text)
    ) {
      names.add(left.text);
    }
  }
  return messageShape(def, names, AIOHTTP_MESSAGE_CHANNELS);
}

/** The first message a FastAPI / Starlette websocket handler reads from its `WebSocket` parameter. */
export function starletteMessageShape(c: RouteCollector, def: Node): RequestShape | null {
  const names = new Set<string>();
  const params = field(def, 'parameters');
  for (const p of params ? namedChildren(params) : []) {
    if (p.type !== 'typed_parameter') continue;
    const name = p.namedChild(0);
    const type = field(p, 'type');
    if (name?.type === 'identifier' && type && STARLETTE_WEBSOCKET.test(c.imports.qualify(type.text))) {
      names.add(name.text);
    }
  }
  return messageShape(def, names, STARLETTE_MESSAGE_CHANNELS);
}

function messageShape(def: Node, names: ReadonlySet<string>, channels: Channels): RequestShape | null {
  if (!names.size) return null;
  const read = readShape(def, { isRequest: (dotted) => names.has(dotted), channels });
  return read?.body ? { body: read.body, query: [] } : null;
}

/**
 * The routes with aiohttp's websocket handlers as `WS`: a GET (or any-method) route whose same-file
 * handler creates and prepares a WebSocketResponse. A handler in another file (aiohttp-demos' chat:
 * routes in main.py, `index` in views.py) is upgraded when routes are linked, from that file's
 * lexicalAiohttpWebsockets.
 */
export function withAiohttpWebsockets<R extends Route>(c: RouteCollector, routes: R[]): R[] {
  const known = new Map<number, boolean>();
  return routes.map((route) => {
    const { handler } = route;
    if (route.framework !== 'aiohttp' || (route.method !== 'GET' && route.method !== '*')) return route;
    if (handler.file !== c.file || handler.line === 0) return route;
    if (!known.has(handler.line)) {
      const def = c.functionAt(handler.line);
      known.set(handler.line, def !== null && isAiohttpWebsocketHandler(c, def));
    }
    return known.get(handler.line) ? { ...route, method: 'WS' } : route;
  });
}

const DEF_NAME = /^(?:@[^\n]*\n[ \t]*)*(?:async[ \t]+)?def[ \t]+(\w+)/;

/**
 * The module-level functions of a file that create a `WebSocketResponse` and call `.prepare(` on
 * something: read from the text alone, since a file of handlers has no route and may not be parsed. Looser
 * than isAiohttpWebsocketHandler (the names are not matched), and used only for routes another file
 * declares with aiohttp, naming the function.
 */
export function lexicalAiohttpWebsockets(source: string, blocks: readonly SourceBlock[]): string[] {
  if (!source.includes('WebSocketResponse')) return [];
  const names: string[] = [];
  for (const block of blocks) {
    if (block.head !== 'def' && block.head !== 'async def' && block.head !== '@') continue;
    const text = source.slice(block.start, block.end);
    const name = DEF_NAME.exec(text)?.[1];
    if (name && /\bWebSocketResponse[ \t]*\(/.test(text) && /\.prepare[ \t]*\(/.test(text)) names.push(name);
  }
  return names;
}
