import { TargetProcess } from '/work/main/dist/target/process.js';
import { freePort } from '/work/main/dist/target/readiness.js';
import { execa } from 'execa';
import http from 'node:http';
const N = 3000;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function get(port, path) { return new Promise((res, rej) => { http.get({ host: '127.0.0.1', port, path, agent }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); }).on('error', rej); }); }
async function drive(port) { const t = performance.now(); let i = 0; await Promise.all([0,1,2,3].map(async () => { while (i < N) { const k = i++; await get(port, `/item/${k}`); } })); return performance.now() - t; }
const cwd = '/work/main/test/fixtures/services';
// without heapgate
{ const port = await freePort(); const p = execa('python3', ['stdlib_service.py'], { cwd, env: { PORT: String(port), LEAK: 'heap' }, reject: false });
  await new Promise(r => setTimeout(r, 500)); const ms = await drive(port); console.log('plain', ms.toFixed(0)); p.kill(); await p; }
for (const depth of [1, 4, 8, 16, 25]) {
  const port = await freePort();
  const t = await TargetProcess.start({ command: 'python3 stdlib_service.py', python: 'python3', cwd, port, traceDepth: depth, readyTimeoutMs: 10000, env: { LEAK: 'heap' } });
  const ms = await drive(port); console.log('depth', depth, ms.toFixed(0)); await t.stop();
}
