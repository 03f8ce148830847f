import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { heapgate, REPO, tempProject } from '../helpers/cli.js';

const FIXTURES = path.join(REPO, 'test/fixtures/reports');
const read = (name: string): Report => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Report;
const ENV = { GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: '' };

/** Two shards of one `analyze --enable-memory-budget-gate` run: same findings, one scenario each. */
function shards(): { dir: string; a: string; b: string; reports: [Report, Report] } {
  const stat = read('static-example.json');
  const leaky = read('soak-leaky.json');
  const a: Report = {
    ...stat,
    findings: stat.findings.map((f, i) => ({
      ...f,
      dynamic: i === 0 ? 'confirmed' : i === 1 ? 'not-reproduced' : 'not-exercised',
    })),
    scenarios: [leaky.scenarios[0]],
    gate: { passed: false, reasons: [leaky.gate.reasons[0], 'same reason in both'] },
    static: { ...stat.static!, filesAnalyzed: 3, bytes: 1000, cache: { hits: 1, misses: 2 }, durationMs: 50 },
  };
  const b: Report = {
    ...stat,
    findings: stat.findings.map((f, i) => ({ ...f, dynamic: i === 1 ? 'confirmed' : 'not-exercised' })),
    scenarios: [leaky.scenarios[1]],
    gate: { passed: false, reasons: [leaky.gate.reasons[1], 'same reason in both'] },
    static: {
      ...stat.static!,
      filesAnalyzed: 3,
      bytes: 1000,
      cache: { hits: 3, misses: 0 },
      durationMs: 80,
      failOn: 'HIGH',
    },
  };
  const dir = tempProject({
    'shard-1/heapgate.json': JSON.stringify(a),
    'shard-2/heapgate.json': JSON.stringify(b),
  });
  return {
    dir,
    a: path.join(dir, 'shard-1/heapgate.json'),
    b: path.join(dir, 'shard-2/heapgate.json'),
    reports: [a, b],
  };
}

describe('heapgate merge', () => {
  it('joins shard reports: scenarios concatenated, findings once with the strongest status, gate recomputed', async () => {
    const { a, b, reports } = shards();
    const result = await heapgate(['merge', a, b], { env: ENV });
    expect(result.exitCode).toBe(1);
    const merged = JSON.parse(result.stdout) as Report;
    expect(merged.schemaVersion).toBe(1);
    expect(merged.scenarios.map((s) => s.name)).toEqual(['unique-paths', 'worker-failing']);
    expect(merged.findings).toHaveLength(reports[0].findings.length);
    expect(merged.findings.filter((f) => f.dynamic === 'confirmed')).toHaveLength(2);
    expect(merged.findings.filter((f) => f.dynamic === 'not-reproduced')).toHaveLength(0);
    expect(merged.gate.passed).toBe(false);
    expect(merged.gate.reasons).toEqual([
      reports[0].gate.reasons[0],
      'same reason in both',
      reports[1].gate.reasons[0],
    ]);
    // The static phase ran whole in every shard: not summed, except the caches.
    expect(merged.static).toMatchObject({
      filesAnalyzed: 3,
      bytes: 1000,
      durationMs: 80,
      cache: { hits: 4, misses: 2 },
      failOn: 'HIGH',
    });
    expect(merged.routes).toEqual(reports[0].routes);
    expect(result.stderr).toContain('heapgate merge: 2 reports, 2 scenarios, 6 findings; gate failed');
    expect(result.stderr).toContain('heapgate: gate failed: same reason in both');
  });

  it('exits 0 when every shard passed', async () => {
    const clean = read('soak-clean.json');
    const other = { ...clean, scenarios: [{ ...clean.scenarios[0], name: 'other-paths' }] };
    const dir = tempProject({ 'a.json': JSON.stringify(clean), 'b.json': JSON.stringify(other) });
    const result = await heapgate(['merge', path.join(dir, 'a.json'), path.join(dir, 'b.json')], {
      env: ENV,
    });
    expect(result.exitCode).toBe(0);
    const merged = JSON.parse(result.stdout) as Report;
    expect(merged.gate).toEqual({ passed: true, reasons: [] });
    expect(merged.scenarios.map((s) => s.name)).toEqual(['unique-paths', 'other-paths']);
    expect(merged.static).toBeUndefined();
  });

  it('a scenario in two shards is an error naming both files (exit 2)', async () => {
    const a = path.join(FIXTURES, 'soak-clean.json');
    const b = path.join(FIXTURES, 'soak-clean-2.json');
    const result = await heapgate(['merge', a, b], { env: ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${b}: scenarios: 'unique-paths' is also in ${a}`);
    expect(result.stdout).toBe('');
  });

  it('writes several formats with --output-dir, and text to the terminal', async () => {
    const { dir, a, b } = shards();
    const out = path.join(dir, 'merged');
    const files = await heapgate(
      ['merge', a, b, '--format', 'json,sarif,junit,markdown', '--output-dir', out],
      {
        env: ENV,
      },
    );
    expect(files.exitCode).toBe(1);
    expect(readdirSync(out).sort()).toEqual([
      'heapgate.json',
      'heapgate.junit.xml',
      'heapgate.md',
      'heapgate.sarif',
    ]);
    const sarif = JSON.parse(readFileSync(path.join(out, 'heapgate.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    // The six static findings, and the failing scenario's leak site in the project.
    expect(sarif.runs[0].results.filter((r) => r.ruleId !== 'HEAPGATE_LEAK_SITE')).toHaveLength(6);
    expect(sarif.runs[0].results.filter((r) => r.ruleId === 'HEAPGATE_LEAK_SITE')).toHaveLength(1);
    const text = await heapgate(['merge', a, b, '--format', 'text'], { env: ENV });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('2 scenarios: 0 passed, 1 failed, 1 errored');
  });

  it('bad input exits 2', async () => {
    const dir = tempProject({ 'x.json': '[]' });
    const result = await heapgate(['merge', path.join(dir, 'x.json')], { env: ENV });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('x.json: expected a heapgate JSON report (an object), got []');
    const none = await heapgate(['merge'], { env: ENV });
    expect(none.exitCode).toBe(2);
  });

  it('in GitHub Actions: annotations on stderr, stdout stays pure JSON, the summary appended', async () => {
    const { dir, a, b } = shards();
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    const result = await heapgate(['merge', a, b], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
      cwd: dir,
    });
    expect(result.exitCode).toBe(1);
    expect((JSON.parse(result.stdout) as Report).scenarios).toHaveLength(2);
    const annotations = result.stderr.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations[0]).toMatch(
      /^::error file=stdlib_service.py,line=41,title=heapgate%3A scenario unique-paths leaks::/,
    );
    expect(
      annotations.some((l) => l.startsWith('::error title=heapgate%3A scenario worker-failing errored::')),
    ).toBe(true);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## heapgate: ❌ failed/);

    const off = await heapgate(['merge', a, b], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, HEAPGATE_GITHUB: 'off' },
    });
    expect(off.stderr).not.toContain('::error');
  });
});
