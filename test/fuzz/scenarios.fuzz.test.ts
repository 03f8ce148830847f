/**
 * Fuzzing the scenario reader (issue 13): random and mutated scenario files, seeded so every run draws
 * the same cases. Whatever the input: a clean error (a JSON syntax error with a position, a list of
 * problems naming the file and field, or a UsageError), or valid scenarios — never another exception.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioBudget } from '../../src/config/budget.js';
import { UsageError } from '../../src/errors.js';
import { loadScenarios } from '../../src/scenarios/load.js';
import { withLength, type Scenario } from '../../src/scenarios/model.js';
import { JsonSyntaxError, parseJsonStrict } from '../../src/scenarios/json.js';
import { checkScenarioFile } from '../../src/scenarios/validate.js';
import { REPO, tempProject } from '../helpers/cli.js';
import { mutate, pick, seeded, value } from './random.js';

const SEED = 13;
const KEYS = [
  'name',
  'description',
  'covers',
  'warmup',
  'iterations',
  'duration',
  'concurrency',
  'sampleEvery',
  'request',
  'call',
  'websocket',
  'close',
  'expect',
  'budget',
  'ignore',
  'scenarios',
  'rules',
  'routes',
  'functions',
  'method',
  'path',
  'url',
  'headers',
  'json',
  'body',
  'timeout',
  'function',
  'args',
  'kwargs',
  'status',
  'growth',
  'rate',
  'heap',
  'rss',
  'threads',
  'fds',
  'handlers',
  'x',
];
const KNOWN_RULES = ['R1', 'R2', 'RELIABILITY_UNBOUNDED_GLOBAL', 'M5'];

const SEEDS = [
  ...readdirSync(path.join(REPO, 'test/fixtures/scenarios')).map((name) =>
    readFileSync(path.join(REPO, 'test/fixtures/scenarios', name), 'utf8'),
  ),
  JSON.stringify({
    name: 'unique-paths',
    covers: { rules: ['R1'], routes: ['GET /item/{id}'], functions: ['app.py:handle'] },
    warmup: 'auto',
    iterations: 3000,
    concurrency: 4,
    request: { method: 'POST', path: '/item/{i}', headers: {}, json: { k: 'v{i}' } },
    expect: { status: 200 },
    budget: { growth: '64B', threads: 0 },
    ignore: ['**/site-packages/jinja2/**'],
  }),
];

/** One fuzz case: a mutated seed, or a random value in the scenario vocabulary. */
function fuzzCase(random: () => number): string {
  if (random() < 0.6) return mutate(random, pick(random, SEEDS));
  return JSON.stringify(value(random, KEYS));
}

function checkValid(scenarios: readonly Scenario[]): void {
  for (const s of scenarios) {
    expect(typeof s.name).toBe('string');
    // Exactly one action: a request, a call or a WebSocket connection.
    const actions = [s.request, s.call, s.kind === 'websocket' ? s.websocket : null];
    expect(actions.filter(Boolean).length).toBe(1);
    // What the run does next with a valid scenario must not throw anything but a UsageError either.
    try {
      scenarioBudget(withLength(s, { iterations: 7 }), {}, {});
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
    }
  }
}

describe('fuzz: the scenario reader', () => {
  it('3000 cases in process: a clean error or valid scenarios', () => {
    const random = seeded(SEED);
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      const text = fuzzCase(random);
      let parsed: unknown;
      try {
        parsed = parseJsonStrict(text);
      } catch (error) {
        expect(error, `case ${i}: ${JSON.stringify(text)}`).toBeInstanceOf(JsonSyntaxError);
        continue;
      }
      let checked: ReturnType<typeof checkScenarioFile>;
      try {
        checked = checkScenarioFile(parsed, 'fuzz.json', { knownRules: KNOWN_RULES });
      } catch (error) {
        throw new Error(
          `case ${i} (seed ${SEED}) threw ${(error as Error).stack}\ninput: ${JSON.stringify(text)}`,
        );
      }
      for (const problem of checked.problems) expect(problem.startsWith('fuzz.json')).toBe(true);
      if (!checked.problems.length) {
        valid++;
        checkValid(checked.scenarios);
      }
    }
    expect(valid).toBeGreaterThan(20); // the mutations do not only make noise
  });

  it('300 files through the loader: a UsageError or scenarios', async () => {
    const random = seeded(SEED + 1);
    const dir = tempProject({});
    for (let i = 0; i < 300; i++) {
      const file = path.join(dir, `case-${i}.json`);
      writeFileSync(file, fuzzCase(random));
      try {
        checkValid(await loadScenarios([file], { cwd: dir, knownRules: KNOWN_RULES }));
      } catch (error) {
        expect(error, `case ${i}: ${readFileSync(file, 'utf8')}`).toBeInstanceOf(UsageError);
      }
    }
    expect(readdirSync(dir)).toHaveLength(300); // reading wrote nothing
  });
});
