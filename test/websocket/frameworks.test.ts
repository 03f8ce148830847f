/**
 * WebSocket scenarios against real services that keep their clients in a set (Debian python3): the
 * services that forget a client only on a clean close fail with clients that vanish (`drop`) and pass with
 * clients that close (`normal`); their twins that forget in `finally` pass both. And the gate generates and
 * sweeps a websocket scenario for a FastAPI websocket route.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/cli.js';
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
    expect(s.leakSites.map((site) => site.file).some((f) => f.startsWith('ws_'))).toBe(true);
  });

  it('passes when the same clients close cleanly', async () => {
    const clean = await run(target('close'), 'ws-chat-normal.json');
    expect(clean.exitCode, clean.report.scenarios[0].metrics.heap?.reason).toBe(0);
    expect(clean.report.scenarios[0].verdict).toBe('pass');
  });

  it('passes vanishing clients when the service forgets them in finally', async () => {
    const twin = await run(target('finally'), 'ws-chat-drop.json');
    expect(twin.exitCode, twin.report.scenarios[0].metrics.heap?.reason).toBe(0);
    expect(twin.report.scenarios[0].verdict).toBe('pass');
  });
});

describe('the gate on a FastAPI service with a websocket route', () => {
  it('generates a websocket scenario for the route, sweeps it, and fails the service that keeps vanished clients', async () => {
    const dir = tempProject({ 'app.py': readFileSync(path.join(SERVICES_DIR, 'ws_fastapi.py'), 'utf8') });
    const result = await heapgateLeavingNothing(
      [
        'analyze',
        '.',
        '--enable-memory-budget-gate',
        '--no-cache',
        '--format',
        'json',
        '--target',
        `env FORGET=close ${DEBIAN_PYTHON} -m uvicorn app:app --port {port} --log-level warning`,
      ],
      { cwd: dir },
    );
    const report = reportOf(result);
    const ws = report.scenarios.find((s) => s.name === 'WS /ws/{room} (generated: vanishing clients)');
    expect(ws, report.scenarios.map((s) => s.name).join(', ')).toBeDefined();
    expect(ws!.verdict).toBe('fail');
    expect(result.exitCode).toBe(1);
  });
});
