/**
 * The action a scenario repeats, read from its declaration (fields.ts): an HTTP request (method, a path
 * on the target or an absolute URL, headers, a JSON or text body, a timeout), an in-process call
 * (`module:function`, arguments, a timeout) or a WebSocket connection (path or ws:// URL, headers, the
 * messages sent, how many answers to await, how it ends, a timeout).
 */
import {
  CALL,
  JSON_OR_BODY,
  PATH_OR_URL,
  PATH_OR_WEBSOCKET_URL,
  REQUEST,
  TIMEOUT_OR_MS,
  WEBSOCKET,
} from './fields.js';
import type { Issues } from './issues.js';
import { DEFAULTS, type CallSpec, type RequestBody, type RequestSpec, type WebSocketSpec } from './model.js';
import { choose, openObject, readField } from './read-fields.js';

export function readRequest(value: unknown, at: string, issues: Issues): RequestSpec | null {
  const before = issues.list.length;
  const object = openObject(REQUEST, value, at, issues);
  if (!object) return null;
  const fields = REQUEST.fields;
  const method = readField(object, 'method', fields.method, at, issues) ?? DEFAULTS.method;

  let path: string | null = null;
  let url: string | null = null;
  const target = choose(PATH_OR_URL, object, at, issues);
  if (target === 'path') path = readField(object, 'path', fields.path, at, issues) ?? null;
  else if (target === 'url') url = readField(object, 'url', fields.url, at, issues) ?? null;

  const headers = readField(object, 'headers', fields.headers, at, issues) ?? {};

  let body: RequestBody | null = null;
  const which = choose(JSON_OR_BODY, object, at, issues);
  if (which === 'json') {
    const json = readField(object, 'json', fields.json, at, issues);
    if (json !== undefined) body = { kind: 'json', value: json };
  } else if (which === 'body') {
    const text = readField(object, 'body', fields.body, at, issues);
    if (text !== undefined) body = { kind: 'text', value: text };
  }

  const timeoutMs = readTimeout(object, REQUEST.fields, at, issues);
  if (issues.list.length > before) return null;
  return { method, path, url, headers, body, timeoutMs };
}

export function readCall(value: unknown, at: string, issues: Issues): CallSpec | null {
  const before = issues.list.length;
  const object = openObject(CALL, value, at, issues);
  if (!object) return null;
  const fields = CALL.fields;
  const fn = readField(object, 'function', fields.function, at, issues) ?? '';
  const args = readField(object, 'args', fields.args, at, issues) ?? [];
  const kwargs = readField(object, 'kwargs', fields.kwargs, at, issues) ?? {};
  const timeoutMs = readTimeout(object, CALL.fields, at, issues);
  if (issues.list.length > before) return null;
  return { function: fn, args, kwargs, timeoutMs };
}

export function readWebSocket(value: unknown, at: string, issues: Issues): WebSocketSpec | null {
  const before = issues.list.length;
  const object = openObject(WEBSOCKET, value, at, issues);
  if (!object) return null;
  const fields = WEBSOCKET.fields;
  let path: string | null = null;
  let url: string | null = null;
  const target = choose(PATH_OR_WEBSOCKET_URL, object, at, issues);
  if (target === 'path') path = readField(object, 'path', fields.path, at, issues) ?? null;
  else if (target === 'url') url = readField(object, 'url', fields.url, at, issues) ?? null;
  const headers = readField(object, 'headers', fields.headers, at, issues) ?? {};
  const send = readField(object, 'send', fields.send, at, issues) ?? [];
  const receive = readField(object, 'receive', fields.receive, at, issues) ?? 0;
  const close = readField(object, 'close', fields.close, at, issues) ?? 'normal';
  const maxOpen = readField(object, 'maxOpen', fields.maxOpen, at, issues) ?? DEFAULTS.websocketMaxOpen;
  const timeoutMs = readTimeout(object, WEBSOCKET.fields, at, issues);
  if (issues.list.length > before) return null;
  return { path, url, headers, send, receive, close, maxOpen, timeoutMs };
}

/** `timeout` or `timeoutMs` in milliseconds; the declared default when neither (or both) is given. */
function readTimeout(
  object: Record<string, unknown>,
  fields: typeof REQUEST.fields | typeof CALL.fields | typeof WEBSOCKET.fields,
  at: string,
  issues: Issues,
): number {
  const fallback = fields.timeoutMs.default;
  const which = choose(TIMEOUT_OR_MS, object, at, issues);
  if (which === 'timeoutMs') return readField(object, 'timeoutMs', fields.timeoutMs, at, issues) ?? fallback;
  if (which === 'timeout') return readField(object, 'timeout', fields.timeout, at, issues) ?? fallback;
  return fallback;
}
