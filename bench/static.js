// bench/static: heapgate's static phase over the Python standard library and the application trees
// bench/static-corpora.js names (when fetched; the bench says which are missing), cold (empty cache) and
// warm, beside ruff's wasm build over the same files in the same run. Prints each figure beside its goal
// (issue 15); asserts nothing. bench/static-identical.js checks a speed change reports the same.
//   npm run bench:static [-- --runs 3 --path DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPythonFiles } from '../dist/static/discover.js';
import { APP_TREES } from './static-corpora.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'heapgate.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const runs = Number(option('--runs', '3'));
const stdlib = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"])
  .toString()
  .trim();
// The standard library and the application trees bench/static-corpora.js names (when fetched), or --path.
const corpora = option('--path')
  ? [{ name: path.basename(option('--path')), path: option('--path'), stdlib: false }]
  : [{ name: 'stdlib', path: stdlib, stdlib: true }];
if (!option('--path')) {
  for (const app of APP_TREES) {
    if (existsSync(app.path))
      corpora.push({ name: `${app.name} (${app.repo}@${app.commit.slice(0, 10)})`, path: app.path });
    else console.log(`${app.name}: not at ${app.path}; measured without it (to add it: ${app.howToFetch})`);
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'heapgate-bench-'));

function timeHeapgate(corpus, cacheDir) {
  const started = performance.now();
  const result = spawnSync(
    'node',
    [
      bin,
      'analyze',
      corpus,
      '--format',
      'json',
      '--output',
      path.join(work, 'report.json'),
      '--cache-dir',
      cacheDir,
    ],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0 && result.status !== 1) throw new Error(`heapgate failed: ${result.stderr}`);
  return seconds;
}

function timeRuff(list) {
  const started = performance.now();
  const result = spawnSync('node', [path.join(here, 'ruff-wasm-runner.js'), list], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`ruff-wasm failed: ${result.stderr}`);
  return { seconds, ...JSON.parse(result.stdout) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(2);
const COLD_GOAL = 0.8;
const WARM_GOAL = 0.3;
console.log(
  `bench/static — ${new Date().toISOString()} — node ${process.version}, ${os.availableParallelism()} cores`,
);
for (const corpus of corpora) {
  const { files } = discoverPythonFiles(corpus.path);
  const megabytes = files.reduce((sum, f) => sum + f.size, 0) / 1e6;
  const list = path.join(work, 'files.json');
  writeFileSync(list, JSON.stringify(files.map((f) => f.abs)));
  const cold = [];
  const warm = [];
  const ruff = [];
  let ruffDiagnostics = 0;
  for (let i = 0; i < runs; i++) {
    const cacheDir = path.join(work, `cache-${corpus.name.split(' ')[0]}-${i}`);
    ruff.push(timeRuff(list).seconds);
    cold.push(timeHeapgate(corpus.path, cacheDir));
    warm.push(timeHeapgate(corpus.path, cacheDir));
    ruffDiagnostics = timeRuff(list).diagnostics;
  }
  const report = JSON.parse(readFileSync(path.join(work, 'report.json'), 'utf8'));
  const coldS = median(cold);
  const warmS = median(warm);
  const ruffS = median(ruff);
  console.log('');
  console.log(`corpus: ${corpus.name}: ${corpus.path}`);
  console.log(
    `files: ${files.length}, ${megabytes.toFixed(1)} MB (heapgate's default excludes; ruff gets the same list)`,
  );
  console.log(
    `runs: ${runs} (median shown; every run: cold [${cold.map(fmt)}], warm [${warm.map(fmt)}], ruff [${ruff.map(fmt)}])`,
  );
  console.log('');
  console.log('| tool | cold s | warm s | findings |');
  console.log('|---|---:|---:|---:|');
  console.log(
    `| heapgate (all rules, ${os.availableParallelism()} threads) | ${fmt(coldS)} | ${fmt(warmS)} | ${report.findings.length} |`,
  );
  console.log(`| ruff-wasm (B006,B019,SIM115,PLW0603, 1 thread) | ${fmt(ruffS)} | — | ${ruffDiagnostics} |`);
  console.log('');
  const ratio = coldS / ruffS;
  console.log(
    `cold ratio heapgate/ruff-wasm: ${ratio.toFixed(2)} (goal ≤ ${fmt(COLD_GOAL)}: ${ratio <= COLD_GOAL ? 'met' : 'NOT met'})`,
  );
  // The warm goal is set on the standard library; other trees print their figure beside it.
  console.log(
    `warm: ${fmt(warmS)} s (goal ≤ ${fmt(WARM_GOAL)} s${corpus.stdlib ? '' : ' on the stdlib'}: ${warmS <= WARM_GOAL ? 'met' : 'NOT met'})`,
  );
}
rmSync(work, { recursive: true, force: true });
