import { it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { analyzeSource } from '../../src/static/analyze-source.js';
import { pythonParser } from '../../src/static/parse.js';
import type { Rule } from '../../src/static/rule.js';
it('svc', async () => {
  const p = await pythonParser();
  const rules: Rule[] = [];
  for (const n of ['r3-session-lifecycle', 'm2-unclosed-file', 'm1-circular-reference', 'm3-load-all', 'm4-string-concat-loop']) {
    const m = await import(/* @vite-ignore */ `/work/main/src/static/rules/${n}.ts`);
    rules.push(Object.values(m).find((v) => typeof v === 'object' && v && 'meta' in (v as object)) as Rule);
  }
  const dir = process.env.SVC ?? '/tmp/svc';
  let out = '';
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.py'))) {
    const src = readFileSync(`${dir}/${f}`, 'utf8');
    const r = analyzeSource(p, src, { file: f, rules, routes: false });
    const full = analyzeSource(p, src, { file: f, rules, routes: false, fullParse: true });
    if (JSON.stringify(r.findings) !== JSON.stringify(full.findings)) out += `MISMATCH ${f}\n`;
    for (const x of r.findings) out += `${f}:${x.line} ${x.shortId} [${x.function}] ${x.message}\n`;
  }
  console.log(out);
});
