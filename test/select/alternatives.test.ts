import { describe, expect, it } from 'vitest';
import { alternativeRequests } from '../../src/select/alternatives.js';
import type { RequestSpec } from '../../src/scenarios/model.js';

const base = (partial: Partial<RequestSpec>): RequestSpec => ({
  method: 'GET',
  path: '/items/item-{i}?heapgate={i}',
  url: null,
  headers: {},
  body: null,
  timeoutMs: 10_000,
  ...partial,
});

describe('alternative requests for a generated scenario', () => {
  it('tries numbers, a fixed id and no query string for a GET', () => {
    expect(alternativeRequests(base({})).map((a) => [a.request.path, a.why])).toEqual([
      ['/items/{i}?heapgate={i}', 'a number per iteration in the path'],
      ['/items/1?heapgate={i}', 'the same id, 1, every time'],
      ['/items/item-{i}', 'no query string'],
    ]);
  });

  it('tries other body formats for a POST, each with its content type', () => {
    const alternatives = alternativeRequests(
      base({ method: 'POST', path: '/import', body: { kind: 'json', value: { id: '{i}' } } }),
    );
    expect(
      alternatives.map((a) => [
        a.why,
        a.request.headers['content-type'] ?? null,
        a.request.body?.kind ?? null,
      ]),
    ).toEqual([
      ['a JSON body', null, 'json'],
      ['a form body', 'application/x-www-form-urlencoded', 'text'],
      ['an XML body', 'application/xml', 'text'],
      ['a text body', 'text/plain', 'text'],
      ['no body', null, null],
    ]);
    expect(String(alternatives[2].request.body?.value)).toContain('<item id="{i}"');
  });

  it('never repeats the request it was given, nor an absolute URL', () => {
    expect(alternativeRequests(base({ path: '/health' }))).toEqual([]);
    expect(alternativeRequests(base({ path: null, url: 'http://127.0.0.1:1/x' }))).toEqual([]);
  });
});
