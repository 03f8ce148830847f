import { describe, expect, it } from 'vitest';
import { scenario, soak } from '../helpers/soak.js';

const service = (leak: string) => `env LEAK=${leak} python3 stdlib_service.py`;
const uniquePaths = scenario('unique-paths.json');

describe('heapgate soak against a stdlib service', () => {
  it('fails a heap leak, names the leaking line, and passes its clean twin', async () => {
    const leaky = await soak(['--target', service('heap'), '--scenarios', uniquePaths]);
    expect(leaky.exitCode).toBe(1);
    const [s] = leaky.report.scenarios;
    expect(s).toMatchObject({ name: 'unique-paths', verdict: 'fail', heapCounter: 'allocator' });
    expect(s.metrics.heap).toMatchObject({ exceeded: true, trend: 'growing' });
    expect(s.metrics.heap!.slopePerIteration).toBeGreaterThan(60);
    expect(s.leakSites[0].file).toBe('stdlib_service.py');
    expect(s.leakSites[0].traceback[0]).toMatch(/^stdlib_service\.py:\d+$/);
    expect(leaky.report.gate.passed).toBe(false);
    expect(s.series!.length).toBeGreaterThanOrEqual(20);
    expect(s.tree).toMatchObject({ processes: 1 }); // one process, read from outside too
    expect(s.tree!.rssPeakBytes).toBeGreaterThan(5 * 1024 * 1024);

    const clean = await soak(['--target', service('none'), '--scenarios', uniquePaths]);
    expect(clean.exitCode).toBe(0);
    expect(clean.report.scenarios[0]).toMatchObject({ verdict: 'pass', leakSites: [] });
    expect(clean.report.scenarios[0].metrics.heap!.exceeded).toBe(false);
  });

  it('with --heap-counter tracemalloc: fails the heap leak from traced bytes and passes its clean twin', async () => {
    const counter = ['--heap-counter', 'tracemalloc', '--iterations', '1500'];
    const leaky = await soak(['--target', service('heap'), '--scenarios', uniquePaths, ...counter]);
    expect(leaky.exitCode).toBe(1);
    const [s] = leaky.report.scenarios;
    expect(s).toMatchObject({ verdict: 'fail', heapCounter: 'tracemalloc' });
    expect(s.metrics.heap!.slopePerIteration).toBeGreaterThan(60);
    expect(s.leakSites[0].file).toBe('stdlib_service.py');

    const clean = await soak(['--target', service('none'), '--scenarios', uniquePaths, ...counter]);
    expect(clean.exitCode).toBe(0);
    expect(clean.report.scenarios[0]).toMatchObject({ verdict: 'pass', heapCounter: 'tracemalloc' });
  });

  it.each([
    ['threads', 'threads'],
    ['fds', 'fds'],
    ['handlers', 'handlers'],
    ['native', 'rss'],
  ])('fails a %s leak on the %s metric', async (leak, metric) => {
    const run = await soak(['--target', service(leak), '--scenarios', uniquePaths, '--iterations', '1500']);
    expect(run.exitCode).toBe(1);
    const [s] = run.report.scenarios;
    expect(s.verdict).toBe('fail');
    expect(s.metrics[metric as 'rss']!.exceeded).toBe(true);
    // malloc() in a C library: the allocator counter sees it as heap too (16 KB a request).
    if (leak === 'native') expect(s.metrics.heap!.slopePerIteration).toBeGreaterThan(10_000);
  });

  it('with --heap-counter tracemalloc, a native leak shows on RSS only', async () => {
    const run = await soak([
      '--target',
      service('native'),
      '--scenarios',
      uniquePaths,
      '--iterations',
      '1500',
      '--heap-counter',
      'tracemalloc',
    ]);
    expect(run.exitCode).toBe(1);
    const [s] = run.report.scenarios;
    expect(s.metrics.rss!.exceeded).toBe(true);
    expect(s.metrics.heap!.exceeded).toBe(false); // tracemalloc cannot see malloc()
  });

  it('does not count what a server thread holds for a moment after answering', async () => {
    // Each request's thread holds 10 MB for 4 ms after its response has gone out: samples taken the moment
    // a block's last answer arrives would see it without the shim's re-reading of sudden jumps.
    const run = await soak(['--target', service('tail'), '--scenarios', uniquePaths, '--iterations', '1500']);
    expect(run.exitCode).toBe(0);
    const heap = (run.report.scenarios[0].series ?? []).map((p) => p.heap);
    const steps = heap.slice(1).map((h, i) => Math.abs(h - heap[i]));
    expect(Math.max(...steps)).toBeLessThan(1 << 20);
  });

  it('keeps its channel clean while the service prints to stdout on every request', async () => {
    const run = await soak([
      '--target',
      service('none'),
      '--scenarios',
      scenario('print.json'),
      '--iterations',
      '1500',
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.report.scenarios[0].verdict).toBe('pass');
  });

  it('reports a target that crashes mid-run as an error with its stderr, exit 3', async () => {
    const run = await soak(['--target', 'python3 stdlib_service.py', '--scenarios', scenario('crash.json')], {
      CRASH_AFTER: '400',
    });
    expect(run.exitCode).toBe(3);
    const [s] = run.report.scenarios;
    expect(s.verdict).toBe('error');
    expect(s.error).toMatch(/exited mid-run|kept failing/);
    expect(s.error).toContain('fatal: worker state corrupted after');
  });

  it('reports a target that never listens, exit 3, quoting its stderr', async () => {
    const run = await soak([
      '--target',
      'python3 never_listens.py',
      '--scenarios',
      uniquePaths,
      '--ready-timeout',
      '2s',
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.report.scenarios[0].error).toContain('never became ready');
    expect(run.report.scenarios[0].error).toContain('warming up forever');
  });
});
