// bench/plain-client: the baseline bench/dynamic compares heapgate with. Starts the stdlib fixture service
// without heapgate, waits until it listens, sends it REQUESTS requests the way heapgate's driver does (same
// keep-alive driver and concurrency, in blocks of 50 like heapgate's default sampling cadence), stops it.
// Run as a script it is a fresh process, cold like heapgate; bench/dynamic also calls runPlain() from its
// own long-running process for the warm-client figure. Loopback only.
//   node bench/plain-client.js REQUESTS   (env: the service's, e.g. LEAK=heap; cwd: the services folder)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runBlock } from '../dist/drive/concurrency.js';
import { HttpDriver } from '../dist/drive/http.js';
import { freePort, waitUntilReady } from '../dist/service/readiness.js';

const CONCURRENCY = 4;
const BLOCK = 50;

/** Starts the service in `cwd` with `env`, sends it `requests` requests, stops it. */
export async function runPlain(requests, { cwd = process.cwd(), env = process.env } = {}) {
  const port = await freePort();
  const child = spawn('python3', ['stdlib_service.py'], {
    cwd,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = await waitUntilReady({
    host: '127.0.0.1',
    port,
    timeoutMs: 30_000,
    abandoned: exited.then(() => 'exited'),
  });
  if (!ready.ready) throw new Error(ready.reason);
  const driver = new HttpDriver({ port, concurrency: CONCURRENCY });
  const spec = { method: 'GET', path: '/item/{i}', url: null, headers: {}, body: null, timeoutMs: 10_000 };
  await driver.prepare(spec);
  let failures = 0;
  for (let from = 0; from < requests; from += BLOCK) {
    await runBlock(from, Math.min(BLOCK, requests - from), CONCURRENCY, async (i) => {
      const result = await driver.send(spec, i);
      if (result.status !== 200) failures++;
    });
  }
  driver.close();
  child.kill('SIGTERM');
  await exited;
  if (failures) throw new Error(`${failures} requests failed without heapgate`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requests = Number(process.argv[2]);
  if (!Number.isInteger(requests) || requests < 1) throw new Error('usage: plain-client.js REQUESTS');
  await runPlain(requests);
}
