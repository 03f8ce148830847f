/** The gate's plan with the sweep: selected first, then the user's other scenarios, then every other route. */
import { describe, expect, it } from 'vitest';
import type { Finding, Route } from '../../src/model/static.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import { callGraphOf } from '../../src/select/callgraph.js';
import { generateScenario } from '../../src/select/generate.js';
import { planScenarios, requestMatchesRoute } from '../../src/select/plan.js';
import { pythonParser } from '../../src/static/parse.js';
import { dedent } from '../rules/rule-table.js';

const sources = new Map(
  Object.entries({
    'app.py': dedent(`
      from flask import Flask
      from store import remember

      app = Flask(__name__)

      @app.route("/items/<item_id>")
      def item(item_id):
          return remember(item_id)

      @app.route("/health")
      def health():
          return "ok"

      @app.route("/users/<int:uid>")
      def user(uid):
          return str(uid)
    `),
    'store.py': dedent(`
      SEEN = []

      def remember(key):
          return keep(key)

      def keep(key):
          SEEN.append(key)
          return key
    `),
  }),
);

function route(path: string, fn: string, line: number): Route {
  return {
    framework: 'flask',
    method: 'GET',
    path,
    handler: { file: 'app.py', function: fn, line },
    file: 'app.py',
    line: line - 1,
  };
}

const ROUTES = [
  route('/items/<item_id>', 'item', 7),
  route('/health', 'health', 11),
  route('/users/<int:uid>', 'user', 15),
];

const FINDING: Finding = {
  rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
  shortId: 'R1',
  severity: 'HIGH',
  file: 'store.py',
  line: 7,
  column: 5,
  endLine: 7,
  endColumn: 21,
  message: 'grows',
  function: 'keep',
  confidence: 'high',
  fix: 'bound it',
};

describe('the sweep', () => {
  it('runs selected scenarios first, then the user scenarios nothing selected, then every other route', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const user = validateScenario({ name: 'users', request: { path: '/users/{i}' } }, { file: 'users.json' });
    const plan = planScenarios({
      findings: [FINDING],
      routes: ROUTES,
      scenarios: [user],
      graph,
      all: false,
      generate: generateScenario,
      sweep: true,
    });
    expect(plan.scenarios.map((p) => [p.routes.join(','), p.phase, p.generated])).toEqual([
      ['GET /items/<item_id>', 'selected', true],
      ['GET /users/<int:uid>', 'extra', false],
      ['GET /health', 'sweep', true],
    ]);
    expect(plan.routes).toEqual(['GET /items/<item_id>', 'GET /health', 'GET /users/<int:uid>']);
    // The sweep scenario varies the request per iteration like any unique-keys scenario.
    expect(plan.scenarios[2].scenario.request?.path).toContain('{i}');
    expect(plan.scenarios[2].why).toBe('generated for the sweep: no scenario covers GET /health');
  });

  it('watches the handler, the flagged function and the calls between them', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const plan = planScenarios({
      findings: [FINDING],
      routes: ROUTES,
      scenarios: [],
      graph,
      all: false,
      generate: generateScenario,
      sweep: true,
    });
    expect(plan.scenarios[0].interest).toEqual([
      { id: 'app.py:item', file: 'app.py', lines: [6, 7], role: 'handler' },
      { id: 'store.py:remember', file: 'store.py', lines: [3, 3], role: 'path' },
      { id: 'store.py:keep', file: 'store.py', lines: [6, 6], role: 'flagged' },
    ]);
    expect(plan.scenarios[1].interest.map((f) => f.role)).toEqual(['handler']);
  });

  it('without the sweep plans only what findings select, as before', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const plan = planScenarios({
      findings: [],
      routes: ROUTES,
      scenarios: [],
      graph,
      all: false,
      generate: generateScenario,
    });
    expect(plan.scenarios).toEqual([]);
    expect(plan.routes).toHaveLength(3);
  });
});

describe('http.server routes in requests', () => {
  const http = (path: string): Route => ({ ...route(path, 'Handler.do_GET', 5), framework: 'http.server' });

  it('matches a catch-all, a prefix and a literal path', () => {
    expect(requestMatchesRoute('GET', '/anything/{i}', http('*'))).toBe(true);
    expect(requestMatchesRoute('GET', '/notes/{i}', http('/notes/*'))).toBe(true);
    expect(requestMatchesRoute('GET', '/other/1', http('/notes/*'))).toBe(false);
    expect(requestMatchesRoute('GET', '/reports/daily?day={i}', http('/reports/daily'))).toBe(true);
    expect(requestMatchesRoute('GET', '/reports/dailyx', http('/reports/daily'))).toBe(false);
  });
});
