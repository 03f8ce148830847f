import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { CircuitBreaker } from '../../src/drive/breaker.js';
import { runBlock } from '../../src/drive/concurrency.js';
import { closedPort } from '../drive/servers.js';
import { acceptFor, WebSocketConnection } from '../../src/drive/websocket.js';
import { WebSocketDriver, websocketFailure, websocketStatus } from '../../src/drive/websocket-driver.js';
import type { WebSocketSpec } from '../../src/scenarios/model.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import { startWsServer, until, type WsTestServer } from './server.js';

/** A validated websocket spec, as the driver gets it from a scenario. */
function spec(websocket: Record<string, unknown>): WebSocketSpec {
  const scenario = validateScenario({ name: 'x', websocket }, { file: 'test.json' });
  if (scenario.kind !== 'websocket') throw new Error('not a websocket scenario');
  return scenario.websocket;
}

let server: WsTestServer;
beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await server.close();
});

function connect(path: string, signal?: AbortSignal): Promise<WebSocketConnection> {
  const hostHeader = `127.0.0.1:${server.port}`;
  return WebSocketConnection.connect({ host: '127.0.0.1', port: server.port, path, hostHeader }, signal);
}

describe('WebSocketConnection', () => {
  it('computes the accept key of RFC 6455 §1.3', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('opens, sends, receives its echo and closes with the closing handshake', async () => {
    const before = server.state.closeCodes.length;
    const ws = await connect('/echo');
    ws.send('hello');
    ws.send(Buffer.from([1, 2]));
    expect(await ws.receive()).toEqual({ type: 'text', data: 'hello' });
    expect(await ws.receive()).toEqual({ type: 'binary', data: Buffer.from([1, 2]) });
    await ws.close(1000);
    expect(ws.open).toBe(false);
    expect(ws.closeReceived).toEqual({ code: 1000, reason: '' });
    expect(server.state.closeCodes.slice(before)).toEqual([1000]);
  });

  it('answers a ping with a pong carrying its data', async () => {
    const ws = await connect('/ping');
    ws.send('after the ping');
    expect(await ws.receive()).toEqual({ type: 'text', data: 'after the ping' });
    expect(server.state.pongs).toContain('are you there');
    await ws.close();
  });

  it('reassembles a fragmented message', async () => {
    const ws = await connect('/fragments');
    expect(await ws.receive()).toEqual({ type: 'text', data: 'abcdef' });
    await ws.close();
  });

  it('drops: the socket ends with no close frame, and the server sees a vanished client', async () => {
    const dropped = server.state.dropped;
    const codes = server.state.closeCodes.length;
    const ws = await connect('/echo');
    ws.drop();
    await until(() => server.state.dropped === dropped + 1);
    expect(server.state.closeCodes.length).toBe(codes);
  });

  it('refuses a handshake answer with a wrong accept key, and a 404, naming the status', async () => {
    await expect(connect('/bad-accept')).rejects.toThrow(/wrong Sec-WebSocket-Accept/);
    await expect(connect('/nowhere')).rejects.toMatchObject({ message: 'status 404', status: 404 });
  });

  it('fails the connection when the server masks a frame', async () => {
    const ws = await connect('/masked');
    await expect(ws.receive()).rejects.toThrow(/protocol error: the server masked a frame/);
    expect(ws.open).toBe(false);
  });

  it('reports a close the server began, and echoes it', async () => {
    const ws = await connect('/bye');
    await expect(ws.receive()).rejects.toThrow('the server closed the connection (code 1001, going away)');
    expect(ws.closeReceived).toEqual({ code: 1001, reason: 'going away' });
  });

  it('gives up waiting on abort: receive and a close nobody answers', async () => {
    const ws = await connect('/silent');
    await expect(ws.receive(AbortSignal.timeout(50))).rejects.toThrow();
    await expect(ws.close(1000, '', AbortSignal.timeout(50))).rejects.toThrow();
    expect(ws.open).toBe(false);
  });

  it('refuses to send once closed', async () => {
    const ws = await connect('/echo');
    await ws.close();
    expect(() => ws.send('late')).toThrow(/closed/);
  });
});

describe('WebSocketDriver', () => {
  it('runs an iteration: templates in path, headers and messages; status 101', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const s = spec({
      path: '/echo/{i}',
      headers: { 'x-client': 'c{i}' },
      send: ['hi {i}', { n: '{i}' }],
      receive: 2,
    });
    const result = await driver.run(s, 7);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(101);
    expect(websocketStatus(result)).toBe('101');
    expect(websocketFailure(result)).toBeNull();
    expect(server.state.paths).toContain('/echo/7');
    expect(server.state.headers.at(-1)!['x-client']).toBe('c7');
    expect(server.state.texts.slice(-2)).toEqual(['hi 7', '{"n":"7"}']);
    expect(driver.connectionsOpened).toBe(1);
  });

  it('names the step a timeout cut, and counts it as an error', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const result = await driver.run(spec({ path: '/silent', send: ['x'], receive: 1, timeoutMs: 100 }), 0);
    expect(result.error).toBe('timed out after 100 ms waiting for message 1 of 1');
    expect(websocketStatus(result)).toBe('error');
    const closing = await driver.run(spec({ path: '/silent', timeoutMs: 100 }), 0);
    expect(closing.error).toBe('timed out after 100 ms closing');
  });

  it('counts a refused handshake under its status, and a closed port as an error', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const refused = await driver.run(spec({ path: '/nowhere' }), 0);
    expect(websocketStatus(refused)).toBe('404');
    expect(websocketFailure(refused)).toBe('status 404');
    const closed = new WebSocketDriver({ port: await closedPort() });
    const none = await closed.run(spec({ path: '/echo' }), 0);
    expect(none.error).toMatch(/ECONNREFUSED/);
    expect(websocketStatus(none)).toBe('error');
  });

  it('drop leaves no close frame on the server; normal leaves a 1000', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const dropped = server.state.dropped;
    const codes = server.state.closeCodes.length;
    for (let i = 0; i < 5; i++)
      await driver.run(spec({ path: '/echo', send: ['a'], receive: 1, close: 'drop' }), i);
    await until(() => server.state.dropped === dropped + 5);
    for (let i = 0; i < 3; i++) await driver.run(spec({ path: '/echo', close: 'normal' }), i);
    await until(() => server.state.closeCodes.length === codes + 3);
    expect(server.state.closeCodes.slice(codes)).toEqual([1000, 1000, 1000]);
  });

  it('hold keeps at most maxOpen connections open, closing the oldest normally; close() ends them all', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const open = server.state.open;
    const codes = server.state.closeCodes.length;
    const s = spec({ path: '/echo', send: ['x'], close: 'hold', maxOpen: 3 });
    for (let i = 0; i < 8; i++) expect((await driver.run(s, i)).error).toBeUndefined();
    expect(driver.heldOpen).toBe(3);
    await until(() => server.state.open === open + 3);
    expect(server.state.closeCodes.length - codes).toBe(5);
    await driver.close();
    expect(driver.heldOpen).toBe(0);
    await until(() => server.state.open === open);
    expect(server.state.closeCodes.length - codes).toBe(8);
  });

  it('runs connections concurrently through runBlock, and the breaker trips on a refusing server', async () => {
    const driver = new WebSocketDriver({ port: server.port });
    const s = spec({ path: '/echo/{i}', send: ['m{i}'], receive: 1 });
    const opened = server.state.opened;
    const result = await runBlock(0, 40, 8, async (i) => void (await driver.run(s, i)));
    expect(result.done).toBe(40);
    expect(server.state.opened - opened).toBe(40);

    const breaker = new CircuitBreaker({ noun: 'connections' });
    const refused = spec({ path: '/nowhere' });
    const tripped = await runBlock(
      0,
      500,
      4,
      async (i) => void breaker.record(websocketFailure(await driver.run(refused, i))),
      breaker.signal,
    );
    expect(breaker.signal.aborted).toBe(true);
    expect(tripped.done).toBeLessThan(500);
    expect(String(breaker.signal.reason)).toMatch(/status 404/);
  });

  it('refuses a ws:// URL off loopback before anything is sent, unless remote is allowed', async () => {
    const driver = new WebSocketDriver({
      port: server.port,
      resolve: async () => [{ address: '93.184.216.34', family: 4 }],
    });
    const remote = spec({ url: 'ws://example.com/ws' });
    const error = await driver
      .prepare(remote, { file: 'a.json', entry: 'scenarios[0]' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^a\.json: scenarios\[0\]\.websocket\.url: .*loopback/);
  });

  it('drives an absolute ws:// URL on loopback', async () => {
    const driver = new WebSocketDriver({ port: 1 });
    const result = await driver.run(
      spec({ url: `ws://127.0.0.1:${server.port}/echo/{i}?q=1`, send: ['u'], receive: 1 }),
      3,
    );
    expect(result.error).toBeUndefined();
    expect(server.state.paths).toContain('/echo/3?q=1');
  });
});
