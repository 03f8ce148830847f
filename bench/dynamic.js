// bench/dynamic: heapgate's time to a verdict beside the time of starting the same service without heapgate
// and sending it the same requests, for a leaky and a clean service; then the smallest leak the defaults
// catch. Prints the figures; asserts nothing. Loopback only.
//   npm run bench:dynamic [-- --runs 3]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPlain } from './plain-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const services = path.join(repo, 'test/fixtures/services');
const scenarioFile = path.join(repo, 'test/fixtures/scenarios/unique-paths.json');
const bin = path.join(repo, 'bin/heapgate.js');
const plainClient = path.join(here, 'plain-client.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
// --quick: the time-to-verdict table only, without the smallest-leak sweep.
const quick = args.includes('--quick');

function soak(env, extra = []) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [
      bin,
      'soak',
      '--target',
      'python3 stdlib_service.py',
      '--scenarios',
      scenarioFile,
      '--format',
      'json',
      ...extra,
    ],
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

/**
 * The same service started without heapgate and sent the same number of requests by the same driver, in
 * a fresh process (bench/plain-client.js): wall time, as for heapgate, cold start included for both.
 */
function plain(env, requests) {
  const started = performance.now();
  const result = spawnSync('node', [plainClient, String(requests)], {
    cwd: services,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`plain client failed: ${result.stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * The same again, driven from this (long-running, JIT-warm) process: the service's own time with the
 * least client overhead there is. Shown beside the fresh-client figure so neither flatters heapgate.
 */
async function plainWarm(env, requests) {
  const started = performance.now();
  await runPlain(requests, { cwd: services, env: { ...process.env, ...env } });
  return (performance.now() - started) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(2);
const times = (a, b) => `${(a / b).toFixed(2)}×`;
console.log(
  `bench/dynamic — ${new Date().toISOString()} — node ${process.version}, python3 stdlib http.server fixture`,
);
console.log(`scenario: GET /item/{i}, concurrency 4, default length and budgets; ${runs} runs, medians`);
console.log('');
console.log(
  '| service | heap counter | verdict | requests sent | heapgate s | plain s, fresh client | ratio | plain s, warm client | ratio | plain s, scenario length | ratio |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [label, env] of [
  ['leaky (dict entry per request)', { LEAK: 'heap' }],
  ['clean twin', { LEAK: 'none' }],
]) {
  for (const counter of ['allocator', 'tracemalloc']) {
    const heap = [];
    const fresh = [];
    const warm = [];
    const nominal = [];
    let last;
    for (let i = 0; i < runs; i++) {
      last = soak(env, ['--heap-counter', counter]);
      heap.push(last.seconds);
      fresh.push(plain(env, last.requests));
      warm.push(await plainWarm(env, last.requests));
      nominal.push(plain(env, last.nominal));
    }
    const h = median(heap);
    console.log(
      `| ${label} | ${counter} | ${last.verdict} | ${last.requests} | ${fmt(h)} | ${fmt(median(fresh))} | ${times(h, median(fresh))} | ${fmt(median(warm))} | ${times(h, median(warm))} | ${fmt(median(nominal))} | ${times(h, median(nominal))} |`,
    );
  }
}

console.log('');
console.log(
  'Target ≤ 2.0×. Every column is wall time from start to exit. "same requests": the plain service',
);
console.log('gets exactly as many requests as heapgate sent (warm-up, measured part up to an early verdict,');
console.log('attribution pass), by the same driver in blocks of 50: "fresh client" from a new node process');
console.log('(bench/plain-client.js, cold like heapgate), "warm client" from this long-running process.');
console.log('"scenario length": the fresh client sends the warm-up plus the 3000 measured iterations, what');
console.log('the run would send without early stopping.');
if (quick) process.exit(0);
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
