/**
 * Issue 13, "a verdict a service can fake": the service used to be able to write forged `sample`
 * replies on the control channel (6 of 62 samples forged, a leaking service passed). A real leaking
 * service that forges — on the run's socket and on every descriptor it holds — must now fail, and the
 * report must say that messages were ignored. (The claim check alone: test/service/channels.test.ts.)
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { heapgateLeavingNothing, reportOf, scenario, soak } from '../helpers/soak.js';

const HOSTILE = path.join(REPO, 'test/fixtures/hostile');

describe('a service that forges sample replies', () => {
  it('is measured for real: the leak fails and the report says messages were ignored', async () => {
    const result = await heapgateLeavingNothing(
      [
        'soak',
        '--target',
        'python3 forger.py',
        '--scenarios',
        scenario('unique-paths.json'),
        '--iterations',
        '1500',
        '--format',
        'json',
      ],
      { cwd: HOSTILE },
    );
    const report = reportOf(result);
    expect(result.exitCode).toBe(1);
    const [s] = report.scenarios;
    expect(s.verdict).toBe('fail');
    // The fixture stores ~100 B per request; the forged replies said 0.
    expect(s.metrics.heap!.slopePerIteration).toBeGreaterThan(100);
    expect(s.notes?.join('\n')).toMatch(
      /\d+ messages on the control channels did not come from heapgate's shim/,
    );
  });

  it('a clean service has no such note', async () => {
    const { report } = await soak([
      '--target',
      'python3 stdlib_service.py',
      '--scenarios',
      scenario('health.json'),
      '--iterations',
      '300',
    ]);
    expect(report.scenarios[0].notes?.join('\n') ?? '').not.toContain('control channels');
  });
});
