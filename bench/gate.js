// bench/gate: what the memory-budget gate costs on the test services that leak through real libraries
// (test/fixtures/gate-libs): the whole gate with its route sweep, the gate as it was before the sweep
// (the selected scenarios only: --gate-time 1ms leaves the rest), and the same services started without
// heapgate and sent the same requests over the same routes by the same driver; seconds per route. Then the
// reach probe's overhead per request, measured in-process (bench/reach-probe.py). Prints figures; asserts
// nothing. Loopback only.
//   npm run build && node bench/gate.js [--runs 3] [--only prom-labels/leaky]
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBlock } from '../dist/drive/concurrency.js';
import { HttpDriver } from '../dist/drive/http.js';
import { freePort, waitUntilReady } from '../dist/service/readiness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const apps = path.join(repo, 'test/fixtures/gate-libs');
const bin = path.join(repo, 'bin/heapgate.js');
const python = '/usr/bin/python3';
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const SERVICES = [
  'prom-labels/leaky',
  'prom-labels/clean',
  'logger-per-request/clean',
  'unique-warnings/clean',
  'xml-import/leaky',
  'dispatch/clean',
].filter((s) => !only || s === only);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function gate(app, extra = []) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [
      bin,
      'analyze',
      '.',
      '--enable-memory-budget-gate',
      '--no-cache',
      '--target',
      `${python} app.py`,
      '--format',
      'json',
      ...extra,
    ],
    { cwd: path.join(apps, app), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(result.stdout);
  return { seconds, report, exit: result.status };
}

/** The requests each scenario of a gate report drove: method, path, body, how many. */
function plannedRequests(app, report) {
  const plan = JSON.parse(
    spawnSync('node', [bin, 'scenarios', '.', '--format', 'json'], {
      cwd: path.join(apps, app),
      encoding: 'utf8',
    }).stdout,
  );
  const byName = new Map(plan.scenarios.map((s) => [s.scenario, s.request]));
  return report.scenarios.map((s) => {
    const settled = s.request ? `${s.request.method} ${s.request.path}` : byName.get(s.name);
    const [method, ...rest] = settled.split(' ');
    return { method, path: rest.join(' '), count: s.totalIterations ?? s.iterations };
  });
}

/** The service without heapgate: started, sent the same requests (keep-alive, 4 at a time), stopped. */
async function bare(app, requests) {
  const started = performance.now();
  for (const { method, path: requestPath, count } of requests) {
    const port = await freePort();
    const child = spawn(python, ['app.py'], {
      cwd: path.join(apps, app),
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const ready = await waitUntilReady({
      host: '127.0.0.1',
      port,
      timeoutMs: 30_000,
      abandoned: exited.then(() => 'exited'),
    });
    if (!ready.ready) throw new Error(`${app}: ${ready.reason}`);
    const driver = new HttpDriver({ port, concurrency: 4 });
    const body = method === 'POST' ? { kind: 'json', value: { id: '{i}', name: 'heapgate-{i}' } } : null;
    const spec = { method, path: requestPath, url: null, headers: {}, body, timeoutMs: 10_000 };
    await driver.prepare(spec);
    for (let from = 0; from < count; from += 50) {
      await runBlock(from, Math.min(50, count - from), 4, async (i) => {
        await driver.send(spec, i);
      });
    }
    driver.close();
    child.kill('SIGTERM');
    await exited;
  }
  return (performance.now() - started) / 1000;
}

console.log(`gate cost on test/fixtures/gate-libs, medians of ${runs} runs (wall seconds)\n`);
console.log(
  '| service | routes soaked | gate (sweep) | s/route | gate (selected only) | bare service, same requests | sweep ÷ bare |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const app of SERVICES) {
  const full = [];
  const selectedOnly = [];
  const plain = [];
  let coverage = '';
  for (let k = 0; k < runs; k++) {
    const g = gate(app);
    full.push(g.seconds);
    const c = g.report.gate.coverage;
    coverage = `${c.routesSoaked} of ${c.routes}`;
    selectedOnly.push(gate(app, ['--gate-time', '1ms']).seconds);
    plain.push(await bare(app, plannedRequests(app, g.report)));
  }
  const soaked = Number(coverage.split(' ')[0]) || 1;
  console.log(
    `| ${app} | ${coverage} | ${median(full).toFixed(2)} | ${(median(full) / soaked).toFixed(2)} | ` +
      `${median(selectedOnly).toFixed(2)} | ${median(plain).toFixed(2)} | ${(median(full) / median(plain)).toFixed(2)}× |`,
  );
}

console.log('\nreach probe overhead per request (Flask test client, in-process, bench/reach-probe.py):');
const probe = spawnSync(python, [path.join(here, 'reach-probe.py')], { encoding: 'utf8', cwd: here });
process.stdout.write(probe.stdout || probe.stderr);
