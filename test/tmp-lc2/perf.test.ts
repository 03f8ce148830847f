import { it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSource, chooseBlocks } from '../../src/static/analyze-source.js';
import { splitTopLevel } from '../../src/static/prescan.js';
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
  const blocks = srcs.map((s) => splitTopLevel(s));
  const total = blocks.reduce((a, b) => a + b.length, 0);
  const sets: [string, readonly import('../../src/static/rule.js').Rule[]][] = [['base', ALL_RULES]];
  for (const r of [sessionLifecycle, unclosedFile, circularReference, loadAll, stringConcatLoop]) sets.push([r.meta.shortId, [r]]);
  sets.push(['base+mine', [...ALL_RULES, sessionLifecycle, unclosedFile, circularReference, loadAll, stringConcatLoop]]);
  for (const [name, rules] of sets) {
    let chosen = 0; let chosenChars = 0;
    for (let i = 0; i < srcs.length; i++) {
      const c = chooseBlocks({ source: srcs[i], blocks: blocks[i] }, rules, false).chosen.filter((b) => b.head !== 'import' && b.head !== 'from');
      chosen += c.length; chosenChars += c.reduce((a, b) => a + b.end - b.start, 0);
    }
    const noop = rules.map((r) => ({ ...r, check() {} }));
    let tFull = 0; let tNoop = 0;
    for (let i = 0; i < srcs.length; i++) {
      let t = performance.now();
      analyzeSource(p, srcs[i], { file: files[i], rules: noop, routes: false });
      tNoop += performance.now() - t;
      t = performance.now();
      analyzeSource(p, srcs[i], { file: files[i], rules, routes: false });
      tFull += performance.now() - t;
    }
    const allChars = srcs.reduce((a, s) => a + s.length, 0);
    console.log(`${name}: blocks ${chosen}/${total} (${(100 * chosenChars / allChars).toFixed(1)}% of chars) parse+scan ${tNoop.toFixed(0)} ms, with checks ${tFull.toFixed(0)} ms`);
  }
}, 900000);
