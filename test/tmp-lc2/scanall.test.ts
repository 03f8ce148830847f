import { it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { pythonParser } from '../../src/static/parse.js';
import { sessionLifecycle } from '../../src/static/rules/r3-session-lifecycle.js';
import { unclosedFile } from '../../src/static/rules/m2-unclosed-file.js';
import { circularReference } from '../../src/static/rules/m1-circular-reference.js';
import { loadAll } from '../../src/static/rules/m3-load-all.js';
import { stringConcatLoop } from '../../src/static/rules/m4-string-concat-loop.js';
function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    let st; try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) { if (!/^tests?$|__pycache__|idle_test/.test(e)) walk(p, out); } else if (e.endsWith('.py')) out.push(p);
  }
}
it('scanall', async () => {
  const p = await pythonParser();
  const files: string[] = [];
  walk('/root/.pyenv/versions/3.11.7/lib/python3.11', files);
  walk('/usr/lib/python3/dist-packages', files);
  const rules = [sessionLifecycle, unclosedFile, circularReference, loadAll, stringConcatLoop];
  let out = ''; let mismatch = 0; let errors = 0;
  const counts: Record<string, number> = {};
  for (const f of files) {
    let src: string; try { src = readFileSync(f, 'utf8'); } catch { continue; }
    const r = analyzeSource(p, src, { file: f, rules, routes: false });
    const full = analyzeSource(p, src, { file: f, rules, routes: false, fullParse: true });
    if (JSON.stringify(full.findings) !== JSON.stringify(r.findings)) { mismatch++; out += `MISMATCH ${f}\n`; }
    for (const pr of r.problems) if (pr.kind === 'internal-error') { errors++; out += `ERR ${f} ${pr.message}\n`; }
    const lines = src.split('\n');
    for (const x of r.findings) {
      counts[x.shortId] = (counts[x.shortId] ?? 0) + 1;
      out += `=== ${x.shortId} ${f}:${x.line} [${x.function}] ${x.message}\n`;
      out += lines.slice(Math.max(0, x.line - 2), x.line + 6).map((l, i) => `${x.line - 1 + i}| ${l}`).join('\n') + '\n';
    }
  }
  writeFileSync('/tmp/scanall.txt', out);
  console.log(`files=${files.length} mismatch=${mismatch} errors=${errors} ${JSON.stringify(counts)}`);
}, 1800000);
