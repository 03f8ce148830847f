// bench/static: heapgate's static phase over the Python standard library, cold (empty cache) and warm,
// beside ruff's wasm build over the same files in the same run. Prints the figures; asserts nothing.
//   npm run bench:static [-- --runs 3 --path DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPythonFiles } from '../dist/static/discover.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'heapgate.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const runs = Number(option('--runs', '3'));
const corpus =
  option('--path') ??
  execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"])
    .toString()
    .trim();

const { files } = discoverPythonFiles(corpus);
const megabytes = files.reduce((sum, f) => sum + f.size, 0) / 1e6;
const work = mkdtempSync(path.join(os.tmpdir(), 'heapgate-bench-'));
const list = path.join(work, 'files.json');
writeFileSync(list, JSON.stringify(files.map((f) => f.abs)));

function timeHeapgate(cacheDir) {
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

function timeRuff() {
  const started = performance.now();
  const result = spawnSync('node', [path.join(here, 'ruff-wasm-runner.js'), list], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`ruff-wasm failed: ${result.stderr}`);
  return { seconds, ...JSON.parse(result.stdout) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cold = [];
const warm = [];
const ruff = [];
let ruffDiagnostics = 0;
for (let i = 0; i < runs; i++) {
  const cacheDir = path.join(work, `cache-${i}`);
  ruff.push(timeRuff().seconds);
  cold.push(timeHeapgate(cacheDir));
  warm.push(timeHeapgate(cacheDir));
  ruffDiagnostics = timeRuff().diagnostics;
}
const report = JSON.parse(readFileSync(path.join(work, 'report.json'), 'utf8'));
rmSync(work, { recursive: true, force: true });

const coldS = median(cold);
const warmS = median(warm);
const ruffS = median(ruff);
const fmt = (x) => x.toFixed(2);
console.log(
  `bench/static — ${new Date().toISOString()} — node ${process.version}, ${os.availableParallelism()} cores`,
);
console.log(`corpus: ${corpus}`);
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
console.log(
  `cold ratio heapgate/ruff-wasm: ${(coldS / ruffS).toFixed(2)} (target ≤ 0.80: ${coldS / ruffS <= 0.8 ? 'met' : 'NOT met'})`,
);
console.log(`warm: ${fmt(warmS)} s (target ≤ 0.50 s: ${warmS <= 0.5 ? 'met' : 'NOT met'})`);
