/**
 * The gate soaks every route, verifies each request reached its code, and earns a clear: real services
 * (Debian's Flask, aiohttp, prometheus_client; the standard library), each leaking one with a clean twin.
 */
import { describe, expect, it } from 'vitest';
import { gate, LIBRARY_APPS } from '../helpers/gate.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';

const TARGET = ['--target', `${DEBIAN_PYTHON} app.py`];
/** A gate soaks each route for a few seconds; the http.server services have three. */
const GATE_MS = 240_000;
const run = (app: string, args: string[] = []) => gate(app, [...TARGET, ...args], LIBRARY_APPS);

describe('the sweep catches leaks inside libraries that no rule flags', { timeout: GATE_MS }, () => {
  const cases: [string, string][] = [
    ['prom-labels', 'a prometheus_client label per raw path'],
    ['logger-per-request', 'a logger per request'],
    ['unique-warnings', 'a warning with a unique text'],
    ['cached-exception', 'a cached exception re-raised per request'],
    ['task-set', 'a task set with no done-callback (aiohttp)'],
  ];
  // R6 (app-registry) reads the task set on the app statically too; the sweep must still fail it.
  const flagged: Record<string, string[]> = { 'task-set': ['RELIABILITY_APP_REGISTRY'] };
  for (const [app, what] of cases) {
    it(`${what}: the leaky service fails, its clean twin passes`, async () => {
      const [leaky, clean] = await Promise.all([run(`${app}/leaky`), run(`${app}/clean`)]);
      expect(leaky.report.findings.map((f) => f.rule)).toEqual(flagged[app] ?? []);
      expect(leaky.exitCode).toBe(1);
      expect(leaky.report.gate.summary).toMatch(/^failed: soaked \d+ of \d+ route/);
      // A route a finding selected is soaked for that finding, before the sweep.
      const phase = flagged[app] ? 'selected' : 'sweep';
      expect(leaky.report.scenarios.some((s) => s.verdict === 'fail' && s.phase === phase)).toBe(true);
      expect(clean.exitCode).toBe(0);
      expect(clean.report.gate.summary).toMatch(/^passed: soaked [1-9]\d* of \d+ route/);
      expect(clean.report.scenarios.every((s) => s.verdict === 'pass')).toBe(true);
    });
  }
});

describe('reach is verified and a clear is earned', { timeout: GATE_MS }, () => {
  it('a flagged function behind a 404 branch is not reached, not cleared; --fail-on-unreached fails it', async () => {
    const [plain, strict] = await Promise.all([
      run('gated-lookup/leaky'),
      run('gated-lookup/leaky', ['--fail-on-unreached']),
    ]);
    expect(plain.exitCode).toBe(0);
    const [finding] = plain.report.findings;
    expect(finding.dynamic).toBe('not-reached');
    expect(finding.evidence).toMatch(
      /never entered render\(\) in 10 probe iterations; mostly failed answers: 404×\d+/,
    );
    expect(plain.report.gate.summary).toMatch(/^nothing soaked: soaked 0 of 1 route .*1 finding not reached/);
    expect(plain.report.scenarios[0].reach?.functions).toEqual({ 'app.py:report': 10, 'app.py:render': 0 });
    expect(strict.exitCode).toBe(1);
    expect(strict.report.gate.reasons).toContain('1 finding no request reached — --fail-on-unreached');
  });

  it("reaches the function once the generator finds the handler's own path (http.server dispatch)", async () => {
    const { exitCode, report } = await run('dispatch/leaky');
    expect(exitCode).toBe(1);
    expect(report.findings.map((f) => [f.shortId, f.dynamic])).toEqual([['R1', 'confirmed']]);
    const daily = report.scenarios.find((s) => s.name.startsWith('GET /reports/daily'))!;
    expect(daily.reach?.functions['app.py:build_report']).toBe(10);
    const catchAll = report.scenarios.find((s) => s.name.startsWith('GET *'))!;
    expect(catchAll.reach?.functions['app.py:build_report']).toBe(0);
    expect(report.gate.coverage?.left).toEqual([
      { route: 'GET *', why: expect.stringMatching(/^answers 404×/) },
    ]);
  });

  it('an XML endpoint gets an XML body; the clean twin is cleared with evidence', async () => {
    const [leaky, clean] = await Promise.all([run('xml-import/leaky'), run('xml-import/clean')]);
    expect(leaky.exitCode).toBe(1);
    expect(leaky.report.findings.map((f) => f.dynamic)).toEqual(['confirmed']);
    const post = leaky.report.scenarios.find((s) => s.name.startsWith('POST /import'))!;
    expect(post.reach?.statuses).toEqual({ '200': expect.any(Number) });
    expect(clean.exitCode).toBe(0);
    expect(clean.report.findings).toEqual([]);
    expect(clean.report.scenarios.find((s) => s.name.startsWith('POST /import'))?.reach?.functions).toEqual({
      'app.py:import_items': 10,
    });
  });

  it('a method on a locally built client is linked and its finding confirmed', async () => {
    const [leaky, clean] = await Promise.all([run('local-client/leaky'), run('local-client/clean')]);
    expect(leaky.exitCode).toBe(1);
    expect(leaky.report.findings.map((f) => [f.shortId, f.function, f.dynamic])).toEqual([
      ['R2', 'CatalogClient.page', 'confirmed'],
    ]);
    expect(leaky.report.scenarios[0].selectedBy).toHaveLength(1);
    expect(clean.exitCode).toBe(0);
  });

  it('settles on a request that gets through, and says which and why', async () => {
    const { report } = await run('unique-warnings/clean');
    const orders = report.scenarios.find((s) => s.name.startsWith('GET /orders/*'))!;
    expect(orders.request).toEqual({
      method: 'GET',
      path: '/orders/1',
      why: expect.stringMatching(
        /^the same id, 1, every time: the generated request got 404×\d+(?:, 200×1)?; this one got success answers/,
      ),
    });
    // http.server compares self.path, query and all: /health is asked for as it is, and needs no settling.
    const health = report.scenarios.find((s) => s.name.startsWith('GET /health'))!;
    expect(health.request).toBeUndefined();
    expect(health.verdict).toBe('pass');
    expect(report.gate.coverage?.left.map((l) => l.route)).toEqual(['GET *']);
  });
});

describe('the time budget', { timeout: GATE_MS }, () => {
  it('cuts the sweep and the report says what was left', async () => {
    const { exitCode, report } = await run('prom-labels/clean', ['--gate-time', '3s']);
    expect(exitCode).toBe(0);
    expect(report.scenarios).toHaveLength(1);
    expect(report.gate.coverage).toEqual({
      routes: 2,
      routesSoaked: 1,
      left: [{ route: expect.any(String), why: 'time budget' }],
    });
    expect(report.gate.summary).toBe('passed: soaked 1 of 2 routes (1 left: time budget), 1 scenario judged');
  });
});
