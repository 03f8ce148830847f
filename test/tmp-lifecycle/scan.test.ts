import { it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { pythonParser } from '../../src/static/parse.js';
import type { Rule } from '../../src/static/rule.js';

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    const p = join(dir, e);
    let st; try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) { if (!/test|site-packages|__pycache__|idle_test|lib2to3|tkinter/.test(e)) walk(p, out); }
    else if (e.endsWith('.py')) out.push(p);
  }
}
it('scan', async () => {
  const p = await pythonParser();
  const m = await import(/* @vite-ignore */ `/work/main/src/static/rules/${process.env.RULE}.ts`);
  const rule = Object.values(m).find((v) => typeof v === 'object' && v && 'meta' in (v as object)) as Rule;
  const files: string[] = [];
  for (const d of (process.env.DIRS ?? '').split(',')) walk(d, files);
  let out = '';
  let count = 0; let mismatch = 0; let errors = 0;
  const t0 = Date.now();
  for (const f of files) {
    let src: string; try { src = readFileSync(f, 'utf8'); } catch { continue; }
    const r = analyzeSource(p, src, { file: f, rules: [rule], routes: false });
    if (process.env.CHECK) {
      const full = analyzeSource(p, src, { file: f, rules: [rule], routes: false, fullParse: true });
      if (JSON.stringify(full.findings) !== JSON.stringify(r.findings)) { mismatch++; out += `MISMATCH ${f}\n`; }
    }
    for (const pr of r.problems) if (pr.kind === 'internal-error') { errors++; out += `ERR ${f} ${pr.message}\n`; }
    const lines = src.split('\n');
    for (const x of r.findings) {
      count++;
      out += `=== ${f}:${x.line} [${x.function}] ${x.message} (${x.confidence})\n`;
      const ctx = Number(process.env.CTX ?? 6);
      out += lines.slice(Math.max(0, x.line - 2), x.line + ctx).map((l, i) => `${x.line - 1 + i}| ${l}`).join('\n') + '\n';
    }
  }
  writeFileSync(`/tmp/scan-${process.env.RULE}.txt`, out);
  console.log(`files=${files.length} findings=${count} mismatch=${mismatch} errors=${errors} ms=${Date.now() - t0}`);
}, 600000);
