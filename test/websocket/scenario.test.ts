import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULTS, talksToTarget } from '../../src/scenarios/model.js';
import { validateScenarioFile } from '../../src/scenarios/validate.js';

const FILE = 'scenarios/ws.json';

function problems(value: unknown): string[] {
  try {
    validateScenarioFile(value, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected validation to fail');
}

describe('websocket scenarios', () => {
  it('read with their defaults: close normal, nothing sent or awaited, 100 held at most, 10 s', () => {
    const [scenario] = validateScenarioFile({ name: 'ws', websocket: { path: '/ws/{i}' } }, FILE);
    expect(scenario.kind).toBe('websocket');
    expect(talksToTarget(scenario)).toBe(true);
    expect(scenario.concurrency).toBe(DEFAULTS.concurrency.websocket);
    expect(scenario.kind === 'websocket' && scenario.websocket).toEqual({
      path: '/ws/{i}',
      url: null,
      headers: {},
      send: [],
      receive: 0,
      close: 'normal',
      maxOpen: 100,
      timeoutMs: 10_000,
    });
  });

  it('read every field', () => {
    const [scenario] = validateScenarioFile(
      {
        name: 'ws',
        concurrency: 16,
        websocket: {
          url: 'ws://127.0.0.1:9000/ws?room={i}',
          headers: { Origin: 'http://localhost' },
          send: ['hi', { n: 1 }],
          receive: 2,
          close: 'hold',
          maxOpen: 50,
          timeout: '2s',
        },
      },
      FILE,
    );
    expect(scenario.concurrency).toBe(16);
    expect(scenario.kind === 'websocket' && scenario.websocket).toMatchObject({
      path: null,
      url: 'ws://127.0.0.1:9000/ws?room={i}',
      send: ['hi', { n: 1 }],
      close: 'hold',
      maxOpen: 50,
      timeoutMs: 2000,
    });
  });

  it.each([
    [
      { websocket: {} },
      `${FILE}: websocket.path: missing (give "path", e.g. "/ws/{i}", or an absolute "url")`,
    ],
    [
      { websocket: { path: '/ws', close: 'slam' } },
      `${FILE}: websocket.close: expected one of 'normal', 'drop', 'hold', got 'slam'`,
    ],
    [
      { websocket: { url: 'wss://127.0.0.1/ws' } },
      `${FILE}: websocket.url: wss is not supported: heapgate drives plain WebSocket connections (use ws://)`,
    ],
    [
      { websocket: { url: 'http://127.0.0.1/ws' } },
      `${FILE}: websocket.url: expected an absolute ws:// URL, got 'http://127.0.0.1/ws'`,
    ],
    [
      { websocket: { path: '/ws', headers: { 'Sec-WebSocket-Key': 'x' } } },
      `${FILE}: websocket.headers["Sec-WebSocket-Key"]: is computed by heapgate; leave it out`,
    ],
    [
      { request: { path: '/' }, websocket: { path: '/ws' } },
      `${FILE}: websocket: give either "request" or "websocket", not both`,
    ],
  ])('refuse %j', (fields, message) => {
    expect(problems({ name: 'ws', ...fields })).toEqual([message]);
  });
});
