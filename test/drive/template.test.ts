import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../src/analysis/random.js';
import {
  defaultRandom,
  expandString,
  expandTemplate,
  hasTemplate,
  templateRandomFrom,
} from '../../src/drive/template.js';
import type { JsonValue } from '../../src/scenarios/model.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A fixed source: uuids u0, u1, …; integers 100, 101, … */
function counting() {
  let u = 0;
  let n = 100;
  return { uuid: () => `u${u++}`, integer: () => n++ };
}

describe('expandTemplate', () => {
  test('{i}, {uuid} and {random} in every string, keys included, deep', () => {
    const value: JsonValue = {
      path: '/item/{i}',
      headers: { 'X-Id': '{uuid}', 'X-N': '{random}' },
      body: { 'key-{i}': ['a{i}b', { deep: '{i}{i}' }, 7, true, null] },
    };
    expect(expandTemplate(value, 42, counting())).toEqual({
      path: '/item/42',
      headers: { 'X-Id': 'u0', 'X-N': '100' },
      body: { 'key-42': ['a42b', { deep: '4242' }, 7, true, null] },
    });
  });

  test('each occurrence is drawn afresh', () => {
    expect(expandString('{uuid}/{uuid}/{random}/{random}', 0, counting())).toBe('u0/u1/100/101');
  });

  test('other braces are left alone', () => {
    const text = '/items/{id}/{I}/{ i }/{{i}}/{uuid4}';
    expect(expandString(text, 3, counting())).toBe('/items/{id}/{I}/{ i }/{3}/{uuid4}');
  });

  test('values without templates are returned as they are (shared, not copied)', () => {
    const value = { a: [1, 'x'], b: { c: 'd' } };
    expect(expandTemplate(value, 1, counting())).toBe(value);
    const mixed = { a: [1, 'x'], b: '{i}' };
    const out = expandTemplate(mixed, 1, counting());
    expect(out).toEqual({ a: [1, 'x'], b: '1' });
    expect(out.a).toBe(mixed.a);
    expect(mixed.b).toBe('{i}');
    expect(hasTemplate(mixed)).toBe(true);
    expect(hasTemplate({ '{i}': 1 })).toBe(true);
    expect(hasTemplate(['{id}', 3, null])).toBe(false);
  });

  test('the default source gives v4 UUIDs and integers in [0, 2^31)', () => {
    const out = expandTemplate(['{uuid}', '{uuid}', '{random}'], 0);
    expect(out[0]).toMatch(UUID_V4);
    expect(out[1]).toMatch(UUID_V4);
    expect(out[0]).not.toBe(out[1]);
    const n = Number(out[2]);
    expect(Number.isInteger(n) && n >= 0 && n < 2 ** 31).toBe(true);
    expect(defaultRandom.uuid()).toMatch(UUID_V4);
  });

  test('a seeded source is reproducible and still gives v4 UUIDs', () => {
    const a = expandString('{uuid} {random}', 0, templateRandomFrom(mulberry32(7)));
    const b = expandString('{uuid} {random}', 0, templateRandomFrom(mulberry32(7)));
    expect(a).toBe(b);
    expect(a.split(' ')[0]).toMatch(UUID_V4);
  });

  test('expanding serialized JSON equals serializing the expanded value', () => {
    const value: JsonValue = { 'k{i}': ['v{i}', { u: '{uuid}', r: '{random}', q: 'say "{i}"\n' }] };
    const viaValue = JSON.stringify(expandTemplate(value, 9, templateRandomFrom(mulberry32(1))));
    const viaText = expandString(JSON.stringify(value), 9, templateRandomFrom(mulberry32(1)));
    expect(viaText).toBe(viaValue);
  });
});
