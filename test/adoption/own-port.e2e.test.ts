/**
 * Issue 16, item 4: services that choose their own port. With no {port} and no PORT in --target, heapgate
 * drives the port the service's process tree listens on (a port written in its source, or read from its own
 * settings), says which, and reaches a verdict — a leak still fails, its clean twin still passes.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../helpers/cli.js';
import { DEBIAN_PYTHON, heapgateLeavingNothing, reportOf, scenario } from '../helpers/soak.js';

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** An aiohttp service with its port in its source, as `web.run_app(app, port=8080)` services have it. */
function hardCoded(port: number): string {
  return `"""Keeps every event when LEAK=heap, the last 100 otherwise; listens on a port of its own."""
import collections
import os

from aiohttp import web

EVENTS = [] if os.environ.get("LEAK") == "heap" else collections.deque(maxlen=100)


async def record(request):
    EVENTS.append(await request.json())
    return web.json_response({"stored": len(EVENTS)}, status=201)


app = web.Application()
app.router.add_post("/events", record)

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=${port}, print=None)
`;
}

/** A Flask service that reads its port from its own settings module (settings.PORT). */
const FROM_SETTINGS = `"""Answers /health on the port its settings name."""
from flask import Flask

import settings

app = Flask(__name__)


@app.get("/health")
def health():
    return "ok"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=settings.PORT, threaded=True)
`;

function soakIn(cwd: string, args: string[]) {
  return heapgateLeavingNothing(['soak', '--format', 'json', ...args], { cwd });
}

describe('a service that listens on a port of its own choosing, soaked without {port}', () => {
  it('hard-coded in its source (aiohttp): the leak fails, its clean twin passes, and heapgate says which port', async () => {
    const port = await freeLoopbackPort();
    const dir = tempProject({ 'events.py': hardCoded(port) });
    const run = (leak: string) =>
      soakIn(dir, [
        '--target',
        `env LEAK=${leak} ${DEBIAN_PYTHON} events.py`,
        '--scenarios',
        scenario('events.json'),
      ]);
    const said = `the service listens on port ${port}, a port of its own choosing`;

    const leaky = await run('heap');
    const leakyReport = reportOf(leaky);
    expect(leaky.exitCode, leaky.stderr).toBe(1);
    expect(leakyReport.scenarios[0].metrics.heap).toMatchObject({ exceeded: true });
    expect(leaky.stderr).toContain(`heapgate: note: ${said}`);
    expect(leakyReport.scenarios[0].notes?.some((n) => n.startsWith(said))).toBe(true);

    const clean = await run('none');
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(reportOf(clean).scenarios[0].iterations).toBeGreaterThan(0);
    // Two soaks: more than one test's default time on a loaded machine.
  }, 180_000);

  it('read from its own settings (Flask, settings.PORT): driven on that port', async () => {
    const port = await freeLoopbackPort();
    const dir = tempProject({ 'app.py': FROM_SETTINGS, 'settings.py': `PORT = ${port}\n` });
    const result = await soakIn(dir, [
      '--target',
      `${DEBIAN_PYTHON} app.py`,
      '--scenarios',
      scenario('health.json'),
    ]);
    const report = reportOf(result);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(report.scenarios[0].iterations).toBeGreaterThan(0);
    expect(result.stderr).toContain(
      `heapgate: note: the service listens on port ${port}, a port of its own choosing`,
    );
  });
});
