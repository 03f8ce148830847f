import { it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { pythonParser } from '../../src/static/parse.js';
import { ALL_RULES } from '../../src/static/rules/index.js';
import { sessionLifecycle } from '../../src/static/rules/r3-session-lifecycle.js';
import { unclosedFile } from '../../src/static/rules/m2-unclosed-file.js';
import { circularReference } from '../../src/static/rules/m1-circular-reference.js';
import { loadAll } from '../../src/static/rules/m3-load-all.js';
import { stringConcatLoop } from '../../src/static/rules/m4-string-concat-loop.js';
function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) { if (!/test|__pycache__/.test(e)) walk(p, out); } else if (e.endsWith('.py')) out.push(p);
  }
}
it('perf', async () => {
  const p = await pythonParser();
  const files: string[] = [];
  walk('/root/.pyenv/versions/3.11.7/lib/python3.11', files);
  const srcs = files.map((f) => readFileSync(f, 'utf8'));
  const mine = [sessionLifecycle, unclosedFile, circularReference, loadAll, stringConcatLoop];
  for (const [name, rules] of [['base', ALL_RULES], ['base+mine', [...ALL_RULES, ...mine]], ['mine', mine], ['base', ALL_RULES], ['base+mine', [...ALL_RULES, ...mine]]] as const) {
    const t0 = Date.now(); let n = 0;
    for (let i = 0; i < srcs.length; i++) n += analyzeSource(p, srcs[i], { file: files[i], rules, routes: false }).findings.length;
    console.log(name, files.length, 'files', Date.now() - t0, 'ms', n, 'findings');
  }
}, 600000);
