/**
 * docs/scenario.schema.json against the validator it is written from: the committed file is the one
 * the declarations give; every scenario the project ships or documents passes both; what the validator
 * rejects the schema rejects too, except the rules JSON Schema cannot say (listed, and checked to be
 * exactly those); and on generated values the two never disagree otherwise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseBudget } from '../../src/config/budget.js';
import { GENERATED_BEGIN, GENERATED_END, renderFieldReference } from '../../src/scenarios/field-reference.js';
import { scenarioFileSchema } from '../../src/scenarios/schema.js';
import { checkScenarioFile } from '../../src/scenarios/validate.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA_FILE = path.join(ROOT, 'docs/scenario.schema.json');

function compile(schema: object): ValidateFunction {
  // strictRequired off: `required` inside `not`/`oneOf` names fields declared beside it, on purpose.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  return ajv.compile(schema);
}

const schemaAccepts = compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

function validatorProblems(value: unknown): string[] {
  return checkScenarioFile(value, 'x.json').problems;
}

/** The validator's problems, then those of the budgets, which heapgate parses when a scenario runs. */
function heapgateProblems(value: unknown): string[] {
  const { scenarios, problems } = checkScenarioFile(value, 'x.json');
  for (const scenario of scenarios) {
    try {
      parseBudget(scenario.budget, scenario.where);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the committed schema', () => {
  it('is the one the field declarations give (npm run schema writes it)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(scenarioFileSchema());
  });

  it('and the field reference in docs/scenarios.md, too', () => {
    const docs = readFileSync(path.join(ROOT, 'docs/scenarios.md'), 'utf8');
    const begin = docs.indexOf(GENERATED_BEGIN) + GENERATED_BEGIN.length;
    expect(docs.slice(begin, docs.indexOf(GENERATED_END)).trim()).toBe(renderFieldReference());
  });

  it('compiles under ajv strict mode', () => {
    expect(() => compile(scenarioFileSchema())).not.toThrow();
  });
});

describe('scenarios the project ships or documents pass both', () => {
  // Scenario folders only: the gate fixtures also hold heapgate's own caches once the gate tests ran.
  const fixtures = [
    ...jsonFiles(path.join(ROOT, 'test/fixtures/scenarios')),
    ...jsonFiles(path.join(ROOT, 'test/fixtures/gate')).filter(
      (f) => path.basename(path.dirname(f)) === 'scenarios',
    ),
    // The adoption fixtures' scenario folders (a pytest scenario among them).
    ...jsonFiles(path.join(ROOT, 'test/fixtures/adoption')).filter(
      (f) => path.basename(path.dirname(f)) === 'heapgate',
    ),
  ];

  it.each(fixtures.map((f) => [path.relative(ROOT, f), f]))('%s', (_name, file) => {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    expect(validatorProblems(value)).toEqual([]);
    expect(schemaAccepts(value), JSON.stringify(schemaAccepts.errors)).toBe(true);
  });

  it('found the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  // The built-in templates are filled in the way select/generate.ts fills them before validating.
  const templates = readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.json'));
  it.each(templates)('scenarios/%s, filled in', (file) => {
    const text = readFileSync(path.join(ROOT, 'scenarios', file), 'utf8')
      .replaceAll('{{route}}', 'POST /items/{id}')
      .replaceAll('{{method}}', 'POST')
      .replaceAll('{{path}}', '/items/{i}');
    const value = JSON.parse(text) as unknown;
    expect(validatorProblems(value)).toEqual([]);
    expect(schemaAccepts(value), JSON.stringify(schemaAccepts.errors)).toBe(true);
  });

  it.each([
    ['README.md', /### Scenario files[\s\S]*?```json\n([\s\S]*?)```/],
    ['docs/scenarios.md', /```json\n([\s\S]*?)```/g],
  ] as const)('the examples in %s', (file, pattern) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const blocks = pattern.global ? [...text.matchAll(pattern)].map((m) => m[1]) : [pattern.exec(text)?.[1]];
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const value = JSON.parse(block!) as unknown;
      expect(validatorProblems(value)).toEqual([]);
      expect(schemaAccepts(value), JSON.stringify(schemaAccepts.errors)).toBe(true);
    }
  });
});

const base = (extra: Record<string, unknown>) => ({ name: 'leak', request: { path: '/' }, ...extra });
const call = (extra: Record<string, unknown>) => ({ name: 'c', call: { function: 'a:b', ...extra } });

/** Rejected by the validator and by the schema. */
const INVALID: [string, unknown][] = [
  ['not an object', 'leak'],
  ['an empty array', []],
  ['an array with a bad item', [base({}), 3]],
  ['a list with an extra field', { scenarios: [base({})], extra: 1 }],
  ['a list that is not an array', { scenarios: {} }],
  ['an empty list', { scenarios: [] }],
  ['missing name', { request: { path: '/' } }],
  ['blank name', base({ name: '  ' })],
  ['name not a string', base({ name: 7 })],
  ['name with a line break', base({ name: 'a\nb' })],
  ['name too long', base({ name: 'x'.repeat(201) })],
  ['description not a string', base({ description: ['x'] })],
  ['$schema not a string', base({ $schema: 5 })],
  ['unknown field', base({ itrations: 5 })],
  ['neither request nor call', { name: 'x' }],
  ['both request and call', base({ call: { function: 'a:b' } })],
  ['warmup word', base({ warmup: 'slow' })],
  ['warmup negative', base({ warmup: -1 })],
  ['iterations fraction', base({ iterations: 2.5 })],
  ['iterations string', base({ iterations: '100' })],
  ['iterations zero', base({ iterations: 0 })],
  ['duration words', base({ duration: '10 minutes' })],
  ['duration zero', base({ duration: '0s' })],
  ['duration zero number', base({ duration: 0 })],
  ['duration with a space', base({ duration: '1h 30m' })],
  ['iterations and duration', base({ iterations: 100, duration: '1m' })],
  ['concurrency too high', base({ concurrency: 1000 })],
  ['concurrency of a call', { ...call({}), concurrency: 4 }],
  ['sampleEvery zero', base({ sampleEvery: 0 })],
  ['request not an object', base({ request: '/x' })],
  ['method', base({ request: { method: 'FETCH', path: '/' } })],
  ['no path or url', base({ request: { method: 'GET' } })],
  ['path and url', base({ request: { path: '/', url: 'http://127.0.0.1/' } })],
  ['relative path', base({ request: { path: 'items' } })],
  ['path with a space', base({ request: { path: '/a b' } })],
  ['path with non-ASCII', base({ request: { path: '/é' } })],
  ['url not a URL', base({ request: { url: 'nope' } })],
  ['url with https', base({ request: { url: 'https://127.0.0.1/' } })],
  ['template in the host', base({ request: { url: 'http://host-{i}.local/' } })],
  ['template in the port', base({ request: { url: 'http://127.0.0.1:80{i}/' } })],
  ['credentials in a url', base({ request: { url: 'http://u:p@127.0.0.1/' } })],
  ['url with a space', base({ request: { url: 'http://127.0.0.1/a b' } })],
  ['headers not an object', base({ request: { path: '/', headers: ['a'] } })],
  ['header value type', base({ request: { path: '/', headers: { 'X-Id': 5 } } })],
  ['header name', base({ request: { path: '/', headers: { 'bad name': 'x' } } })],
  ['header value with a line break', base({ request: { path: '/', headers: { A: 'x\r\nB: y' } } })],
  ['computed header', base({ request: { path: '/', headers: { 'Content-Length': '3' } } })],
  ['json and body', base({ request: { path: '/', json: {}, body: '' } })],
  ['body not a string', base({ request: { path: '/', body: { a: 1 } } })],
  ['timeout and timeoutMs', base({ request: { path: '/', timeout: '1s', timeoutMs: 5 } })],
  ['timeoutMs negative', base({ request: { path: '/', timeoutMs: -1 } })],
  ['timeoutMs too long', base({ request: { path: '/', timeoutMs: 3_600_001 } })],
  ['timeout words', base({ request: { path: '/', timeout: 'soon' } })],
  ['unknown request field', base({ request: { path: '/', heders: {} } })],
  ['call not an object', { name: 'c', call: 'a:b' }],
  ['call without function', { name: 'c', call: {} }],
  ['call function form', call({ function: 'app.py' })],
  ['call args', call({ args: {} })],
  ['call kwargs', call({ kwargs: [] })],
  ['call kwarg name', call({ kwargs: { 'not-ok': 1 } })],
  ['call timeouts', call({ timeout: 1, timeoutMs: 1 })],
  ['unknown call field', call({ argz: [] })],
  ['expect not an object', base({ expect: 200 })],
  ['expect status word', base({ expect: { status: [200, 'ok'] } })],
  ['expect status out of range', base({ expect: { status: 700 } })],
  ['expect empty', base({ expect: { status: [] } })],
  ['expect unknown field', base({ expect: { statuses: [200] } })],
  ['budget not an object', base({ budget: '64B' })],
  ['ignore item', base({ ignore: ['ok', ''] })],
  ['ignore type', base({ ignore: 3 })],
  ['covers not an object', base({ covers: ['R1'] })],
  ['covers field', base({ covers: { rule: ['R1'] } })],
  ['covers item', base({ covers: { routes: [1] } })],
  ['pytest naming a file, not a test', { name: 't', pytest: 'tests/test_api.py' }],
  ['pytest not a string', { name: 't', pytest: 5 }],
  ['pytest with a space', { name: 't', pytest: 'tests/test api.py::test_a' }],
  ['pytest and request', base({ pytest: 'tests/test_api.py::test_a' })],
  ['pytest and call', { ...call({}), pytest: 'tests/test_api.py::test_a' }],
  ['pytest and websocket', { name: 't', pytest: 't.py::test_a', websocket: { path: '/ws' } }],
  ['concurrency of a pytest test', { name: 't', pytest: 't.py::test_a', concurrency: 2 }],
];

describe('what the validator rejects, the schema rejects', () => {
  it.each(INVALID)('%s', (_label, value) => {
    expect(validatorProblems(value)).not.toEqual([]);
    expect(schemaAccepts(value)).toBe(false);
  });
});

/**
 * The validator's rules JSON Schema cannot say (docs/scenarios.md lists them): the schema accepts these.
 * Should the schema learn one, move it to INVALID.
 */
const VALIDATOR_ONLY: [string, unknown][] = [
  ['duplicate names in one file', [base({}), base({ request: { path: '/b' } })]],
  ['sampleEvery leaving too few samples', base({ iterations: 3000, sampleEvery: 500 })],
  [
    'a header repeated in another case',
    base({ request: { path: '/', headers: { Accept: 'a', accept: 'b' } } }),
  ],
  ['a URL that does not parse', base({ request: { url: 'http://[::1/x' } })],
  ['a name over 200 UTF-16 units', base({ name: '😀'.repeat(101) })],
];

describe('what only the validator can check', () => {
  it.each(VALIDATOR_ONLY)('%s', (_label, value) => {
    expect(validatorProblems(value)).not.toEqual([]);
    expect(schemaAccepts(value)).toBe(true);
  });
});

describe('budgets', () => {
  const budget = (scenarioFileSchema().definitions as Record<string, { properties: Record<string, unknown> }>)
    .scenario.properties.budget as { properties: Record<string, unknown> };

  it('every key the schema names is one config/budget.ts accepts', () => {
    const names = Object.keys(budget.properties);
    expect(names).toEqual(
      expect.arrayContaining(['growth', 'rssGrowth', 'rss-growth', 'rss_growth', 'threads']),
    );
    for (const name of names) expect(() => parseBudget({ [name]: null }, 'x.json')).not.toThrow();
  });

  it.each([
    [{ growth: '64B', threads: 0, rate: '10MB/h', 'rss-growth': 1024, heap: 'off', fds: false }, true],
    [{ growht: '64B' }, false],
    [{ threads: 1.5 }, false],
    [{ rate: -5 }, false],
    [{ rate: true }, false],
  ])('%j: schema %s, like config/budget.ts', (value, ok) => {
    expect(schemaAccepts(base({ budget: value }))).toBe(ok);
    const parse = () => parseBudget(value, 'x.json');
    if (ok) expect(parse).not.toThrow();
    else expect(parse).toThrow();
  });
});

/** A small seeded generator of scenario-like values: valid ones, and ones with one thing wrong. */
function* generated(count: number): Generator<unknown> {
  let seed = 12345;
  // A 32-bit linear congruential generator (Math.imul keeps the product exact).
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const values: unknown[] = [
    null,
    true,
    0,
    1,
    -1,
    2.5,
    30,
    3000,
    '',
    ' ',
    'auto',
    'x',
    '10s',
    '0ms',
    '1H30m',
    '1.5',
    'GET',
    'post',
    '/',
    '/a b',
    '/items/{i}',
    'http://127.0.0.1:8000/a/{i}',
    'HTTP://h/x',
    'https://x/',
    'a:b',
    'app.py',
    '2xx',
    '5XX',
    200,
    700,
    [],
    ['a'],
    [200, '3xx'],
    {},
    { k: 1 },
    { 'X-Id': 'v' },
    { 'a b': 'x' },
  ];
  const fields: Record<string, readonly string[]> = {
    scenario: [
      'name',
      'description',
      'warmup',
      'iterations',
      'duration',
      'concurrency',
      'sampleEvery',
      'expect',
      'budget',
      'ignore',
      'covers',
    ],
    request: ['method', 'path', 'url', 'headers', 'json', 'body', 'timeout', 'timeoutMs'],
    call: ['function', 'args', 'kwargs', 'timeout', 'timeoutMs'],
  };
  const mutate = (object: Record<string, unknown>, kind: string) => {
    if (random() < 0.5) object[pick(fields[kind])] = pick(values);
    return object;
  };
  for (let i = 0; i < count; i++) {
    const action =
      random() < 0.6
        ? { request: mutate({ path: pick(['/', '/x/{i}']) }, 'request') }
        : { call: mutate({ function: 'app.jobs:handle' }, 'call') };
    yield mutate({ name: `s${i}`, ...action }, 'scenario');
  }
}

/** The messages of the VALIDATOR_ONLY rules the generator can hit. */
const VALIDATOR_ONLY_MESSAGE = /leaves \d+ samples? over/;

it('on generated values, the schema accepts what heapgate accepts and rejects what it rejects', () => {
  let accepted = 0;
  let rejected = 0;
  for (const value of generated(3000)) {
    const problems = heapgateProblems(value);
    if (problems.length && problems.every((p) => VALIDATOR_ONLY_MESSAGE.test(p))) continue;
    if (problems.length) rejected++;
    else accepted++;
    expect({ value, schema: schemaAccepts(value) }).toEqual({ value, schema: problems.length === 0 });
  }
  expect(accepted).toBeGreaterThan(500);
  expect(rejected).toBeGreaterThan(500);
});
