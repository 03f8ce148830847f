import { TargetProcess } from '../../dist/target/process.js';
import { freePort } from '../../dist/target/readiness.js';
import { HttpDriver } from '../../dist/drive/http.js';
import { runBlock } from '../../dist/drive/concurrency.js';
import { execa } from 'execa';
const cwd = '/work/main/test/fixtures/services';
const spec = { method: 'GET', path: '/item/{i}', url: null, headers: {}, body: null, timeoutMs: 10000 };
async function drive(port, n, block, sampler) { const d = new HttpDriver({ port, concurrency: 4 }); await d.prepare(spec); const t = performance.now(); let next = 0; let st = 0;
  while (next < n) { await runBlock(next, block, 4, async (i) => { await d.send(spec, i); }); next += block; if (sampler) { const a = performance.now(); await sampler(); st += performance.now() - a; } }
  d.close(); return [performance.now() - t, st]; }
{ const port = await freePort(); const p = execa('python3', ['stdlib_service.py'], { cwd, env: { PORT: String(port) }, reject: false }); await new Promise(r => setTimeout(r, 400));
  console.log('plain 3000 (block 50):', (await drive(port, 3000, 50))[0].toFixed(0)); p.kill(); await p; }
{ const port = await freePort(); const t = await TargetProcess.start({ command: 'python3 stdlib_service.py', python: 'python3', cwd, port, traceDepth: 1, readyTimeoutMs: 10000 });
  console.log('shim depth1 3000 no samples:', (await drive(port, 3000, 50))[0].toFixed(0));
  const [all, st] = await drive(port, 3000, 50, () => t.sampleAll()); console.log('shim depth1 3000 with samples:', all.toFixed(0), 'of which sampling', st.toFixed(0));
  await t.stop(); }
