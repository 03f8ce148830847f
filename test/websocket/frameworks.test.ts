/**
 * WebSocket scenarios against real services that keep their clients in a set (Debian python3): the
 * services that forget a client only on a clean close fail with clients that vanish (`drop`) and pass with
 * clients that close (`normal`); their twins that forget in `finally` pass both. And the gate, with no
 * scenario files, generates a websocket scenario for the websocket route of an aiohttp and a FastAPI
 * service (aiohttp's found by its handler's body), fails the leaky one naming the route and passes the twins.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/service/readiness.js';
import { tempProject } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import {
  DEBIAN_PYTHON,
  heapgateLeavingNothing,
  reportOf,
  scenario,
  SERVICES as SERVICES_DIR,
  soak,
} from '../helpers/soak.js';

const SERVICES = {
  aiohttp: (forget: string) => `env FORGET=${forget} ${DEBIAN_PYTHON} ws_aiohttp.py`,
  'FastAPI under uvicorn': (forget: string) =>
    `env FORGET=${forget} ${DEBIAN_PYTHON} -m uvicorn ws_fastapi:app --port {port} --log-level warning`,
  'a stdlib-only asyncio server': (forget: string) => `env FORGET=${forget} ${DEBIAN_PYTHON} ws_raw.py`,
};

const run = (target: string, file: string) =>
  soak(['--target', target, '--scenarios', scenario(file), '--iterations', '800']);

describe.each(Object.entries(SERVICES))('WebSocket clients on %s', (_name, target) => {
  it('fails when clients vanish without a close frame, naming the service file', async () => {
    const leaky = await run(target('close'), 'ws-chat-drop.json');
    const [s] = leaky.report.scenarios;
    expect(leaky.exitCode, s.metrics.heap?.reason).toBe(1);
    expect(s.metrics.heap).toMatchObject({ exceeded: true, trend: 'growing' });
    // An iteration is a connection, and the report says so.
    expect(s.kind).toBe('websocket');
    expect(s.metrics.heap?.reason).toMatch(/ per million connections, /);
    expect(s.leakSites.map((site) => site.file).some((f) => f.startsWith('ws_'))).toBe(true);
  });

  it('passes when the same clients close cleanly', async () => {
    const clean = await run(target('close'), 'ws-chat-normal.json');
    expect(clean.exitCode, clean.report.scenarios[0].metrics.heap?.reason).toBe(0);
    expect(clean.report.scenarios[0].verdict).toBe('pass');
  });

  it.each(['ws-chat-drop.json', 'ws-chat-normal.json'])(
    'passes %s when the service forgets its clients in finally',
    async (file) => {
      const twin = await run(target('finally'), file);
      expect(twin.exitCode, twin.report.scenarios[0].metrics.heap?.reason).toBe(0);
      expect(twin.report.scenarios[0].verdict).toBe('pass');
    },
  );
});

describe('a WebSocket service that listens on a port of its own choosing', () => {
  it('is driven on that port, as HTTP services are', async () => {
    const own = await freePort();
    // ws_raw.py listens on $PORT; set from a variable whose name heapgate does not read as its own.
    const wrapper = path.join(tempDir('heapgate-ws-port-'), 'own_port.py');
    writeFileSync(
      wrapper,
      `import os, runpy\nos.environ["P" + "ORT"] = os.environ["LISTEN"]\n` +
        `runpy.run_path(${JSON.stringify(path.join(SERVICES_DIR, 'ws_raw.py'))}, run_name="__main__")\n`,
    );
    const result = await soak([
      '--target',
      `env FORGET=finally LISTEN=${own} ${DEBIAN_PYTHON} ${wrapper}`,
      '--scenarios',
      scenario('ws-chat-normal.json'),
      '--iterations',
      '300',
    ]);
    const [s] = result.report.scenarios;
    expect(s.error).toBeUndefined();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`heapgate drives port ${own}`);
  });
});

const GATE_TARGETS = {
  aiohttp: (forget: string) => `env FORGET=${forget} ${DEBIAN_PYTHON} app.py`,
  'FastAPI under uvicorn': (forget: string) =>
    `env FORGET=${forget} ${DEBIAN_PYTHON} -m uvicorn app:app --port {port} --log-level warning`,
};
const GATE_SOURCES = { aiohttp: 'ws_aiohttp.py', 'FastAPI under uvicorn': 'ws_fastapi.py' };

/** The gate with no scenario files on the service as app.py: it must find the websocket route itself. */
async function gate(name: keyof typeof GATE_TARGETS, forget: string) {
  const source = readFileSync(path.join(SERVICES_DIR, GATE_SOURCES[name]), 'utf8');
  const dir = tempProject({ 'app.py': source });
  const result = await heapgateLeavingNothing(
    ['analyze', '.', '--enable-memory-budget-gate', '--no-cache', '--format', 'json'].concat([
      '--target',
      GATE_TARGETS[name](forget),
    ]),
    { cwd: dir },
  );
  const report = reportOf(result);
  const ws = report.scenarios.find((s) => s.name === 'WS /ws/{room} (generated: vanishing clients)');
  expect(ws, report.scenarios.map((s) => s.name).join(', ')).toBeDefined();
  return { result, report, ws: ws! };
}

describe.each(Object.keys(GATE_TARGETS) as (keyof typeof GATE_TARGETS)[])(
  'the gate on a service with a websocket route, on %s',
  (name) => {
    it('generates a websocket scenario for the route and fails the service that keeps vanished clients, naming the route', async () => {
      const { result, report, ws } = await gate(name, 'close');
      // Driven as WebSocket connections (101), not as HTTP GETs the handshake would refuse.
      expect(ws.reach?.statuses).toHaveProperty('101');
      expect(ws.verdict).toBe('fail');
      expect(ws.generated).toBe(true);
      expect(report.gate.passed).toBe(false);
      expect(report.gate.reasons.join('\n')).toContain('WS /ws/{room}');
      expect(result.exitCode).toBe(1);
    });

    it('passes the twin that forgets its clients in finally', async () => {
      const { result, report, ws } = await gate(name, 'finally');
      expect(ws.verdict, ws.reasons?.join('; ')).toBe('pass');
      expect(report.gate.passed).toBe(true);
      expect(result.exitCode).toBe(0);
    });
  },
);
