// bench/dynamic: heapgate's time to a verdict beside the time of starting the same service without heapgate
// and sending it the same requests, for a leaky and a clean service; then the smallest leak the defaults
// catch. Prints the figures; asserts nothing. Loopback only.
//   npm run bench:dynamic [-- --runs 3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runBlock } from '../dist/drive/concurrency.js';
import { HttpDriver } from '../dist/drive/http.js';
import { freePort, waitUntilReady } from '../dist/target/readiness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const services = path.join(repo, 'test/fixtures/services');
const scenarioFile = path.join(repo, 'test/fixtures/scenarios/unique-paths.json');
const bin = path.join(repo, 'bin/heapgate.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const CONCURRENCY = 4; // the scenario's default

function soak(env) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [bin, 'soak', '--target', 'python3 stdlib_service.py', '--scenarios', scenarioFile, '--format', 'json'],
    { cwd: services, env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  const report = JSON.parse(result.stdout);
  const s = report.scenarios[0];
  return {
    seconds,
    verdict: s.verdict,
    requests: s.totalIterations,
    // What the scenario asks for: its warm-up plus its 3000 measured iterations (no early stop).
    nominal: s.warmupIterations + 3000,
    slope: s.metrics.heap?.slopePerIteration ?? NaN,
    exit: result.status,
  };
}

/** The same service, started without heapgate, sent the same number of requests the same way, stopped. */
async function plain(env, requests) {
  const started = performance.now();
  const port = await freePort();
  const child = execa('python3', ['stdlib_service.py'], {
    cwd: services,
    env: { ...env, PORT: String(port) },
    reject: false,
  });
  const ready = await waitUntilReady({
    host: '127.0.0.1',
    port,
    timeoutMs: 30_000,
    abandoned: new Promise(() => {}),
  });
  if (!ready.ready) throw new Error(ready.reason);
  const driver = new HttpDriver({ port, concurrency: CONCURRENCY });
  const spec = { method: 'GET', path: '/item/{i}', url: null, headers: {}, body: null, timeoutMs: 10_000 };
  await driver.prepare(spec);
  let failures = 0;
  await runBlock(0, requests, CONCURRENCY, async (i) => {
    const result = await driver.send(spec, i);
    if (result.status !== 200) failures++;
  });
  driver.close();
  child.kill('SIGTERM');
  await child;
  if (failures) throw new Error(`${failures} requests failed without heapgate`);
  return (performance.now() - started) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(2);
console.log(
  `bench/dynamic — ${new Date().toISOString()} — node ${process.version}, python3 stdlib http.server fixture`,
);
console.log(
  `scenario: GET /item/{i}, concurrency ${CONCURRENCY}, default length and budgets; ${runs} runs, medians`,
);
console.log('');
console.log(
  '| service | verdict | requests sent | heapgate s | plain s, same requests | ratio | plain s, scenario length | ratio |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const [label, env] of [
  ['leaky (dict entry per request)', { LEAK: 'heap' }],
  ['clean twin', { LEAK: 'none' }],
]) {
  const heap = [];
  const base = [];
  const nominal = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = soak(env);
    heap.push(last.seconds);
    base.push(await plain(env, last.requests));
    nominal.push(await plain(env, last.nominal));
  }
  const ratio = median(heap) / median(base);
  const nominalRatio = median(heap) / median(nominal);
  console.log(
    `| ${label} | ${last.verdict} | ${last.requests} | ${fmt(median(heap))} | ${fmt(median(base))} | ${ratio.toFixed(2)}× | ${fmt(median(nominal))} | ${nominalRatio.toFixed(2)}× |`,
  );
}

console.log('');
console.log(
  'Target ≤ 2.0×. "same requests": the plain service gets exactly as many requests as heapgate sent',
);
console.log(
  '(warm-up, measured part up to an early verdict, attribution pass). "scenario length": it gets the',
);
console.log(
  "scenario's warm-up plus its 3000 measured iterations, what the run would send without early stopping.",
);
console.log('');
console.log('Smallest sustained leak the defaults catch (3000 measured iterations, 3 runs each):');
console.log('');
console.log('| leak B/request | caught | fitted B/iteration (median) |');
console.log('|---:|---:|---:|');
for (const bytes of [16, 24, 32, 40, 48, 64, 100]) {
  const results = [];
  for (let i = 0; i < 3; i++) results.push(soak({ LEAK: 'bytes', LEAK_BYTES: String(bytes) }));
  const caught = results.filter((r) => r.verdict === 'fail').length;
  console.log(`| ${bytes} | ${caught}/3 | ${median(results.map((r) => r.slope)).toFixed(1)} |`);
}
