// bench/dynamic-verdicts: how stable and how fast the verdict is on the verdict-robustness services
// (docs/verdict.md): an RSS that climbs and levels off (rss_plateau.py, 12,000 requests), a bounded Flask
// lru_cache filling at half the requested run and its unbounded twin (flask_lru.py, 5000), a periodic
// 30 MB buffer with and without a 2 KB/request leak (periodic_buffer.py), and a clean route run too short
// to judge; and bench/dynamic's stdlib leak and clean twin (time to a verdict). Prints, per case, the
// verdicts of N runs, the early stops and the median wall time; asserts nothing. With --bin A --bin B (heapgate entry points of two checkouts) the runs alternate between them,
// so old and new are compared under the same load.
//   npm run build && node bench/dynamic-verdicts.js [--runs 5] [--only rss] [--skip rss] [--bin path/to/bin/heapgate.js …]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..');
const services = path.join(repo, 'test/fixtures/services');
const scenarios = path.join(repo, 'test/fixtures/scenarios');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Number(option('--runs', 5)) || 5;
const only = option('--only', '');
const skip = option('--skip', '');
const bins = args.flatMap((a, i) => (a === '--bin' ? [path.resolve(args[i + 1])] : []));
if (!bins.length) bins.push(path.join(repo, 'bin/heapgate.js'));

const py = '/usr/bin/python3';
const CASES = [
  ['rss', 'RSS levels off (rss_plateau.py)', 'pass', `${py} rss_plateau.py`, 'unique-paths.json', 12000],
  [
    'lru',
    'bounded lru_cache, fills at ~50%',
    'pass',
    `env THREADED=0 MAXSIZE=2500 ${py} flask_lru.py`,
    'unique-paths.json',
    5000,
  ],
  [
    'lru',
    'unbounded lru_cache (leak)',
    'fail',
    `env THREADED=0 MAXSIZE=0 ${py} flask_lru.py`,
    'unique-paths.json',
    5000,
  ],
  [
    'buffer',
    '30 MB buffer every 2 s, clean',
    'pass',
    `env LEAK_BYTES=0 ${py} periodic_buffer.py`,
    'unique-paths.json',
    3000,
  ],
  [
    'buffer',
    '30 MB buffer every 2 s + 2 KB/request leak',
    'fail',
    `env LEAK_BYTES=2048 ${py} periodic_buffer.py`,
    'unique-paths.json',
    3000,
  ],
  [
    'stdlib',
    'stdlib leak, dict entry per request',
    'fail',
    `env LEAK=heap ${py} stdlib_service.py`,
    'unique-paths.json',
    3000,
  ],
  ['stdlib', 'stdlib clean twin', 'pass', `env LEAK=none ${py} stdlib_service.py`, 'unique-paths.json', 3000],
  ['short', 'clean Flask route, 300 iterations', 'pass', `${py} flask_app.py`, 'health.json', 300],
];

function soak(bin, target, scenario, iterations) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [
      bin,
      'soak',
      '--target',
      target,
      '--scenarios',
      path.join(scenarios, scenario),
      '--iterations',
      String(iterations),
      '--format',
      'json',
    ],
    { cwd: services, encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  const s = JSON.parse(result.stdout).scenarios[0];
  return {
    seconds,
    verdict: s.verdict,
    stopped: s.stoppedEarly ?? null,
    tooShort: s.tooShort ?? null,
    requests: s.totalIterations,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `bench/dynamic-verdicts — ${new Date().toISOString()} — node ${process.version}; ${runs} runs a case`,
);
console.log(`builds: ${bins.map((b, i) => `[${i}] ${path.relative(process.cwd(), b) || b}`).join(', ')}`);
console.log('');
console.log(
  '| case | expected | build | verdicts | right | stopped early (at) | too short | requests (median) | s (median) |',
);
console.log('|---|---|---|---|---:|---|---:|---:|---:|');
for (const [key, label, expected, target, scenario, iterations] of CASES) {
  if ((only && key !== only) || key === skip) continue;
  const results = bins.map(() => []);
  for (let i = 0; i < runs; i++)
    bins.forEach((bin, b) => results[b].push(soak(bin, target, scenario, iterations)));
  results.forEach((list, b) => {
    const right = list.filter((r) => r.verdict === expected).length;
    const stops = list.filter((r) => r.stopped).map((r) => r.stopped.atIteration);
    console.log(
      `| ${label} (${iterations}) | ${expected} | [${b}] | ${list.map((r) => r.verdict).join(' ')} | ${right}/${list.length} | ${stops.length ? `${stops.length} (${stops.join(', ')})` : '0'} | ${list.filter((r) => r.tooShort).length} | ${median(list.map((r) => r.requests))} | ${median(list.map((r) => r.seconds)).toFixed(2)} |`,
    );
  });
}
