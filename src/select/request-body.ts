/**
 * A generated request's query string and body, from what the handler expects (Route.request, read by
 * static/routes/request-shape.ts). Values are templates: with `unique` every iteration sends new values
 * (strings carry `{i}`, numbers count up), else the same values every time.
 *
 * Numbers and templates: scenario templates live in strings, and the driver expands them in the
 * serialized body. A JSON number that must change per iteration therefore cannot be a `json` value (it
 * would be the string "5"); such a body is sent as a raw `body` string with `content-type:
 * application/json`, in which the number is written `1{i}` (10, 11, 12, …: always a valid JSON number, at
 * least 10 so `gt=0` constraints hold, and different for every iteration). A body without varying
 * numbers stays a readable `json` value.
 *
 * Which fields are sent: every required one; of the optional ones the strings (a cache keyed by an
 * optional `q` must see distinct keys), not numbers, lists or flags, whose defaults are valid values and
 * which a handler often uses as a size or count.
 */
import type { JsonObject, JsonValue } from '../scenarios/model.js';
import type { FieldShape, RequestShape, ValueShape } from '../model/static.js';
import { escapeRegExp } from '../static/lexical.js';

export const FIXED_UUID = '00000000-0000-4000-8000-000000000001';
/** Stands for a bare `{i}` number while the JSON value is serialized. */
const NUMBER_MARK = '\u0000heapgate-number\u0000';

export type GeneratedBody =
  | { kind: 'json'; value: JsonValue }
  | { kind: 'text'; value: string; contentType: string };

export interface GeneratedRequest {
  /** `name=value` pairs, templates unencoded (`{i}` expands to digits). */
  query: string[];
  /** Null when the handler reads no body or what it reads is unknown. */
  body: GeneratedBody | null;
}

const STRINGLIKE = new Set<ValueShape['kind']>(['str', 'email', 'url', 'uuid', 'date', 'datetime']);

function sent(field: FieldShape): boolean {
  return field.required || STRINGLIKE.has(field.value.kind);
}

/** A field's value; a varying number is NUMBER_MARK (or its marked text) until serialization. */
function valueFor(name: string, value: ValueShape, unique: boolean): JsonValue {
  switch (value.kind) {
    case 'str':
      return unique ? `${name}-{i}` : `${name}-1`;
    case 'int':
      return unique ? NUMBER_MARK : 1;
    case 'float':
      return unique ? `${NUMBER_MARK}.5` : 1.5;
    case 'bool':
      return true;
    case 'email':
      return unique ? `${name}-{i}@example.com` : `${name}-1@example.com`;
    case 'url':
      return unique ? `http://example.com/${name}/{i}` : `http://example.com/${name}/1`;
    case 'uuid':
      return unique ? '{uuid}' : FIXED_UUID;
    case 'date':
      return '2024-01-01';
    case 'datetime':
      return '2024-01-01T00:00:00';
    case 'literal':
      return value.value;
    case 'list':
      return [];
    case 'dict':
    case 'model':
      return {};
    case 'object': {
      const out: JsonObject = {};
      for (const f of value.fields) if (sent(f)) out[f.name] = valueFor(f.name, f.value, unique);
      return out;
    }
  }
}

function hasMark(value: JsonValue): boolean {
  if (typeof value === 'string') return value.includes(NUMBER_MARK);
  if (Array.isArray(value)) return value.some(hasMark);
  if (value && typeof value === 'object') return Object.values(value).some(hasMark);
  return false;
}

/** The serialized JSON with every marked number written bare: `"\u0000…\u0000.5"` → `1{i}.5`. */
function serializeWithNumbers(value: JsonValue): string {
  const mark = JSON.stringify(NUMBER_MARK).slice(1, -1);
  return JSON.stringify(value).replace(
    new RegExp(`"${escapeRegExp(mark)}(\\.5)?"`, 'g'),
    (_m, fraction: string | undefined) => `1{i}${fraction ?? ''}`,
  );
}

/** A value as query/form text, templates left as they are (they expand to URL-safe characters). */
function formText(value: JsonValue): string {
  const text = typeof value === 'string' ? value.split(NUMBER_MARK).join('1{i}') : JSON.stringify(value);
  return text
    .split(/(\{(?:i|uuid|random)\})/)
    .map((part, k) => (k % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');
}

function pairs(fields: readonly FieldShape[], unique: boolean): string[] {
  return fields
    .filter(sent)
    .map((f) => `${encodeURIComponent(f.name)}=${formText(valueFor(f.name, f.value, unique))}`);
}

/** The query pairs and body a handler with this shape accepts. */
export function generatedRequest(shape: RequestShape, unique: boolean): GeneratedRequest {
  const query = pairs(shape.query, unique);
  const body = shape.body;
  if (!body) return { query, body: null };
  if (body.encoding === 'form') {
    const fields = body.value.kind === 'object' ? body.value.fields : [];
    if (!fields.length) return { query, body: null };
    return {
      query,
      body: {
        kind: 'text',
        value: pairs(fields, unique).join('&'),
        contentType: 'application/x-www-form-urlencoded',
      },
    };
  }
  if (body.encoding === 'xml') {
    const names = body.value.kind === 'object' ? body.value.fields.map((f) => f.name) : [];
    return {
      query,
      body: { kind: 'text', value: xmlDocument(names, unique), contentType: 'application/xml' },
    };
  }
  if (body.encoding === 'text') {
    return {
      query,
      body: { kind: 'text', value: unique ? 'heapgate-{i}' : 'heapgate', contentType: 'text/plain' },
    };
  }
  // An object the handler reads no known key of says nothing: leave the body to the template.
  if (body.value.kind === 'object' && !body.value.fields.length) return { query, body: null };
  const value = valueFor('value', body.value, unique);
  if (!hasMark(value)) return { query, body: { kind: 'json', value } };
  return {
    query,
    body: { kind: 'text', value: serializeWithNumbers(value), contentType: 'application/json' },
  };
}

/**
 * An XML document with each element the handler looks for (or one `item`), each carrying an id, a name
 * attribute and text, under a root element: `<items><item id="{i}" name="heapgate-{i}">heapgate-{i}</item></items>`.
 */
export function xmlDocument(names: readonly string[], unique: boolean): string {
  const value = unique ? 'heapgate-{i}' : 'heapgate';
  const id = unique ? '{i}' : '1';
  const elements = (names.length ? names : ['item'])
    .map((name) => `<${name} id="${id}" name="${value}">${value}</${name}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><heapgate>${elements}</heapgate>`;
}
