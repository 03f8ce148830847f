/** A clear must be earned: not-reproduced only when the finding's code verifiably ran (analysis/confirm.ts). */
import { describe, expect, it } from 'vitest';
import { confirmFindings } from '../../src/analysis/confirm.js';
import type { ReachReport, ScenarioReport } from '../../src/model/report.js';
import type { Finding } from '../../src/model/static.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import type { CallGraph } from '../../src/select/callgraph.js';
import type { Plan, PlannedScenario } from '../../src/select/plan.js';

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

const graph: CallGraph = { functions: new Map() };

function planned(name: string, selected: boolean): PlannedScenario {
  return {
    scenario: validateScenario({ name, request: { path: '/x/{i}' } }, { file: `${name}.json` }),
    generated: true,
    selected,
    selectedBy: selected
      ? [{ rule: FINDING.rule, file: FINDING.file, line: FINDING.line, severity: 'HIGH', via: 'x' }]
      : [],
    phase: selected ? 'selected' : 'sweep',
    routes: [],
    interest: [],
    why: '',
  };
}

function report(name: string, reach: ReachReport | undefined): ScenarioReport {
  return {
    name,
    verdict: 'pass',
    selectedBy: [],
    iterations: 3000,
    durationMs: 1000,
    metrics: { heap: { start: 0, end: 0, slopePerIteration: 1, r2: 0, trend: 'flat', exceeded: false } },
    leakSites: [],
    ...(reach ? { reach } : {}),
  };
}

function statusOf(reach: ReachReport | undefined, selected = true) {
  const plan: Plan = { scenarios: [planned('s', selected)], uncovered: [], routes: [] };
  const reports = new Map([['s', report('s', reach)]]);
  return confirmFindings([FINDING], plan, reports, graph).get(FINDING)!;
}

const reach = (count: number, statuses: Record<string, number>): ReachReport => ({
  functions: { 'store.py:keep': count },
  probeIterations: 10,
  statuses,
  mainThreadHooked: true,
});

describe('reach decides between not-reproduced and not-reached', () => {
  it('clears a finding whose function ran in most probe iterations with success answers', () => {
    expect(statusOf(reach(10, { '200': 3000 }))).toEqual({
      status: 'not-reproduced',
      evidence: "'s' ran it (in 10 of 10 probe iterations; answers 200×3000) and stayed within budget",
    });
  });

  it('does not clear a finding whose function was never entered', () => {
    expect(statusOf(reach(0, { '200': 3000 }))).toEqual({
      status: 'not-reached',
      evidence: "'s' never entered keep() in 10 probe iterations; answers 200×3000",
    });
  });

  it('does not clear a finding behind answers that mostly failed', () => {
    expect(statusOf(reach(10, { '404': 2990, '200': 10 }))).toEqual({
      status: 'not-reached',
      evidence: "'s' mostly failed answers: 404×2990, 200×10",
    });
  });

  it('needs most iterations, not one', () => {
    expect(statusOf(reach(5, { '200': 3000 }))).toEqual({
      status: 'not-reached',
      evidence: "'s' entered keep() in only 5 of 10 probe iterations; answers 200×3000",
    });
    expect(statusOf(reach(6, { '200': 3000 })).status).toBe('not-reproduced');
  });

  it("counts a scenario the plan did not select when its probe saw the finding's function run", () => {
    expect(statusOf(reach(10, { '200': 3000 }), false).status).toBe('not-reproduced');
    expect(statusOf(reach(0, { '200': 3000 }), false).status).toBe('not-exercised');
  });

  it('takes a report without a probe at its word (a soak, an older report)', () => {
    expect(statusOf(undefined).status).toBe('not-reproduced');
  });
});
