/**
 * Generated requests from what the handler expects (Route.request): the query pairs and body
 * generatedRequest builds, and the scenarios generateScenario makes of them. Bodies are expanded the way
 * the driver expands them (drive/template.ts) and parsed, so a varying number really is a JSON number.
 */
import { describe, expect, it } from 'vitest';
import { expandString } from '../../src/drive/template.js';
import { generateScenario } from '../../src/select/generate.js';
import { generatedRequest } from '../../src/select/request-body.js';
import type { FieldShape, Finding, RequestShape, Route, ValueShape } from '../../src/model/static.js';

const str: ValueShape = { kind: 'str' };
const int: ValueShape = { kind: 'int' };
const field = (name: string, value: ValueShape, required = true): FieldShape => ({ name, value, required });

const ORDER: RequestShape = {
  body: {
    encoding: 'json',
    value: {
      kind: 'object',
      fields: [
        field('customer', str),
        field('quantity', int),
        field('total', { kind: 'float' }),
        field('gift', { kind: 'bool' }),
        field('email', { kind: 'email' }),
        field('site', { kind: 'url' }),
        field('ref', { kind: 'uuid' }),
        field('day', { kind: 'date' }),
        field('at', { kind: 'datetime' }),
        field('size', { kind: 'literal', value: 's' }),
        field('tags', { kind: 'list' }),
        field('meta', { kind: 'dict' }),
        field('line', { kind: 'object', fields: [field('sku', str), field('count', int, false)] }),
        field('note', str, false),
        field('limit', int, false),
        field('labels', { kind: 'list' }, false),
      ],
    },
  },
  query: [field('channel', str), field('page', int, false), field('q', str, false)],
};

describe('generatedRequest', () => {
  it('unique values: strings carry {i}, numbers count up as bare JSON numbers in a raw JSON body', () => {
    const request = generatedRequest(ORDER, true);
    expect(request.query).toEqual(['channel=channel-{i}', 'q=q-{i}']);
    expect(request.body?.kind).toBe('text');
    if (request.body?.kind !== 'text') return;
    expect(request.body.contentType).toBe('application/json');
    const text = request.body.value;
    const parse = (i: number) => JSON.parse(expandString(text, i)) as Record<string, unknown>;
    expect(parse(7)).toEqual({
      customer: 'customer-7',
      quantity: 17,
      total: 17.5,
      gift: true,
      email: 'email-7@example.com',
      site: 'http://example.com/site/7',
      ref: expect.stringMatching(/^[0-9a-f-]{36}$/),
      day: '2024-01-01',
      at: '2024-01-01T00:00:00',
      size: 's',
      tags: [],
      meta: {},
      line: { sku: 'sku-7' },
      note: 'note-7',
    });
    expect(parse(0).quantity).toBe(10);
    expect(parse(8).quantity).not.toBe(parse(7).quantity);
  });

  it('fixed values: the same body every time, as a plain json value', () => {
    const request = generatedRequest(ORDER, false);
    expect(request.query).toEqual(['channel=channel-1', 'q=q-1']);
    expect(request.body).toEqual({
      kind: 'json',
      value: {
        customer: 'customer-1',
        quantity: 1,
        total: 1.5,
        gift: true,
        email: 'email-1@example.com',
        site: 'http://example.com/site/1',
        ref: '00000000-0000-4000-8000-000000000001',
        day: '2024-01-01',
        at: '2024-01-01T00:00:00',
        size: 's',
        tags: [],
        meta: {},
        line: { sku: 'sku-1' },
        note: 'note-1',
      },
    });
  });

  it('a body of strings only stays json even with unique values', () => {
    const shape: RequestShape = {
      body: { encoding: 'json', value: { kind: 'object', fields: [field('name', str)] } },
      query: [],
    };
    expect(generatedRequest(shape, true)).toEqual({
      query: [],
      body: { kind: 'json', value: { name: 'name-{i}' } },
    });
  });

  it('a form body is urlencoded, templates left to expand', () => {
    const shape: RequestShape = {
      body: {
        encoding: 'form',
        value: {
          kind: 'object',
          fields: [field('user name', str), field('age', int), field('mail', { kind: 'email' })],
        },
      },
      query: [],
    };
    const request = generatedRequest(shape, true);
    expect(request.body).toEqual({
      kind: 'text',
      value: 'user%20name=user%20name-{i}&age=1{i}&mail=mail-{i}%40example.com',
      contentType: 'application/x-www-form-urlencoded',
    });
    if (request.body?.kind !== 'text') return;
    expect(Object.fromEntries(new URLSearchParams(expandString(request.body.value, 3)))).toEqual({
      'user name': 'user name-3',
      age: '13',
      mail: 'mail-3@example.com',
    });
  });

  it('a JSON body whose keys are unknown, and an empty form, leave the body to the template', () => {
    const emptyObject: ValueShape = { kind: 'object', fields: [] };
    expect(
      generatedRequest({ body: { encoding: 'json', value: emptyObject }, query: [] }, true).body,
    ).toBeNull();
    expect(
      generatedRequest({ body: { encoding: 'form', value: emptyObject }, query: [] }, true).body,
    ).toBeNull();
    expect(
      generatedRequest({ body: { encoding: 'json', value: { kind: 'list' } }, query: [] }, true).body,
    ).toEqual({ kind: 'json', value: [] });
  });
});

function route(partial: Partial<Route>): Route {
  return {
    framework: 'fastapi',
    method: 'POST',
    path: '/orders',
    handler: { file: 'app.py', function: 'create', line: 10 },
    file: 'app.py',
    line: 9,
    ...partial,
  };
}

const FINDING: Finding = {
  rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
  shortId: 'R1',
  severity: 'HIGH',
  file: 'app.py',
  line: 11,
  column: 5,
  endLine: 11,
  endColumn: 20,
  message: 'grows',
  function: 'create',
  confidence: 'high',
  fix: 'bound it',
};

describe('generateScenario with a request shape', () => {
  it('appends the query and sends the derived raw JSON body with its content type', () => {
    const scenario = generateScenario(route({ request: ORDER }), [FINDING]);
    if (typeof scenario === 'string') throw new Error(scenario);
    expect(scenario.request?.path).toBe('/orders?heapgate={i}&channel=channel-{i}&q=q-{i}');
    expect(scenario.request?.headers).toEqual({ 'content-type': 'application/json' });
    expect(scenario.request?.body?.kind).toBe('text');
    expect(scenario.covers.routes).toEqual(['POST /orders']);
  });

  it('a derived json body replaces the template body; a GET route gets the query and no body', () => {
    const shape: RequestShape = {
      body: { encoding: 'json', value: { kind: 'object', fields: [field('name', str)] } },
      query: [field('q', str)],
    };
    const post = generateScenario(route({ path: '/items/{item_id}', request: shape }), [FINDING]);
    if (typeof post === 'string') throw new Error(post);
    expect(post.request?.path).toBe('/items/{i}?q=q-{i}');
    expect(post.request?.body).toEqual({ kind: 'json', value: { name: 'name-{i}' } });
    expect(post.request?.headers).toEqual({});
    const get = generateScenario(route({ method: 'GET', request: shape }), [FINDING]);
    if (typeof get === 'string') throw new Error(get);
    expect(get.request?.path).toBe('/orders?heapgate={i}&q=q-{i}');
    expect(get.request?.body).toBeNull();
  });

  it('without a shape, POST keeps the fixed template body', () => {
    const scenario = generateScenario(route({}), [FINDING]);
    if (typeof scenario === 'string') throw new Error(scenario);
    expect(scenario.request?.body).toEqual({
      kind: 'json',
      value: { id: '{i}', name: 'heapgate-{i}', value: '{uuid}' },
    });
  });

  it('repeated calls send the same values every time', () => {
    const perCall = { ...FINDING, rule: 'RELIABILITY_THREAD_IN_REQUEST', shortId: 'R5' };
    const scenario = generateScenario(route({ request: ORDER }), [perCall]);
    if (typeof scenario === 'string') throw new Error(scenario);
    expect(scenario.request?.path).toBe('/orders?channel=channel-1&q=q-1');
    expect(scenario.request?.body).toMatchObject({
      kind: 'json',
      value: { quantity: 1, customer: 'customer-1' },
    });
  });
});
