import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULTS, withLength, type Scenario } from '../../src/scenarios/model.js';
import { validateScenario, validateScenarioFile } from '../../src/scenarios/validate.js';

const FILE = 'scenarios/leak.json';

/** The UsageError lines for a file's value (fails the test when it validates). */
function problems(value: unknown, options: { knownRules?: string[] } = {}): string[] {
  try {
    validateScenarioFile(value, FILE, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected validation to fail');
}

const GET = { path: '/' };
const base = (extra: Record<string, unknown>) => ({ name: 'leak', request: GET, ...extra });

describe('defaults', () => {
  test('a request scenario with only a name and a path', () => {
    const [scenario] = validateScenarioFile({ name: 'leak', request: { path: '/items/{i}' } }, FILE);
    expect(scenario).toMatchObject({
      name: 'leak',
      description: null,
      file: FILE,
      entry: '',
      where: FILE,
      kind: 'request',
      call: null,
      covers: { rules: [], routes: [], functions: [] },
      warmup: 'auto',
      iterations: 3000,
      durationMs: null,
      concurrency: 4,
      sampleEvery: 50,
      sampleEveryAuto: true,
      budget: {},
      ignore: [],
      request: { method: 'GET', path: '/items/{i}', url: null, headers: {}, body: null, timeoutMs: 10_000 },
    });
    expect(scenario.expect.status).toEqual(Array.from({ length: 200 }, (_, k) => 200 + k));
    expect(3000 / scenario.sampleEvery).toBeGreaterThanOrEqual(DEFAULTS.minSamples);
  });

  test('a call scenario runs one call at a time', () => {
    const [scenario] = validateScenarioFile({ name: 'c', call: { function: 'app.jobs:handle' } }, FILE);
    expect(scenario).toMatchObject({
      kind: 'call',
      request: null,
      concurrency: 1,
      call: { function: 'app.jobs:handle', args: [], kwargs: {}, timeoutMs: 10_000 },
    });
  });

  test('sampleEvery follows the length when not given, so there are at least 30 samples', () => {
    for (const iterations of [30, 100, 1000, 3000, 100_000]) {
      const [s] = validateScenarioFile(base({ iterations }), FILE);
      expect(Math.floor(iterations / s.sampleEvery)).toBeGreaterThanOrEqual(30);
    }
    const [small] = validateScenarioFile(base({ iterations: 10 }), FILE);
    expect(small.sampleEvery).toBe(1);
  });

  test("the README's full example validates", () => {
    const [s] = validateScenarioFile(
      {
        name: 'unique-paths',
        covers: {
          rules: ['RELIABILITY_UNBOUNDED_GLOBAL'],
          routes: ['GET /item/{id}'],
          functions: ['app.py:handle'],
        },
        warmup: 'auto',
        iterations: 3000,
        concurrency: 4,
        sampleEvery: 100,
        request: { method: 'GET', path: '/item/{i}', headers: {}, json: { k: 'v{i}' } },
        expect: { status: 200 },
        budget: { growth: '64B', threads: 0 },
        ignore: ['**/site-packages/jinja2/**'],
      },
      FILE,
    );
    expect(s.sampleEvery).toBe(100);
    expect(s.sampleEveryAuto).toBe(false);
    expect(s.expect.status).toEqual([200]);
    expect(s.request!.body).toEqual({ kind: 'json', value: { k: 'v{i}' } });
    expect(s.budget).toEqual({ growth: '64B', threads: 0 });
    expect(s.covers.routes).toEqual(['GET /item/{id}']);
  });
});

describe('values', () => {
  test('method is case-insensitive; duration, timeout and status forms', () => {
    const [s] = validateScenarioFile(
      {
        name: 'x',
        duration: '10m',
        request: {
          method: 'post',
          url: 'http://127.0.0.1:8000/a/{i}?q={uuid}',
          body: 'raw {i}',
          timeout: '1.5s',
        },
        expect: { status: [201, '3xx'] },
        warmup: 0,
        ignore: '**/jinja2/**',
      },
      FILE,
    );
    expect(s.durationMs).toBe(600_000);
    expect(s.sampleEvery).toBe(DEFAULTS.durationSampleEvery);
    expect(s.request).toMatchObject({
      method: 'POST',
      path: null,
      url: 'http://127.0.0.1:8000/a/{i}?q={uuid}',
    });
    expect(s.request!.timeoutMs).toBe(1500);
    expect(s.request!.body).toEqual({ kind: 'text', value: 'raw {i}' });
    expect(s.expect.status[0]).toBe(201);
    expect(s.expect.status).toContain(302);
    expect(s.expect.status).not.toContain(200);
    expect(s.warmup).toBe(0);
    expect(s.ignore).toEqual(['**/jinja2/**']);
    const [t] = validateScenarioFile(base({ request: { path: '/', timeoutMs: 250 }, duration: 90 }), FILE);
    expect(t.request!.timeoutMs).toBe(250);
    expect(t.durationMs).toBe(90_000);
  });

  test('a JSON body may be any JSON value, null included', () => {
    const [s] = validateScenarioFile(base({ request: { path: '/', json: null } }), FILE);
    expect(s.request!.body).toEqual({ kind: 'json', value: null });
  });

  test('values from JS are copied, and undefined fields count as absent', () => {
    const json = { nested: { list: [1, 'a'] } };
    const [s] = validateScenarioFile(
      { name: 'js', description: undefined, request: { path: '/', json, body: undefined } },
      'scenarios/a.mjs',
    );
    json.nested.list.push(3);
    expect(s.request!.body).toEqual({ kind: 'json', value: { nested: { list: [1, 'a'] } } });
  });

  test('header names keep their case; __proto__ cannot pollute anything', () => {
    const headers = JSON.parse('{"X-Id": "{uuid}", "__proto__": "x"}') as Record<string, string>;
    const [s] = validateScenarioFile(base({ request: { path: '/', headers } }), FILE);
    expect(Object.keys(s.request!.headers)).toEqual(['X-Id', '__proto__']);
    expect(Object.getPrototypeOf(s.request!.headers)).toBe(Object.prototype);
  });

  test('validateScenario takes a source with an entry path', () => {
    const s = validateScenario(base({}), { file: 'a.js', path: 'scenarios[3]' });
    expect(s.where).toBe('a.js: scenarios[3]');
    expect(() => validateScenario(base({ iterations: 0 }), { file: 'a.js', path: 'scenarios[3]' })).toThrow(
      'a.js: scenarios[3].iterations: expected a whole number ≥ 1, got 0',
    );
  });

  test('known rules are checked when the loader passes them', () => {
    const [s] = validateScenarioFile(
      base({ covers: { rules: ['r1', 'RELIABILITY_UNBOUNDED_GLOBAL'] } }),
      FILE,
      {
        knownRules: ['R1', 'RELIABILITY_UNBOUNDED_GLOBAL'],
      },
    );
    expect(s.covers.rules).toEqual(['r1', 'RELIABILITY_UNBOUNDED_GLOBAL']);
    expect(
      problems(base({ covers: { rules: ['RELIABILITY_UNBOUNDED_GLOBL'] } }), {
        knownRules: ['R1', 'RELIABILITY_UNBOUNDED_GLOBAL'],
      }),
    ).toEqual([
      `${FILE}: covers.rules[0]: unknown rule 'RELIABILITY_UNBOUNDED_GLOBL' (did you mean 'RELIABILITY_UNBOUNDED_GLOBAL'?)`,
    ]);
  });
});

describe('withLength (--iterations / --duration)', () => {
  const [auto] = validateScenarioFile(base({}), FILE) as Scenario[];
  const [fixed] = validateScenarioFile(base({ iterations: 3000, sampleEvery: 100 }), FILE) as Scenario[];

  test('iterations re-derive an automatic sampleEvery and clear a duration', () => {
    expect(withLength(auto, { iterations: 600 })).toMatchObject({
      iterations: 600,
      sampleEvery: 10,
      durationMs: null,
    });
    const timed = withLength(auto, { durationMs: 60_000 });
    expect(timed).toMatchObject({ durationMs: 60_000, sampleEvery: DEFAULTS.durationSampleEvery });
    expect(withLength(timed, { iterations: 120 })).toMatchObject({
      durationMs: null,
      iterations: 120,
      sampleEvery: 2,
    });
  });

  test('an explicit sampleEvery is kept, or shrunk to leave 30 samples', () => {
    expect(withLength(fixed, { iterations: 6000 }).sampleEvery).toBe(100);
    expect(withLength(fixed, { iterations: 300 }).sampleEvery).toBe(10);
  });
});

describe('errors name the file and the field, exactly', () => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', 'leak', [`${FILE}: expected a scenario object, got 'leak'`]],
    ['an empty array', [], [`${FILE}: holds no scenarios (an empty array)`]],
    [
      'array items',
      [base({}), 3, base({ name: 'b', iterations: 0 })],
      [
        `${FILE}: scenarios[1]: expected a scenario object, got 3`,
        `${FILE}: scenarios[2].iterations: expected a whole number ≥ 1, got 0`,
      ],
    ],
    [
      'wrapper object',
      { scenarios: [base({ concurrency: 0 })], extra: 1 },
      [
        `${FILE}: extra: unknown field (expected one of scenarios)`,
        `${FILE}: scenarios[0].concurrency: expected a whole number from 1 to 256, got 0`,
      ],
    ],
    [
      'wrapper not an array',
      { scenarios: {} },
      [`${FILE}: scenarios: expected an array of scenarios, got an object`],
    ],
    ['missing name', { request: GET }, [`${FILE}: name: missing (every scenario needs a unique name)`]],
    ['empty name', base({ name: '  ' }), [`${FILE}: name: expected a non-empty string, got '  '`]],
    ['name type', base({ name: 7 }), [`${FILE}: name: expected a non-empty string, got 7`]],
    [
      'name with a line break',
      base({ name: 'a\nb' }),
      [`${FILE}: name: expected at most 200 characters, none of them control characters`],
    ],
    ['description', base({ description: ['x'] }), [`${FILE}: description: expected a string, got an array`]],
    [
      'unknown field',
      base({ itrations: 5 }),
      [`${FILE}: itrations: unknown field (did you mean 'iterations'?)`],
    ],
    [
      'unknown field, nothing near',
      base({ frobnicate: true }),
      [
        `${FILE}: frobnicate: unknown field (expected one of name, description, covers, warmup, iterations, duration, concurrency, sampleEvery, request, call, websocket, pytest, expect, budget, ignore)`,
      ],
    ],
    [
      'neither request nor call',
      { name: 'x' },
      [
        `${FILE}: missing "request" (an HTTP request), "call" (an in-process call) or "websocket" (a WebSocket connection)`,
      ],
    ],
    [
      'both request and call',
      base({ call: { function: 'a:b' } }),
      [`${FILE}: call: give either "request" or "call", not both`],
    ],
    [
      'warmup',
      base({ warmup: 'slow' }),
      [`${FILE}: warmup: expected 'auto' or a whole number ≥ 0, got 'slow'`],
    ],
    [
      'iterations fraction',
      base({ iterations: 2.5 }),
      [`${FILE}: iterations: expected a whole number ≥ 1, got 2.5`],
    ],
    [
      'iterations string',
      base({ iterations: '100' }),
      [`${FILE}: iterations: expected a whole number ≥ 1, got '100'`],
    ],
    [
      'duration',
      base({ duration: '10 minutes' }),
      [
        `${FILE}: duration: expected a duration like "500ms", "10s", "10m" or "1h30m" (a bare number is seconds), got '10 minutes'`,
      ],
    ],
    [
      'iterations and duration',
      base({ iterations: 100, duration: '1m' }),
      [`${FILE}: duration: give iterations or duration, not both`],
    ],
    [
      'concurrency too high',
      base({ concurrency: 1000 }),
      [`${FILE}: concurrency: expected a whole number from 1 to 256, got 1000`],
    ],
    [
      'concurrency of a call',
      { name: 'c', call: { function: 'a:b' }, concurrency: 4 },
      [`${FILE}: concurrency: call scenarios run one call at a time in the target; expected 1, got 4`],
    ],
    ['sampleEvery', base({ sampleEvery: 0 }), [`${FILE}: sampleEvery: expected a whole number ≥ 1, got 0`]],
    [
      'sampleEvery leaving too few samples',
      base({ iterations: 3000, sampleEvery: 500 }),
      [
        `${FILE}: sampleEvery: 500 leaves 6 samples over 3000 iterations; at least 30 are needed (sampleEvery ≤ 100)`,
      ],
    ],
    [
      'request not an object',
      base({ request: '/x' }),
      [`${FILE}: request: expected an object like { "method": "GET", "path": "/" }, got '/x'`],
    ],
    [
      'method',
      base({ request: { method: 'FETCH', path: '/' } }),
      [`${FILE}: request.method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got 'FETCH'`],
    ],
    [
      'no path or url',
      base({ request: { method: 'GET' } }),
      [`${FILE}: request.path: missing (give "path", e.g. "/items/{i}", or an absolute "url")`],
    ],
    [
      'path and url',
      base({ request: { path: '/', url: 'http://127.0.0.1/' } }),
      [`${FILE}: request.url: give either "path" (on the target) or "url", not both`],
    ],
    [
      'relative path',
      base({ request: { path: 'items' } }),
      [`${FILE}: request.path: expected a string starting with '/', got 'items'`],
    ],
    [
      'path with a space',
      base({ request: { path: '/a b' } }),
      [`${FILE}: request.path: has a space or a character that must be percent-encoded at position 2 (' ')`],
    ],
    [
      'url not a URL',
      base({ request: { url: 'nope' } }),
      [`${FILE}: request.url: expected an absolute http:// URL, got 'nope'`],
    ],
    [
      'url with https',
      base({ request: { url: 'https://127.0.0.1/' } }),
      [`${FILE}: request.url: https is not supported: heapgate drives plain HTTP (use http://)`],
    ],
    [
      'template in the host',
      base({ request: { url: 'http://host-{i}.local/' } }),
      [
        `${FILE}: request.url: templates ({i}, {uuid}, {random}) may appear in the path and query, not in the host or port`,
      ],
    ],
    [
      'credentials in a url',
      base({ request: { url: 'http://u:p@127.0.0.1/' } }),
      [`${FILE}: request.url: credentials in the URL are not supported (send an Authorization header)`],
    ],
    [
      'headers not an object',
      base({ request: { path: '/', headers: ['a'] } }),
      [`${FILE}: request.headers: expected an object of header names to strings, got an array`],
    ],
    [
      'header value type',
      base({ request: { path: '/', headers: { 'X-Id': 5 } } }),
      [`${FILE}: request.headers["X-Id"]: expected a string, got 5`],
    ],
    [
      'header name',
      base({ request: { path: '/', headers: { 'bad name': 'x' } } }),
      [`${FILE}: request.headers["bad name"]: is not a valid header name`],
    ],
    [
      'header value with a line break',
      base({ request: { path: '/', headers: { A: 'x\r\nB: y' } } }),
      [`${FILE}: request.headers.A: has a line break or a character not allowed in a header value`],
    ],
    [
      'computed header',
      base({ request: { path: '/', headers: { 'Content-Length': '3' } } }),
      [`${FILE}: request.headers["Content-Length"]: is computed by heapgate; leave it out`],
    ],
    [
      'repeated header',
      base({ request: { path: '/', headers: { Accept: 'a', accept: 'b' } } }),
      [`${FILE}: request.headers.accept: repeats header 'Accept' (names ignore case)`],
    ],
    [
      'json and body',
      base({ request: { path: '/', json: {}, body: '' } }),
      [`${FILE}: request.body: give either "json" or "body", not both`],
    ],
    [
      'body not a string',
      base({ request: { path: '/', body: { a: 1 } } }),
      [`${FILE}: request.body: expected a string (use "json" for a JSON body), got an object`],
    ],
    [
      'timeout and timeoutMs',
      base({ request: { path: '/', timeout: '1s', timeoutMs: 5 } }),
      [`${FILE}: request.timeoutMs: give either "timeout" (e.g. "10s") or "timeoutMs", not both`],
    ],
    [
      'timeoutMs',
      base({ request: { path: '/', timeoutMs: -1 } }),
      [`${FILE}: request.timeoutMs: expected a whole number from 1 to 3600000, got -1`],
    ],
    [
      'unknown request field',
      base({ request: { path: '/', heders: {} } }),
      [`${FILE}: request.heders: unknown field (did you mean 'headers'?)`],
    ],
    [
      'call not an object',
      { name: 'c', call: 'a:b' },
      [`${FILE}: call: expected an object like { "function": "module:function", "args": [] }, got 'a:b'`],
    ],
    [
      'call without function',
      { name: 'c', call: {} },
      [`${FILE}: call.function: missing (give 'module:function')`],
    ],
    [
      'call function form',
      { name: 'c', call: { function: 'app.py' } },
      [`${FILE}: call.function: expected 'module:function' (e.g. 'app.jobs:handle'), got 'app.py'`],
    ],
    [
      'call args',
      { name: 'c', call: { function: 'a:b', args: {} } },
      [`${FILE}: call.args: expected an array, got an object`],
    ],
    [
      'call kwargs',
      { name: 'c', call: { function: 'a:b', kwargs: [] } },
      [`${FILE}: call.kwargs: expected an object of keyword arguments, got an array`],
    ],
    [
      'call kwarg name',
      { name: 'c', call: { function: 'a:b', kwargs: { 'not-ok': 1 } } },
      [`${FILE}: call.kwargs["not-ok"]: is not a valid Python keyword argument name`],
    ],
    [
      'expect not an object',
      base({ expect: 200 }),
      [`${FILE}: expect: expected an object like { "status": 200 }, got 200`],
    ],
    [
      'expect status',
      base({ expect: { status: [200, 'ok', 700] } }),
      [
        `${FILE}: expect.status[1]: expected a status from 100 to 599 or a class like '2xx', got 'ok'`,
        `${FILE}: expect.status[2]: expected a status from 100 to 599 or a class like '2xx', got 700`,
      ],
    ],
    [
      'expect empty',
      base({ expect: { status: [] } }),
      [`${FILE}: expect.status: expected at least one status`],
    ],
    [
      'expect unknown field',
      base({ expect: { statuses: [200] } }),
      [`${FILE}: expect.statuses: unknown field (did you mean 'status'?)`],
    ],
    [
      'budget',
      base({ budget: '64B' }),
      [`${FILE}: budget: expected an object like { "growth": "64B" }, got '64B'`],
    ],
    [
      'ignore item',
      base({ ignore: ['ok', ''] }),
      [`${FILE}: ignore[1]: expected a non-empty string, got ''`],
    ],
    ['ignore type', base({ ignore: 3 }), [`${FILE}: ignore: expected an array of strings, got 3`]],
    [
      'covers',
      base({ covers: ['R1'] }),
      [`${FILE}: covers: expected an object with rules, routes and/or functions, got an array`],
    ],
    [
      'covers field',
      base({ covers: { rule: ['R1'], routes: [1] } }),
      [
        `${FILE}: covers.rule: unknown field (did you mean 'rules'?)`,
        `${FILE}: covers.routes[0]: expected a non-empty string, got 1`,
      ],
    ],
    [
      'duplicate names in one file',
      [base({}), base({ request: { path: '/b' } })],
      [`${FILE}: scenarios[1].name: 'leak' is already the name of scenarios[0] in this file`],
    ],
  ];
  test.each(cases)('%s', (_label, value, expected) => {
    expect(problems(value)).toEqual(expected);
  });

  test('values JSON cannot hold (from JS modules)', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(
      problems(
        base({ request: { path: '/', json: { when: new Date(0), n: Infinity, f: () => 1, c: circular } } }),
      ),
    ).toEqual([
      `${FILE}: request.json.when: expected a JSON value (string, number, boolean, null, array or plain object), got a Date`,
      `${FILE}: request.json.n: expected a finite number, got Infinity`,
      `${FILE}: request.json.f: expected a JSON value (string, number, boolean, null, array or plain object), got a function`,
      `${FILE}: request.json.c.self: refers to itself (a circular structure is not JSON)`,
    ]);
  });

  test('every problem is reported at once, capped at 20 lines', () => {
    const many = Array.from({ length: 25 }, (_, k) => ({ name: `s${k}`, request: GET, iterations: 0 }));
    const lines = problems(many);
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('… and 5 more problems');
  });
});
