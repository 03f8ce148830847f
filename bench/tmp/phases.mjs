import { runScenario } from '../../dist/drive/runner.js';
import { loadScenarios } from '../../dist/scenarios/load.js';
const cwd = '/work/main/test/fixtures/services';
const [s] = await loadScenarios(['/work/main/test/fixtures/scenarios/unique-paths.json'], { cwd });
const t0 = performance.now(); let last = t0; let lastPhase = null;
const marks = {};
const r = await runScenario(s, { command: 'python3 stdlib_service.py', python: 'python3', cwd, traceDepth: 16, readyTimeoutMs: 30000, allowRemote: false, budgetConfig: {}, budgetFlags: {}, env: { LEAK: process.argv[2] },
  onProgress: (p) => { const now = performance.now(); if (p.phase !== lastPhase) { if (lastPhase) marks[lastPhase] = (marks[lastPhase] ?? 0) + (now - last); last = now; lastPhase = p.phase; } } });
const end = performance.now(); marks[lastPhase] = (marks[lastPhase] ?? 0) + (end - last);
console.log(process.argv[2], r.report.verdict, 'total', (end - t0).toFixed(0), Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v.toFixed(0)])), 'iterations', r.report.totalIterations, 'samples', r.samples.length);
