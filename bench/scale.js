// bench/scale: heapgate on big services. For a service holding a million live objects and ~2 GB at start-up,
// and for gunicorn with 8 workers: what one sample of every process costs and what the leak-site pass costs,
// read straight off a drive session (dist/). For a 500-route Flask app: the gate's plan and sweep within a
// time budget, seconds per route, and heapgate's own peak memory (GNU time). Prints figures; asserts
// nothing. Loopback only.
//   npm run build && node bench/scale.js [--objects 1000000 --bytes 2147483648 --workers 8 --routes 500 --gate-time 60s]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute } from '../dist/drive/attribute.js';
import { DriveSession } from '../dist/drive/session.js';
import { validateScenario } from '../dist/scenarios/validate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const fixtures = path.join(here, 'fixtures/scale');
const bin = path.join(repo, 'bin/heapgate.js');
const python = '/usr/bin/python3';
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const objects = option('--objects', '1000000');
const bytes = option('--bytes', String(2 * 1024 ** 3));
const workers = option('--workers', '8');
const routes = option('--routes', '500');
const gateTime = option('--gate-time', '60s');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** Starts `command` under the shim, then times samples of every process and one leak-site pass. */
async function sessionCosts(label, command, env) {
  const scenario = validateScenario(
    { name: label, request: { path: '/x/{i}' }, iterations: 300 },
    { file: 'bench/scale.js' },
  );
  const session = DriveSession.open(scenario, {
    command,
    python,
    cwd: fixtures,
    heapCounter: 'allocator',
    readyTimeoutMs: 300_000,
    allowRemote: false,
    env,
  });
  const started = performance.now();
  await session.start();
  const startMs = performance.now() - started;
  const sampleMs = [];
  for (let k = 0; k < 12; k++) {
    await session.run(50);
    const t = performance.now();
    await session.sample();
    sampleMs.push(performance.now() - t);
  }
  const processes = new Set(session.samples.map((s) => s.pid)).size;
  const last = session.samples.filter((s) => s.iteration === session.next);
  const heap = last.reduce((sum, s) => sum + s.heap, 0);
  const t = performance.now();
  const sites = await attribute(session, { traceDepth: 16, cwd: fixtures });
  const attributionMs = performance.now() - t;
  await session.close();
  return {
    label,
    processes,
    startS: startMs / 1000,
    firstSampleMs: sampleMs[0],
    sampleMs: median(sampleMs.slice(1)),
    attributionMs,
    sites: sites.sites.length,
    heapMB: heap / 1024 ** 2,
    ownMB: process.memoryUsage().rss / 1024 ** 2,
  };
}

function gateOnManyRoutes() {
  const made = spawnSync(python, [path.join(fixtures, 'many_routes.py'), routes], { encoding: 'utf8' });
  const app = path.dirname(made.stdout.trim());
  const started = performance.now();
  const result = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      'node',
      bin,
      'analyze',
      '.',
      '--enable-memory-budget-gate',
      '--no-cache',
      '--target',
      `${python} app.py`,
      '--gate-time',
      gateTime,
      '--iterations',
      '600',
      '--format',
      'json',
    ],
    { cwd: app, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  const peakKB = Number(result.stderr.trim().split('\n').pop());
  const report = JSON.parse(result.stdout);
  const scenarios = report.scenarios.length;
  const swept = report.scenarios.reduce((sum, s) => sum + s.durationMs, 0) / 1000;
  return {
    routes: report.gate.coverage.routes,
    soaked: report.gate.coverage.routesSoaked,
    seconds,
    staticS: report.static.durationMs / 1000,
    perRoute: swept / Math.max(1, scenarios),
    peakMB: peakKB / 1024,
    summary: report.gate.summary,
  };
}

console.log('bench/scale — samples and the leak-site pass on big services (one run each)\n');
console.log(
  '| service | processes | start s | heap MB | first sample ms | sample ms (median) | leak-site pass ms | bench process MB |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [label, command, env] of [
  [
    `${objects} objects, ${(Number(bytes) / 1024 ** 3).toFixed(1)} GB`,
    `${python} big_heap.py`,
    { SCALE_OBJECTS: objects, SCALE_BYTES: bytes },
  ],
  [
    `gunicorn, ${workers} workers`,
    `${python} -m gunicorn -w ${workers} -b 127.0.0.1:{port} workers_app:app`,
    {},
  ],
]) {
  const c = await sessionCosts(label, command, env);
  console.log(
    `| ${c.label} | ${c.processes} | ${c.startS.toFixed(1)} | ${c.heapMB.toFixed(0)} | ${c.firstSampleMs.toFixed(0)} | ` +
      `${c.sampleMs.toFixed(1)} | ${c.attributionMs.toFixed(0)} | ${c.ownMB.toFixed(0)} |`,
  );
}

console.log(`\nthe gate on a ${routes}-route Flask app, --gate-time ${gateTime}, --iterations 600:`);
const g = gateOnManyRoutes();
console.log(`  ${g.summary}`);
console.log(
  `  static phase ${g.staticS.toFixed(2)} s; ${g.perRoute.toFixed(2)} s per swept route; whole gate ${g.seconds.toFixed(1)} s; ` +
    `heapgate's peak RSS ${g.peakMB.toFixed(0)} MB (goal < 200 MB)`,
);
