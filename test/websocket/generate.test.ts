/**
 * The gate's plan for websocket routes, from the Python source to the generated scenario: aiohttp and
 * FastAPI websocket handlers get a WebSocket scenario (not HTTP GETs), whose clients send the message the
 * handler reads first and vanish without a close frame, and the plan's `why` says so.
 */
import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/static.js';
import type { Scenario } from '../../src/scenarios/model.js';
import { validateScenario } from '../../src/scenarios/validate.js';
import { callGraphOf } from '../../src/select/callgraph.js';
import { generateScenario } from '../../src/select/generate.js';
import { planScenarios } from '../../src/select/plan.js';
import { pythonParser } from '../../src/static/parse.js';
import { dedent } from '../rules/rule-table.js';
import { routesFor } from '../routes/helpers.js';

const AIOHTTP = dedent(`
  from aiohttp import web

  CLIENTS = set()

  async def join(request):
      ws = web.WebSocketResponse()
      await ws.prepare(request)
      hello = await ws.receive_json()
      CLIENTS.add((hello["room"], ws))
      async for msg in ws:
          pass
      return ws

  async def health(request):
      return web.json_response({"clients": len(CLIENTS)})

  app = web.Application()
  app.router.add_get("/rooms/{room}/ws", join)
  app.router.add_get("/health", health)
`);

const FASTAPI = dedent(`
  from fastapi import FastAPI, WebSocket

  app = FastAPI()

  @app.websocket("/ws")
  async def feed(websocket: WebSocket, token: str):
      await websocket.accept()
      while True:
          await websocket.send_text(await websocket.receive_text())
`);

async function planFor(source: string, scenarios: Scenario[] = []) {
  const routes = await routesFor(source);
  const graph = callGraphOf(await pythonParser(), new Map([['app.py', source]]));
  return planScenarios({
    findings: [],
    routes,
    scenarios,
    graph,
    all: false,
    generate: generateScenario,
    sweep: true,
  });
}

describe('generated WebSocket scenarios', () => {
  it('aiohttp: the websocket route gets vanishing clients that send the JSON its handler reads; the GET stays a request', async () => {
    const plan = await planFor(AIOHTTP);
    expect(plan.routes).toEqual(['WS /rooms/{room}/ws', 'GET /health']);
    const [ws, health] = plan.scenarios;
    expect(ws.scenario.kind).toBe('websocket');
    expect(ws.scenario.kind === 'websocket' && ws.scenario.websocket).toMatchObject({
      path: '/rooms/{i}/ws',
      send: [{ room: 'room-{i}' }],
      receive: 0,
      close: 'drop',
    });
    expect(ws.routes).toEqual(['WS /rooms/{room}/ws']);
    expect(ws.why).toBe(
      'generated for the sweep: no scenario covers WS /rooms/{room}/ws; each iteration is a WebSocket ' +
        'client that connects, sends one message and vanishes without a close frame (a client set emptied ' +
        'only on a clean close keeps every one)',
    );
    expect(health.scenario.kind).toBe('request');
    expect(health.why).toBe('generated for the sweep: no scenario covers GET /health');
  });

  it('FastAPI: text for receive_text, the query parameters on the handshake URL', async () => {
    const plan = await planFor(FASTAPI);
    const [ws] = plan.scenarios;
    expect(ws.scenario.kind === 'websocket' && ws.scenario.websocket).toMatchObject({
      path: '/ws?heapgate={i}&token=token-{i}',
      send: ['heapgate-{i}'],
      close: 'drop',
    });
  });

  it('a handler that reads JSON with no known key gets a JSON object; one that reads nothing the template text', () => {
    const route = (request?: Route['request']): Route => ({
      framework: 'fastapi',
      method: 'WS',
      path: '/ws',
      handler: { file: 'app.py', function: 'ws', line: 3 },
      file: 'app.py',
      line: 2,
      ...(request ? { request } : {}),
    });
    const json = generateScenario(
      route({ body: { encoding: 'json', value: { kind: 'object', fields: [] } }, query: [] }),
      [],
    );
    const none = generateScenario(route(), []);
    if (typeof json === 'string' || typeof none === 'string') throw new Error('no scenario');
    expect(json.kind === 'websocket' && json.websocket.send).toEqual([{ heapgate: '{i}' }]);
    expect(none.kind === 'websocket' && none.websocket.send).toEqual(['heapgate {i}']);
  });
});

describe('a user scenario for a websocket route', () => {
  it('covers it by `WS /path`, by `GET /path` (the handshake, as aiohttp declared it), or by its websocket path', async () => {
    const plan = (scenario: Record<string, unknown>) =>
      planFor(AIOHTTP, [validateScenario({ name: 'mine', ...scenario }, { file: 'mine.json' })]);
    for (const covers of ['WS /rooms/{room}/ws', 'GET /rooms/{room}/ws']) {
      const byName = await plan({ covers: { routes: [covers] }, request: { path: '/health' } });
      expect(byName.scenarios[0].routes).toContain('WS /rooms/{room}/ws');
    }
    const byPath = await plan({ websocket: { path: '/rooms/r{i}/ws', close: 'drop' } });
    expect(byPath.scenarios[0].routes).toEqual(['WS /rooms/{room}/ws']);
    // Covered: no scenario is generated for it.
    expect(byPath.scenarios.filter((p) => p.generated).map((p) => p.routes)).toEqual([['GET /health']]);
  });
});
