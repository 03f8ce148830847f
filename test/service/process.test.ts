import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetError, UsageError } from '../../src/errors.js';
import { isAlive } from '../../src/service/kill.js';
import { TargetProcess, type TargetOptions } from '../../src/service/process.js';
import { freePort } from '../../src/service/readiness.js';
import { REPO } from '../helpers/cli.js';
import { expectNothingLeft } from '../helpers/processes.js';

const SERVICES = path.join(REPO, 'test/fixtures/services');
const DEBIAN_PYTHON = '/usr/bin/python3';
const started: TargetProcess[] = [];

async function start(command: string | null, extra: Partial<TargetOptions> = {}): Promise<TargetProcess> {
  const target = await TargetProcess.start({
    command,
    python: 'python3',
    cwd: SERVICES,
    port: command ? await freePort() : null,
    traceDepth: 1,
    readyTimeoutMs: 15_000,
    graceMs: 2000,
    ...extra,
  });
  started.push(target);
  return target;
}

async function get(target: TargetProcess, urlPath: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${target.options.port}${urlPath}`);
  await response.text();
  return response.status;
}

afterEach(async () => {
  for (const target of started.splice(0)) {
    const folder = target.privateFolder;
    await target.stop();
    await expectNothingLeft(target.runId, folder ? [folder] : []);
  }
});

describe('TargetProcess', () => {
  it('starts a stdlib service with the shim, samples it and ends it', async () => {
    const target = await start('python3 stdlib_service.py');
    // The allocator counter needs no tracing: tracemalloc stays off until an attribution pass.
    expect(target.main?.hello).toMatchObject({
      role: 'main',
      implementation: 'cpython',
      heapCounter: 'allocator',
      traceDepth: 0,
    });
    expect(await get(target, '/x')).toBe(200);
    const [sample] = await target.sampleAll();
    expect(sample.role).toBe('main');
    expect(sample.heap).toBeGreaterThan(10_000);
    expect(sample.rss).toBeGreaterThan(sample.heap);
    expect(sample.threads).toBeGreaterThanOrEqual(1);
    expect(sample.fds).toBeGreaterThanOrEqual(3);
    const pid = target.pid!;
    const result = await target.stop();
    expect(result?.leftovers).toEqual([]);
    expect(isAlive(pid)).toBe(false);
  });

  it('keeps the channel clean while the service prints on stdout, and moves its prints to stderr', async () => {
    const target = await start('python3 stdlib_service.py');
    for (let i = 0; i < 20; i++) expect(await get(target, `/print/${i}`)).toBe(200);
    const samples = await target.sampleAll();
    expect(samples).toHaveLength(1);
    expect(target.main!.noise).toBe(0);
    expect(target.stderrTail()).toContain('a line the service prints on stdout /print/19');
  });

  it('fails with the stderr tail when the service never listens', async () => {
    const error = await start('python3 never_listens.py', { readyTimeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).message).toContain('never became ready');
    expect((error as TargetError).stderrTail).toContain('warming up forever');
  });

  it('fails with the stderr tail when the service exits while starting', async () => {
    const error = await start('python3 crashes_on_start.py').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).stderrTail).toContain('fatal: settings file not found');
  });

  it('fails with a clear error when the command does not exist', async () => {
    const error = await start('heapgate-no-such-program --port {port}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    // Says so, instead of "exited before it started (exit code unknown)" (issue 13).
    expect((error as TargetError).message).toBe(
      "the target could not be started: no such program 'heapgate-no-such-program' (is it installed and on PATH?)",
    );
    expect((error as TargetError).stderrTail).toContain('spawn heapgate-no-such-program ENOENT');
  });

  it('notices a crash mid-run', async () => {
    const target = await start('python3 stdlib_service.py');
    await get(target, '/crash').catch(() => 0);
    expect(await target.exitReason()).toBe('exit code 3');
  });

  it('kills a service (and its child) that ignore SIGTERM', async () => {
    const target = await start('python3 ignores_sigterm.py', { graceMs: 500 });
    await new Promise((r) => setTimeout(r, 300));
    const result = await target.stop(500);
    expect(result!.killed.length).toBeGreaterThanOrEqual(2);
    expect(result!.leftovers).toEqual([]);
  });

  it('refuses python -I, which would never load the shim', async () => {
    await expect(start('python3 -I stdlib_service.py')).rejects.toBeInstanceOf(UsageError);
  });

  it.each([
    // [counter, what is kept, how many, bytes expected per item (range), environment]
    ['allocator', 'keep_small', 20_000, [100, 125]],
    ['allocator', 'keep_large', 2000, [4096, 4200]],
    ['allocator', 'keep_native', 2000, [4096, 4200]],
    ['tracemalloc', 'keep_small', 20_000, [100, 110]],
    ['tracemalloc', 'keep_large', 2000, [4096, 4150]],
    ['tracemalloc', 'keep_native', 2000, [0, 100]], // malloc() in C is invisible to tracemalloc
    // Without pymalloc every object is malloc's: a chunk header and 16-byte rounding on top.
    ['allocator', 'keep_small', 20_000, [100, 140], { PYTHONMALLOC: 'malloc' }],
  ] as const)('the %s counter measures %s', async (counter, fn, count, [low, high], env?) => {
    const target = await start(null, { heapCounter: counter, env: { ...env } });
    expect(target.main?.hello).toMatchObject({ heapCounter: counter });
    const heap = async () => (await target.sampleAll())[0].heap;
    const keep = (n: number) =>
      target.main!.request(
        { cmd: 'call', function: `keeper:${fn}`, calls: [{ args: [n], kwargs: {} }] },
        10_000,
      );
    await keep(10); // imports the module; its own allocations are not the yardstick's
    const before = await heap();
    expect(await keep(count)).toMatchObject({ ok: 1, errors: 0 });
    const perItem = ((await heap()) - before) / count;
    expect(perItem).toBeGreaterThanOrEqual(low);
    expect(perItem).toBeLessThanOrEqual(high);
  });

  it.each([
    ['allocator', undefined, 'glibc.malloc.tcache_count=0'],
    ['allocator', 'glibc.malloc.arena_max=2', 'glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0'],
    ['allocator', 'glibc.malloc.tcache_count=3', 'glibc.malloc.tcache_count=3'],
    ['tracemalloc', undefined, null],
  ] as const)(
    'with the %s counter and GLIBC_TUNABLES=%s the target gets %s',
    async (counter, given, expected) => {
      const target = await start(null, {
        heapCounter: counter,
        env: given === undefined ? {} : { GLIBC_TUNABLES: given },
      });
      const reply = await target.main!.request(
        {
          cmd: 'call',
          function: 'env_probe:expect',
          calls: [{ args: ['GLIBC_TUNABLES', expected], kwargs: {} }],
        },
        10_000,
      );
      expect(reply).toMatchObject({ type: 'call', ok: 1, errors: 0 });
    },
  );

  it('runs call scenarios in a bare interpreter', async () => {
    const target = await start(null);
    const reply = await target.main!.request(
      {
        cmd: 'call',
        function: 'json:dumps',
        calls: [
          { args: [[1, 2]], kwargs: {} },
          { args: [{}], kwargs: { indent: 2 } },
        ],
      },
      10_000,
    );
    expect(reply).toMatchObject({ type: 'call', ok: 2, errors: 0 });
    const failing = await target.main!.request(
      { cmd: 'call', function: 'json:loads', calls: [{ args: ['{'], kwargs: {} }] },
      10_000,
    );
    expect(failing).toMatchObject({ type: 'call', ok: 0, errors: 1 });
    expect((failing as { error: string }).error).toContain('JSONDecodeError');
  });

  it('hears from every gunicorn worker (forked) and ends them all', async () => {
    const target = await start(`gunicorn -w 2 -b 127.0.0.1:{port} wsgi_app:app`);
    await new Promise((r) => setTimeout(r, 500));
    const roles = [...target.connections.values()].map((c) => c.hello!.role).sort();
    expect(roles).toEqual(['fork', 'fork', 'main']);
    expect(await get(target, '/')).toBe(200);
    const samples = await target.sampleAll();
    expect(new Set(samples.map((s) => s.pid)).size).toBe(3);
  });

  it('hears from uvicorn --workers children (spawned) and leaves the resource tracker out', async () => {
    const target = await start(`${DEBIAN_PYTHON} -m uvicorn asgi_app:app --port {port} --workers 2`, {
      readyTimeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 500));
    const roles = [...target.connections.values()].map((c) => c.hello!.role).sort();
    expect(roles.filter((r) => r === 'spawn')).toHaveLength(2);
    const samples = await target.sampleAll();
    expect(samples.map((s) => s.role).sort()).toEqual(['main', 'spawn', 'spawn']);
  });

  it('takes the service down with it when heapgate itself is killed', async () => {
    const script = `
      import { TargetProcess } from ${JSON.stringify(path.join(REPO, 'dist/service/process.js'))};
      const t = await TargetProcess.start({ command: 'python3 stdlib_service.py', python: 'python3',
        cwd: ${JSON.stringify(SERVICES)}, port: ${await freePort()}, traceDepth: 1, readyTimeoutMs: 15000 });
      process.stdout.write(t.runId + '\\n');
      setInterval(() => {}, 1000);
    `;
    const runner = execa('node', ['--input-type=module', '-e', script], { reject: false });
    const runId = await new Promise<string>((resolve) =>
      runner.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    runner.kill('SIGKILL');
    await runner;
    await expectNothingLeft(runId, [], 10_000);
  });
});
