import { it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chooseBlocks } from '../../src/static/analyze-source.js';
import { splitTopLevel } from '../../src/static/prescan.js';
import { sessionLifecycle } from '../../src/static/rules/r3-session-lifecycle.js';
import { unclosedFile } from '../../src/static/rules/m2-unclosed-file.js';
import { circularReference } from '../../src/static/rules/m1-circular-reference.js';
import { loadAll } from '../../src/static/rules/m3-load-all.js';
import { stringConcatLoop } from '../../src/static/rules/m4-string-concat-loop.js';
import { ALL_RULES } from '../../src/static/rules/index.js';
function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) { if (!/test|__pycache__/.test(e)) walk(p, out); } else if (e.endsWith('.py')) out.push(p);
  }
}
it('pre', async () => {
  const files: string[] = [];
  walk('/root/.pyenv/versions/3.11.7/lib/python3.11', files);
  const srcs = files.map((f) => readFileSync(f, 'utf8'));
  const blocks = srcs.map((s) => splitTopLevel(s));
  for (const rules of [ALL_RULES, [sessionLifecycle], [unclosedFile], [circularReference], [loadAll], [stringConcatLoop]]) {
    const t = performance.now();
    for (let i = 0; i < srcs.length; i++) chooseBlocks({ source: srcs[i], blocks: blocks[i] }, rules, false);
    console.log(rules.length > 1 ? 'base' : rules[0].meta.shortId, (performance.now() - t).toFixed(0), 'ms');
  }
}, 600000);
