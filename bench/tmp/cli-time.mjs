import { spawn } from 'node:child_process';
const t0 = performance.now();
const c = spawn('node', ['/work/main/bin/heapgate.js', 'soak', '--target', 'python3 stdlib_service.py', '--scenarios', '../scenarios/unique-paths.json', '--format', 'json'], { env: { ...process.env, LEAK: process.argv[2] } });
let first = null;
c.stderr.on('data', (d) => { for (const line of d.toString().split('\n')) if (line.trim()) console.log((performance.now() - t0).toFixed(0).padStart(6), 'stderr', line.slice(0, 80)); });
c.stdout.on('data', () => { if (first === null) { first = performance.now() - t0; console.log(first.toFixed(0).padStart(6), 'stdout report'); } });
c.on('exit', (code) => console.log((performance.now() - t0).toFixed(0).padStart(6), 'exit', code));
