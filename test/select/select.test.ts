import { describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../../src/model/report.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import { callGraphOf, functionAt, reachableFrom } from '../../src/select/callgraph.js';
import { confirmFindings, leakClass, DEFAULT_LEAK_CLASSES } from '../../src/analysis/confirm.js';
import { fillPath, generateScenario, templateFor } from '../../src/select/generate.js';
import { normalizeRoutePath, planScenarios, requestMatchesRoute } from '../../src/select/plan.js';
import type { Finding, Route } from '../../src/model/static.js';
import { pythonParser } from '../../src/static/parse.js';

const sources = new Map([
  ['app/__init__.py', ''],
  [
    'app/views.py',
    [
      'from .services import orders',
      'from . import util',
      'import app.services.audit as audit',
      '',
      'def show(order_id):',
      '    util.clean(order_id)',
      '    return orders.load(order_id)',
      '',
      'class OrderView:',
      '    def get(self, oid):',
      '        return self.fetch(oid)',
      '    def fetch(self, oid):',
      '        audit.note(oid)',
      '        return oid',
    ].join('\n'),
  ],
  ['app/util.py', 'def clean(x):\n    return x.strip()\n'],
  ['app/services/__init__.py', ''],
  [
    'app/services/orders.py',
    'CACHE = {}\n\ndef load(oid):\n    CACHE[oid] = oid\n    return helper(oid)\n\ndef helper(x):\n    return x\n',
  ],
  ['app/services/audit.py', 'LOG = []\n\ndef note(x):\n    LOG.append(x)\n'],
]);

function finding(partial: Partial<Finding>): Finding {
  return {
    rule: 'RELIABILITY_UNBOUNDED_GLOBAL',
    shortId: 'R1',
    severity: 'HIGH',
    file: 'app/services/orders.py',
    line: 4,
    column: 5,
    endLine: 4,
    endColumn: 20,
    message: 'grows',
    function: 'load',
    confidence: 'high',
    fix: 'bound it',
    ...partial,
  };
}

function route(partial: Partial<Route>): Route {
  return {
    framework: 'flask',
    method: 'GET',
    path: '/orders/<int:order_id>',
    handler: { file: 'app/views.py', function: 'show', line: 5 },
    file: 'app/views.py',
    line: 4,
    ...partial,
  };
}

describe('call graph', () => {
  it('follows relative, package and aliased imports, self calls and module functions', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const fromShow = reachableFrom(graph, 'app/views.py:show');
    expect([...fromShow].sort()).toEqual([
      'app/services/orders.py:helper',
      'app/services/orders.py:load',
      'app/util.py:clean',
      'app/views.py:show',
    ]);
    expect(reachableFrom(graph, 'app/views.py:OrderView.get')).toContain('app/services/audit.py:note');
    expect(functionAt(graph, 'app/services/orders.py', 4)?.name).toBe('load');
  });
});

describe('routes and requests', () => {
  it('matches request templates against framework patterns', () => {
    expect(requestMatchesRoute('GET', '/orders/{i}', route({}))).toBe(true);
    expect(requestMatchesRoute('POST', '/orders/{i}', route({}))).toBe(false);
    expect(
      requestMatchesRoute(
        'GET',
        '/items/a/b?x={i}',
        route({ path: '/items/{p:path}', framework: 'fastapi' }),
      ),
    ).toBe(true);
    expect(
      requestMatchesRoute(
        'GET',
        '/articles/2024/',
        route({ path: '/articles/(?P<year>[0-9]{4})/$', framework: 'django', method: '*' }),
      ),
    ).toBe(true);
    expect(normalizeRoutePath('/Items/<int:id>/')).toBe(normalizeRoutePath('/items/{item_id}'));
  });

  it('fills path parameters per converter, unique or fixed', () => {
    expect(fillPath(route({}), true)).toBe('/orders/{i}');
    expect(fillPath(route({ path: '/files/<path:name>' }), true)).toBe('/files/name/{i}');
    expect(fillPath(route({ path: '/u/<uuid:id>' }), false)).toBe('/u/00000000-0000-4000-8000-000000000001');
    expect(fillPath(route({ path: '/search' }), true)).toBe('/search?heapgate={i}');
    expect(fillPath(route({ path: '/search' }), false)).toBe('/search');
    // http.server compares self.path, query included: `/health?heapgate=1` is not `/health`.
    expect(fillPath(route({ path: '/health', framework: 'http.server' }), true)).toBe('/health');
    expect(fillPath(route({ path: '*', framework: 'http.server' }), true)).toBe('/heapgate/{i}');
    // `self.path.startswith("/notes/")`: the rest is the handler's to read, a value per iteration.
    expect(fillPath(route({ path: '/notes/*', framework: 'http.server' }), true)).toBe('/notes/{i}');
    expect(fillPath(route({ path: '/*/files/*', framework: 'http.server' }), false)).toBe('/1/files/1');
    expect(fillPath(route({ path: '/items/{sku}', framework: 'fastapi' }), true)).toBe('/items/{i}');
    expect(fillPath(route({ path: '^a/(?P<x>\\d+)/$', framework: 'django' }), true)).toBeNull();
  });

  it('picks the template by rule and builds a valid scenario with a body for POST', () => {
    expect(templateFor([finding({})])).toBe('unique-keys');
    expect(templateFor([finding({ rule: 'RELIABILITY_THREAD_IN_REQUEST', shortId: 'R5' })])).toBe(
      'repeated-calls',
    );
    const scenario = generateScenario(route({ method: 'POST', path: '/orders' }), [finding({})]);
    expect(typeof scenario).not.toBe('string');
    if (typeof scenario === 'string') return;
    expect(scenario.request).toMatchObject({ method: 'POST', path: '/orders?heapgate={i}' });
    expect(scenario.request?.body).toMatchObject({ kind: 'json' });
  });

  it('builds a websocket scenario for a websocket route: clients that vanish without a close frame', () => {
    const scenario = generateScenario(route({ method: 'WS', path: '/ws/{room}' }), [finding({})]);
    if (typeof scenario === 'string') throw new Error(scenario);
    expect(scenario.kind).toBe('websocket');
    expect(scenario.kind === 'websocket' && scenario.websocket).toMatchObject({
      path: '/ws/{i}',
      send: ['heapgate {i}'],
      close: 'drop',
    });
    expect(scenario.covers.routes).toEqual(['WS /ws/{room}']);
    expect(scenario.name).toBe('WS /ws/{room} (generated: vanishing clients)');
  });
});

describe('planScenarios', () => {
  it('selects by rule, function reach and route reach; generates for uncovered flagged routes; orders by severity', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const make = (value: object) => validateScenario(value, { file: 'scenarios/x.json' });
    const scenarios = [
      make({ name: 'health', request: { path: '/health' } }),
      make({ name: 'by-rule', covers: { rules: ['R4'] }, request: { path: '/x' } }),
      make({
        name: 'by-function',
        covers: { functions: ['app/views.py:OrderView.get'] },
        request: { path: '/y' },
      }),
    ];
    const findings = [
      finding({}),
      finding({
        rule: 'RELIABILITY_LOGGING_HANDLER_DUP',
        shortId: 'R4',
        severity: 'MEDIUM',
        file: 'app/util.py',
        function: 'clean',
        line: 2,
      }),
      finding({ file: 'app/services/audit.py', function: 'note', line: 4, severity: 'CRITICAL' }),
    ];
    const plan = planScenarios({
      findings,
      routes: [route({})],
      scenarios,
      graph,
      all: false,
      generate: generateScenario,
    });
    expect(plan.scenarios.map((p) => [p.scenario.name, p.selected, p.generated])).toEqual([
      ['by-function', true, false],
      [expect.stringContaining('GET /orders/<int:order_id>'), true, true],
      ['by-rule', true, false],
      ['health', false, false],
    ]);
    expect(plan.scenarios[0].why).toContain('OrderView.get, which calls note');
    expect(plan.scenarios[1].selectedBy.map((r) => r.file).sort()).toEqual([
      'app/services/orders.py',
      'app/util.py',
    ]);
    expect(plan.scenarios[3].why).toContain('skipped');
  });
});

describe('confirmFindings', () => {
  it('confirms by leak site or predicted metric, else not reproduced or not exercised', async () => {
    const graph = callGraphOf(await pythonParser(), sources);
    const global = finding({});
    const threads = finding({
      rule: 'RELIABILITY_THREAD_IN_REQUEST',
      shortId: 'R5',
      file: 'app/util.py',
      function: 'clean',
      line: 2,
    });
    const unexercised = finding({ file: 'app/services/audit.py', function: 'note', line: 4 });
    const scenario = validateScenario(
      { name: 's', covers: { rules: ['R1', 'R5'] }, request: { path: '/o' } },
      { file: 'x.json' },
    );
    const plan = planScenarios({
      findings: [global, threads],
      routes: [],
      scenarios: [scenario],
      graph,
      all: false,
    });
    const perHour = 1_080_000;
    const metric = (exceeded: boolean, slope = 10) => ({
      start: 0,
      end: 1,
      slopePerIteration: slope,
      r2: 1,
      trend: 'growing' as const,
      exceeded,
      projection: { perMillion: slope * 1e6, perHour: slope * perHour },
    });
    const report: ScenarioReport = {
      name: 's',
      verdict: 'fail',
      selectedBy: [],
      iterations: 3000,
      durationMs: 10_000,
      metrics: { heap: metric(true, 120), threads: metric(false, 0) },
      leakSites: [
        {
          file: 'app/services/orders.py',
          line: 4,
          sizeDiffBytes: 12_000,
          countDiff: 100,
          traceback: ['app/services/orders.py:4', 'app/views.py:7'],
        },
      ],
      warmupIterations: 100,
      iterationsPerHour: perHour,
      attributionIterations: 100,
      series: [
        { iteration: 100, elapsedMs: 1000, heap: 0, rss: 0, threads: 1, fds: 3, handlers: 0, gcObjects: 0 },
        {
          iteration: 3100,
          elapsedMs: 11_000,
          heap: 360_000,
          rss: 0,
          threads: 1,
          fds: 3,
          handlers: 0,
          gcObjects: 0,
        },
      ],
    };
    const result = confirmFindings([global, threads, unexercised], plan, new Map([['s', report]]), graph);
    expect(result.get(global)).toMatchObject({ status: 'confirmed' });
    expect(result.get(global)!.evidence).toContain('app/services/orders.py:4');
    // 120 B/iteration at 1080000 iterations/hour ≈ 124 MB/h: Critical.
    expect(result.get(global)!.recommendation?.class).toBe('Critical');
    expect(result.get(threads)).toMatchObject({ status: 'not-reproduced' });
    expect(result.get(unexercised)).toMatchObject({ status: 'not-exercised' });
    expect(leakClass('threads', 50, DEFAULT_LEAK_CLASSES)).toBe('Medium');
  });
});
