// bench/static-identical: the correctness guard for static-phase speed work. Saves what `heapgate analyze`
// reports on some corpora (findings with their severity, runFrequency and message, routes, problems), then,
// after a change, runs it again and fails when anything differs. A faster static phase must report the same.
//   npm run build && node bench/static-identical.js save DIR [--corpus name=PATH ...] [--threads N]
//   npm run build && node bench/static-identical.js check DIR [--threads N]
// Default corpora: the standard library (as bench/static.js finds it) and, when present, the application
// trees bench/static.js names (fetch them as it says). Each run is cold (--no-cache).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_TREES } from './static-corpora.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'heapgate.js');
const [mode, dir, ...rest] = process.argv.slice(2);
if ((mode !== 'save' && mode !== 'check') || !dir) {
  console.error(
    'usage: node bench/static-identical.js save|check DIR [--corpus name=PATH ...] [--threads N]',
  );
  process.exit(2);
}
const corpora = [];
let threads = null;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--corpus') {
    const [name, where] = rest[++i].split('=');
    corpora.push({ name, path: where });
  } else if (rest[i] === '--threads') threads = rest[++i];
}

/** What the comparison covers: every field of the static result a user or a later phase reads. */
function digest(report) {
  return {
    findings: report.findings,
    routes: report.routes,
    problems: report.problems,
    filesAnalyzed: report.static.filesAnalyzed,
  };
}

function analyze(corpus) {
  const out = path.join(os.tmpdir(), `heapgate-identical-${process.pid}-${corpus.name}.json`);
  const started = process.hrtime.bigint();
  const result = spawnSync(
    'node',
    [
      bin,
      'analyze',
      corpus.path,
      '--format',
      'json',
      '--output',
      out,
      '--no-cache',
      ...(threads === null ? [] : ['--threads', threads]),
    ],
    { encoding: 'utf8' },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`heapgate failed: ${result.stderr}`);
  return { report: digest(JSON.parse(readFileSync(out, 'utf8'))), seconds };
}

/** The first few differences between two values, as paths. */
function differences(a, b, at = '', out = []) {
  if (out.length >= 10) return out;
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) differences(a[key], b[key], `${at}/${key}`, out);
    if (Array.isArray(a) && a.length !== b.length) out.push(`${at}: length ${a.length} → ${b.length}`);
    return out;
  }
  out.push(`${at}: ${JSON.stringify(a)?.slice(0, 200)} → ${JSON.stringify(b)?.slice(0, 200)}`);
  return out;
}

if (!corpora.length) {
  if (mode === 'check' && existsSync(path.join(dir, 'corpora.json'))) {
    corpora.push(...JSON.parse(readFileSync(path.join(dir, 'corpora.json'), 'utf8')));
  } else {
    const stdlib = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"])
      .toString()
      .trim();
    corpora.push({ name: 'stdlib', path: stdlib });
    for (const app of APP_TREES) {
      if (existsSync(app.path)) corpora.push({ name: app.name, path: app.path });
      else console.log(`${app.name}: not at ${app.path}, left out (${app.howToFetch})`);
    }
  }
}

mkdirSync(dir, { recursive: true });
if (mode === 'save') writeFileSync(path.join(dir, 'corpora.json'), JSON.stringify(corpora, null, 1));
let failed = false;
for (const corpus of corpora) {
  const { report, seconds } = analyze(corpus);
  const file = path.join(dir, `${corpus.name}.json`);
  const summary = `${report.findings.length} findings, ${report.routes.length} routes, ${report.problems.length} problems, ${seconds.toFixed(1)} s`;
  if (mode === 'save') {
    writeFileSync(file, JSON.stringify(report, null, 1));
    console.log(`${corpus.name}: saved (${summary})`);
    continue;
  }
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const diff = differences(saved, report);
  if (diff.length) {
    failed = true;
    console.log(`${corpus.name}: DIFFERENT (${summary})`);
    for (const line of diff) console.log(`  ${line}`);
  } else console.log(`${corpus.name}: identical (${summary})`);
}
process.exit(failed ? 1 : 0);
