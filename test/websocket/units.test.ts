/**
 * An iteration of a WebSocket scenario is a connection, of a call scenario a call: the projections read
 * "per million connections" / "per million calls" wherever they are written — the verdict's reasons
 * (analysis), the report's `kind`, and every format's rendering — from one table (model/scenario-kind.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProjection, project } from '../../src/analysis/projections.js';
import { describeVerdict } from '../../src/analysis/scenario-report.js';
import { scenarioVerdict } from '../../src/analysis/verdict.js';
import { FORMATS } from '../../src/config/formats.js';
import { DEFAULT_BUDGET } from '../../src/model/budget.js';
import type { Report } from '../../src/model/report.js';
import { iterationNoun, SCENARIO_KINDS, type ScenarioKind } from '../../src/model/scenario-kind.js';
import { render } from '../../src/report/index.js';
import { validateReport } from '../../src/report/validate.js';
import { simulateRun } from '../analysis/synthetic.js';

const REPORTS = path.join(import.meta.dirname, '../fixtures/reports');

/** A leak of 400 B per iteration, judged as a scenario of this kind. */
function leakyVerdict(kind: ScenarioKind | undefined) {
  const run = simulateRun((shape) => Array.from({ length: shape.n }, (_, i) => 2e7 + 400 * i * shape.every));
  const verdict = scenarioVerdict(run.samples, DEFAULT_BUDGET, {
    kind,
    measuredFromIteration: run.samples[run.measuredFrom].iteration,
  });
  return { verdict, run };
}

/** The leaky fixture report with its first scenario replaced by one of this kind, as a run records it. */
function reportOfKind(kind: ScenarioKind): Report {
  const report = JSON.parse(readFileSync(path.join(REPORTS, 'soak-leaky.json'), 'utf8')) as Report;
  const { verdict, run } = leakyVerdict(kind);
  const measuredFrom = run.samples[run.measuredFrom].iteration;
  const scenario = {
    ...report.scenarios[0],
    name: `${kind} scenario`,
    kind,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    ...describeVerdict(verdict, measuredFrom, DEFAULT_BUDGET, run.samples),
  };
  report.scenarios = [scenario];
  report.gate = { ...report.gate, reasons: verdict.reasons.map((r) => `${scenario.name}: ${r}`) };
  return report;
}

describe('the unit of an iteration follows the scenario kind', () => {
  it('one table: requests, calls, connections; requests when a report predates the kind', () => {
    expect(SCENARIO_KINDS.map((k) => iterationNoun(k).many)).toEqual(['requests', 'calls', 'connections']);
    expect(iterationNoun(undefined)).toEqual({ one: 'request', many: 'requests' });
    expect(describeProjection(project(100, 1800), 'websocket')).toBe(
      '100 B/iteration (95 MB per million connections, 176 KB/h at the measured rate)',
    );
    expect(describeProjection(project(100, null), 'call')).toBe('100 B/iteration (95 MB per million calls)');
  });

  it.each([
    ['websocket', 'connections'],
    ['call', 'calls'],
    ['request', 'requests'],
    [undefined, 'requests'],
  ] as const)('the verdict of a %s scenario counts a million %s', (kind, noun) => {
    const { verdict } = leakyVerdict(kind);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.reasons[0]).toMatch(
      new RegExp(`^heap grows 400 B/iteration \\(381 MB per million ${noun},`),
    );
  });

  it.each(['websocket', 'call'] as const)(
    'every format of a %s scenario says its own unit, never "per million requests"',
    (kind) => {
      const report = reportOfKind(kind);
      const noun = iterationNoun(kind).many;
      // The report is valid with its kind, and a kind it does not know is refused.
      expect(() => validateReport(report, 'r.json')).not.toThrow();
      expect(() =>
        validateReport(
          { ...report, scenarios: [{ ...report.scenarios[0], kind: 'carrier-pigeon' }] },
          'r.json',
        ),
      ).toThrow(/kind/);
      const said: string[] = [];
      for (const format of FORMATS) {
        const out = render(report, format, { color: false, width: 160 });
        expect(out, format).not.toContain('per million requests');
        if (out.includes(`per million ${noun}`)) said.push(format);
      }
      // Every format that quotes the projection (SARIF carries findings only, JUnit no reasons).
      expect(said).toEqual(['text', 'json', 'markdown', 'html']);
    },
  );
});
