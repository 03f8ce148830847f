import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { CircuitBreaker, failureOf } from '../../src/drive/breaker.js';
import { runBlock } from '../../src/drive/concurrency.js';
import { checkLoopback, HttpDriver, isLoopbackAddress, type ResolvedAddress } from '../../src/drive/http.js';
import type { RequestSpec } from '../../src/scenarios/model.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import {
  closedPort,
  PYTHON_KEEPALIVE_SERVER,
  startPython,
  startServer,
  type PythonServer,
  type TestServer,
} from './servers.js';
import { tempDir } from '../helpers/temp.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A validated request spec, as the runner gets it from a scenario. */
function spec(request: Record<string, unknown>): RequestSpec {
  return validateScenario({ name: 'x', request }, { file: 'test.json' }).request!;
}

/** A resolver that must never be asked (IP literals need no resolution). */
const noResolve = async (): Promise<ResolvedAddress[]> => {
  throw new Error('resolver called');
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('requests', () => {
  test('templates in path, headers and JSON body; content-type and length set', async () => {
    const driver = new HttpDriver({ port: server.port, concurrency: 1 });
    const request = spec({
      method: 'POST',
      path: '/items/{i}?r={random}',
      headers: { 'X-Id': '{uuid}', 'X-Static': 'same' },
      json: { key: 'v{i}', list: ['{i}', 1, null] },
    });
    const before = server.seen.length;
    const result = await driver.send(request, 17);
    driver.close();
    expect(result.status).toBe(200);
    expect(result.error).toBeUndefined();
    expect(result.ms).toBeGreaterThan(0);
    const seen = server.seen[before];
    expect(seen.method).toBe('POST');
    expect(seen.url).toMatch(/^\/items\/17\?r=\d+$/);
    expect(seen.headers['x-id']).toMatch(UUID_V4);
    expect(seen.headers['x-static']).toBe('same');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ key: 'v17', list: ['17', 1, null] });
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(seen.body)));
  });

  test('a text body keeps the scenario content-type; HEAD and DELETE work', async () => {
    const driver = new HttpDriver({ port: server.port });
    const before = server.seen.length;
    await driver.send(
      spec({ method: 'PUT', path: '/t', headers: { 'Content-Type': 'text/csv' }, body: 'a,{i}\n' }),
      3,
    );
    expect(server.seen[before]).toMatchObject({ method: 'PUT', body: 'a,3\n' });
    expect(server.seen[before].headers['content-type']).toBe('text/csv');
    expect((await driver.send(spec({ method: 'HEAD', path: '/h' }), 0)).status).toBe(200);
    expect((await driver.send(spec({ method: 'DELETE', path: '/status/204' }), 0)).status).toBe(204);
    driver.close();
  });

  test('statuses come back as they are; failureOf judges them against expect', async () => {
    const driver = new HttpDriver({ port: server.port });
    const result = await driver.send(spec({ path: '/status/500' }), 0);
    driver.close();
    expect(result).toMatchObject({ status: 500 });
    expect(failureOf(result, [200])).toBe('status 500');
  });

  test('keep-alive: 200 requests at concurrency 4 use at most 4 connections', async () => {
    const local = await startServer();
    const driver = new HttpDriver({ port: local.port, concurrency: 4 });
    const request = spec({ path: '/delay/1' });
    const statuses: number[] = [];
    for (let from = 0; from < 200; from += 50) {
      await runBlock(from, 50, 4, async (i) => {
        statuses.push((await driver.send(request, i)).status ?? 0);
      });
    }
    driver.close();
    await local.close();
    expect(statuses).toHaveLength(200);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(local.connections).toBeLessThanOrEqual(4);
    expect(local.connections).toBeGreaterThanOrEqual(1);
    expect(driver.connectionsOpened).toBe(local.connections);
    expect(local.maxInFlight).toBeLessThanOrEqual(4);
  });

  test('concurrency never exceeds the limit, measured on the server', async () => {
    const local = await startServer();
    const driver = new HttpDriver({ port: local.port, concurrency: 3 });
    const request = spec({ path: '/delay/4' });
    await runBlock(0, 60, 3, async (i) => void (await driver.send(request, i)));
    expect(local.maxInFlight).toBeLessThanOrEqual(3);
    expect(local.maxInFlight).toBeGreaterThanOrEqual(2);
    // The agent's own limit holds even when the caller fires more at once.
    local.maxInFlight = 0;
    await Promise.all(Array.from({ length: 12 }, (_, i) => driver.send(request, i)));
    expect(local.maxInFlight).toBeLessThanOrEqual(3);
    driver.close();
    await local.close();
  });

  test('a request that gets no answer times out; the next one still works', async () => {
    const local = await startServer();
    const driver = new HttpDriver({ port: local.port, concurrency: 1 });
    const started = Date.now();
    const hung = await driver.send(spec({ path: '/hang', timeoutMs: 150 }), 0);
    expect(hung.error).toBe('timed out after 150 ms');
    expect(hung.status).toBeUndefined();
    expect(hung.ms).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(2000);
    const next = await driver.send(spec({ path: '/ok', timeout: '2s' }), 1);
    expect(next).toMatchObject({ status: 200 });
    // The timed-out connection was dropped, not reused for the next request.
    expect(local.connections).toBe(2);
    driver.close();
    await local.close();
  });

  test('connection refused is a failure with a stable description', async () => {
    const driver = new HttpDriver({ port: await closedPort() });
    const result = await driver.send(spec({ path: '/' }), 0);
    driver.close();
    expect(result.error).toBe('connection refused (ECONNREFUSED)');
    expect(result.status).toBeUndefined();
  });

  test('a server closing idle keep-alive connections causes no failures', async () => {
    const local = await startServer({ keepAliveTimeoutMs: 30 });
    const driver = new HttpDriver({ port: local.port, concurrency: 2 });
    const request = spec({ path: '/x' });
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all([driver.send(request, round), driver.send(request, round)]);
      expect(results.map((r) => r.error ?? r.status)).toEqual([200, 200]);
      await sleep(60);
    }
    driver.close();
    await local.close();
  });

  test('an abort signal cuts a request short', async () => {
    const driver = new HttpDriver({ port: server.port });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await driver.send(spec({ path: '/hang', timeoutMs: 5000 }), 0, controller.signal);
    driver.close();
    expect(result.error).toBe('aborted');
    expect(result.ms).toBeLessThan(2000);
  });

  test('the breaker trips on a dead target, ending the block early', async () => {
    const driver = new HttpDriver({ port: await closedPort(), concurrency: 4 });
    const breaker = new CircuitBreaker();
    const request = spec({ path: '/' });
    const result = await runBlock(
      0,
      1000,
      4,
      async (i) => void breaker.record(failureOf(await driver.send(request, i), [200])),
      breaker.signal,
    );
    driver.close();
    expect(result.aborted).toBe(true);
    expect(result.done).toBeLessThan(30);
    expect(breaker.reason).toMatch(
      /^the last 2\d requests all failed: connection refused \(ECONNREFUSED\) ×2\d$/,
    );
  });
});

describe('loopback guard', () => {
  test('loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '0.0.0.0', '::', '192.168.1.1', '::ffff:10.0.0.1', 'localhost']) {
      expect(isLoopbackAddress(a)).toBe(false);
    }
  });

  test('http://10.0.0.1/ is refused with exit 2 and nothing is sent', async () => {
    const driver = new HttpDriver({ port: server.port, resolve: noResolve });
    const request = spec({ url: 'http://10.0.0.1/' });
    const error = await driver
      .prepare(request, { file: 'scenarios/a.json', entry: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      'scenarios/a.json: request.url: 10.0.0.1 is not a loopback address; heapgate only drives services on ' +
        'loopback (127.0.0.0/8, ::1, localhost) unless you pass --allow-remote',
    );
    // send() without prepare() rejects the same way, before any connection.
    await expect(driver.send(request, 0)).rejects.toBeInstanceOf(UsageError);
    const other = new HttpDriver({ port: server.port, resolve: noResolve });
    await expect(
      other.prepare(spec({ url: 'http://10.0.0.1/' }), { file: 'all.json', entry: 'scenarios[2]' }),
    ).rejects.toThrow(/^all\.json: scenarios\[2\]\.request\.url: 10\.0\.0\.1 is not a loopback address;/);
    other.close();
    expect(driver.connectionsOpened).toBe(0);
    driver.close();
  });

  test('http://example.com/x: the name is resolved first, then refused', async () => {
    const asked: string[] = [];
    const resolve = async (name: string): Promise<ResolvedAddress[]> => {
      asked.push(name);
      return [{ address: '93.184.215.14', family: 4 }];
    };
    const driver = new HttpDriver({ port: server.port, resolve });
    const request = spec({ url: 'http://example.com/x' });
    await expect(driver.prepare(request)).rejects.toThrow(
      "request.url: 'example.com' resolves to 93.184.215.14, which is not loopback; heapgate only drives services " +
        'on loopback (127.0.0.0/8, ::1, localhost) unless you pass --allow-remote',
    );
    expect(asked).toEqual(['example.com']);
    expect(driver.connectionsOpened).toBe(0);
    driver.close();
  });

  test('a name that cannot be resolved is refused', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(checkLoopback('http://nowhere.invalid/', { resolve })).rejects.toThrow(
      "request.url: 'nowhere.invalid' could not be resolved (ENOTFOUND), so it cannot be shown to be loopback",
    );
  });

  test('a name resolving partly outside loopback is refused', async () => {
    const resolve = async (): Promise<ResolvedAddress[]> => [
      { address: '127.0.0.1', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    await expect(checkLoopback('http://mixed.test/', { resolve })).rejects.toThrow(
      "'mixed.test' resolves to 10.1.2.3, which is not loopback",
    );
  });

  test('--allow-remote lets any host through without resolving it', async () => {
    expect(await checkLoopback('http://example.com/x', { allowRemote: true, resolve: noResolve })).toBeNull();
    const driver = new HttpDriver({ port: server.port, allowRemote: true, resolve: noResolve });
    await driver.prepare(spec({ url: 'http://10.0.0.1/' }));
    driver.close();
  });

  test('localhost and loopback literals pass', async () => {
    const local = await checkLoopback('http://localhost:1/');
    expect(local!.length).toBeGreaterThan(0);
    expect(local!.every((a) => isLoopbackAddress(a.address))).toBe(true);
    expect(await checkLoopback('http://127.0.0.2:9/x', { resolve: noResolve })).toEqual([
      { address: '127.0.0.2', family: 4 },
    ]);
    expect(await checkLoopback('http://[::1]:9/x', { resolve: noResolve })).toEqual([
      { address: '::1', family: 6 },
    ]);
  });

  test('an absolute loopback url is driven, with its Host header', async () => {
    const driver = new HttpDriver({ port: 1, resolve: noResolve });
    const before = server.seen.length;
    const result = await driver.send(spec({ url: `http://127.0.0.1:${server.port}/u/{i}?q=1#frag` }), 5);
    driver.close();
    expect(result.status).toBe(200);
    expect(server.seen[before].url).toBe('/u/5?q=1');
    expect(server.seen[before].headers.host).toBe(`127.0.0.1:${server.port}`);
  });

  test('a name is pinned to the addresses it was checked with', async () => {
    // .test never resolves in real DNS: reaching the server proves the checked address is the one used.
    const resolve = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const driver = new HttpDriver({ port: 1, resolve });
    const before = server.seen.length;
    const result = await driver.send(spec({ url: `http://service.heapgate.test:${server.port}/named` }), 0);
    driver.close();
    expect(result).toMatchObject({ status: 200 });
    expect(server.seen[before].headers.host).toBe(`service.heapgate.test:${server.port}`);
  });
});

describe('against real Python servers', () => {
  let keepAlive: PythonServer;
  let fileServer: PythonServer;
  let folder: string;
  beforeAll(async () => {
    folder = tempDir('heapgate-http-');
    writeFileSync(path.join(folder, 'hello.txt'), 'hello\n');
    [keepAlive, fileServer] = await Promise.all([
      startPython(['-c', PYTHON_KEEPALIVE_SERVER], /listening on port (\d+)/),
      startPython(['-m', 'http.server', '0', '--bind', '127.0.0.1'], /port (\d+)/, folder),
    ]);
  });
  afterAll(async () => {
    await Promise.all([keepAlive?.stop(), fileServer?.stop()]);
  });

  test('keep-alive with a Python HTTP/1.1 server: 100 requests, at most 2 connections', async () => {
    const driver = new HttpDriver({ port: keepAlive.port, concurrency: 2 });
    const request = spec({ path: '/count' });
    await runBlock(0, 99, 2, async (i) => void (await driver.send(request, i)));
    const last = await driver.send(request, 99);
    driver.close();
    expect(last.status).toBe(200);
    // The Python side counts the connections it accepted; read the figure on one more (fresh) connection.
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: keepAlive.port, path: '/count', agent: false }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    const state = JSON.parse(body) as { connections: number; requests: number };
    expect(state.requests).toBe(101);
    expect(state.connections).toBeLessThanOrEqual(3); // 2 for the run, 1 for this read
  });

  test('templates reach Python: path and JSON body expanded with the same i', async () => {
    const driver = new HttpDriver({ port: keepAlive.port, concurrency: 2 });
    const request = spec({ method: 'POST', path: '/check/{i}', json: { n: '{i}' } });
    const results = await Promise.all([0, 1, 2, 33].map((i) => driver.send(request, i)));
    driver.close();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  test('python -m http.server (HTTP/1.0, a connection per request): 200 and 404', async () => {
    const driver = new HttpDriver({ port: fileServer.port, concurrency: 2 });
    const ok = spec({ path: '/hello.txt' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => driver.send(ok, i)));
    expect(results.every((r) => r.status === 200 && r.error === undefined)).toBe(true);
    const missing = await driver.send(spec({ path: '/missing-{i}.txt' }), 4);
    driver.close();
    expect(missing.status).toBe(404);
    expect(failureOf(missing, [200])).toBe('status 404');
  });
});
