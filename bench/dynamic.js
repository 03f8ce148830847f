// bench/dynamic: heapgate's time to a verdict beside the time of starting the same service without heapgate
// and sending it the same requests, for a leaky and a clean service; then the smallest leak the defaults
// catch, and false alarms on the clean test services at the budget that catches it. Prints the figures
// beside issue 15's goals; asserts nothing. Loopback only.
//   npm run bench:dynamic [-- --runs 5] [--quick | --smallest] [--alarm-runs 20]
//   --quick: the time-to-verdict table only; --smallest: the smallest-leak and false-alarm tables only.
import { spawn, spawnSync } from 'node:child_process';
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
const option = (name, fallback) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback;
const runs = option('--runs', 5);
const alarmRuns = option('--alarm-runs', 20);
const quick = args.includes('--quick');
const smallestOnly = args.includes('--smallest');

/** Issue 15's goals: time to a verdict against the bare service (fresh client), smallest leak caught. */
const GOALS = { leaky: 1.3, clean: 1.2, smallestLeak: 16 };

/**
 * Progress lines that start a stage of a soak (src/cli/progress.ts): the first one seen of each, with its
 * time since heapgate was started, gives where the time went.
 */
const STAGES = [
  ['cli', / starting the target/],
  ['target start', / warming up/],
  ['warm-up', / \[[#-]+\]/],
  ['measured', / growth found, locating| done in /],
  ['attribution', / done in /],
];

function soak(env, extra = [], target = 'python3 stdlib_service.py', scenario = scenarioFile) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [bin, 'soak', '--target', target, '--scenarios', scenario, '--format', 'json', ...extra],
    {
      cwd: services,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (!result.stdout) throw new Error(`heapgate printed no report (exit ${result.status}): ${result.stderr}`);
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

/** The same soak, timing its stages from the progress lines it prints as it goes. */
function stagedSoak(env, extra = []) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
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
      {
        cwd: services,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const at = {};
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      const lines = (pending + chunk).split(/[\r\n]/);
      pending = lines.pop();
      const now = (performance.now() - started) / 1000;
      for (const line of lines)
        for (const [stage, pattern] of STAGES)
          if (at[stage] === undefined && pattern.test(line)) at[stage] = now;
    });
    child.on('error', reject);
    child.on('exit', () => {
      const end = (performance.now() - started) / 1000;
      // Each stage lasts from its first line to the next stage's first line; the last to exit.
      const marks = STAGES.map(([stage]) => at[stage]);
      const durations = {};
      let from = 0;
      STAGES.forEach(([stage], i) => {
        const to = marks.slice(i).find((m) => m !== undefined) ?? end;
        durations[stage] = Math.max(0, to - from);
        from = Math.max(from, to);
      });
      durations['report, exit'] = Math.max(0, end - from);
      resolve(durations);
    });
  });
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
if (!smallestOnly) {
  console.log(`scenario: GET /item/{i}, concurrency 4, default length and budgets; ${runs} runs, medians`);
  console.log('');
  console.log(
    '| service | heap counter | verdict | requests sent | heapgate s | plain s, fresh client | ratio | goal | plain s, warm client | ratio | plain s, scenario length | ratio |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|');
  for (const [label, env, goal] of [
    ['leaky (dict entry per request)', { LEAK: 'heap' }, GOALS.leaky],
    ['clean twin', { LEAK: 'none' }, GOALS.clean],
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
      const ratio = h / median(fresh);
      // The goal is for the default counter (allocator); tracemalloc is shown for comparison.
      const verdict = counter === 'allocator' ? `≤ ${goal}×: ${ratio <= goal ? 'met' : 'NOT met'}` : '—';
      console.log(
        `| ${label} | ${counter} | ${last.verdict} | ${last.requests} | ${fmt(h)} | ${fmt(median(fresh))} | ${times(h, median(fresh))} | ${verdict} | ${fmt(median(warm))} | ${times(h, median(warm))} | ${fmt(median(nominal))} | ${times(h, median(nominal))} |`,
      );
    }
  }

  console.log('');
  console.log(
    'Every column is wall time from start to exit. "same requests": the plain service gets exactly as',
  );
  console.log(
    'many requests as heapgate sent (warm-up, measured part up to an early verdict, attribution pass),',
  );
  console.log(
    'by the same driver in blocks of 50: "fresh client" from a new node process (bench/plain-client.js,',
  );
  console.log(
    'cold like heapgate), "warm client" from this long-running process. "scenario length": the fresh',
  );
  console.log(
    'client sends the warm-up plus the 3000 measured iterations, what the run would send without early',
  );
  console.log('stopping. The goals (issue 15) are against the fresh client.');
  console.log('');
  console.log(
    `Where heapgate's time goes (allocator counter, seconds, medians of ${runs}; from its progress lines):`,
  );
  console.log('');
  const stageNames = [...STAGES.map(([stage]) => stage), 'report, exit'];
  console.log(`| service | ${stageNames.join(' | ')} |`);
  console.log(`|---|${stageNames.map(() => '---:').join('|')}|`);
  for (const [label, env] of [
    ['leaky', { LEAK: 'heap' }],
    ['clean', { LEAK: 'none' }],
  ]) {
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await stagedSoak(env));
    console.log(
      `| ${label} | ${stageNames.map((stage) => fmt(median(all.map((d) => d[stage])))).join(' | ')} |`,
    );
  }
}
if (quick) process.exit(0);

console.log('');
console.log('Smallest sustained leak caught within 3000 measured iterations (3 runs each), at the default');
console.log(
  `budget (32 B/iteration) and at --budget-growth 8B; goal: ${GOALS.smallestLeak} B/iteration or less.`,
);
console.log('');
console.log('| leak B/request | caught, default budget | caught, 8 B budget | fitted B/iteration (median) |');
console.log('|---:|---:|---:|---:|');
let smallest = { default: null, tight: null };
for (const bytes of [8, 12, 16, 24, 32, 40, 48]) {
  const plainRuns = [];
  const tightRuns = [];
  for (let i = 0; i < 3; i++) {
    plainRuns.push(soak({ LEAK: 'bytes', LEAK_BYTES: String(bytes) }));
    tightRuns.push(soak({ LEAK: 'bytes', LEAK_BYTES: String(bytes) }, ['--budget-growth', '8B']));
  }
  const caught = plainRuns.filter((r) => r.verdict === 'fail').length;
  const caughtTight = tightRuns.filter((r) => r.verdict === 'fail').length;
  if (caught === 3 && smallest.default === null) smallest.default = bytes;
  if (caughtTight === 3 && smallest.tight === null) smallest.tight = bytes;
  const both = [...plainRuns, ...tightRuns];
  console.log(
    `| ${bytes} | ${caught}/3 | ${caughtTight}/3 | ${median(both.map((r) => r.slope)).toFixed(1)} |`,
  );
}
console.log('');
console.log(
  `smallest caught 3/3: default budget ${smallest.default ?? '—'} B, 8 B budget ${smallest.tight ?? '—'} B (goal ≤ ${GOALS.smallestLeak} B: ${smallest.tight !== null && smallest.tight <= GOALS.smallestLeak ? 'met with --budget-growth 8B' : 'NOT met'})`,
);

// False alarms: the clean test services at the budget that catches the smallest leak. A budget is only
// worth lowering if these stay green (issue 15: bounded caches, warm-up tables, per-request garbage).
const CLEAN = [
  ['stdlib, keeps nothing', 'python3 stdlib_service.py', {}],
  [
    'Flask lru_cache(500), full during warm-up',
    '/usr/bin/python3 flask_lru.py',
    { THREADED: '0', MAXSIZE: '500' },
  ],
  ['30 MB buffer every 2 s (periodic job)', '/usr/bin/python3 periodic_buffer.py', { LEAK_BYTES: '0' }],
  ['per-request scratch buffers (RSS levels off)', 'python3 rss_plateau.py', {}],
];
console.log('');
console.log(`False alarms on clean services (${alarmRuns} runs each, unique-paths, 3000 iterations):`);
console.log('');
console.log(
  '| clean service | failed, default budget | failed, 8 B budget | fitted heap B/iteration: median, max |',
);
console.log('|---|---:|---:|---:|');
for (const [label, target, env] of CLEAN) {
  const results = [];
  for (let i = 0; i < alarmRuns; i++) results.push(soak(env, [], target));
  // Early stop depends on the budget, so the tight budget is run for real, not judged from the same samples.
  const tight = [];
  for (let i = 0; i < alarmRuns; i++) tight.push(soak(env, ['--budget-growth', '8B'], target));
  const slopes = [...results, ...tight].map((r) => r.slope);
  console.log(
    `| ${label} | ${results.filter((r) => r.verdict !== 'pass').length}/${alarmRuns} | ${tight.filter((r) => r.verdict !== 'pass').length}/${alarmRuns} | ${median(slopes).toFixed(1)}, ${Math.max(...slopes).toFixed(1)} |`,
  );
}
