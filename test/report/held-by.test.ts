/** Every format carries what keeps the memory alive; HTML shows it above the leak sites. */
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type Report, type ScenarioReport } from '../../src/model/report.js';
import { annotations } from '../../src/report/github.js';
import { heldByLines } from '../../src/report/held-by.js';
import { render } from '../../src/report/index.js';
import { validateReport } from '../../src/report/validate.js';

const leaky: ScenarioReport = {
  name: 'show-order',
  verdict: 'fail',
  selectedBy: [],
  iterations: 1400,
  durationMs: 5000,
  metrics: {
    heap: { start: 1e6, end: 1.9e6, slopePerIteration: 700, r2: 0.99, trend: 'growing', exceeded: true },
  },
  reasons: ['heap grows 700 B/iteration; budget 32 B/iteration'],
  leakSites: [
    {
      file: 'app.py',
      line: 14,
      sizeDiffBytes: 30_600,
      countDiff: 100,
      traceback: ['app.py:14'],
      code: 'store[k] = v',
      role: 'retains',
    },
    {
      file: '/usr/lib/python3/dist-packages/werkzeug/routing.py',
      line: 900,
      sizeDiffBytes: 90_000,
      countDiff: 50,
      traceback: [],
      role: 'library',
    },
  ],
  attributionIterations: 50,
  heldBy: [
    {
      path: 'app.store',
      type: 'dict',
      entryType: 'list',
      entries: 1500,
      entriesPerIteration: 1,
      bytesPerIteration: 612,
      addedAt: 'app.py:14',
      code: 'store[k] = v',
      ownCode: true,
      findings: ['R1 app.py:14'],
    },
    {
      path: 'logging.Logger.manager.loggerDict',
      type: 'dict',
      entries: 1500,
      entriesPerIteration: 1,
      bytesPerIteration: 300,
      addedAt: 'app.py:20',
      ownCode: true,
      findings: [],
    },
  ],
  holdersSearch: { objects: 40_000, seconds: 0.4, grownTypes: [{ type: 'list', perIteration: 1 }] },
  explained: {
    share: 1,
    outsidePythonHeap: false,
    metric: 'heap',
    measuredBytesPerIteration: 700,
    tracedBytesPerIteration: 690,
    heldBytesPerIteration: 912,
  },
};

const report: Report = {
  schemaVersion: SCHEMA_VERSION,
  tool: { name: 'heapgate', version: '0.0.0' },
  findings: [],
  scenarios: [leaky],
  gate: { passed: false, reasons: ['scenario show-order failed'] },
};

const TEXT = { color: false, width: 120 };

describe('held by in every format', () => {
  it('words a holder with its path, growth, own line and the finding it confirms', () => {
    expect(heldByLines(leaky)).toEqual([
      'app.store (dict of list): +1 entry/iteration, 612 B/iteration (612 B/entry) · added by your code at app.py:14: store[k] = v · confirms R1 app.py:14',
      'logging.Logger.manager.loggerDict (dict): +1 entry/iteration, 300 B/iteration (300 B/entry) · added by your code at app.py:20 · a leak the rules did not see (no finding names this container)',
      'the holders explain 100% of the 700 B/iteration heap growth',
    ]);
  });

  it('says when the growth is outside the Python heap, and when the search gave up', () => {
    const native: ScenarioReport = {
      ...leaky,
      heldBy: [],
      holdersSearch: {
        objects: 2e6,
        seconds: 30,
        grownTypes: [],
        gaveUp: 'out of time (30 s) naming the holders',
      },
      explained: {
        ...leaky.explained!,
        share: 0.01,
        outsidePythonHeap: true,
        heldBytesPerIteration: 0,
        tracedBytesPerIteration: 90,
      },
    };
    expect(heldByLines(native)).toEqual([
      'no container grew with the iterations',
      'the search stopped early: out of time (30 s) naming the holders',
      'outside the Python heap: traced Python memory grew 90 B/iteration of the 700 B/iteration heap growth; the rest is native (a C extension, the allocator)',
    ]);
  });

  it.each(['text', 'markdown', 'junit', 'sarif', 'json', 'html'] as const)(
    '%s carries the holders',
    (format) => {
      const out = render(report, format, TEXT);
      expect(out).toContain('app.store');
      expect(out).toContain('logging.Logger.manager.loggerDict');
      expect(out).toMatch(/612/);
      expect(out).toContain('app.py:14');
    },
  );

  it('HTML shows "Held by" above the leak sites, the holder with its growth and your line', () => {
    const html = render(report, 'html', TEXT);
    const held = html.indexOf('<h3>Held by</h3>');
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(html.indexOf('<h3>Top leak sites</h3>'));
    expect(html).toContain('<code class="path holder-path">app.store</code>');
    expect(html).toContain('+1 entry/iteration, 612 B/iteration (612 B/entry)');
    expect(html).toContain('<code class="path">app.py:14</code>');
    expect(html).toContain('confirms R1 app.py:14');
    // The sites keep the analysis's order (the line that keeps memory before the bigger library line).
    expect(html.indexOf('app.py:14</code> <span class="pill own">')).toBeLessThan(html.indexOf('routing.py'));
    expect(html).toContain('keeps it');
  });

  it('SARIF reports each holder at its own line under HEAPGATE_HELD_BY', () => {
    const sarif = JSON.parse(render(report, 'sarif', TEXT)) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[];
    };
    const [run] = sarif.runs;
    const held = run.results.filter((r) => r.ruleId === 'HEAPGATE_HELD_BY');
    expect(held).toHaveLength(2);
    expect(held[0]).toMatchObject({
      ruleIndex: run.tool.driver.rules.findIndex((r) => r.id === 'HEAPGATE_HELD_BY'),
      properties: {
        path: 'app.store',
        entriesPerIteration: 1,
        bytesPerIteration: 612,
        findings: ['R1 app.py:14'],
      },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'app.py' }, region: { startLine: 14 } } }],
    });
  });

  it('a GitHub annotation lists the holders', () => {
    const [annotation] = annotations(report).filter((a) => a.includes('leaks'));
    expect(annotation).toContain('Held by:%0A- app.store');
  });

  it('a saved report with holders validates, and a broken holder is named', () => {
    const saved = JSON.parse(render(report, 'json', TEXT)) as unknown;
    expect(validateReport(saved, 'r.json').scenarios[0].heldBy).toHaveLength(2);
    const broken = JSON.parse(JSON.stringify(saved)) as {
      scenarios: { heldBy: Record<string, unknown>[] }[];
    };
    broken.scenarios[0].heldBy[1].bytesPerIteration = '300';
    expect(() => validateReport(broken, 'r.json')).toThrow(
      /r\.json: scenarios\[0\]\.heldBy\[1\]\.bytesPerIteration: expected a number/,
    );
  });
});
