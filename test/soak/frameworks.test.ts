import { describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, scenario, soak } from '../helpers/soak.js';

describe('heapgate soak against framework services (Debian python3)', () => {
  it('Flask: fails the leaky twin at the route that keeps orders, passes the clean one', async () => {
    const target = (leak: string) => `env LEAK=${leak} ${DEBIAN_PYTHON} flask_app.py`;
    const leaky = await soak(['--target', target('heap'), '--scenarios', scenario('orders.json')]);
    expect(leaky.exitCode).toBe(1);
    expect(leaky.report.scenarios[0].metrics.heap!.exceeded).toBe(true);
    expect(leaky.report.scenarios[0].leakSites.map((s) => s.file)).toContain('flask_app.py');
    const clean = await soak(['--target', target('none'), '--scenarios', scenario('orders.json')]);
    expect(clean.exitCode).toBe(0);
  });

  it('`flask run` starts unchanged under the shim and the leak is found', async () => {
    const run = await soak([
      '--target',
      'env LEAK=heap flask --app flask_app run --host 127.0.0.1 --port {port}',
      '--scenarios',
      scenario('orders.json'),
      '--iterations',
      '1500',
    ]);
    const [s] = run.report.scenarios;
    const series = (s.series ?? []).map((p) => `${p.iteration}:${p.heap}`).join(' ');
    expect(run.exitCode, `${s.verdict} after ${s.warmupIterations} warm-up; ${series}`).toBe(1);
    expect(run.report.scenarios[0].metrics.heap!.exceeded).toBe(true);
    expect(run.report.scenarios[0].leakSites.map((s) => s.file)).toContain('flask_app.py');
  });

  it('FastAPI under uvicorn: fails the unbounded lru_cache route, passes the health route', async () => {
    const run = await soak([
      '--target',
      `${DEBIAN_PYTHON} -m uvicorn fastapi_app:app --port {port} --log-level warning`,
      '--scenarios',
      scenario('price.json'),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.report.scenarios[0].metrics.heap!.exceeded).toBe(true);
    const clean = await soak([
      '--target',
      `${DEBIAN_PYTHON} -m uvicorn fastapi_app:app --port {port} --log-level warning`,
      '--scenarios',
      scenario('health.json'),
    ]);
    expect(clean.exitCode).toBe(0);
  });

  it('aiohttp: fails the handler that keeps every event, passes the one with a bounded deque', async () => {
    const target = (leak: string) => `env LEAK=${leak} ${DEBIAN_PYTHON} aiohttp_app.py`;
    const leaky = await soak(['--target', target('heap'), '--scenarios', scenario('events.json')]);
    expect(leaky.exitCode).toBe(1);
    const [s] = leaky.report.scenarios;
    expect(s.metrics.heap).toMatchObject({ exceeded: true, trend: 'growing' });
    expect(s.leakSites.map((site) => site.file)).toContain('aiohttp_app.py');
    const clean = await soak(['--target', target('none'), '--scenarios', scenario('events.json')]);
    expect(clean.exitCode).toBe(0);
    expect(clean.report.scenarios[0].verdict).toBe('pass');
  });

  it('gunicorn with two forked workers: sums the workers and fails the leak', async () => {
    const run = await soak([
      '--target',
      'env LEAK=heap gunicorn -w 2 -k gthread -b 127.0.0.1:{port} stdlib_wsgi:app',
      '--scenarios',
      scenario('unique-paths.json'),
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.report.scenarios[0].verdict).toBe('fail');
    // The tree seen from outside: the master and both workers, RSS and CPU summed over them.
    const tree = run.report.scenarios[0].tree!;
    expect(tree.processes).toBeGreaterThanOrEqual(3);
    expect(tree.rssPeakBytes).toBeGreaterThan(3 * 10 * 1024 * 1024);
    expect(tree.cpuPercent).toBeGreaterThan(0);
  });
});

describe('call scenarios in a bare interpreter (no --target)', () => {
  it('fail a worker that keeps every record and pass one that keeps a bounded window', async () => {
    const leaky = await soak(['--scenarios', scenario('calls-leaky.json')]);
    expect(leaky.exitCode).toBe(1);
    expect(leaky.report.scenarios[0].leakSites[0].file).toBe('worker.py');
    const clean = await soak(['--scenarios', scenario('calls-clean.json')]);
    expect(clean.exitCode).toBe(0);
  });

  it('stop a worker whose calls keep failing: error, exit 3, the exception named', async () => {
    const run = await soak(['--scenarios', scenario('calls-failing.json')]);
    expect(run.exitCode).toBe(3);
    expect(run.report.scenarios[0].error).toContain('ValueError: cannot process');
  });
});
