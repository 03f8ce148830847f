import { describe, expect, it } from 'vitest';
import { gateCoverage, gateSummary, routeOutcomes, unreachedReason } from '../../src/analysis/gate.js';
import type { ScenarioReport } from '../../src/model/report.js';

function report(
  name: string,
  statuses: Record<string, number>,
  verdict: ScenarioReport['verdict'] = 'pass',
): ScenarioReport {
  return {
    name,
    verdict,
    selectedBy: [],
    iterations: 3000,
    durationMs: 1,
    metrics: {},
    leakSites: [],
    reach: { functions: {}, probeIterations: 10, statuses, mainThreadHooked: true },
    ...(verdict === 'error' ? { error: 'the target exited mid-run (exit code 1)\n--- tail' } : {}),
  };
}

describe('what the gate covered', () => {
  const routes = ['GET /a', 'GET /b', 'GET /c', 'GET /d', 'GET /e', 'GET /ws'];
  const outcomes = routeOutcomes(
    routes,
    [
      { routes: ['GET /a'], report: report('a', { '200': 3000 }), notRun: null },
      { routes: ['GET /b'], report: report('b', { '404': 3000 }), notRun: null },
      { routes: ['GET /c'], report: report('c', { '200': 10 }, 'error'), notRun: null },
      { routes: ['GET /d'], report: null, notRun: 'time budget' },
      { routes: ['GET /e'], report: null, notRun: 'time budget' },
    ],
    [{ route: 'GET /ws', reason: 'websocket routes are not driven' }],
  );

  it('soaks a route only when a scenario reached a verdict with most answers a success', () => {
    expect(gateCoverage(outcomes)).toEqual({
      routes: 6,
      routesSoaked: 1,
      left: [
        { route: 'GET /b', why: 'answers 404×3000' },
        { route: 'GET /c', why: 'c: the target exited mid-run (exit code 1)' },
        { route: 'GET /d', why: 'time budget' },
        { route: 'GET /e', why: 'time budget' },
        { route: 'GET /ws', why: 'websocket routes are not driven' },
      ],
    });
  });

  it('says what was soaked and what was left, grouped, never a bare "passed"', () => {
    expect(gateSummary(true, gateCoverage(outcomes), 2, [{ dynamic: 'not-reached' }])).toBe(
      'passed: soaked 1 of 6 routes (1 left: not reached: answers mostly failed; ' +
        '1 left: c: the target exited mid-run (exit code 1); 2 left: time budget; ' +
        '1 left: websocket routes are not driven), 2 scenarios judged, 1 finding not reached',
    );
  });

  it('says "nothing soaked" instead of "passed" when no route was soaked', () => {
    const none = gateCoverage(
      routeOutcomes(
        ['GET /a'],
        [{ routes: ['GET /a'], report: report('a', { '404': 5 }), notRun: null }],
        [],
      ),
    );
    expect(gateSummary(true, none, 1, [])).toBe(
      'nothing soaked: soaked 0 of 1 route (1 left: not reached: answers mostly failed), 1 scenario judged',
    );
    expect(gateSummary(true, gateCoverage([]), 0, [])).toBe('nothing soaked: no routes found');
    expect(gateSummary(true, gateCoverage([]), 2, [])).toBe('passed: no routes found, 2 scenarios judged');
    expect(gateSummary(false, none, 1, [])).toMatch(/^failed: /);
  });

  it('--fail-on-unreached has a reason only when findings were not reached', () => {
    expect(
      unreachedReason([{ dynamic: 'not-reached' }, { dynamic: 'not-reached' }, { dynamic: 'confirmed' }]),
    ).toEqual(['2 findings no request reached — --fail-on-unreached']);
    expect(unreachedReason([{ dynamic: 'not-reproduced' }])).toEqual([]);
  });
});
