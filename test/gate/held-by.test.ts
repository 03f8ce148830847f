/**
 * What keeps the memory alive, on real services leaking through real libraries (test/fixtures/gate-libs):
 * the holder named by its path with its growth and the service's own line, holders tied to the findings
 * whose container they are, and the rest reported as leaks the rules did not see.
 */
import { describe, expect, it } from 'vitest';
import type { Report, ScenarioReport } from '../../src/model/report.js';
import { gate, LIBRARY_APPS } from '../helpers/gate.js';
import { DEBIAN_PYTHON } from '../helpers/soak.js';

const TARGET = ['--target', `${DEBIAN_PYTHON} app.py`];
const GATE_MS = 240_000;
const run = (app: string) => gate(`${app}/leaky`, TARGET, LIBRARY_APPS);

function failed(report: Report): ScenarioReport {
  const scenario = report.scenarios.find((s) => s.verdict === 'fail');
  expect(scenario, 'a failing scenario').toBeDefined();
  return scenario!;
}

describe('held by, on services leaking through libraries', { timeout: GATE_MS }, () => {
  it.each([
    ['logger-per-request', 'logging.Logger.manager.loggerDict', 1, 'app.py:14'],
    ['prom-labels', 'app.REQUESTS._metrics', 1, 'app.py:14'],
    // Each raise adds the frames of reserve() and of its caller to the kept exception's chain.
    ['cached-exception', 'app.SOLD_OUT.__traceback__', 2, 'app.py:20'],
  ])('%s: names %s, its growth and the line of the service', async (app, path, perIteration, addedAt) => {
    const { exitCode, report } = await run(app);
    expect(exitCode).toBe(1);
    const s = failed(report);
    const [holder] = s.heldBy!;
    expect(holder).toMatchObject({ path, entriesPerIteration: perIteration, addedAt, ownCode: true });
    expect(holder.bytesPerIteration).toBeGreaterThan(100);
    // No rule flags these: each is reported as a leak the rules did not see.
    expect(holder.findings).toEqual([]);
    expect(s.holdersSearch!.gaveUp).toBeUndefined();
    expect(s.explained).toMatchObject({ outsidePythonHeap: false });
    expect(s.explained!.share).toBeGreaterThan(0.5);
    // The own-code line is among the top three leak sites.
    expect(s.leakSites.slice(0, 3).map((site) => `${site.file}:${site.line}`)).toContain(addedAt);
  });

  it('a kept exception: `raise` of the cached instance leads the sites, as the line that keeps memory', async () => {
    const { report } = await run('cached-exception');
    const [top] = failed(report).leakSites;
    expect(top).toMatchObject({ file: 'app.py', line: 20, role: 'retains', code: 'raise SOLD_OUT' });
  });

  it.each([
    ['dispatch', 'app.REPORTS', 'R1 app.py:12'],
    ['xml-import', 'app.IMPORTED', 'R1 app.py:19'],
  ])('%s: the holder %s confirms the finding on its container', async (app, path, finding) => {
    const { exitCode, report } = await run(app);
    expect(exitCode).toBe(1);
    const s = failed(report);
    expect(s.heldBy![0]).toMatchObject({ path, entriesPerIteration: 1, findings: [finding] });
    const [confirmed] = report.findings;
    expect(confirmed.dynamic).toBe('confirmed');
    // Bytes per entry as formatBytes words them: a report of about 1 KB is "1.5 KB/entry" on some runs.
    expect(confirmed.evidence).toMatch(
      new RegExp(
        `^held by \`${path.replace('.', '\\.')}\`, \\+1 entry/iteration, (\\d+ B|\\d+(\\.\\d)? KB)/entry, added at ${finding.slice(3)} in '`,
      ),
    );
  });
});
